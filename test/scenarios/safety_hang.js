// A rank that never makes a collective call, for the hang watchdog (H5MPI_HANG_TIMEOUT): the last rank
// sleeps where the others enter the call. Usage: safety_hang.js <barrier|check|hdf5|recv|wait|none> <file>
//   recv, wait: the others wait for a message from the last rank (recv; irecv(...).wait()) that never comes;
//   barrier: a Comm collective;  check: a checked HDF5 call (the ranks wait in the check's exchange);
//   hdf5: checking off, the others wait inside HDF5's collective write;  none: nobody hangs (no false alarm).
'use strict';
const { File, MPI } = require('../..');
const { report } = require('./report');

const [kind, file] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const last = comm.size - 1;
const sleepForever = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);

const f = File.open(file, 'w', { checkCollective: kind !== 'hdf5' });
const d = f.createDataset('x', { shape: [comm.size], dtype: 'int32' });
comm.barrier();
report({ label: 'ready' });
if (kind !== 'none' && comm.rank === last) sleepForever();
if (kind === 'barrier') comm.barrier();
if (kind === 'check') f.createGroup('g');
if (kind === 'hdf5') d.write([comm.rank], { start: [comm.rank], count: [1] }, { collective: true });
if (kind === 'recv') comm.recv(last, 99);
if (kind === 'wait') comm.irecvInto(new Float64Array(4), last, 98).wait();
if (kind === 'none') {
  // Collectives that take a while but do finish: the watchdog must let them be.
  for (let i = 0; i < 20; i++) {
    d.write([comm.rank + i], { start: [comm.rank], count: [1] }, { collective: true });
    f.attrs.set('i', i);
    comm.allreduce(i, 'sum');
  }
}
f.close();
report({ label: 'done' });
