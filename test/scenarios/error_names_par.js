// Collective calls that fail in a parallel file, on every rank or on one: every rank's error must name the
// file and the object. Reports { label, threw, name, message, object } per case and rank.
// Usage: error_names_par.js <file>
'use strict';
const { MPI, File } = require('../..');
const { report } = require('./report');

const file = process.argv[2];
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const last = rank === size - 1;

const f = File.open(file, 'w');
const d = f.createDataset('grp/x', { shape: [size, 2], dtype: 'int32' });
const g = f.get('grp');
const closed = f.createDataset('closed', { shape: [size], dtype: 'int8' });
closed.close();

const cases = [
  // On every rank alike.
  ['createGroup: exists', '/grp/x', () => f.createGroup('grp/x')],
  ['createDataset: exists', '/grp/x', () => g.createDataset('x', { shape: [1], dtype: 'int8' })],
  ['delete: missing', '/grp/none', () => f.delete('grp/none')],
  ['attrs.delete: missing', '/grp/x', () => d.attrs.delete('none')],
  ['resize: contiguous', '/grp/x', () => d.resize([size + 1, 2])],
  ['collective read: closed', '/closed', () => closed.collective.read()],
  ['move: destination exists', '/grp/x', () => f.move('closed', 'grp/x')],
  // On the last rank only: it throws its own error, the others a PeerFailedError.
  ['collective write: wrong length on one rank', '/grp/x', () => d.collective.write(new Int32Array(last ? 3 : 2), { start: [rank, 0], count: [1, 2] })],
  ['createDataset: bad shape on one rank', '/grp/y', () => g.createDataset('y', { shape: [last ? -1 : 1], dtype: 'int8' })],
  ['attrs.set: bad value on one rank', '/grp', () => g.attrs.set('a', last ? { no: 1 } : 1)],
  ['makeScale: read on one rank, write on others', '/grp/x', () => (last ? d.collective.read() : d.makeScale('s'))],
  // Different calls on different ranks.
  ['createGroup: different paths', '/grp', () => g.createGroup(`r${rank}`)],
];

for (const [label, object, run] of cases) {
  try {
    run();
    report({ label, threw: false });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message, object });
  }
}
// The file is still usable after all of them.
d.collective.write(Int32Array.from([rank, rank]), { start: [rank, 0], count: [1, 2] });
report({ label: 'after', rows: Array.from(d.collective.read()) });
f.close();
