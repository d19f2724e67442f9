// Independent parallel transfers cut into pieces (a 12-byte limit stands in for HDF5's 2 GiB one): each rank
// writes its own rows, then every rank reads the whole dataset back, whole, in pieces, and strided.
'use strict';
const { MPI, File } = require('../..');
const { _setMaxTransferBytes } = require('../../dist/dataset');
const { report } = require('./report');

const path = process.argv[2];
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const cols = 5, rows = 3 * size + 1;
// Rank r writes rows [lo, hi): uneven on purpose (the last rank one more).
const lo = 3 * rank, hi = rank === size - 1 ? rows : 3 * rank + 3;
const f = File.open(path, 'w');
const d = f.createDataset('x', { shape: [rows, cols], dtype: 'int32' });
const mine = Int32Array.from({ length: (hi - lo) * cols }, (_, i) => (lo + Math.floor(i / cols)) * 100 + (i % cols));
const old = _setMaxTransferBytes(12);
d.write(mine, { start: [lo, 0], count: [hi - lo, cols] });
comm.barrier();
f.flush();
const piecewise = Array.from(d.read());
const strided = Array.from(d.read({ start: [0, 0], count: [Math.ceil(rows / 2), cols], stride: [2, 1] }));
_setMaxTransferBytes(old);
const whole = Array.from(d.read());
f.close();
report({ whole, piecewise, strided });
