#!/usr/bin/env bash
# Benchmark of `fazhi serve` (not a timed test): generate N reports (or
# reuse benches/scale.sh's corpus and index of the same N and SEED), start
# the release server on a free port, and drive its API with 16 concurrent
# clients (examples/serve_load.rs): per scenario p50/p95/p99/max latency and
# requests per second; then the server's RSS (current and peak).
#
#   benches/serve.sh [N]            (default N=2000; the issue's target is N=100000)
#
# Environment: SEED (1), CLIENTS (16), REQUESTS (per client, 25),
# CARGO_TARGET_DIR as for cargo. The corpus and index live in
# ${TMPDIR:-/tmp}/fazhi-scale-N-sSEED, shared with benches/scale.sh.
set -euo pipefail

N=${1:-2000}
SEED=${SEED:-1}
CLIENTS=${CLIENTS:-16}
REQUESTS=${REQUESTS:-25}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/fazhi
GEN=$TARGET/release/examples/gen_corpus
LOAD=$TARGET/release/examples/serve_load
WORK=${TMPDIR:-/tmp}/fazhi-scale-$N-s$SEED
CORPUS=$WORK/corpus
IDX=$WORK/index

echo "== build (cargo build --release --examples --bins)"
(cd "$ROOT" && cargo build --release --examples --bins --quiet)

mkdir -p "$WORK"
if [[ ! -f $WORK/corpus.done ]]; then
    echo "== generating $N reports into $CORPUS"
    rm -rf "$CORPUS"
    "$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED" >/dev/null
    echo 0 > "$WORK/corpus.done"
fi
if [[ ! -f $IDX/meta.json ]]; then
    echo "== indexing (fazhi index)"
    t=$(date +%s)
    "$BIN" --corpus "$CORPUS" --index "$IDX" index --quiet
    echo "   $(( $(date +%s) - t )) s"
fi

LOG=$WORK/serve.log
"$BIN" --corpus "$CORPUS" --index "$IDX" serve --addr 127.0.0.1:0 >"$WORK/serve.out" 2>"$LOG" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    grep -q 'serving' "$WORK/serve.out" 2>/dev/null && break
    sleep 0.1
done
ADDR=$(sed -n 's/^fazhi: serving http:\/\///p' "$WORK/serve.out")
[[ -n $ADDR ]] || { echo "serve.sh: the server did not start:" >&2; cat "$LOG" >&2; exit 1; }
echo "== $N reports, server pid $PID at $ADDR, $CLIENTS clients x $REQUESTS requests"

rss_kb() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$PID/status"; }

echo "== warm-up (one pass over the mix)"
"$LOAD" "$ADDR" mixed 1 12 >/dev/null
echo "   RSS after warm-up: $(( $(rss_kb VmRSS) / 1024 )) MB"

printf '\n| scenario | requests | errors | p50 ms | p95 ms | p99 ms | max ms | req/s |\n|---|---|---|---|---|---|---|---|\n'
for scenario in search facets mixed; do
    read -r name clients total ok errors p50 p95 p99 max rps < <("$LOAD" "$ADDR" "$scenario" "$CLIENTS" "$REQUESTS")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$total" "$errors" "$p50" "$p95" "$p99" "$max" "$rps"
done
echo
echo "server RSS: now $(( $(rss_kb VmRSS) / 1024 )) MB, peak $(( $(rss_kb VmHWM) / 1024 )) MB"
kill -TERM "$PID"
wait "$PID" && echo "server stopped cleanly on SIGTERM"
trap - EXIT
