// Untrusted mode in a job: rank 0 checks the file in a child process and every rank gets its verdict, so
// a collective open fails on every rank with the same error, or on none.
// Usage: untrusted_par.js <good.h5> <bad.h5>
'use strict';
const { MPI, File } = require('../..');
const { report } = require('./report');

const [good, bad] = process.argv.slice(2);
const opts = { untrusted: true, checkTimeout: 5000 };
{
  const f = File.open(good, 'r', opts);
  report({ label: 'good', parallel: f.parallel, untrusted: f.untrusted, strings: f.get('strings').read(), seqs: f.get('seqs').read().map((a) => Array.from(a)) });
  f.close();
}
try {
  File.open(bad, 'r', opts);
  report({ label: 'bad', ok: true });
} catch (e) {
  report({ label: 'bad', ok: false, name: e.name, code: e.code, failure: e.failure, path: e.path, message: e.message });
}
// The ranks are still in step: a collective call after the failed open completes.
report({ label: 'after', sum: MPI.COMM_WORLD.allreduce(1, 'sum') });
