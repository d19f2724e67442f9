#!/usr/bin/env bash
# `npm run demo`: the course's three programs end to end on small sizes, as a user runs them (see demo/README.md,
# "Demos"): write with 4 ranks, read back with 3 (another rank count, with both views of exercise 3), then
# the chunking comparison under mpiexec and serially, then the heat solver on 4 ranks, restarted on 3 and
# compared with an uninterrupted 2-rank run. Files go to a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpienv.sh
root=$PWD
work=$(mktemp -d /tmp/h5mpi-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

run() {
  echo
  echo "\$ $*"
  "$@"
}

run mpiexec -n 4 node "$root/demo/write.js" 64 400000 test.h5
run mpiexec -n 3 node "$root/demo/read.js" test.h5 --verbose --global
run mpiexec -n 4 node "$root/demo/write.js" 64 400000 test.h5 --independent
run mpiexec -n 2 node "$root/demo/read.js" test.h5 --independent
run mpiexec -n 3 node "$root/demo/chunking.js" 16 768 1366 200
run node "$root/demo/chunking.js" 16 768 1366 200 --keep
run h5repack -l test:CHUNK=1x100x100 chunking_contig.h5 repacked.h5
run h5ls -v repacked.h5/test
run mpiexec -n 4 node "$root/demo/heat.js" --nx 64 --ny 48 --steps 60 --every 20 --out heat.h5
run mpiexec -n 3 node "$root/demo/heat.js" --steps 120 --every 20 --out heat.h5 --restart heat.h5
run h5ls -r heat.h5
run mpiexec -n 2 node "$root/demo/heat.js" --nx 64 --ny 48 --steps 120 --every 20 --out uninterrupted.h5
# The restarted field and the uninterrupted one, value by value (the attributes name different rank counts).
run h5diff -r --exclude-attribute /final heat.h5 uninterrupted.h5 /final /final
