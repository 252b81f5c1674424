#!/usr/bin/env bash
# Peak memory (RSS) of `fazhi index`, `show` and `parse` on heading bombs:
# files of nothing but `1.法` lines, 12 MB and ~32 MB (just under the 32 MiB
# MAX_FILE_SIZE). Before the bound on headings per file (MAX_HEADINGS in
# src/report/sections.rs) the 33 MB file took 8.5 GB and the 12 MB one 3 GB;
# the bound itself is tested by counts in tests/robust_index_folder.rs.
#
# Usage: benches/heading_bomb.sh [FAZHI_BINARY]   (default: a release build)
# Needs GNU time (/usr/bin/time).
set -euo pipefail

cd "$(dirname "$0")/.."
bin=${1:-}
if [[ -z $bin ]]; then
    cargo build --release --quiet
    bin=target/release/fazhi
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label, command...
    local label=$1
    shift
    /usr/bin/time -f "$label: %e s, peak RSS %M KB" "$@" >/dev/null 2>"$work/time" || true
    grep -v '^fazhi: warning' "$work/time" | tail -1
}

for mb in 12 32; do
    corpus=$work/corpus-$mb
    mkdir -p "$corpus"
    # 6 bytes a line; 32 MB stays under MAX_FILE_SIZE (33,554,432 bytes).
    python3 -c "import sys; sys.stdout.write('1.法\n' * ($mb * 1000000 // 6))" >"$corpus/bomb.txt"
    size=$(stat -c %s "$corpus/bomb.txt")
    echo "== $mb MB heading bomb ($size bytes, $((size / 6)) lines)"
    measure "index" "$bin" --corpus "$corpus" --index "$work/index-$mb" index -q
    measure "show " "$bin" --index "$work/index-$mb" show bomb.txt
    measure "parse" "$bin" parse "$corpus/bomb.txt"
done
