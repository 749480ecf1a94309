#!/usr/bin/env bash
# Search-page performance at scale: generates a synthetic library (10,000 cases by
# default), builds its site with the release binary, serves it over loopback HTTP under a
# sub-path and measures, in headless Chromium, for two queries typed key by key:
#   - the bytes transferred from opening search.html to the results of the typed query
#     (goal: < 300 KB), and
#   - the time from the last keystroke to the last change of the result list (goal: < 50 ms).
# Also prints the size of the browser index (_search/ without the tantivy index).
#
#   scripts/searchperf.sh [N]        N cases (default 10000); WORK=dir keeps the corpus and site
#
# Needs: cargo, python3, node with `npm ci` done in scripts/, Debian's chromium. Exits 1 when a
# goal is missed.
set -euo pipefail

n=${1:-10000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=${WORK:-$(mktemp -d -t casebook-searchperf-XXXXXX)}
mkdir -p "$work"

cd "$root"
cargo build --release --quiet --bin casebook --example gen_corpus
"$root/target/release/examples/gen_corpus" --n "$n" --out "$work/corpus" >&2
echo "building the site of $n cases (CASEBOOK_TIMING=1)..." >&2
CASEBOOK_TIMING=1 "$root/target/release/casebook" build --root "$work/corpus" --out "$work/kb" >&2

log="$work/http.log"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$work" >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$log" | head -n 1)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "python3 -m http.server did not start" >&2; exit 2; }
url="http://127.0.0.1:$port/kb/search.html"

search="$work/kb/_search"
total=$(du -sb --exclude=tantivy "$search" | cut -f1)
files=$(find "$search" -path "$search/tantivy" -prune -o -type f -print | wc -l)
largest_shard=$(ls -S "$search/t" | head -n 1)
echo "browser index: $total bytes in $files files; largest shard t/$largest_shard: $(stat -c %s "$search/t/$largest_shard") bytes;" \
  "largest postings file: $(ls -S "$search/p" 2>/dev/null | head -n 1 | xargs -I{} stat -c %s "$search/p/{}") bytes;" \
  "f.js $(stat -c %s "$search/f.js"), meta.js $(stat -c %s "$search/meta.js") bytes"

status=0
cd "$here"
for q in "党建联盟" "volunteer service"; do
  out=$(node searchperf.mjs "$url" "$q" "#results li" "#q")
  echo "$out"
  bytes=$(echo "$out" | sed -n 's/.*"bytes_after_query":\([0-9]*\).*/\1/p')
  ms=$(echo "$out" | sed -n 's/.*"keystroke_to_results_ms":\([0-9]*\).*/\1/p')
  results=$(echo "$out" | sed -n 's/.*"results":\([0-9]*\).*/\1/p')
  verdict="ok"
  if [ -z "$ms" ] || [ "${results:-0}" -eq 0 ] || [ "$bytes" -ge 300000 ] || [ "$ms" -ge 50 ]; then verdict="MISSED"; status=1; fi
  echo "$q: $bytes bytes, ${ms:-?} ms, $results results: $verdict (goals < 300000 bytes, < 50 ms)"
done
[ -n "${WORK:-}" ] || rm -rf "$work"
exit $status
