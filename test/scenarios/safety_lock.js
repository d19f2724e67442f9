// Two processes, one file, no shared communicator. Usage:
//   safety_lock.js hold <file> <mode> <dir>   opens the file (writes 'x' unless 'r'), touches <dir>/ready,
//                                             keeps it open until <dir>/release exists, then closes it;
//                                             plain node or a parallel job (then every rank holds it)
//   safety_lock.js try <file> <mode>          tries to open it and reports what happened
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { File, MPI } = require('../..');
const { report } = require('./report');

const [action, file, mode, dir] = process.argv.slice(2);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

if (action === 'hold') {
  const f = File.open(file, mode);
  const size = MPI.COMM_WORLD.size;
  const rank = MPI.COMM_WORLD.rank;
  if (mode !== 'r') {
    const x = mode === 'w' ? f.createDataset('x', { shape: [size], dtype: 'int32' }) : f.get('x');
    x.write([1000 + rank], { start: [rank], count: [1] }, { collective: f.parallel });
    f.flush();
  }
  if (size > 1) MPI.COMM_WORLD.barrier();
  if (rank === 0) fs.writeFileSync(path.join(dir, 'ready'), '');
  while (!fs.existsSync(path.join(dir, 'release'))) sleep(20);
  f.close();
  report({ label: 'held', parallel: f.parallel });
} else {
  try {
    const f = File.open(file, mode);
    report({ label: 'try', threw: false, keys: f.keys(), parallel: f.parallel });
    f.close();
  } catch (e) {
    report({ label: 'try', threw: true, name: e.name, message: e.message });
  }
}
