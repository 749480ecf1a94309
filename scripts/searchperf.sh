#!/usr/bin/env bash
# Search-page performance at scale: generates a synthetic library (10,000 cases by
# default), builds its site with the release binary, serves it over loopback HTTP under a
# sub-path and measures, in headless Chromium, for four queries typed key by key:
#   - the bytes transferred from opening search.html to the results of the typed query
#     (goal: < 300 KB), and the bytes loaded before typing (page_load_bytes), and
#   - the time from the last keystroke to the last change of the result list (goal: < 50 ms).
# Also prints the size of the browser index (_search/ without the tantivy index).
#
# Side by side, the same queries are typed into Pagefind's own UI over the SAME pages that
# casebook built (Pagefind indexes a copy of casebook's output), measured by the same
# searchperf.mjs, and the ratio casebook / Pagefind is printed for bytes and for ms. Only
# casebook's goals decide the exit status; Pagefind's numbers are reported.
#
#   scripts/searchperf.sh [N]        N cases (default 10000); WORK=dir keeps the corpus and site
#
# Environment (all optional):
#   CASEBOOK_BIN=path, GEN_CORPUS=path   use these binaries instead of `cargo build --release`
#                                        (both given: nothing is built)
#   PAGEFIND=path                        Pagefind's binary; default: `pagefind` on PATH, else
#                                        /tmp/peers/node_modules/.bin/pagefind. Missing: casebook only.
#                                        Install: mkdir -p /tmp/peers && cd /tmp/peers && npm i pagefind
#
# Needs: cargo (unless both binaries are given), python3, node with `npm ci` done in scripts/,
# Debian's chromium. Exits 1 when one of casebook's goals is missed.
set -euo pipefail

