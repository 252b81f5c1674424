#!/usr/bin/env bash
# Bounded memory of `fazhi export`: write 10 and N (default 1,000,000)
# synthetic hits through the streaming exporters, one process per run, and
# compare peak RSS (VmHWM) and peak heap (counting allocator). Fails if the
# large run's peak RSS exceeds the small run's by more than LIMIT_MB
# (default 64) in any format. With INDEX=DIR (and QUERY, default 执法) it
# also runs the real export of every hit of QUERY from that index (opened
# read-only) in each format and fails if its peak heap exceeds HEAP_MB
# (default 300).
#
#   benches/export_memory.sh            # all formats, 1,000,000 hits
#   N=200000 benches/export_memory.sh csv xlsx
#   INDEX=/tmp/s100k/index benches/export_memory.sh csv jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
LIMIT_MB=${LIMIT_MB:-64}
formats=("$@")
[ ${#formats[@]} -eq 0 ] && formats=(csv jsonl json ndjson-bulk xlsx)

cargo build --release --example export_bench >/dev/null
bin=target/release/examples/export_bench
peak() { sed -n 's/.*peak_rss=\([0-9.]*\)MB.*/\1/p'; }
heap() { sed -n 's/.*peak_heap=\([0-9.]*\)MB.*/\1/p'; }
HEAP_MB=${HEAP_MB:-300}

status=0
for f in "${formats[@]}"; do
  small=$("$bin" 10 "$f")
  large=$("$bin" "$N" "$f")
  echo "$small"
  echo "$large"
  growth=$(awk -v a="$(echo "$small" | peak)" -v b="$(echo "$large" | peak)" 'BEGIN { printf "%.1f", b - a }')
  echo "  $f: peak RSS grows by ${growth} MB from 10 to $N hits"
  if awk -v g="$growth" -v l="$LIMIT_MB" 'BEGIN { exit !(g > l) }'; then
    echo "  $f: NOT bounded (limit ${LIMIT_MB} MB)" >&2
    status=1
  fi
  if [ -n "${INDEX:-}" ]; then
    real=$("$bin" index "$INDEX" "${QUERY:-执法}" "$f")
    echo "$real"
    if awk -v h="$(echo "$real" | heap)" -v l="$HEAP_MB" 'BEGIN { exit !(h > l) }'; then
      echo "  $f: real export heap over ${HEAP_MB} MB" >&2
      status=1
    fi
  fi
done
exit $status
