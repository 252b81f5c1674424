#!/usr/bin/env bash
# Bounded memory of `fazhi export`: write 10 and N (default 1,000,000)
# synthetic hits through the streaming exporters, one process per run, and
# compare peak RSS (VmHWM). Fails if the large run's peak exceeds the small
# run's by more than LIMIT_MB (default 64) in any format.
#
#   benches/export_memory.sh            # all formats, 1,000,000 hits
#   N=200000 benches/export_memory.sh csv xlsx
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
LIMIT_MB=${LIMIT_MB:-64}
formats=("$@")
[ ${#formats[@]} -eq 0 ] && formats=(csv jsonl json ndjson-bulk xlsx)

cargo build --release --example export_bench >/dev/null
bin=target/release/examples/export_bench
peak() { sed -n 's/.*peak_rss=\([0-9.]*\)MB.*/\1/p'; }

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
done
exit $status
