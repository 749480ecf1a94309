#!/usr/bin/env bash
# Times `casebook build` against Hugo on the same synthetic library, side by side in one run.
#
#   bash scripts/bench-build.sh [N]        (default N=10000)
#
# Uses ../shared/bench/gen_corpus.py when present (it writes the same cases for casebook and
# Hugo); otherwise only casebook is timed, on the project's own generator
# (cargo run --release --example gen_corpus).
#
# The two builds alternate, RUNS rounds of casebook then Hugo (Hugo run exactly as
# ../shared/bench/peers.sh runs it), each after `rm -rf` of its previous output and `sync`;
# the medians and their ratio close the output. Alternating matters on a disk: on ext4 without
# a journal, creating files right after many were deleted is slow (the kernel skips the
# recently deleted inodes one by one), so back-to-back runs of one tool slow each other down
# and the tool that runs in a quieter moment looks faster. Set OUT to a tmpfs folder
# (/dev/shm/...) to take the disk out of the comparison.
# Needs: /usr/bin/time (apt-get install time); hugo for the comparison (apt-get install hugo).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${RUNS:-5}
work=${WORK:-/tmp/casebook-bench-$n}
out=${OUT:-$work-out}
shared=../shared/bench
cargo build --release --locked --quiet
if [ -f "$shared/gen_corpus.py" ]; then
  [ -d "$work/casebook" ] || python3 "$shared/gen_corpus.py" --n "$n" --out "$work" >/dev/null
  root="$work/casebook"
else
  [ -d "$work/cases" ] || cargo run --release --quiet --example gen_corpus -- --n "$n" --out "$work"
  root="$work"
fi
hugo=$(command -v hugo || true)
[ -d "$work/hugo" ] || hugo=""
mkdir -p "$out"
echo "# casebook build${hugo:+ and hugo}, $n cases, $runs rounds ($(nproc) cores), output in $out"
[ -n "$hugo" ] && echo "# $("$hugo" version 2>&1 | head -n 1)"
times=$(mktemp)
# timed FILE CMD...: runs CMD quietly, writes "wall_seconds peak_KB" to FILE; on failure shows
# what CMD printed and stops.
timed() {
  local file=$1; shift
  if ! /usr/bin/time -f '%e %M' -o "$file" "$@" >"$file.log" 2>&1; then
    cat "$file.log" >&2
    echo "failed: $*" >&2
    exit 1
  fi
}
for ((i = 1; i <= runs; i++)); do
  rm -rf "$out/casebook"; sync
  timed "$times.run" target/release/casebook build --root "$root" --out "$out/casebook"
  read -r wall rss <"$times.run"
  echo "casebook $wall $rss" >>"$times"
  printf 'round %d  casebook %6.2f s  %5d MB peak' "$i" "$wall" $((rss / 1024))
  if [ -n "$hugo" ]; then
    rm -rf "$out/hugo"; sync
    timed "$times.run" "$hugo" --quiet -s "$work/hugo" -d "$out/hugo"
    read -r wall rss <"$times.run"
    echo "hugo $wall $rss" >>"$times"
    printf '   hugo %6.2f s  %5d MB peak' "$wall" $((rss / 1024))
  fi
  echo
done
median() { grep "^$1 " "$times" | cut -d' ' -f2 | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
cb=$(median casebook)
if [ -n "$hugo" ]; then
  hg=$(median hugo)
  awk -v c="$cb" -v h="$hg" 'BEGIN { printf "median: casebook %.2f s, hugo %.2f s, casebook / hugo = %.2f\n", c, h, c / h }'
else
  echo "median: casebook $cb s"
fi
rm -f "$times" "$times.run" "$times.run.log"
