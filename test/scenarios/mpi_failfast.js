// One rank fails while the others wait in a collective (or not). Usage: mpi_failfast.js <mode> <failing rank>
//   throw   the failing rank throws before a barrier the others are in
//   reject  the failing rank leaves a rejected promise unhandled instead
//   abort   the failing rank calls MPI.abort(3)
//   off     fail-fast off (H5MPI_FAIL_FAST=0 from the test): everyone passes a barrier, then the rank throws
//   offrun  the same with MPI.failFast = false set here, after MPI has started
//   pending every rank has requests outstanding (a receive nobody sends, a send nobody receives) and
//           awaits one; the failing rank throws
//   check   with requests outstanding, the ranks make an allreduce with different ops (checking on):
//           every rank throws a CollectiveMismatchError, cancels its receive and goes on
'use strict';
const { MPI } = require('../..');
const { report } = require('./report');

const [mode, failing] = [process.argv[2], Number(process.argv[3])];
const c = MPI.COMM_WORLD;
if (mode === 'offrun') MPI.failFast = false;
report({ label: 'started', failFast: MPI.failFast });
// Every rank has reported before one fails: otherwise the failing rank's abort can end a rank still on its
// way to its first report (seen under MPICH on a loaded machine), and the test could not tell that from a bug.
if (mode === 'throw' || mode === 'reject' || mode === 'abort') c.barrier();

if (mode === 'pending' || mode === 'check') {
  const never = c.irecv(MPI.ANY_SOURCE, 4242);
  const unmatched = c.isend(new Float64Array(1 << 20), (c.rank + 1) % c.size, 4343);
  if (mode === 'pending') {
    if (c.rank === failing) setTimeout(() => {
      throw new Error(`deliberate failure on rank ${c.rank}`);
    }, 50);
    never.then(() => report({ label: 'passed' }));
  } else {
    let caught;
    try {
      c.allreduce(1, c.rank === failing ? 'max' : 'sum');
    } catch (e) {
      caught = { name: e.name, message: e.message };
    }
    report({ label: 'checked', caught, cancelled: never.cancel() });
    c.barrier();
    // Take the unmatched sends off the wire, so that every rank can finish cleanly.
    c.recvInto(new Float64Array(1 << 20), (c.rank - 1 + c.size) % c.size, 4343);
    unmatched.wait();
    report({ label: 'done' });
  }
} else if (mode === 'off' || mode === 'offrun') {
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
