// Writes the fuzz seeds h5mpi makes itself (make-seeds.py writes h5py's). The seeds are committed: the
// mutants, and so the regression corpus, are defined by their bytes. Run again only to change the seeds,
// then update test/fuzz/known-crashers.json (`node test/fuzz/run.js --corpus`).
'use strict';
const path = require('node:path');
const { File } = require('../../dist');

const dir = process.argv[2] ?? path.join(__dirname, 'seeds');
const out = (name) => path.join(dir, name);

{
  // Groups, soft and hard links, attributes of every kind on groups and datasets.
  const f = File.open(out('groups.h5'), 'w');
  try {
  f.attrs.set('title', 'groups and attributes');
  f.attrs.set('version', 3);
  f.attrs.set('scale', new Float64Array([0.5, 1.5, 2.5]));
  const a = f.createGroup('a/b/c');
  a.attrs.set('names', ['x', 'yé', '']);
  a.attrs.set('big', 2n ** 40n);
  f.createGroup('empty');
  const d = f.createDataset('a/values', { shape: [4, 3], dtype: 'int16', data: new Int16Array(12).map((_, i) => i - 6) });
  d.attrs.set('units', 'm/s');
  d.attrs.set('flags', new Uint8Array([1, 0, 1]));
  f.createSoftLink('soft', '/a/values');
  f.createSoftLink('dangling', '/nowhere');
  f.createHardLink('a/b/hard', '/a/values');
  } finally {
    f.close();
  }
}
{
  // Chunked and filtered datasets: gzip + shuffle + fletcher32, an extendable one, a partial last chunk.
  const f = File.open(out('chunked.h5'), 'w');
  try {
  f.createDataset('gz', { shape: [20, 30], dtype: 'float32', chunks: [8, 8], compression: 'gzip', compressionOpts: 6, shuffle: true, fletcher32: true, data: new Float32Array(600).map((_, i) => Math.sin(i)) });
  f.createDataset('ext', { shape: [10], maxshape: [Infinity], dtype: 'int64', chunks: [4], fillValue: -1, data: new BigInt64Array(10).map((_, i) => BigInt(i) * 1000n) });
  f.createDataset('scaled', { shape: [50], dtype: 'int32', chunks: [25], scaleoffset: true, compression: 'gzip', data: new Int32Array(50).map((_, i) => i * 3) });
  f.attrs.set('note', 'chunked');
  } finally {
    f.close();
  }
}
{
  // Variable-length data: strings (dataset, scalar, attributes) and sequences, which live in the global heap.
  const f = File.open(out('vlen.h5'), 'w');
  try {
  f.createDataset('strings', { shape: [5], dtype: 'string', data: ['alpha', 'β', '', 'a longer string than the others', 'end'] });
  f.createDataset('scalar', { shape: [], dtype: 'string', data: 'just one' });
  f.createDataset('seqs', { shape: [4], dtype: { vlen: 'float64' }, data: [[1, 2, 3], [], [0.5], [9, 8, 7, 6, 5]] });
  f.createDataset('chunkedstr', { shape: [6], dtype: 'string', chunks: [3], compression: 'gzip', data: ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff'] });
  f.attrs.set('labels', ['one', 'two', 'three']);
  f.attrs.set('label', 'single');
  f.attrs.set('seq', [[1, 2], [3]], { dtype: { vlen: 'int32' } });
  } finally {
    f.close();
  }
}
{
  // Compound, enum, array and opaque types, fixed strings, and a compound with a variable-length string.
  const f = File.open(out('compound.h5'), 'w');
  try {
  const c = f.createDataset('events', {
    shape: [3],
    dtype: { compound: { t: 'float64', channel: 'uint16', name: { string: { length: 8 } }, pos: { array: 'float32', shape: [3] }, z: 'complex64' } },
  });
  c.write({ t: [0.5, 1, 1.5], channel: [1, 2, 3], name: ['a', 'b', 'c'], pos: new Float32Array(9).fill(2), z: [1, 0, 0, 1, 1, 1] });
  f.createDataset('tagged', { shape: [2], dtype: { compound: { id: 'int32', label: 'string' } }, data: [{ id: 1, label: 'first' }, { id: 2, label: 'second' }] });
  f.createDataset('flags', { shape: [3], dtype: { enum: 'uint8', members: { OK: 0, BAD: 1 } }, data: ['OK', 'BAD', 'OK'] });
  f.createDataset('blob', { shape: [2], dtype: { opaque: 4, tag: 'bytes' }, data: new Uint8Array(8).fill(7) });
  f.createDataset('fixed', { shape: [3], dtype: 'string', stringLength: 6, data: ['ab', 'cdef', ''] });
  f.attrs.set('point', { x: 1, y: 2 }, { dtype: { compound: { x: 'float32', y: 'float32' } } });
  } finally {
    f.close();
  }
}
{
  // Dense storage: a group with more members and an object with more attributes than compact storage
  // holds (fractal heap, B-tree v2 indexes), tracked in creation order.
  const f = File.open(out('dense.h5'), 'w', { trackOrder: true });
  try {
  const g = f.createGroup('many', { trackOrder: true });
  for (let i = 0; i < 20; i++) g.createDataset(`d${i}`, { shape: [2], dtype: 'uint8', data: new Uint8Array([i, i + 1]) });
  for (let i = 0; i < 12; i++) g.attrs.set(`attr${i}`, i % 2 ? `text ${i}` : i);
  } finally {
    f.close();
  }
}
