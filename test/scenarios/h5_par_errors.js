// Bad input on one rank of a collective call: every rank must throw (the bad rank its own error, the others
// a PeerFailedError naming it), nothing may hang, and the file must stay usable: the next collective
// write succeeds and the file closes and reopens with exactly the good data. The culprit is the last rank.
// Usage: h5_par_errors.js <file> [mpio]   (mpio: open on COMM_WORLD explicitly, MPI-IO even at one rank)
'use strict';
const { MPI, File, Hyperslab } = require('../..');
const { report } = require('./report');

const path = process.argv[2];
const openOptions = process.argv[3] === 'mpio' ? { comm: MPI.COMM_WORLD } : {};
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const culprit = size - 1;
const bad = rank === culprit;
const rowOf = (r) => ({ start: [r, 0], count: [1, 3] });
const good = (round) => Int32Array.from({ length: 3 }, (_, k) => round * 100 + rank * 10 + k);

/** Runs fn and reports the error it throws (or that it threw none). */
function expectThrow(label, fn) {
  try {
    const made = fn();
    if (made && typeof made.close === 'function') made.close();
    report({ label, threw: false });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message, ranks: e.ranks, messages: e.messages, calls: e.calls });
  }
}

const f = File.open(path, 'w', openOptions);
const d = f.createDataset('x', { shape: [size, 3], dtype: 'int32', fillValue: -1 });
let round = 0;
// A good collective write after each failure: the file still works, and every rank takes part again.
function goodWrite(label) {
  round++;
  d.collective.write(good(round), rowOf(rank));
  report({ label: `${label}.after`, round, rows: d.collective.read() });
}

expectThrow('length', () => d.collective.write(bad ? new Int32Array(5) : good(0), rowOf(rank)));
goodWrite('length');

expectThrow('bounds', () => d.collective.write(good(0), bad ? { start: [size, 0], count: [1, 3] } : rowOf(rank)));
goodWrite('bounds');

expectThrow('boundsRead', () => d.collective.read(bad ? { start: [0, 1], count: [1, 3] } : rowOf(rank)));
goodWrite('boundsRead');

expectThrow('rank', () => d.collective.write(good(0), bad ? { start: [rank], count: [3] } : rowOf(rank)));
goodWrite('rank');

expectThrow('kind', () => d.collective.write(bad ? ['a', 'b', 'c'] : good(0), rowOf(rank)));
goodWrite('kind');

expectThrow('union', () => d.collective.write(good(0), bad ? new Hyperslab([rank, 0], [1, 2]).union({ start: [rank, 2], count: [1, 2] }) : rowOf(rank)));
goodWrite('union');

expectThrow('readInto', () => d.collective.readInto(new Int32Array(bad ? 2 : 3), rowOf(rank)));
goodWrite('readInto');

// Different calls on different ranks: a write on some, a read on the culprit.
expectThrow('mismatch', () => (bad ? d.collective.read(rowOf(rank)) : d.collective.write(good(0), rowOf(rank))));
goodWrite('mismatch');

// Metadata: a resize beyond maxshape on one rank, attributes that differ between ranks.
const grow = f.createDataset('grow', { shape: [1, 3], dtype: 'int32', maxshape: [4, 3] });
expectThrow('resize', () => grow.resize(bad ? [5, 3] : [2, 3]));
expectThrow('attrDiffers', () => f.attrs.set('who', bad ? 'culprit' : 'others'));
goodWrite('metadata');

// Variable-length strings cannot be written in parallel: every rank is told to use stringLength.
const vlen = f.createDataset('vlen', { shape: [size], dtype: 'string' });
expectThrow('vlenCollective', () => vlen.collective.write([`r${rank}`], { start: [rank], count: [1] }));
expectThrow('vlenIndependent', () => vlen.write([`r${rank}`], { start: [rank], count: [1] }));
expectThrow('vlenCreateData', () => f.createDataset('vlen2', { shape: [2], dtype: 'string', data: ['a', 'b'] }));

// Filtered datasets are written collectively in parallel: an independent write says so.
const gz = f.createDataset('gz', { shape: [size, 3], dtype: 'int32', chunks: [1, 3], compression: 'gzip' });
expectThrow('filteredIndependent', () => gz.write(good(0), rowOf(rank)));
// ...and without type conversion (HDF5 would fall back to independent I/O, which it refuses for filters).
expectThrow('filteredConversion', () => gz.collective.write(bad ? Float64Array.from(good(0)) : good(0), rowOf(rank)));
gz.collective.write(good(9), rowOf(rank));
goodWrite('filtered');

f.close();
report({ label: 'closed', closed: f.closed });

// Read-only: every rank is refused, before HDF5.
const r = File.open(path, 'r', openOptions);
expectThrow('readOnly', () => r.get('x').collective.write(good(0), rowOf(rank)));
report({ label: 'final', rows: r.get('x').collective.read(), gz: r.get('gz').read(), has: [r.has('vlen2'), r.attrs.has('who')], grow: r.get('grow').shape });
r.close();

// File.open with bad input on one rank: every rank throws, and no rank is left waiting in the open.
expectThrow('openHint', () => File.open(path, 'r', { ...openOptions, info: bad ? { romio_cb_read: true } : { romio_cb_read: 'enable' } }));
expectThrow('openMode', () => File.open(path, bad ? 'rw' : 'r', openOptions));
expectThrow('openName', () => File.open(bad ? `${path}.other` : path, 'r', openOptions));
const again = File.open(path, 'r', openOptions);
report({ label: 'openAfter', rows: again.get('x').collective.read() });
again.close();
