#!/usr/bin/env bash
# Scale benchmark: generate N reports, index them, and time fresh-process
# queries against `rg -l -F` on the same folder. Prints one table.
#
#   benches/scale.sh [N]            (default N=2000; the issue's target is N=100000)
#
# Environment: SEED (1), RUNS (5 timed runs per query, median reported),
# The generated corpus and index stay in ${TMPDIR:-/tmp}/fazhi-scale-N-sSEED
# and are reused by the next run with the same N and SEED (rm -rf to free disk);
# CARGO_TARGET_DIR as for cargo.
#
# Needs: cargo, /usr/bin/time (GNU time; `apt-get install -y time`);
# optional: rg (`apt-get install -y ripgrep`) for the grep comparison;
# the Lucene peer (../shared/peers/lucene-build.sh, or LUCENE_PEER=PATH) with
# Debian's liblucene8-java and a JDK (`apt-get install -y liblucene8-java
# default-jdk-headless`) for the build comparison, run right after fazhi's
# full build on the same corpus (LUCENE=0 skips it).
set -euo pipefail

N=${1:-2000}
SEED=${SEED:-1}
RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/fazhi
GEN=$TARGET/release/examples/gen_corpus
WORK=${TMPDIR:-/tmp}/fazhi-scale-$N-s$SEED
CORPUS=$WORK/corpus
IDX=$WORK/index

if [[ ! -x /usr/bin/time ]]; then
    echo "scale.sh: /usr/bin/time (GNU time) is missing: apt-get install -y time" >&2
    exit 2
fi
HAVE_RG=0
if command -v rg >/dev/null 2>&1; then HAVE_RG=1; else
    echo "scale.sh: rg not found (apt-get install -y ripgrep); the grep column stays empty" >&2
fi

echo "== build (cargo build --release --examples --bins)"
(cd "$ROOT" && cargo build --release --examples --bins --quiet)