n=${1:-10000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=${WORK:-$(mktemp -d -t casebook-searchperf-XXXXXX)}
mkdir -p "$work"

# Build only what was not given: a run on a shared machine can point at binaries built
# elsewhere instead of compiling again.
if [ -z "${CASEBOOK_BIN:-}" ] || [ -z "${GEN_CORPUS:-}" ]; then
  (cd "$root" && cargo build --release --quiet --bin casebook --example gen_corpus)
fi
casebook=${CASEBOOK_BIN:-$root/target/release/casebook}
gen_corpus=${GEN_CORPUS:-$root/target/release/examples/gen_corpus}

# Pagefind is optional: without it the script measures casebook alone, as before.
pagefind=${PAGEFIND:-$(command -v pagefind 2>/dev/null || echo /tmp/peers/node_modules/.bin/pagefind)}
if [ ! -x "$pagefind" ]; then
  echo "pagefind: not found (PAGEFIND=, PATH, /tmp/peers/node_modules/.bin/pagefind); measuring casebook only." \
    "Install: mkdir -p /tmp/peers && cd /tmp/peers && npm i pagefind"
  pagefind=""
fi

"$gen_corpus" --n "$n" --out "$work/corpus" >&2
echo "building the site of $n cases (CASEBOOK_TIMING=1)..." >&2
CASEBOOK_TIMING=1 "$casebook" build --root "$work/corpus" --out "$work/kb" >&2

if [ -n "$pagefind" ]; then
  # Pagefind writes its bundle into the site it indexes, so it gets a copy of casebook's site
  # ($work/pf) and casebook's own stays untouched. Hard links cost no space or time and are
  # safe here: Pagefind only adds the new folder pf/pagefind/ and never rewrites a page, and
  # the copy is made afresh after every build.
  rm -rf "$work/pf"
  cp -al "$work/kb" "$work/pf"
  # Our templates have no data-pagefind-body. `--root-selector article.case` both picks the
  # pages (only case pages have that element; pages without the root element are skipped)
  # and the content: the case's title, summary, facts (place, tags) and body, without the
  # header, navigation, breadcrumbs and footer around it. On a case page <main> holds
  # nothing else, but `main` alone would also index the list, taxonomy and search pages,
  # which casebook's search does not return as hits.
  echo "indexing casebook's pages with $("$pagefind" --version 2>&1 | head -n 1) ($pagefind)..." >&2
  "$pagefind" --site "$work/pf" --root-selector "article.case" >"$work/pagefind.log" 2>&1 \
    || { cat "$work/pagefind.log" >&2; echo "pagefind failed (log above)" >&2; exit 2; }
  grep -E 'Indexed [0-9]+ pages|Indexed [0-9]+ words|Finished in' "$work/pagefind.log" | sed 's/^ */pagefind: /' >&2
  # Pagefind's UI on a page of its own beside the copied site, in the site's language so
  # that the UI picks the same index language as the pages. Pagefind's defaults are kept
  # (300 ms debounce, 5 results shown): that is what a site using Pagefind's UI gets.
  lang=$(sed -n 's/.*<html lang="\([^"]*\)".*/\1/p' "$work/kb/search.html" | head -n 1)
  cat >"$work/pf/pf-search.html" <<EOF
<!DOCTYPE html>
<html lang="${lang:-en}">
<head>
<meta charset="utf-8">
<title>Pagefind UI over casebook's pages</title>
<link rel="stylesheet" href="pagefind/pagefind-ui.css">
<script src="pagefind/pagefind-ui.js"></script>
</head>
<body>
<div id="search"></div>
<script>window.addEventListener("DOMContentLoaded", () => { new PagefindUI({ element: "#search" }); });</script>
</body>
</html>
EOF
fi

# One server for both engines, so both are measured over the same HTTP stack.
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
pf_url="http://127.0.0.1:$port/pf/pf-search.html"

search="$work/kb/_search"
total=$(du -sb --exclude=tantivy "$search" | cut -f1)
files=$(find "$search" -path "$search/tantivy" -prune -o -type f -print | wc -l)
largest_shard=$(ls -S "$search/t" | head -n 1)
echo "browser index: $total bytes in $files files; largest shard t/$largest_shard: $(stat -c %s "$search/t/$largest_shard") bytes;" \
  "largest postings file: $(ls -S "$search/p" 2>/dev/null | head -n 1 | xargs -I{} stat -c %s "$search/p/{}") bytes;" \
  "f.js $(stat -c %s "$search/f.js"), meta.js $(stat -c %s "$search/meta.js") bytes"
if [ -n "$pagefind" ]; then
  bundle="$work/pf/pagefind"
  echo "pagefind index: $(du -sb "$bundle" | cut -f1) bytes in $(find "$bundle" -type f | wc -l) files" \
    "($(find "$bundle/index" -type f | wc -l) index chunks, $(find "$bundle/fragment" -type f | wc -l) fragments," \
    "all UI variants included); $(grep -oE 'Indexed [0-9]+ pages' "$work/pagefind.log")"
fi
# The milliseconds depend on what else the machine runs: say how busy it was.
echo "host: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

json_num() {  # json_num KEY JSON -> the number, or empty (null or missing)
  echo "$2" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}
ratio() {  # ratio A B -> A/B with two decimals, or ? when either is missing or B is 0
  if [ -n "$1" ] && [ -n "$2" ] && [ "$2" -gt 0 ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo "?"; fi
}

status=0
cd "$here"
# Two queries of words from the vocabulary, then two everyday-word questions.
for q in "党建联盟" "volunteer service" "党建工作流于形式怎么办" "our members' awareness is weak"; do
  out=$(node searchperf.mjs "$url" "$q" "#results li" "#q")
  echo "$out"
  bytes=$(json_num bytes_after_query "$out")
  load=$(json_num page_load_bytes "$out")
  ms=$(json_num keystroke_to_results_ms "$out")
  results=$(json_num results "$out")
  verdict="ok"
  if [ -z "$ms" ] || [ "${results:-0}" -eq 0 ] || [ "$bytes" -ge 300000 ] || [ "$ms" -ge 50 ]; then verdict="MISSED"; status=1; fi
  echo "casebook  $q: $bytes bytes ($load before typing), ${ms:-?} ms, $results results: $verdict (goals < 300000 bytes, < 50 ms)"

  [ -n "$pagefind" ] || continue
  # Pagefind's result list is `.pagefind-ui__result` (5 shown by default, so its count is
  # not comparable with casebook's); a failed run is reported and does not stop the script.
  pf_out=$(node searchperf.mjs "$pf_url" "$q" ".pagefind-ui__result" ".pagefind-ui__search-input") || pf_out=""
  echo "${pf_out:-pagefind: the measurement failed}"
  pf_bytes=$(json_num bytes_after_query "$pf_out")
  pf_load=$(json_num page_load_bytes "$pf_out")
  pf_ms=$(json_num keystroke_to_results_ms "$pf_out")
  echo "pagefind  $q: ${pf_bytes:-?} bytes (${pf_load:-?} before typing), ${pf_ms:-?} ms, $(json_num results "$pf_out") results (reported only)"
  echo "ratio     $q: casebook / pagefind bytes $(ratio "$bytes" "$pf_bytes"), ms $(ratio "$ms" "$pf_ms")"
done
[ -n "${WORK:-}" ] || rm -rf "$work"
exit $status
