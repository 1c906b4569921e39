#!/usr/bin/env bash
# milepost's end-to-end browser suite. From the repository root:
#
#   bash tests/browser/run.sh                      # every check, then Lighthouse
#   bash tests/browser/run.sh --screenshots [DIR]  # only the screenshots, into DIR
#                                                  # (default docs/screenshots/)
#   bash tests/browser/run.sh --no-lighthouse      # the node tests only
#
# Environment:
#   MILEPOST_SITE   the repository (or copy) whose site.toml, content/, themes/ and
#                   tests/fixtures/journal are tested (default: this repository)
#   MILEPOST_BIN    a milepost binary to use (default: target/release/milepost of
#                   this repository, built with `cargo build --release` if needed)
#   CHROMIUM        the browser (default: chromium, chromium-browser or google-chrome)
#   KEEP=1          keep the run's temp dir (its path is printed)
#   TESTS="a b"     run only these test files (names under tests/browser/test/)
#
# Everything it makes goes to a temp dir (printed); the figures of the run are
# copied to /tmp/browser-results/ and Lighthouse's scores to
# /tmp/browser-lighthouse.json. Nothing is written into the repository but
# tests/browser/node_modules (and docs/screenshots with --screenshots).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
SITE="$(cd "${MILEPOST_SITE:-$REPO}" && pwd)"
STARTED=$SECONDS

SCREENSHOTS=""
LIGHTHOUSE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshots)
      SCREENSHOTS="$REPO/docs/screenshots"
      if [ $# -gt 1 ] && [ "${2#--}" = "$2" ]; then SCREENSHOTS="$2"; shift; fi ;;
    --screenshots=*) SCREENSHOTS="${1#--screenshots=}" ;;
    --no-lighthouse) LIGHTHOUSE=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

fail() { echo "run.sh: error: $*" >&2; exit 1; }

# Runs a long step in a process group of its own, in the background, and waits
# for it: an interrupt (Ctrl-C, a CI timeout) then reaches the trap at once,
# and the trap stops the whole group (node, its test processes, Chromium).
CHILD=""
step() {
  if command -v setsid >/dev/null; then setsid "$@" & else "$@" & fi
  CHILD=$!
  local rc=0
  wait "$CHILD" || rc=$?
  CHILD=""
  return $rc
}

# --- What the suite needs on the machine --------------------------------------
command -v node >/dev/null || fail "node is not installed (Node 20.19 or newer is needed)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node $(node -v) is too old: the suite needs Node 20.19 or newer"
command -v npm >/dev/null || fail "npm is not installed"
if [ -z "${CHROMIUM:-}" ]; then
  for candidate in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$candidate" >/dev/null; then CHROMIUM="$(command -v "$candidate")"; break; fi
  done
fi
[ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ] \
  || fail "Chromium is not installed. On Debian/Ubuntu: apt-get install -y chromium (or set CHROMIUM=/path/to/chrome)"
CHROMIUM_VERSION="$(timeout 30 "$CHROMIUM" --headless --no-sandbox --version 2>/dev/null || true)"
[ -n "$CHROMIUM_VERSION" ] || fail "$CHROMIUM does not run ($CHROMIUM --version printed nothing)"
[ -f "$SITE/site.toml" ] || fail "MILEPOST_SITE=$SITE holds no site.toml"
[ -d "$SITE/tests/fixtures/journal" ] || fail "MILEPOST_SITE=$SITE holds no tests/fixtures/journal"

