// Untrusted mode in a job, a file replaced between its check and its open: rank 0 checks <file>, then
// (with 'swap') renames <other> over it; every rank opens with the check's report (`checked`), verifies
// what it opened, and all throw CHANGED together, or (without 'swap') all open it and read.
// Usage: untrusted_changed.js <file.h5> <other.h5> swap|keep
'use strict';
const fs = require('node:fs');
const { MPI, File } = require('../..');
const { report } = require('./report');

const [file, other, how] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const checked = comm.bcast(comm.rank === 0 ? File.check(file) : null, 0);
if (comm.rank === 0 && how === 'swap') fs.renameSync(other, file);
comm.barrier();
try {
  const f = File.open(file, 'r', { untrusted: true, checked });
  report({ label: 'open', ok: true, x: Array.from(f.get('x').read()) });
  f.close();
} catch (e) {
  report({ label: 'open', ok: false, name: e.name, code: e.code, failure: e.failure, message: e.message });
}
// The ranks are still in step: a collective call after the failed open completes.
report({ label: 'after', sum: comm.allreduce(1, 'sum') });
