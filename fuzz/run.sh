#!/usr/bin/env bash
# Fuzz fazhi for a bounded time.
#
#   fuzz/run.sh [SECONDS_PER_TARGET]        (default: $FUZZ_SECONDS or 60)
#
# With cargo-fuzz on a nightly toolchain (`cargo +nightly fuzz`), runs the
# three libFuzzer targets (parse_file, html_extract, query_parse) for that
# long each, starting from the small seed corpora in fuzz/seeds/<target>/;
# the growing corpus goes to fuzz/corpus/<target>/ (git-ignored) and crash
# inputs to fuzz/artifacts/<target>/. Copy a crash input into
# fuzz/regressions/<target>/ once fixed: `cargo test --test robust_fuzz`
# replays every file there.
#
# Without nightly/cargo-fuzz (stable only), runs the proptest twins in
# tests/robust_fuzz.rs with a larger PROPTEST_CASES instead, under the same
# overall time bound. Proptest keeps its failures in
# tests/robust_fuzz.proptest-regressions (commit that file).
set -euo pipefail
cd "$(dirname "$0")/.."

secs="${1:-${FUZZ_SECONDS:-60}}"
targets=(parse_file html_extract query_parse)

if cargo +nightly fuzz --version >/dev/null 2>&1; then
    status=0
    for t in "${targets[@]}"; do
        mkdir -p "fuzz/corpus/$t"
        echo "== cargo fuzz: $t for ${secs}s"
        # Limits mirror fazhi's own: inputs up to 1 MiB, 2 GiB RSS, 30 s per input.
        cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
            -max_total_time="$secs" -max_len=1048576 -rss_limit_mb=2048 -timeout=30 || status=$?
    done
    if [ "$status" -ne 0 ]; then
        echo "fuzzing found a failure: see fuzz/artifacts/; keep the input in fuzz/regressions/<target>/" >&2
    fi
    exit "$status"
fi

echo "cargo +nightly fuzz not available: running the proptest versions (tests/robust_fuzz.rs)" >&2
cargo test --test robust_fuzz --no-run
# About 100 cases per second per property on the debug build; bounded by timeout anyway.
cases="${PROPTEST_CASES:-$(( secs * 100 ))}"
echo "== proptest: PROPTEST_CASES=$cases, at most $(( secs * ${#targets[@]} ))s"
PROPTEST_CASES="$cases" timeout --signal=INT "$(( secs * ${#targets[@]} ))" \
    cargo test --test robust_fuzz -- --test-threads=2 && exit 0
status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 130 ]; then
    echo "time bound reached without a failure (lower PROPTEST_CASES for a complete run)" >&2
    exit 0
fi
exit "$status"