mkdir -p "$WORK"
now() { date +%s%N; }
ms_since() { echo $(( ($(now) - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "nan"; else print a[int((NR+1)/2)]}'; }

# ---------------------------------------------------------------- corpus
if [[ -f $WORK/changed ]]; then
    echo "== restoring the files a previous interrupted run changed"
    "$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED" --change 1 --round 0 >/dev/null
    rm -f "$WORK/changed"
fi
if [[ ! -f $WORK/corpus.done ]]; then
    echo "== generating $N reports into $CORPUS"
    rm -rf "$CORPUS"
    t=$(now)
    "$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED"
    GEN_MS=$(ms_since "$t")
    echo "$GEN_MS" > "$WORK/corpus.done"
else
    GEN_MS=$(cat "$WORK/corpus.done")
    echo "== reusing $CORPUS (generated in $GEN_MS ms)"
fi
CORPUS_BYTES=$(find "$CORPUS" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')
FILES=$(find "$CORPUS" -type f | wc -l)
echo "   $FILES files, $((CORPUS_BYTES / 1000000)) MB"
echo "== warming the page cache"
find "$CORPUS" -type f -print0 | xargs -0 cat >/dev/null

# ---------------------------------------------------------------- indexing
# timed_index LABEL ARGS...: wall ms and peak RSS (kB) of one `fazhi index` run.
timed_index() {
    local label=$1; shift
    local t
    t=$(now)
    /usr/bin/time -v -o "$WORK/time-$label.txt" "$BIN" --corpus "$CORPUS" --index "$IDX" index "$@" >"$WORK/index-$label.out" 2>&1 || {
        echo "scale.sh: fazhi index failed:" >&2; cat "$WORK/index-$label.out" >&2; exit 1; }
    local ms
    ms=$(ms_since "$t")
    local rss
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time-$label.txt")
    echo "$ms $rss"
    echo "   $label: $(tail -n 1 "$WORK/index-$label.out")" >&2
}

echo "== fazhi index --rebuild"
read -r FULL_MS FULL_RSS < <(timed_index full --rebuild)
INDEX_BYTES=$(du -sb "$IDX" | cut -f1)
FULL_CPU=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.1f", u + s}' "$WORK/time-full.txt")

# ---------------------------------------------------------------- Lucene peer
# Same corpus, same machine, right after fazhi's build: Lucene 8 with
# CJKAnalyzer (bigrams with positions, one document per report, no stored
# text), 2 threads, forceMerge(1) included.
LUCENE_PEER=${LUCENE_PEER:-$ROOT/../shared/peers/lucene-build.sh}
LUCENE_MS=-; LUCENE_BYTES=-; LUCENE_NOTE="not run"
if [[ ${LUCENE:-1} == 0 ]]; then
    LUCENE_NOTE="skipped (LUCENE=0)"
elif [[ ! -x $LUCENE_PEER ]]; then
    LUCENE_NOTE="skipped: no peer script at $LUCENE_PEER"
elif ! command -v javac >/dev/null 2>&1 || ! ls /usr/share/java/lucene-core-8*.jar >/dev/null 2>&1; then
    LUCENE_NOTE="skipped: needs apt-get install -y liblucene8-java default-jdk-headless"
else
    echo "== Lucene peer (CJKAnalyzer) on the same corpus"
    rm -rf "$WORK/lucene"
    if /usr/bin/time -v -o "$WORK/time-lucene.txt" "$LUCENE_PEER" "$CORPUS" cjk "$WORK/lucene" >"$WORK/lucene.json" 2>"$WORK/lucene.err"; then
        LUCENE_MS=$(awk -F': *' '/"index_time_s"/ {gsub(/,/, "", $2); printf "%.0f", $2 * 1000}' "$WORK/lucene.json")
        LUCENE_BYTES=$(cat "$WORK/lucene/index_bytes")
        LUCENE_CPU=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.1f", u + s}' "$WORK/time-lucene.txt")
        LUCENE_RSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time-lucene.txt")
        LUCENE_NOTE="$(sed -n 's/.*"version": "\(.*\)",/\1/p' "$WORK/lucene.json")"
        rm -rf "$WORK/lucene/index"
    else
        LUCENE_NOTE="failed: $(tail -n 1 "$WORK/lucene.err")"
    fi
    echo "   lucene: $LUCENE_MS ms, $LUCENE_BYTES bytes" >&2
fi
echo "== fazhi index, nothing changed"
read -r NOCHG_MS NOCHG_RSS < <(timed_index nochange)
echo "== fazhi index, 1% of the files changed"
touch "$WORK/changed"
CHANGED=$("$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED" --change 1 --round 1 | awk '{print $2}')
read -r CHG_MS CHG_RSS < <(timed_index change1)
"$GEN" --out "$CORPUS" --reports "$N" --seed "$SEED" --change 1 --round 0 >/dev/null
rm -f "$WORK/changed"
read -r RESTORE_MS _ < <(timed_index restore1)

# ---------------------------------------------------------------- queries
# The rare term: the bureau of report 7 (a handful of reports at any N).
RARE_FILE=$(find "$CORPUS" -type f -name '*_000007.*' | head -n 1)
RARE=$(basename "$RARE_FILE"); RARE=${RARE%_000007.*}

fz() { "$BIN" --corpus "$CORPUS" --index "$IDX" "$@"; }
# rg equivalents (-l: file names only, like a first-pass grep). rg has no
# AND, no sentence scope and no normalisation: pipelines approximate them,
# and GB18030 files (10%) are not decoded by rg, so rg finds fewer files.
rg_l() { rg -l -F --no-messages -- "$@" || true; }
rg_and() { rg_l "$1" "$CORPUS" | { xargs -r -d '\n' rg -l -F --no-messages -- "$2" || true; }; }
rg_not() { rg_l "$1" "$CORPUS" | { xargs -r -d '\n' rg --files-without-match -F --no-messages -- "$2" || true; }; }
rg_filter() {
    local dirs=()
    for y in 2021 2022 2023; do [[ -d $CORPUS/浙江省/$y ]] && dirs+=("$CORPUS/浙江省/$y"); done
    ((${#dirs[@]})) && rg_l "$1" "${dirs[@]}"
    return 0
}

LABELS=(common_word domain_phrase rare_term two_term_and word_boundary filters within_sentence exclusion topic_ranking)
declare -A FZ RG
FZ[common_word]='fz search 法治'
RG[common_word]='rg_l 法治 "$CORPUS"'
FZ[domain_phrase]='fz search "\"双随机、一公开\""'
RG[domain_phrase]='rg_l 双随机、一公开 "$CORPUS"'
FZ[rare_term]='fz search "$RARE"'
RG[rare_term]='rg_l "$RARE" "$CORPUS"'
FZ[two_term_and]='fz search 法律顾问 合法性审查'
RG[two_term_and]='rg_and 法律顾问 合法性审查'
FZ[word_boundary]='fz search 法行政'
RG[word_boundary]='rg_l 法行政 "$CORPUS"'
FZ[filters]='fz search 执法 --province 浙江 --year 2021..2023'
RG[filters]='rg_filter 执法'
FZ[within_sentence]='fz search 法律顾问 合法性审查 --within sentence'
RG[within_sentence]='rg_and 法律顾问 合法性审查'
FZ[exclusion]='fz search 普法 -宪法'
RG[exclusion]='rg_not 普法 宪法'
FZ[topic_ranking]='fz topic 行政执法'
RG[topic_ranking]=''   # no grep equivalent

# time_cmd CMD: median wall ms of RUNS runs (after one warm-up run).
time_cmd() {
    local cmd=$1 i t
    eval "$cmd" >/dev/null 2>&1 || true
    for ((i = 0; i < RUNS; i++)); do
        t=$(now)
        eval "$cmd" >/dev/null 2>&1 || true
        ms_since "$t"
    done | median
}

echo "== queries: $RUNS fresh processes each (median), rare term = $RARE"
declare -A FZ_MS RG_MS FZ_HITS RG_FILES
for q in "${LABELS[@]}"; do
    # Fail loudly on a usage error (exit 2); exit 1 just means no hits.
    set +e; eval "${FZ[$q]} --limit 10" >/dev/null 2>"$WORK/q.err"; code=$?; set -e
    if ((code > 1)); then echo "scale.sh: ${FZ[$q]} failed: $(head -n 1 "$WORK/q.err")" >&2; exit 1; fi
    FZ_HITS[$q]=$(eval "${FZ[$q]} --limit 0 --format jsonl" 2>/dev/null | wc -l)
    FZ_MS[$q]=$(time_cmd "${FZ[$q]} --limit 10")
    if ((HAVE_RG)) && [[ -n ${RG[$q]} ]]; then
        RG_FILES[$q]=$(eval "${RG[$q]}" 2>/dev/null | wc -l)
        RG_MS[$q]=$(time_cmd "${RG[$q]}")
    else
        RG_FILES[$q]=-; RG_MS[$q]=-
    fi
    echo "   $q: fazhi ${FZ_MS[$q]} ms, rg ${RG_MS[$q]} ms" >&2
done

# ---------------------------------------------------------------- bureaus, export
BUREAUS_NOTE="skipped: \`fazhi bureaus --help\` failed (command not available yet)"
if fz bureaus --help >/dev/null 2>&1; then
    set +e; fz bureaus '"执法"' >/dev/null 2>"$WORK/b.err"; code=$?; set -e
    if ((code > 1)); then
        BUREAUS_NOTE="failed: $(head -n 1 "$WORK/b.err")"
    else
        BUREAUS_MS=$(time_cmd "fz bureaus '\"执法\"'")
        BUREAUS_NOTE="${BUREAUS_MS} ms (target <= 150 ms at 100k)"
    fi
fi
EXPORT_NOTE="skipped: \`fazhi export --help\` failed (command not available yet)"
if fz export --help >/dev/null 2>&1; then
    out=$WORK/export.csv
    rm -f "$out"
    t=$(now)
    set +e
    /usr/bin/time -v -o "$WORK/time-export.txt" "$BIN" --corpus "$CORPUS" --index "$IDX" export 执法 --format csv --output "$out" >"$WORK/export.out" 2>&1
    code=$?
    set -e
    EXPORT_MS=$(ms_since "$t")
    if ((code > 1)) || [[ ! -s $out ]]; then
        EXPORT_NOTE="failed: \`fazhi export 执法 --format csv --output FILE\`: $(head -n 1 "$WORK/export.out")"
    else
        # Hits, not lines: the `text` column holds newlines inside quotes.
        ROWS=$(fz search 执法 --count -f json | awk -F': *' '/"sections"/ {gsub(/,/, "", $2); print $2}')
        ERSS=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time-export.txt")
        EXPORT_NOTE="$ROWS rows in $EXPORT_MS ms = $(awk -v r="$ROWS" -v m="$EXPORT_MS" 'BEGIN {printf "%.0f", r / (m / 1000)}') hits/s, peak RSS $((ERSS / 1024)) MB (target >= 300,000 hits/s)"
    fi
fi

# ---------------------------------------------------------------- report
mbps() { awk -v b="$1" -v ms="$2" 'BEGIN {printf "%.1f", (b / 1e6) / (ms / 1000)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || a == 0) print "-"; else printf "%.1fx", b / a}'; }
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)

echo
echo "### fazhi scale benchmark: $FILES reports, $(awk -v b="$CORPUS_BYTES" 'BEGIN {printf "%.1f", b / 1e6}') MB (seed $SEED)"
echo
echo "Machine: $(nproc) cores ($CPU), $MEM RAM, $(uname -sr); fazhi $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); $( (rg --version 2>/dev/null || echo 'no rg') | sed -n 1p)"
echo
echo "| Indexing | value |"
echo "|---|---|"
echo "| corpus generation | $GEN_MS ms |"
echo "| full \`fazhi index --rebuild\` | $FULL_MS ms, $(mbps "$CORPUS_BYTES" "$FULL_MS") MB/s, peak RSS $((FULL_RSS / 1024)) MB |"
echo "| index size | $((INDEX_BYTES / 1000000)) MB = $(awk -v i="$INDEX_BYTES" -v c="$CORPUS_BYTES" 'BEGIN {printf "%.2f", i / c}')x corpus |"
echo "| re-run, nothing changed | $NOCHG_MS ms, peak RSS $((NOCHG_RSS / 1024)) MB |"
echo "| re-run, 1% changed ($CHANGED files) | $CHG_MS ms = $(awk -v a="$CHG_MS" -v b="$FULL_MS" 'BEGIN {printf "%.0f", 100 * a / b}')% of full, peak RSS $((CHG_RSS / 1024)) MB (restoring them: $RESTORE_MS ms) |"
echo "| \`fazhi bureaus '\"执法\"'\` | $BUREAUS_NOTE |"
echo "| \`fazhi export 执法 --format csv\` | $EXPORT_NOTE |"
echo
echo "| Full build, same corpus, one run | wall | CPU (user+sys) | index size | x corpus |"
echo "|---|---:|---:|---:|---:|"
echo "| fazhi (\`index --rebuild\`, reuse sidecar included) | $FULL_MS ms | $FULL_CPU s | $((INDEX_BYTES / 1000000)) MB | $(awk -v i="$INDEX_BYTES" -v c="$CORPUS_BYTES" 'BEGIN {printf "%.2f", i / c}') |"
if [[ $LUCENE_MS != - ]]; then
    echo "| Lucene peer: $LUCENE_NOTE | $LUCENE_MS ms | $LUCENE_CPU s (JVM) | $((LUCENE_BYTES / 1000000)) MB | $(awk -v i="$LUCENE_BYTES" -v c="$CORPUS_BYTES" 'BEGIN {printf "%.2f", i / c}') |"
    echo "| **fazhi / Lucene** | **$(awk -v a="$FULL_MS" -v b="$LUCENE_MS" 'BEGIN {printf "%.2fx", a / b}')** | $(awk -v a="$FULL_CPU" -v b="$LUCENE_CPU" 'BEGIN {printf "%.2fx", a / b}') | $(awk -v a="$INDEX_BYTES" -v b="$LUCENE_BYTES" 'BEGIN {printf "%.2fx", a / b}') | |"
    echo
    echo "Targets (issue 20): wall <= 1.5x Lucene (stretch: < 1x); index <= 1.0x corpus. Lucene stores no text and indexes one field per report; peak RSS $((LUCENE_RSS / 1024)) MB."
else
    echo "| Lucene peer | $LUCENE_NOTE | | | |"
fi
echo
echo "| Query (fresh process, median of $RUNS) | fazhi ms | rg -l -F ms | rg / fazhi | fazhi sections | rg files |"
echo "|---|---:|---:|---:|---:|---:|"
for q in "${LABELS[@]}"; do
    cmd=${FZ[$q]#fz }
    cmd=${cmd//\$RARE/$RARE}
    printf '| %s: `%s` | %s | %s | %s | %s | %s |\n' "$q" "$cmd" "${FZ_MS[$q]}" "${RG_MS[$q]}" "$(ratio "${FZ_MS[$q]}" "${RG_MS[$q]}")" "${FZ_HITS[$q]}" "${RG_FILES[$q]}"
done
echo
echo "rg counts files (not sections), misses the GB18030 files and has no AND/sentence scope:"
echo "two_term_and/within_sentence/exclusion run as rg pipelines; filters use the province/year folders."

echo
echo "(corpus and index kept in $WORK for reuse; rm -rf $WORK to free $(du -sh "$WORK" | cut -f1))"
