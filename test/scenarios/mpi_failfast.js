// One rank fails while the others wait in a collective (or not). Usage: mpi_failfast.js <mode> <failing rank>
//   throw   the failing rank throws before a barrier the others are in
//   reject  the failing rank leaves a rejected promise unhandled instead
//   abort   the failing rank calls MPI.abort(3)
//   off     fail-fast off (H5MPI_FAIL_FAST=0 from the test): everyone passes a barrier, then the rank throws
//   offrun  the same with MPI.failFast = false set here, after MPI has started
'use strict';
const { MPI } = require('../..');
const { report } = require('./report');

const [mode, failing] = [process.argv[2], Number(process.argv[3])];
const c = MPI.COMM_WORLD;
if (mode === 'offrun') MPI.failFast = false;
report({ label: 'started', failFast: MPI.failFast });

if (mode === 'off' || mode === 'offrun') {
  c.barrier(); // nobody is left waiting for the failing rank after this
  report({ label: 'passed' });
  if (c.rank === failing) throw new Error(`deliberate failure on rank ${c.rank}`);
} else if (c.rank === failing) {
  if (mode === 'throw') throw new Error(`deliberate failure on rank ${c.rank}`);
  if (mode === 'reject') {
    (async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error(`deliberate rejection on rank ${c.rank}`);
    })();
  }
  if (mode === 'abort') MPI.abort(3);
} else {
  c.barrier(); // waits for the failing rank forever, unless the job is ended
  report({ label: 'passed' });
}