# --- A temp dir for everything, and a server that is stopped on exit -----------
WORK="$(mktemp -d /tmp/browser-run.XXXXXX)"
SERVER_PID=""
cleanup() {
  local status=$?
  if [ -n "$CHILD" ]; then kill -TERM -- "-$CHILD" 2>/dev/null || kill -TERM "$CHILD" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  # A `milepost serve` the serve test started, if the test itself was killed.
  if [ -s "$WORK/serve.pid" ]; then kill "$(cat "$WORK/serve.pid")" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "run.sh: kept $WORK"; else rm -rf "$WORK"; fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- The suite's own packages: npm ci when package-lock.json changed ------------
cd "$HERE"
if ! cmp -s package-lock.json node_modules/.milepost-installed-lock 2>/dev/null; then
  echo "== npm ci (tests/browser)"
  # No package here downloads a browser; these keep any that might from trying.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
    step timeout 600 npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed"
  cp package-lock.json node_modules/.milepost-installed-lock
fi

# --- milepost ---------------------------------------------------------------
if [ -n "${MILEPOST_BIN:-}" ]; then
  BIN="$MILEPOST_BIN"
else
  echo "== cargo build --release (if anything changed)"
  step timeout 1800 cargo build --release --locked --quiet --manifest-path "$REPO/Cargo.toml" || fail "cargo build --release failed"
  BIN="$REPO/target/release/milepost"
fi
[ -x "$BIN" ] || fail "no milepost binary at $BIN"

echo "== sites under test: $SITE (copied to $WORK/sites)"
mkdir -p "$WORK/sites/demo" "$WORK/out" "$WORK/results"
for part in site.toml content themes static templates; do
  if [ -e "$SITE/$part" ]; then cp -R "$SITE/$part" "$WORK/sites/demo/"; fi
done
cp -R "$SITE/tests/fixtures/journal" "$WORK/sites/journal"
cp -R "$REPO/tests/fixtures/search" "$WORK/sites/finder"
# The fixture has no theme of its own: give it the theme under test, so a
# change to themes/default is tested on both sites even before it is compiled in.
for fixture in journal finder; do
  if [ -d "$SITE/themes" ] && [ ! -e "$WORK/sites/$fixture/themes" ]; then cp -R "$SITE/themes" "$WORK/sites/$fixture/"; fi
done

node "$HERE/lib/server.mjs" --mount "/diary/=$WORK/out/demo" --mount "/journal/=$WORK/out/journal" \
  --mount "/finder/=$WORK/out/finder" \
  --log "$WORK/requests.log" --port-file "$WORK/port" >"$WORK/server.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { cat "$WORK/server.out" >&2; fail "the test server did not start"; }
PORT="$(cat "$WORK/port")"
ORIGIN="http://127.0.0.1:$PORT"
echo "== test server $ORIGIN (log: $WORK/requests.log)"

build() { # name site-dir out-dir [args...]
  local name="$1" site="$2" out="$3"; shift 3
  if ! timeout 300 "$BIN" build --site "$site" --output "$out" "$@" >"$WORK/build-$name.log" 2>&1; then
    cat "$WORK/build-$name.log" >&2
    return 1
  fi
  echo "   $name: $(grep -m1 '^Built' "$WORK/build-$name.log" || tail -1 "$WORK/build-$name.log")"
}
echo "== building at $((SECONDS - STARTED)) s"
build demo "$WORK/sites/demo" "$WORK/out/demo" --base-url "$ORIGIN/diary/" || fail "the demo does not build"
build journal "$WORK/sites/journal" "$WORK/out/journal" --base-url "$ORIGIN/journal/" || fail "the journal fixture does not build"
build finder "$WORK/sites/finder" "$WORK/out/finder" --base-url "$ORIGIN/finder/" || fail "the search fixture does not build"
build demo-file "$WORK/sites/demo" "$WORK/out/demo-file" || fail "the demo does not build"
build journal-file "$WORK/sites/journal" "$WORK/out/journal-file" || fail "the journal fixture does not build"
# --for-disk may not exist yet: its failure is reported by the navigation test.
for s in demo journal; do
  if ! build "$s-disk" "$WORK/sites/$s" "$WORK/out/$s-disk" --for-disk; then
    cp "$WORK/build-$s-disk.log" "$WORK/out/$s-disk.err"
    echo "   $s-disk: milepost build --for-disk FAILED (the navigation test will fail)"
  fi
done

export MP_ORIGIN="$ORIGIN" MP_WORK="$WORK" MP_RESULTS="$WORK/results" MP_BIN="$BIN" \
  MP_CHROMIUM="$CHROMIUM" MP_REPO="$REPO" MP_SITE="$SITE" MP_REQUEST_LOG="$WORK/requests.log"

if [ -n "$SCREENSHOTS" ]; then
  echo "== screenshots into $SCREENSHOTS"
  step timeout 600 node "$HERE/screenshots.mjs" "$SCREENSHOTS" || fail "screenshots failed"
  echo "run.sh: screenshots done in $((SECONDS - STARTED)) s"
  exit 0
fi

status=0
echo "== node --test ($CHROMIUM_VERSION) at $((SECONDS - STARTED)) s"
if [ -n "${TESTS:-}" ]; then
  files=(); for t in $TESTS; do files+=("$HERE/test/$t"); done
else
  files=("$HERE"/test/*.test.mjs)
fi
step timeout 900 node --test --test-concurrency=1 \
  --test-reporter="$HERE/lib/reporter.mjs" --test-reporter-destination=stdout \
  --test-reporter=spec --test-reporter-destination="$WORK/results/spec.txt" \
  "${files[@]}" || status=1

if [ "$LIGHTHOUSE" = 1 ] && [ -z "${TESTS:-}" ]; then
  echo "== lighthouse at $((SECONDS - STARTED)) s"
  step timeout 600 node "$HERE/lighthouse.mjs" --out /tmp/browser-lighthouse.json || status=1
fi

rm -rf /tmp/browser-results && cp -R "$WORK/results" /tmp/browser-results
cp "$WORK/requests.log" /tmp/browser-results/requests.log
echo "== figures of this run: /tmp/browser-results/ (summary: node $HERE/summary.mjs /tmp/browser-results)"
echo "run.sh: $([ $status = 0 ] && echo PASSED || echo FAILED) in $((SECONDS - STARTED)) s"
exit $status
