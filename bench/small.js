#!/usr/bin/env node
// h5mpi's side of ../shared/peers/h5py_small.py: the per-call cost of many small hyperslab writes, then
// reads, of one row each, independent MPI-IO on a file opened on COMM_WORLD.
// usage: mpiexec -n N node bench/small.js NROWS NCOLS FILE [--readinto]
// Prints one JSON line from rank 0 with the peer's keys (--readinto: also times readInto a reused array).
'use strict';
const { MPI, File } = require('..');

const [nrows, ncols] = [Number(process.argv[2] ?? 20000), Number(process.argv[3] ?? 100)];
const path = process.argv[4] ?? '/tmp/h5mpi-bench-small.h5';
const withReadInto = process.argv.includes('--readinto');
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const row = new Float32Array(ncols).map((_, i) => i);
const into = new Float32Array(ncols);

const f = File.open(path, 'w', { comm });
const d = f.createDataset('small', { shape: [nrows * size, ncols], dtype: 'float32' });
// One selection object per call, as a user would write it; the count never changes.
const count = [1, ncols];
comm.barrier();
const t0 = MPI.Wtime();
for (let i = rank * nrows; i < (rank + 1) * nrows; i++) d.write(row, { start: [i, 0], count });
const t1 = MPI.Wtime();
let check = 0;
for (let i = rank * nrows; i < (rank + 1) * nrows; i++) check += d.read({ start: [i, 0], count })[ncols - 1];
const t2 = MPI.Wtime();
if (withReadInto) for (let i = rank * nrows; i < (rank + 1) * nrows; i++) d.readInto(into, { start: [i, 0], count });
const t3 = MPI.Wtime();
f.close();
if (check !== nrows * (ncols - 1)) throw new Error(`bench/small.js: read back ${check}, expected ${nrows * (ncols - 1)}`);
const w = comm.reduce((t1 - t0) / nrows * 1e6, 'max', 0);
const r = comm.reduce((t2 - t1) / nrows * 1e6, 'max', 0);
const ri = comm.reduce((t3 - t2) / nrows * 1e6, 'max', 0);
if (rank === 0) {
  const out = { peer: 'h5mpi', ranks: size, calls: nrows, write_us_per_call: w, read_us_per_call: r };
  console.log(JSON.stringify(withReadInto ? { ...out, readinto_us_per_call: ri } : out));
}
