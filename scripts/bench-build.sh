#!/usr/bin/env bash
# Times `casebook build` against Hugo on the same synthetic library, in one run.
#
#   bash scripts/bench-build.sh [N]        (default N=10000)
#
# Uses ../shared/bench/gen_corpus.py and peers.sh when present (they write the same cases
# for casebook and Hugo); otherwise only casebook is timed, on the project's own generator
# (cargo run --release --example gen_corpus). Prints wall time and peak RSS (GNU time).
# Needs: /usr/bin/time (apt-get install time); hugo for the comparison (apt-get install hugo).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
runs=${RUNS:-3}
work=${WORK:-/tmp/casebook-bench-$n}
shared=../shared/bench
cargo build --release --locked --quiet --examples
if [ -f "$shared/gen_corpus.py" ]; then
  [ -d "$work/casebook" ] || python3 "$shared/gen_corpus.py" --n "$n" --out "$work" >/dev/null
  root="$work/casebook"
else
  [ -d "$work/cases" ] || cargo run --release --quiet --example gen_corpus -- --n "$n" --out "$work"
  root="$work"
fi
echo "# casebook build, $n cases, $runs runs ($(nproc) cores)"
for ((i = 1; i <= runs; i++)); do
  rm -rf "$work-site"; sync
  /usr/bin/time -f 'casebook: %e s wall, %M KB peak RSS' target/release/casebook build --root "$root" --out "$work-site" 2>&1 | tail -2
done
if [ -f "$shared/peers.sh" ] && command -v hugo >/dev/null; then
  PEERS=${PEERS:-hugo} RUNS=$runs OUT=/tmp/peers-out bash "$shared/peers.sh" "$work"
fi
