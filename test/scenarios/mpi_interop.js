// Rank 0 of an MPMD job whose rank 1 is the C program test/peers/c_interop.c: typed arrays cross between
// h5mpi and plain MPI_Send/MPI_Recv both ways, as one message of their own datatype.
'use strict';
const { MPI, Status } = require('../..');
const { report } = require('./report');

const c = MPI.COMM_WORLD;
const st = new Status();
const d = c.recvInto(new Float64Array(8), 1, 1, st);
const fromC = { doubles: Array.from(d.subarray(0, st.count)), count: st.count, bytes: st.bytes };
const ints = c.recvInto(new Int32Array(3), 1, 2);
c.send(Float64Array.of(1.5, -2, 1e-300), 1, 3);
const back = c.recvInto(new Float64Array(16), 1, 4, st);
const doubled = Array.from(back.subarray(0, st.count));
c.send(Float32Array.of(0.25, 8), 1, 5);
const countSeenByC = c.recvInto(new Int32Array(1), 1, 6)[0];
const raw = c.recv(1, 7);
report({ label: 'interop', fromC, ints: Array.from(ints), doubled, countSeenByC, raw: { type: raw.constructor.name, values: Array.from(raw) } });
