#!/usr/bin/env bash
# Times `casebook build` of a synthetic library in one language against the same library in
# two, with a translation of every other case (issue: bilingual content).
#
#   bash scripts/bench-translations.sh [N]        (default N=10000)
#
# The library comes from `cargo run --release --example gen_corpus`; the translations are made
# here: for every other case, `x.zh.md` beside `x.md` with a title, a summary and the body
# (the same headings and attributes, the text marked as translated), which is what a translator
# writes. Each build runs RUNS times (default 3) after `rm -rf` of its output; the medians close
# the output. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${RUNS:-3}
work=${WORK:-/tmp/casebook-bench-translations-$n}
cargo build --release --locked --quiet --bin casebook --example gen_corpus
bin=target/release/casebook
one="$work/one"
two="$work/two"
if [ ! -d "$two/cases" ]; then
  rm -rf "$work"
  target/release/examples/gen_corpus --n "$n" --out "$one" >/dev/null
  cp -R "$one" "$two"
  printf 'languages = ["zh-CN", "en"]\ncontent_language = "en"\n' | cat - "$one/casebook.toml" >"$two/casebook.toml"
  python3 - "$two/cases" <<'PY'
import os, re, sys
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(sys.argv[1]) for f in fs if f.endswith(".md"))
for k, path in enumerate(files):
    if k % 2:
        continue
    text = open(path, encoding="utf-8").read()
    _, front, body = text.split("---\n", 2)
    title = re.search(r"^title_zh: (.*)$", front, re.M) or re.search(r"^title: (.*)$", front, re.M)
    lines = [l if l.startswith("#") or not l.strip() else "译文：" + l for l in body.splitlines()]
    with open(path[:-3] + ".zh.md", "w", encoding="utf-8") as out:
        out.write(f"---\ntitle: {title.group(1)}\nsummary: 译文摘要。\n---\n" + "\n".join(lines) + "\n")
PY
fi
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for lib in one two; do
  times=()
  for _ in $(seq "$runs"); do
    rm -rf "$work/site-$lib"
    start=$(date +%s.%N)
    "$bin" build --root "$work/$lib" --out "$work/site-$lib" >/dev/null 2>&1
    times+=("$(echo "$(date +%s.%N) - $start" | bc)")
  done
  pages=$(find "$work/site-$lib" -name '*.html' | wc -l)
  echo "$lib language(s): $n cases, $pages pages: $(printf '%s\n' "${times[@]}" | median) s (median of $runs: ${times[*]})"
done
