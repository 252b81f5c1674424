#!/usr/bin/env bash
# Over-time views at scale: fresh-process timings of `fazhi trend`,
# `fazhi adoption` (and `--panel`) for a phrase in about half of the
# reports, and `fazhi kwic --limit 1000`, on a generated corpus.
#
#   benches/trend.sh [N]            (default N=20000; the issue's target is N=100000)
#
# Environment: SEED (1), RUNS (5 timed runs per command after a warm-up,
# median reported), PHRASE (default: of a few candidates, the one whose
# share of reports is closest to half). The corpus and index are those of
# benches/scale.sh (${TMPDIR:-/tmp}/fazhi-scale-N-sSEED), built here when
# missing and reused otherwise; CARGO_TARGET_DIR as for cargo.
set -euo pipefail

N=${1:-20000}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/fazhi
GEN=$TARGET/release/examples/gen_corpus
WORK=${TMPDIR:-/tmp}/fazhi-scale-$N-s$SEED
CORPUS=$WORK/corpus
IDX=$WORK/index

echo "== build (cargo build --release --examples --bins)"
(cd "$ROOT" && cargo build --release --examples --bins --quiet)
mkdir -p "$WORK"
now() { date +%s%N; }
ms_since() { echo $(( ($(now) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else print a[int((NR+1)/2)]}'; }

if [[ ! -f $WORK/corpus.done ]]; then
    echo "== generating $N reports into $CORPUS"
    rm -rf "$CORPUS"
    t=$(now)
    "$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED"
    ms_since "$t" > "$WORK/corpus.done"
fi
if [[ ! -f $IDX/meta.json ]]; then
    echo "== indexing (once; reused by later runs)"
    t=$(now)
    "$BIN" --corpus "$CORPUS" --index "$IDX" index --quiet
    echo "   indexed in $(ms_since "$t") ms"
fi
fz() { "$BIN" --corpus "$CORPUS" --index "$IDX" "$@"; }

# share PHRASE: reports mentioning it / reports, from `trend -f csv`.
share() {
    fz trend "$1" --by year -f csv 2>/dev/null |
        awk -F, 'NR > 1 {r += $3; m += $4} END {if (r) printf "%.3f %d %d\n", m / r, m, r; else print "0 0 0"}'
}
if [[ -z ${PHRASE:-} ]]; then
    best=2
    for p in 法律顾问 行政执法 合法性审查 普法 依法行政 法治政府建设 重大行政决策 执法; do
        read -r s m r < <(share "$p")
        d=$(awk -v s="$s" 'BEGIN {d = s - 0.5; if (d < 0) d = -d; print d}')
        echo "   $p: $m of $r reports ($s)"
        if awk -v d="$d" -v b="$best" 'BEGIN {exit !(d < b)}'; then best=$d; PHRASE=$p; fi
    done
fi
read -r S M R < <(share "$PHRASE")
echo "== phrase \"$PHRASE\": in $M of $R reports ($S)"

# time_cmd ARGS...: median wall ms of RUNS fresh processes (after one warm-up).
time_cmd() {
    local i t
    fz "$@" >/dev/null 2>&1 || true
    for ((i = 0; i < RUNS; i++)); do
        t=$(now)
        fz "$@" >/dev/null 2>&1 || true
        ms_since "$t"
    done | median
}

OUT=$WORK/trend-chart.html
declare -a LABELS=(
    "trend --by year -f csv"
    "trend --by year,province -f csv"
    "trend -f html"
    "adoption -f csv"
    "adoption --panel -f csv"
    "kwic --limit 1000 -f csv"
)
declare -A ARGS=(
    ["trend --by year -f csv"]="trend $PHRASE --by year -f csv"
    ["trend --by year,province -f csv"]="trend $PHRASE --by year,province -f csv"
    ["trend -f html"]="trend $PHRASE -f html -o $OUT --force"
    ["adoption -f csv"]="adoption $PHRASE -f csv"
    ["adoption --panel -f csv"]="adoption $PHRASE --panel -f csv"
    ["kwic --limit 1000 -f csv"]="kwic $PHRASE --limit 1000 -f csv"
)
echo "== $RUNS fresh processes each (median)"
printf '| %-40s | %8s | %10s |\n' "command (\"$PHRASE\", $N reports)" "ms" "rows out"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..42})" "----------" "------------"
for label in "${LABELS[@]}"; do
    # shellcheck disable=SC2086 # the arguments are words
    rows=$(fz ${ARGS[$label]} 2>/dev/null | wc -l)
    # shellcheck disable=SC2086
    ms=$(time_cmd ${ARGS[$label]})
    printf '| %-40s | %8s | %10s |\n' "$label" "$ms" "$rows"
done
