// Untrusted mode in a job: rank 0 checks the file in a child process and every rank gets its verdict, so
// a collective open fails on every rank with the same error, or on none.
// The same for an external link to a hostile file: rank 0 checks that file when the link is followed.
// Usage: untrusted_par.js <good.h5> <bad.h5> [<linking.h5>: /x, and /evil, an external link to a hostile file]
'use strict';
const { MPI, File } = require('../..');
const { report } = require('./report');

const [good, bad, linking] = process.argv.slice(2);
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
if (linking) {
  const f = File.open(linking, 'r', opts);
  try {
    f.get('evil');
    report({ label: 'link', ok: true });
  } catch (e) {
    report({ label: 'link', ok: false, name: e.name, code: e.code, path: e.path, message: e.message, x: Array.from(f.get('x').read()) });
  }
  f.close();
}
// The ranks are still in step: a collective call after the failed open completes.
report({ label: 'after', sum: MPI.COMM_WORLD.allreduce(1, 'sum') });
