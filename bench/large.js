#!/usr/bin/env node
// The large-read case of `npm run bench -- --only large`: one read of a whole 1-D float64 dataset of several
// GiB from the page cache, serially, as h5py's `d[()]` (bench/peers/h5py_large.py) and C's H5Dread into
// malloc'd memory (bench/peers/c_large.c) do it. Times the call alone (the result's allocation included:
// it is part of what read() costs) and the process's CPU time and minor page faults over it; checks the
// first, a middle and the last element.
//   node bench/large.js write FILE GIB         makes the file (values i at index i), untimed
//   node bench/large.js read|readInto FILE     read(), or readInto(new Float64Array(n)) (plain memory)
// H5MPI_HUGE_PAGES=1 gives read() huge pages as before this was measured (lib/memory.ts).
'use strict';
const { File } = require('..');

const [mode, file, gib] = process.argv.slice(2);
const cpu = () => {
  const u = process.resourceUsage();
  return { cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, minflt: u.minorPageFault };
};

if (mode === 'write') {
  const n = Math.round((Number(gib) * 2 ** 30) / 8);
  const f = File.open(file, 'w');
  const d = f.createDataset('x', { shape: [n], dtype: 'float64' });
  const piece = new Float64Array(Math.min(n, 2 ** 24));
  for (let s = 0; s < n; s += piece.length) {
    const k = Math.min(piece.length, n - s);
    for (let i = 0; i < k; i++) piece[i] = s + i;
    d.write(k === piece.length ? piece : piece.subarray(0, k), { start: [s], count: [k] });
  }
  f.close();
  console.log(JSON.stringify({ wrote: file, n }));
} else if (mode === 'read' || mode === 'readInto') {
  const f = File.open(file, 'r');
  const d = f.get('x');
  const n = d.shape[0];
  const before = cpu();
  const t0 = process.hrtime.bigint();
  let a;
  if (mode === 'read') a = d.read();
  else d.readInto((a = new Float64Array(n)));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = cpu();
  f.close();
  const bad = [0, n >> 1, n - 1].filter((i) => a[i] !== i).length;
  console.log(JSON.stringify({ impl: mode, n, GiB: (n * 8) / 2 ** 30, read_s: s, cpu_s: after.cpu - before.cpu, minflt: after.minflt - before.minflt, bad }));
} else {
  console.error('usage: node bench/large.js write FILE GIB | read FILE | readInto FILE');
  process.exit(2);
}
