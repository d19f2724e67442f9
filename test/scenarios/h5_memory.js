// Large arrays on huge pages: each rank fills a zeros() array with its own values and writes its rows of a
// [rows, cols] float64 dataset collectively; then every rank reads the whole dataset back with read()
// (whose result is on huge pages where they pay, lib/memory.ts) and reports what it found and how much of
// its memory is on huge pages, before and after each step; then sends such arrays through bcast and
// allreduce. usage: h5_memory.js FILE
'use strict';
const fs = require('node:fs');
const { MPI, File, zeros } = require('../..');
const { report } = require('./report');

const hugeKiB = () => Number(/^AnonHugePages:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]);
const comm = MPI.COMM_WORLD;
const [rows, cols] = [256 * comm.size, 4096]; // 8 MiB of float64 per rank
const before = hugeKiB();
const mine = zeros('float64', [256, cols]);
const untouched = mine.every((v) => v === 0);
for (let i = 0; i < mine.length; i++) mine[i] = comm.rank * 1e7 + i;
const afterZeros = hugeKiB();
const f = File.open(process.argv[2], 'w', { comm });
const d = f.createDataset('x', { shape: [rows, cols], dtype: 'float64' });
d.write(mine, { start: [256 * comm.rank, 0], count: [256, cols] }, { collective: true });
const all = d.read();
const afterRead = hugeKiB();
f.close();
let wrong = 0;
for (let r = 0; r < comm.size; r++) {
  for (let i = 0; i < 256 * cols; i++) if (all[r * 256 * cols + i] !== r * 1e7 + i) wrong++;
}
// The same arrays through MPI: views that start inside a larger buffer travel as themselves.
const fromRoot = comm.bcast(mine, 0); // rank 0's own values, r * 1e7 + i on rank r
const summed = comm.allreduce(zeros('float64', 2 ** 20).fill(comm.rank + 1), 'sum');
report({
  mpi: { bcastLast: fromRoot[2 ** 20 - 1], bcastLength: fromRoot.length, sumFirst: summed[0], sumLast: summed[2 ** 20 - 1] },
  type: mine.constructor.name, length: mine.length, untouched,
  readType: all.constructor.name, readLength: all.length, wrong,
  hugeKiB: { zeros: afterZeros - before, read: afterRead - afterZeros },
});
