// References and dimension scales in a parallel file: a reference dataset created with data (every rank
// makes the references, rank 0 writes them), a collective write where each rank writes references of its
// own, an independent write of a path refused and one of references read from the file allowed, region
// references refused in datasets (HDF5 1.10 cannot write them with MPI-IO) and written in an attribute,
// a scale attached and detached, a label set, and point selections written and read collectively; then,
// reopened, each rank reads its own elements independently and every rank dereferences them all in the same
// order, also in h5py's file of region references. From HDF5 1.12, which writes no references into datasets
// through MPI-IO, the object reference writes are refused too (reported), and nothing reads them back.
// Usage: h5_refs_dims_par.js <file> <h5py file with /x and region references /rr>
'use strict';
const { MPI, File, Points } = require('../..');
const { report } = require('./report');
const { parallelObjectReferenceWrites } = require('../../dist/hdf5compat');

const objectRefs = parallelObjectReferenceWrites();

const [file, theirs] = process.argv.slice(2);
const { rank, size } = MPI.COMM_WORLD;

function outcome(label, fn) {
  try {
    report({ label, threw: false, value: fn() });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message, code: e.code });
  }
}

{
  const f = File.open(file, 'w');
  const data = f.createDataset('data', { shape: [4 * size], dtype: 'float64' });
  data.write(Float64Array.from({ length: 4 }, (_, i) => 100 * rank + i), { start: [4 * rank], count: [4] }, { collective: true });
  const m = f.createDataset('m', { shape: [4, 5], dtype: 'int32', data: Int32Array.from({ length: 20 }, (_, i) => i) });
  const g = f.createGroup('g');
  for (let r = 0; r < size; r++) f.createGroup(`r${r}`);

  // Created with data: rank 0's data is written, every rank makes the references.
  const makeRefs = () => f.createDataset('refs', { shape: [4], dtype: 'reference', data: ['/data', g, null, 'm'] });
  const refs = objectRefs ? makeRefs() : outcome('refsCreate', makeRefs);
  // Each rank its own references, collectively.
  const mine = f.createDataset('mine', { shape: [2 * size], dtype: 'reference' });
  const writeMine = () => mine.write([`/r${rank}`, rank % 2 === 0 ? data : m], { start: [2 * rank], count: [2] }, { collective: true });
  if (objectRefs) writeMine();
  else outcome('mineWrite', writeMine);
  const regions = f.createDataset('regions', { shape: [size], dtype: 'regionReference' });
  outcome('regionDataset', () => regions.write([{ dataset: data, selection: { start: [4 * rank], count: [2] } }], { start: [rank], count: [1] }, { collective: true }));
  outcome('regionCreate', () => f.createDataset('regions2', { shape: [1], dtype: 'regionReference', data: [{ dataset: data }] }));
  // Independently: a path would make a reference on one rank only, so it is refused; stored references are not.
  outcome('independentPath', () => mine.write(['/g'], { start: [2 * rank], count: [1] }));
  const read = objectRefs ? refs.read() : [null, null, null, null];
  outcome('independentStored', () => mine.write([read[3]], { start: [2 * rank + 1], count: [1] }));

  f.attrs.set('target', data);
  f.attrs.set('targets', [g, null, m]);
  f.attrs.set('region', { dataset: m, selection: new Points([[1, 1], [2, 3]]) });
  f.attrs.set('regions', [{ dataset: data, selection: { start: [1], count: [2] } }, null, { dataset: '/m' }]);
  const t = f.createDataset('t', { shape: [4 * size], dtype: 'float64', data: Float64Array.from({ length: 4 * size }, (_, i) => i / 2) });
  t.makeScale('time');
  data.dims[0].attachScale(t);
  data.dims[0].label = 'x';
  const u = f.createDataset('u', { shape: [5], dtype: 'int32', data: [0, 1, 2, 3, 4] });
  m.dims[1].attachScale(u);
  m.dims[1].detachScale(u);
  outcome('labelsDiffer', () => (m.dims[0].label = `rank ${rank}`));
  // Point selections, collectively: each rank its own element of the diagonal.
  const pts = f.createDataset('pts', { shape: [size, size], dtype: 'int32', data: new Int32Array(size * size) });
  pts.write([rank + 1], new Points([[rank, rank]]), { collective: true });
  f.close();
}

{
  // h5py's region references: each rank its own element, independently (names and regions resolved on that
  // rank alone), then all of them, read collectively and dereferenced in the same order on every rank.
  const py = File.open(theirs, 'r');
  const rr = py.get('rr');
  const own = rr.read({ start: [rank % rr.shape[0]], count: [1] })[0];
  const all = rr.read(undefined, { collective: true });
  report({ label: 'theirs', own: String(own), all: all.map(String), values: all.map((r) => (r === null ? null : Array.from(py.deref(r).read(r.selection)))) });
  py.close();
}

const f = File.open(file, 'r');
const mine = objectRefs ? f.get('mine').read({ start: [2 * rank], count: [2] }) : null;
const diagonal = f.get('pts').read(new Points(Array.from({ length: size }, (_, i) => [size - 1 - i, size - 1 - i])), { collective: true });
report({ label: 'own', mine: mine && mine.map(String), diagonal: Array.from(diagonal), sum: Array.from(f.get('pts').read()).reduce((a, b) => a + b, 0) });
const regions = f.attrs.get('regions');
const data = f.get('data');
report({
  label: 'values',
  refs: objectRefs ? f.get('refs').read().map((r) => (r === null ? null : f.get(r).name)) : null,
  mine: objectRefs ? f.get('mine').read().map(String) : null,
  regions: regions.map(String),
  values: regions.map((r) => (r === null ? null : Array.from(f.deref(r).read(r.selection)))),
  attrs: { target: String(f.attrs.get('target')), targets: f.attrs.get('targets').map(String), region: String(f.attrs.get('region')) },
  dims: { isScale: f.get('t').isScale, label: data.dims[0].label, keys: data.dims[0].keys(), scales: data.dims[0].scales().map((s) => s.name) },
  m: { keys: f.get('m').dims.map((d) => d.keys()), u: f.get('u').attrs.keys(), label: f.get('m').dims[0].label },
});
f.close();
