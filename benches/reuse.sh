#!/usr/bin/env bash
# Text reuse benchmark (issue 19): what `fazhi index` spends on the reuse
# sidecar, in a full build and in a 1% incremental update, and how long
# the default `fazhi reuse` listing takes and how many pairs it finds, on
# a corpus from examples/gen_corpus.rs.
#
#   benches/reuse.sh [N]            (default N=10000; the issue's target is N=100000)
#
# Environment: SEED (1). The corpus and index stay in
# ${TMPDIR:-/tmp}/fazhi-reuse-N-sSEED (rm -rf to free disk); CARGO_TARGET_DIR as for cargo.
set -euo pipefail

N=${1:-10000}
SEED=${SEED:-1}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/fazhi
GEN=$TARGET/release/examples/gen_corpus
WORK=${TMPDIR:-/tmp}/fazhi-reuse-$N-s$SEED
CORPUS=$WORK/corpus
IDX=$WORK/index

echo "== build (cargo build --release --example gen_corpus --bin fazhi)"
(cd "$ROOT" && cargo build --release --example gen_corpus --bin fazhi --quiet)
mkdir -p "$WORK"
now() { date +%s%N; }
ms_since() { echo $(( ($(now) - $1) / 1000000 )); }
# The seconds of the "reuse: … — X s" line of an index run.
reuse_ms() { sed -n 's/^reuse:.* — \([0-9.]*\) s$/\1/p' "$1" | awk '{printf "%d", $1 * 1000}'; }

if [[ -f $WORK/changed ]]; then
    "$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED" --change 1 --round 0 >/dev/null
    rm -f "$WORK/changed"
fi
if [[ ! -f $WORK/corpus.done ]]; then
    echo "== generating $N reports into $CORPUS"
    rm -rf "$CORPUS"
    "$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED"
    touch "$WORK/corpus.done"
fi

echo "== full build (fazhi index --rebuild, reuse data removed first)"
rm -rf "$IDX/reuse"
t=$(now)
"$BIN" --corpus "$CORPUS" --index "$IDX" index --rebuild >"$WORK/full.out" 2>&1
FULL_MS=$(ms_since "$t")
FULL_REUSE_MS=$(reuse_ms "$WORK/full.out")
cat "$WORK/full.out"

echo "== 1% of the files changed"
touch "$WORK/changed"
CHANGED=$("$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED" --change 1 --round 1 | awk '{print $2}')
t=$(now)
"$BIN" --corpus "$CORPUS" --index "$IDX" index >"$WORK/change.out" 2>&1
CHG_MS=$(ms_since "$t")
CHG_REUSE_MS=$(reuse_ms "$WORK/change.out")
cat "$WORK/change.out"

echo "== fazhi reuse (default listing, then every pair)"
t=$(now)
"$BIN" --corpus "$CORPUS" --index "$IDX" reuse >"$WORK/reuse.out" 2>"$WORK/reuse.err" || true
LIST_MS=$(ms_since "$t")
t=$(now)
PAIRS=$({ "$BIN" --corpus "$CORPUS" --index "$IDX" reuse -n 0 -f jsonl 2>/dev/null || true; } | wc -l)
t=$(now)
PAIRS100=$({ "$BIN" --corpus "$CORPUS" --index "$IDX" reuse -n 0 -f jsonl --min-chars 100 2>/dev/null || true; } | wc -l)
ALL100_MS=$(ms_since "$t")
ALL_MS=$(ms_since "$t")
CANDIDATES=$(sed -n 's/^reuse:.*; \([0-9]*\) candidate pairs.*/\1/p' "$WORK/change.out")

"$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED" --change 1 --round 0 >/dev/null
rm -f "$WORK/changed"

echo
echo "| $N generated reports (seed $SEED) | |"
echo "|---|---|"
echo "| full build | $FULL_MS ms, of which reuse $FULL_REUSE_MS ms = $(awk -v a="$FULL_REUSE_MS" -v b="$FULL_MS" 'BEGIN {printf "%.1f", 100 * a / (b - a)}')% of the rest |"
echo "| 1% changed ($CHANGED files) | $CHG_MS ms, of which reuse $CHG_REUSE_MS ms |"
echo "| candidate pairs | $CANDIDATES |"
echo "| \`fazhi reuse\` (20 rows) | $LIST_MS ms |"
echo "| \`fazhi reuse -n 0\` | $PAIRS pairs, $ALL_MS ms |"
echo "| \`fazhi reuse -n 0 --min-chars 100\` | $PAIRS100 pairs, $ALL100_MS ms |"
