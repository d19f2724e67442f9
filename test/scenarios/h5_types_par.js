// Issue 15's types in parallel: every rank writes its two rows of compound, complex, float16, enum, bool,
// opaque and array datasets collectively (and a gzip-compressed compound; complex64 from float64s, which
// needs a conversion; complex128 independently) and reports what HDF5 did; variable-length writes are
// refused on every rank; variable-length data written serially reads collectively and independently; the
// whole file reads back the same on every rank.
// A file h5py wrote reads the same on every rank, collectively and independently.
// Usage: h5_types_par.js <file> <file with variable-length data> [<file h5py wrote>]
'use strict';
const { MPI, File } = require('../..');
const { report, plain } = require('./report');

const [file, vlenFile, pyFile] = process.argv.slice(2);
const { rank, size } = MPI.COMM_WORLD;
const rows = 2 * size;
const mine = { start: [2 * rank], count: [2] };
const my = [2 * rank, 2 * rank + 1];

function outcome(label, fn) {
  try {
    report({ label, threw: false, value: fn() });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message, code: e.code });
  }
}

const transfers = {};
{
  const f = File.open(file, 'w');
  const collectively = (name, dtype, data, options = {}) => {
    const d = f.createDataset(name, { shape: [rows], dtype, ...options });
    d.write(data, mine, { collective: true });
    return d.lastTransfer;
  };
  transfers.compound = collectively('compound', { compound: { i: 'int32', x: 'float64', z: 'complex64' } }, { i: my, x: my.map((i) => i / 2), z: my.flatMap((i) => [i, -i]) });
  transfers.complex = collectively('complex', 'complex64', new Float32Array(my.flatMap((i) => [i, i + 0.5])));
  transfers.float16 = collectively('float16', 'float16', my.map((i) => i / 4));
  transfers.enum = collectively('enum', { enum: 'int8', members: { A: -1, B: 5 } }, my.map((i) => (i % 2 === 0 ? 'A' : 'B')));
  transfers.bool = collectively('bool', 'bool', my.map((i) => i % 3 === 0));
  transfers.opaque = collectively('opaque', { opaque: 2 }, my.map((i) => new Uint8Array([i, 255 - i])));
  transfers.array = collectively('array', { array: 'int16', shape: [3] }, my.flatMap((i) => [i, -i, 2 * i]));
  transfers.gzipCompound = collectively('gz', { compound: { t: 'float64', v: 'complex64' } }, my.map((i) => ({ t: i, v: [i, i] })), { chunks: [2], compression: 'gzip' });
  transfers.complexFromFloat64 = collectively('complex2', 'complex64', new Float64Array(my.flatMap((i) => [i, i])));
  const ind = f.createDataset('ind', { shape: [rows], dtype: 'complex128' });
  ind.write(new Float64Array(my.flatMap((i) => [i, -i])), mine);
  transfers.independent = ind.lastTransfer;
  const indCompound = f.createDataset('indCompound', { shape: [rows], dtype: { compound: { a: 'uint8', h: 'float16' } } });
  indCompound.write(my.map((i) => ({ a: i, h: i + 0.5 })), mine);
  transfers.independentCompound = indCompound.lastTransfer;
  report({ label: 'transfers', ...transfers });

  const gz = f.createDataset('gzcomplex', { shape: [rows], dtype: 'complex64', chunks: [2], compression: 'gzip' });
  outcome('gzipComplexConverted', () => gz.write(new Float64Array(4), mine, { collective: true }));
  const vlen = f.createDataset('vlen', { shape: [rows], dtype: { vlen: 'int16' } });
  outcome('vlenCollective', () => vlen.write([[1], [2]], mine, { collective: true }));
  outcome('vlenIndependent', () => vlen.write([[1], [2]], mine));
  outcome('vlenCreate', () => f.createDataset('vlen2', { shape: [1], dtype: { vlen: 'int8' }, data: [[1]] }));
  // Initial data: rank 0 writes it, the others take part with nothing.
  f.createDataset('initial', { shape: [2], dtype: { compound: { a: 'uint8', b: { string: { length: 1 } } } }, data: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }] });
  f.attrs.set('rec', { a: 7n, z: [1, 2] }, { dtype: { compound: { a: 'int64', z: 'complex128' } } });
  // Attributes are metadata, which parallel HDF5 writes also when variable-length.
  outcome('vlenAttribute', () => {
    f.attrs.set('ragged', [[1, 2, 3], [4]], { dtype: { vlen: 'int32' } });
    return f.attrs.get('ragged');
  });
  f.close();
}

outcome('readVlen', () => {
  const f = File.open(vlenFile, 'r');
  const v = f.get('v');
  const all = v.read(undefined, { collective: true }).map((a) => Array.from(a));
  const one = v.read({ start: [1], count: [1] }).map((a) => Array.from(a));
  const s = f.get('s').read(undefined, { collective: true, records: true });
  f.close();
  return { v: all, mine: one, s };
});

outcome('readBack', () => {
  const f = File.open(file, 'r');
  const out = {};
  for (const name of ['compound', 'complex', 'float16', 'enum', 'bool', 'opaque', 'array', 'gz', 'complex2', 'ind', 'indCompound', 'initial']) {
    out[name] = f.get(name).read(undefined, { collective: true });
  }
  out.recordsMine = f.get('compound').read(mine, { collective: true, records: true });
  out.attr = f.attrs.get('rec');
  f.close();
  return out;
});

if (pyFile) {
  outcome('readH5py', () => {
    const f = File.open(pyFile, 'r');
    const out = {};
    for (const name of f.keys()) {
      const d = f.get(name);
      const collective = d.read(undefined, { collective: true });
      const independent = d.read();
      out[name] = { dtype: d.dtype, collective, same: JSON.stringify(plain(collective)) === JSON.stringify(plain(independent)) };
    }
    out.records = f.get('rec').read({ start: [rank % 2], count: [1] }, { collective: true, records: true });
    f.close();
    return out;
  });
}
