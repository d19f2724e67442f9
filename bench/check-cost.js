// The cost of collective-call checking per metadata operation (bench/run.js runs it under mpiexec).
// Two files are open on COMM_WORLD, one with checkCollective on and one off; blocks of the same operations
// alternate between them (A B A B ...), each block timed between barriers, so that both see the same load.
//   usage: mpiexec -n N node bench/check-cost.js DIR OPS ROUNDS
// Prints one JSON line from rank 0: per operation, the median microseconds per call with and without checking.
'use strict';
const path = require('node:path');
const { MPI, File } = require('..');

const [dir, ops, rounds] = [process.argv[2], Number(process.argv[3] ?? 100), Number(process.argv[4] ?? 5)];
const comm = MPI.COMM_WORLD;
const files = {
  on: File.open(path.join(dir, 'check-on.h5'), 'w', { comm, checkCollective: true }),
  off: File.open(path.join(dir, 'check-off.h5'), 'w', { comm, checkCollective: false }),
};
// Metadata operations a program makes: each is collective in parallel HDF5 (metadata reads too, with the
// default collective metadata), so each is checked when checking is on.
const OPERATIONS = {
  createGroup: (f, i) => f.createGroup(`g${i}`),
  'attrs.set': (f, i) => f.attrs.set(`a${i % 50}`, i),
  has: (f, i) => f.has(`g${i}`),
};
const times = {};
for (const name of Object.keys(OPERATIONS)) times[name] = { on: [], off: [] };
let serial = 0;
for (let r = 0; r < rounds; r++) {
  for (const [name, op] of Object.entries(OPERATIONS)) {
    for (const which of r % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      const f = files[which];
      const first = name === 'createGroup' ? serial : 0;
      comm.barrier();
      const t0 = MPI.Wtime();
      for (let i = 0; i < ops; i++) op(f, first + i);
      comm.barrier();
      times[name][which].push(((MPI.Wtime() - t0) / ops) * 1e6);
    }
    if (name === 'createGroup') serial += ops;
  }
}
files.on.close();
files.off.close();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
if (comm.rank === 0) {
  const perOp = Object.entries(times).map(([op, t]) => ({ op, on_us: median(t.on), off_us: median(t.off), on_runs: t.on, off_runs: t.off }));
  console.log(JSON.stringify({ ranks: comm.size, ops, rounds, perOp }));
}
