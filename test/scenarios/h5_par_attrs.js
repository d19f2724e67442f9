// Typed, shaped, Empty and zero-length attributes written collectively by every rank, an overwrite HDF5
// refuses (the old value stays on every rank), ranks that disagree on a dtype or shape, and a collective read
// of strings as bytes, and replacements in a group that tracks the creation order of its 10 attributes. After
// reopening, every rank reports what it reads.
// Usage: h5_par_attrs.js <file>
'use strict';
const { MPI, File, Empty } = require('../..');
const { report } = require('./report');

const file = process.argv[2];
const { rank } = MPI.COMM_WORLD;

function outcome(label, fn) {
  try {
    report({ label, threw: false, value: fn() });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message, code: e.code });
  }
}

const ascii4 = { string: { encoding: 'ascii', length: 4 } };
const SETS = [
  ['i32', 7, { dtype: 'int32' }],
  ['f32', [0.5, 1.5, 2.5, 3.5, 4.5, 5.5], { dtype: 'float32', shape: [2, 3] }],
  ['bools', [true, false, false, true], { shape: [2, 2] }],
  ['ascii', ['ab', 'cde'], { dtype: ascii4 }],
  ['latin', new Uint8Array([0x63, 0x61, 0x66, 0xe9]), { dtype: ascii4 }],
  ['empty', new Empty('uint16')],
  ['zero', new Float64Array(0)],
  ['u64', [2n ** 64n - 1n], { dtype: 'uint64' }],
  ['replaced', 1],
];

{
  const f = File.open(file, 'w');
  const d = f.createDataset('d', { shape: [2], dtype: 'string', stringLength: 8, data: ['café', 'ok'] });
  for (const owner of [f, d]) {
    for (const [name, value, options] of SETS) owner.attrs.set(name, value, options);
    owner.attrs.set('replaced', 'now a string', { dtype: { string: { encoding: 'ascii', length: 12 } } });
  }
  outcome('tooLarge', () => f.attrs.set('f32', new Float64Array(10_000)));
  outcome('afterTooLarge', () => f.attrs.get('f32'));
  outcome('dtypeDiffers', () => f.attrs.set('x', 1, { dtype: rank === 0 ? 'int32' : 'int16' }));
  outcome('shapeDiffers', () => f.attrs.set('x', [1, 2, 3, 4], rank === 0 ? { shape: [4] } : { shape: [2, 2] }));
  outcome('boolOrNumber', () => f.attrs.set('x', rank === 0 ? true : 1));
  outcome('badOption', () => f.attrs.set('y', 1, rank === 0 ? { dtpye: 'int8' } : { dtype: 'int8' }));
  outcome('bytesCollective', () => d.read(undefined, { collective: true, strings: 'bytes' }));
  const tracked = f.createGroup('tracked', { trackOrder: true });
  for (let i = 0; i < 10; i++) tracked.attrs.set(`a${i}`, i);
  outcome('trackedReplace', () => {
    tracked.attrs.set('a3', 'a string now');
    tracked.attrs.set('a3', [1, 2, 3], { dtype: 'int16' });
    return tracked.attrs.keys();
  });
  f.close();
}

const f = File.open(file, 'r');
const values = {};
const keys = {};
for (const owner of [f, f.get('d')]) {
  keys[owner.name] = owner.attrs.keys();
  values[owner.name] = Object.fromEntries(keys[owner.name].map((k) => [k, owner.attrs.read(k)]));
}
report({ label: 'values', keys, values });
const tracked = f.get('tracked');
report({ label: 'tracked', keys: tracked.attrs.keys(), a3: tracked.attrs.read('a3') });
f.close();
