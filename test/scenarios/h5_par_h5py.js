// Reads, in parallel, a file that h5py wrote with driver='mpio' (see test/h5_parallel.test.ts for the
// writer): each rank reads the rows of another rank collectively and everything independently, and
// reports it with the file's metadata and attributes.
// A second file, written by serial h5py, holds what parallel HDF5 can read but not write (variable-length
// strings) and types h5py makes (bool enums, big-endian floats).
// Usage: h5_par_h5py.js <file> <writers> <serial file>
'use strict';
const { MPI, File } = require('../..');
const { report } = require('./report');

const [path, writersArg, serialPath] = process.argv.slice(2);
const writers = Number(writersArg);
const { rank, size } = MPI.COMM_WORLD;

const f = File.open(path, 'r');
const x = f.get('x');
// Rank r reads the rows writer (r + 1) % writers wrote; ranks beyond the writers read nothing.
const w = (rank + 1) % writers;
const theirs = rank < writers ? { start: [2 * w, 0], count: [2, 3] } : { start: [0, 0], count: [0, 3] };
const gz = f.get('gz');
const attrs = {};
for (const k of f.attrs.keys()) attrs[k] = f.attrs.get(k);
report({
  label: 'h5py',
  size,
  w,
  theirs: x.read(theirs, { collective: true }),
  x: x.collective.read(),
  xMeta: { dtype: x.dtype, shape: x.shape },
  i64: f.get('i64').read(),
  be: f.get('be').collective.read(),
  beMeta: { dtype: f.get('be').dtype, order: f.get('be').fileType.order },
  s: f.get('s').read(),
  sMeta: { stringLength: f.get('s').stringLength },
  gz: gz.collective.read(),
  gzMeta: { chunks: gz.chunks, compression: gz.compression, shuffle: gz.shuffle, dtype: gz.dtype },
  attrs,
  groupAttr: f.get('grp/sub').attrs.get('x'),
  keys: f.keys(),
});
f.close();

const g = File.open(serialPath, 'r');
const vlen = g.get('vlen');
const mine = vlen.collective.read({ start: [rank % 4], count: [1] });
const vlenTransfer = vlen.lastTransfer;
report({
  label: 'serial',
  vlen: vlen.read(),
  mine,
  vlenTransfer,
  stringLength: vlen.stringLength,
  bool: g.get('bool').collective.read(),
  f64be: g.get('f64be').collective.read(),
  f64beTransfer: g.get('f64be').lastTransfer,
});
g.close();
