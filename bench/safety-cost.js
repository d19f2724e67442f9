#!/usr/bin/env node
// What safety costs per collective operation: the collective-call check's exchange alone (the one
// MPI_Allreduce of a digest it makes now, against the allgather of every rank's call text it made before,
// and against no exchange), then real operations on a file with checking on and off. Run it once more with
// H5MPI_HANG_TIMEOUT=60 to see what marking calls for the watchdog adds.
//   usage: mpiexec -n N node bench/safety-cost.js DIR [OPS] [ROUNDS]
// Prints one JSON line from rank 0: per case, the median over rounds of the slowest rank's microseconds per call.
'use strict';
const path = require('node:path');
const { MPI, File } = require('..');
const { runCollective } = require('../dist/collective');

const [dir, ops, rounds] = [process.argv[2] ?? '/tmp', Number(process.argv[3] ?? 2000), Number(process.argv[4] ?? 7)];
const comm = MPI.COMM_WORLD;
const text = "createDataset('/some/dataset/path', [1024, 1024], float64, chunks [64, 1024]) in '/scratch/run/output.h5'";

const on = File.open(path.join(dir, 'safety-on.h5'), 'w', { checkCollective: true });
const off = File.open(path.join(dir, 'safety-off.h5'), 'w', { checkCollective: false });
const dOn = on.createDataset('x', { shape: [comm.size], dtype: 'float64' });
const dOff = off.createDataset('x', { shape: [comm.size], dtype: 'float64' });
const one = new Float64Array([comm.rank]);
const mine = { start: [comm.rank], count: [1] };
let group = 0;

const CASES = {
  'exchange: none (checking off)': () => runCollective(comm, false, 'bench', () => text, () => undefined),
  'exchange: allreduce of a digest (now)': () => runCollective(comm, true, 'bench', () => text, () => undefined),
  'exchange: allgather of call texts (before)': () => comm.allgather([1, text]),
  'attrs.set, checked': () => on.attrs.set('a', 1.5),
  'attrs.set, unchecked': () => off.attrs.set('a', 1.5),
  'createGroup, checked': () => on.createGroup(`g${group++}`),
  'createGroup, unchecked': () => off.createGroup(`g${group++}`),
  'collective write of 1 element, checked': () => dOn.write(one, mine, { collective: true }),
  'collective write of 1 element, unchecked': () => dOff.write(one, mine, { collective: true }),
};

const times = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  // Alternate the order each round so that every case sees the same machine load on average.
  const names = r % 2 === 0 ? Object.keys(CASES) : Object.keys(CASES).reverse();
  for (const name of names) {
    const n = name.startsWith('createGroup') ? Math.min(ops, 200) : ops;
    comm.barrier();
    const t0 = MPI.Wtime();
    for (let i = 0; i < n; i++) CASES[name]();
    const us = ((MPI.Wtime() - t0) / n) * 1e6;
    times[name].push(comm.allreduce(us, 'max'));
  }
}
on.close();
off.close();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
if (comm.rank === 0) {
  const perCall = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, Number(median(t).toFixed(2))]));
  console.log(JSON.stringify({ ranks: comm.size, ops, rounds, watchdog: process.env.H5MPI_HANG_TIMEOUT ?? null, us_per_call: perCall }));
}
