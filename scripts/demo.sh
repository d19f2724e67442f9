#!/usr/bin/env bash
# `npm run demo`: a multi-rank MPI + parallel HDF5 run on small sizes (the seed's demos replace this).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/mpienv.sh
mpiexec -n 4 node -e "
const { MPI, File } = require('.');
const c = MPI.COMM_WORLD;
const f = File.open('/tmp/h5mpi-demo.h5', 'w');
const d = f.createDataset('x', { shape: [c.size, 4], dtype: 'float64' });
d.write(new Float64Array(4).fill(c.rank), { start: [c.rank, 0], count: [1, 4] }, { collective: true });
f.close();
const sum = c.allreduce(c.rank, 'sum');
if (c.rank === 0) console.log('ranks', c.size, 'sum of ranks', sum);
"
