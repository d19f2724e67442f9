// MPI implementation detection, sends to oneself, and what the loader set before libmpi loaded
// (test/mpi_impl.test.ts). Modes: `info`, `self`, `start` (only starts MPI and reports the size).
'use strict';
const ucxAtStart = process.env.UCX_MEM_EVENTS; // before h5mpi loads
const { MPI, versions } = require('../..');
const { report } = require('./report');

const mode = process.argv[2];
if (mode === 'info') {
  const c = MPI.COMM_WORLD;
  let mpiError;
  try {
    c.native.send(new Int32Array(1), c.size + 5, 0, false, false); // past lib/'s checks: MPI's own error
  } catch (e) {
    mpiError = { name: e.name, message: e.message, code: e.code, errorClass: e.errorClass, detail: e.detail ?? null };
  }
  report({
    label: 'info',
    implementation: MPI.implementation,
    frozen: Object.isFrozen(MPI.implementation),
    version: MPI.version(),
    libraryVersion: MPI.libraryVersion(),
    versionsMpi: versions.mpi,
    size: c.size,
    ucxAtStart: ucxAtStart ?? null,
    ucx: process.env.UCX_MEM_EVENTS ?? null,
    mpiError,
  });
} else if (mode === 'self') {
  // Every rank sends to itself on COMM_WORLD and on COMM_SELF before any receive: blocking sends that a
  // rank can only match after they return.
  const c = MPI.COMM_WORLD;
  const out = {};
  for (const [name, comm] of [['world', c], ['self', MPI.COMM_SELF]]) {
    const one = new Float64Array([c.rank + 0.5]);
    const big = new Int32Array(1 << 20).map((_, i) => i ^ c.rank); // past every eager limit: 4 MiB
    comm.send(one, comm.rank, 1);
    comm.send({ from: c.rank, text: 'to myself' }, comm.rank, 2);
    comm.send(big, comm.rank, 3);
    one[0] = -1; // the send took a copy: the receive must see the value sent
    big.fill(-1);
    const gotBig = comm.recvInto(new Int32Array(1 << 20), comm.rank, 3);
    let bigOk = true;
    for (let i = 0; i < gotBig.length; i++) if (gotBig[i] !== (i ^ c.rank)) bigOk = false;
    out[name] = { one: Array.from(comm.recvInto(new Float64Array(1), comm.rank, 1)), object: comm.recv(comm.rank, 2), bigOk };
  }
  // Many in a row, received in order afterwards; and one never received (cancelled at exit).
  for (let i = 0; i < 200; i++) c.send(i, c.rank, 7);
  const many = [];
  for (let i = 0; i < 200; i++) many.push(c.recv(c.rank, 7));
  out.manyInOrder = many.every((v, i) => v === i);
  c.send('never received', c.rank, 8);
  // And the ring still works after (a send to another rank is an ordinary MPI_Send).
  if (c.size > 1) {
    const got = c.sendrecv(c.rank, (c.rank + 1) % c.size, (c.rank - 1 + c.size) % c.size);
    out.ring = got;
  }
  report({ label: 'self', ...out });
} else if (mode === 'start') {
  try {
    report({ label: 'start', size: MPI.COMM_WORLD.size });
  } catch (e) {
    // A one-rank MPI here: report.js's rank is 0; say what the launcher said instead.
    process.stdout.write(`@@h5mpi ${JSON.stringify({ rank: 0, label: 'start', name: e.name, code: e.code, message: e.message })}\n`);
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
