#!/usr/bin/env bash
# Instructions per small write + read pair (bench/small.js, one rank), from callgrind: the whole run at two
# row counts, and the difference divided by the extra rows, so that start-up and JIT warm-up cancel out.
# Node runs --single-threaded with fixed seeds, so that V8's background threads and its random hash seed
# (whose set-up costs a different number of instructions each run) add no noise of their own.
# usage: bash bench/callgrind-small.sh [ROOT]   (ROOT: an h5mpi checkout to measure; default this one)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-$here}
source "$here/scripts/mpienv.sh"
work=$(mktemp -d /tmp/h5mpi-callgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
total() {
  mpiexec -n 1 valgrind --tool=callgrind --callgrind-out-file="$work/out.$1" node --single-threaded --hash-seed=1 --random-seed=1 "$root/bench/small.js" "$1" 100 "$work/small.h5" >/dev/null 2>"$work/err.$1"
  grep -E '^(summary|totals):' "$work/out.$1" | head -1 | awk '{print $2}'
}
a=2000 b=22000
ia=$(total $a)
ib=$(total $b)
echo "{\"root\":\"$root\",\"rows\":[$a,$b],\"instructions\":[$ia,$ib],\"per_pair\":$(( (ib - ia) / (b - a) ))}"
