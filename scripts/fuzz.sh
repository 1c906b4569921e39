#!/usr/bin/env bash
# Coverage-guided fuzzing of one target with libFuzzer, on the stable
# toolchain: the coverage instrumentation cargo-fuzz asks rustc for is made
# of stable flags (only its sanitizers need nightly, and none is used).
#
#   scripts/fuzz.sh TARGET [SECONDS] [libFuzzer options...]
#
# Targets: the names in src/fuzzing.rs (post, date, hashtags, markdown,
# site_toml, template, gpx, instagram, instagram_zip, image, video). The working corpus
# grows in fuzz/corpus/TARGET (not committed); crashes land in
# fuzz/artifacts/TARGET/. See docs/FUZZING.md.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

target=${1:?usage: scripts/fuzz.sh TARGET [SECONDS] [libFuzzer options...]}
seconds=${2:-600}
shift $(( $# < 2 ? $# : 2 ))

host=$(rustc -vV | sed -n 's/^host: //p')
# Given with --target, these reach the fuzzed code only, not build scripts
# or proc macros (which would not link against libFuzzer).
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --locked --target "$host" --bin "$target"

mkdir -p "corpus/$target" "artifacts/$target"
exec "$CARGO_TARGET_DIR/$host/release/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -dict="../tests/fuzz/dict/$target.dict" -artifact_prefix="artifacts/$target/" \
    "$@" "corpus/$target" "../tests/fuzz/corpus/$target"
