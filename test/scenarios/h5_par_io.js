// Parallel I/O on one shared file, on every rank of COMM_WORLD: each rank writes its own part of every
// dataset (every dtype, independent and collective, hyperslabs, empty selections, chunked + gzip, resize,
// attributes, groups), the file is closed and opened again, and then every rank reads everything back
// and reports what it found, so that the test can check each rank saw what all the others wrote.
// Usage: h5_par_io.js <file> [mpio]   (mpio: open on COMM_WORLD explicitly, which at one rank means MPI-IO too)
'use strict';
const { MPI, File, Hyperslab } = require('../..');
const { report } = require('./report');
const V = require('./h5_par_values');

const path = process.argv[2];
const openOptions = process.argv[3] === 'mpio' ? { comm: MPI.COMM_WORLD } : {};
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const T = V.unevenTotal(size);
const S = V.sparseTotal(size);
const mine = V.unevenRows(rank);
const sparse = V.sparseRows(rank);
const rowsSel = (rows, cols) => ({ start: [rows.start, 0], count: [rows.count, cols] });

// Any failure ends the job at once (fail-fast) with the error on stderr, instead of leaving peers waiting.
function section(label, fn) {
  try {
    fn();
  } catch (e) {
    process.stderr.write(`rank ${rank}: section ${label}: ${e.stack}\n`);
    throw e;
  }
}

// ---------------------------------------------------------------- write
let f;
section('open', () => {
  // No comm: COMM_WORLD in a multi-rank job, an ordinary serial file in a one-rank job.
  f = File.open(path, 'w', openOptions);
  report({ label: 'open', parallel: f.parallel, driver: f.driver, commIsWorld: f.comm === comm, collectiveMetadata: f.collectiveMetadata });
});

section('dtypes', () => {
  for (const dt of V.DTYPES) {
    const indep = f.createDataset(`dtypes/indep/${dt}`, { shape: [T, V.COLS], dtype: dt });
    const coll = f.createDataset(`dtypes/coll/${dt}`, { shape: [T, V.COLS], dtype: dt });
    const data = V.valuesFor(dt, mine.start * V.COLS, mine.count * V.COLS);
    indep.write(data, rowsSel(mine, V.COLS));
    coll.collective.write(data, rowsSel(mine, V.COLS));
  }
  // Plain arrays (numbers, bigints) too, converted to the dataset's type.
  const plain = f.createDataset('dtypes/plain/int64', { shape: [T, V.COLS], dtype: 'int64' });
  plain.write(Array.from(V.valuesFor('int64', mine.start * V.COLS, mine.count * V.COLS)), rowsSel(mine, V.COLS), { collective: true });
});

section('strings', () => {
  const fixed = f.createDataset('strings/fixed', { shape: [T], dtype: 'string', stringLength: 24 });
  const mineStrings = Array.from({ length: mine.count }, (_, i) => V.stringAt(mine.start + i));
  fixed.write(mineStrings, { start: [mine.start], count: [mine.count] }, { collective: true });
  const fixedIndep = f.createDataset('strings/fixedIndep', { shape: [T], dtype: 'string', stringLength: 24 });
  fixedIndep.write(mineStrings, { start: [mine.start], count: [mine.count] });
  const scalar = f.createDataset('strings/scalar', { shape: [], dtype: 'string', stringLength: 16 });
  // A scalar takes one writer's value; every rank takes part in the collective call with the same value.
  scalar.collective.write(`size ${size}`);
});

section('initial', () => {
  // Initial contents given at creation (the same on every rank; rank 0's is written).
  f.createDataset('initial/matrix', { shape: [2, 3], dtype: 'int16', data: [1, -2, 3, -4, 5, -6] });
  f.createDataset('initial/scalar', { shape: [], dtype: 'float64', data: 2.5 });
  f.createDataset('initial/strings', { shape: [2], dtype: 'string', stringLength: 8, data: ['ab', 'çd'] });
  f.createDataset('initial/filled', { shape: [4], dtype: 'uint8', data: 9 });
});

section('hyperslabs', () => {
  // Strided: rank r owns the columns c with c % size == r.
  const strided = f.createDataset('slabs/strided', { shape: [4, 3 * size], dtype: 'int32' });
  const stridedSel = (r) => ({ start: [0, r], stride: [1, size], count: [4, 3] });
  const sdata = new Int32Array(12);
  for (let i = 0; i < 4; i++) for (let k = 0; k < 3; k++) sdata[i * 3 + k] = i * 1000 + (rank + k * size);
  strided.write(sdata, stridedSel(rank), { collective: true });

  // Blocks of 2x2, strided: rank r owns columns 2r, 2r+1, 2size+2r, 2size+2r+1 of every row (independent).
  const blocks = f.createDataset('slabs/blocks', { shape: [4, 4 * size], dtype: 'uint16' });
  const bsel = new Hyperslab({ start: [0, 2 * rank], stride: [2, 2 * size], count: [2, 2], block: [2, 2] });
  const bcols = [2 * rank, 2 * rank + 1, 2 * size + 2 * rank, 2 * size + 2 * rank + 1];
  const bdata = new Uint16Array(16);
  for (let i = 0; i < 4; i++) for (let k = 0; k < 4; k++) bdata[i * 4 + k] = i * 100 + bcols[k];
  blocks.write(bdata, bsel);

  // A union of overlapping slabs on rank r's row: columns 0-3 and 5-9 (column 4 keeps the fill value).
  const union = f.createDataset('slabs/union', { shape: [size, 10], dtype: 'float64', fillValue: -1 });
  const usel = new Hyperslab({ start: [rank, 0], count: [1, 3] })
    .union({ start: [rank, 5], count: [1, 5] })
    .union(new Hyperslab([rank, 2], [1, 2]));
  const ucols = [0, 1, 2, 3, 5, 6, 7, 8, 9];
  union.write(Float64Array.from(ucols, (c) => rank * 100 + c + 0.5), usel, { collective: true });
});

section('empty', () => {
  // Odd ranks have no rows: they still take part in the collective writes, with an empty selection.
  const d = f.createDataset('empty/sparse', { shape: [S, V.COLS], dtype: 'int32', fillValue: 7 });
  d.write(V.valuesFor('int32', sparse.start * V.COLS, sparse.count * V.COLS), rowsSel(sparse, V.COLS), { collective: true });
  // Every rank empty at once: a collective call that moves nothing.
  d.collective.write(new Int32Array(0), { start: [0, 0], count: [0, V.COLS] });
  const z = f.createDataset('empty/zero', { shape: [0, 4], dtype: 'float32' });
  z.collective.write(new Float32Array(0));
});

section('chunked', () => {
  // Chunks of 2 rows cross the rank boundaries (rank r owns 3 rows per uneven row), so ranks share chunks.
  const rows = { start: 3 * mine.start, count: 3 * mine.count };
  const gz = f.createDataset('chunked/gzip', { shape: [3 * T, 4], dtype: 'float64', chunks: [2, 4], compression: 'gzip', compressionLevel: 6, shuffle: true });
  gz.write(V.valuesFor('float64', rows.start * 4, rows.count * 4), rowsSel(rows, 4), { collective: true });
  report({ label: 'chunked.transfer', lastTransfer: gz.lastTransfer });
  // Filtered, with the odd ranks empty.
  const sp = f.createDataset('chunked/sparse', { shape: [S, V.COLS], dtype: 'int16', chunks: [2, V.COLS], compression: 'gzip', shuffle: true, fillValue: -5 });
  sp.write(V.valuesFor('int16', sparse.start * V.COLS, sparse.count * V.COLS), rowsSel(sparse, V.COLS), { collective: true });
});

section('resize', () => {
  // Every rank writes row r, then the dataset grows collectively and each rank appends its rows independently.
  const grow = f.createDataset('grow/plain', { shape: [size, V.COLS], dtype: 'int64', maxshape: [Infinity, V.COLS], chunks: [2, V.COLS] });
  grow.collective.write(V.valuesFor('int64', rank * V.COLS, V.COLS), { start: [rank, 0], count: [1, V.COLS] });
  grow.resize([size + T, V.COLS]);
  grow.write(V.valuesFor('int64', (size + mine.start) * V.COLS, mine.count * V.COLS), rowsSel({ start: size + mine.start, count: mine.count }, V.COLS));
  // Compressed: appends to a filtered dataset must be collective.
  const gz = f.createDataset('grow/gzip', { shape: [0, V.COLS], dtype: 'uint32', maxshape: [Infinity, V.COLS], chunks: [2, V.COLS], compression: 'gzip' });
  for (let round = 0; round < 2; round++) {
    const base = round * T;
    gz.resize([base + T, V.COLS]);
    gz.collective.write(V.valuesFor('uint32', (base + mine.start) * V.COLS, mine.count * V.COLS), rowsSel({ start: base + mine.start, count: mine.count }, V.COLS));
  }
  report({ label: 'resize.shapes', plain: grow.shape, gzip: gz.shape, maxshape: grow.maxshape.map(String) });
});

const ATTRS = () => ({
  number: 3.25,
  negative: -1e-300,
  bigint: -(2n ** 62n) - 5n,
  text: 'héllo ✓',
  empty: '',
  numbers: [1.5, -2.5, 1e300],
  strings: ['a', 'bé', ''],
  i8: Int8Array.of(-128, 127),
  u8: Uint8Array.of(0, 255),
  i16: Int16Array.of(-32768, 32767),
  u16: Uint16Array.of(0, 65535),
  i32: Int32Array.of(-(2 ** 31), 2 ** 31 - 1),
  u32: Uint32Array.of(0, 2 ** 32 - 1),
  i64: BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n),
  u64: BigUint64Array.of(0n, 2n ** 64n - 1n),
  f32: Float32Array.of(0.5, -3.75),
  f64: Float64Array.of(Math.PI, 5e-324),
  ranks: size,
});

section('attrs', () => {
  f.createGroup('groups/a/b');
  const c = f.createGroup('groups/c');
  const ds = f.get('dtypes/coll/float64');
  for (const obj of [f, c, ds]) for (const [k, v] of Object.entries(ATTRS())) obj.attrs.set(k, v);
  // Replacing an attribute with a value of another type.
  c.attrs.set('replaced', 'first');
  c.attrs.set('replaced', Int32Array.of(1, 2, 3));
  c.attrs.set('gone', 1);
  c.attrs.delete('gone');
});

section('transfer', () => {
  const d = f.createDataset('xfer/f64', { shape: [T, V.COLS], dtype: 'float64' });
  const data = V.valuesFor('float64', mine.start * V.COLS, mine.count * V.COLS);
  d.collective.write(data, rowsSel(mine, V.COLS));
  const afterCollective = d.lastTransfer;
  d.write(data, rowsSel(mine, V.COLS));
  const afterIndependent = d.lastTransfer;
  d.collective.read(rowsSel(mine, V.COLS));
  const afterCollectiveRead = d.lastTransfer;
  // float64 data into a float32 dataset: HDF5 converts, which it cannot do collectively.
  const c = f.createDataset('xfer/f32', { shape: [T, V.COLS], dtype: 'float32' });
  c.collective.write(V.valuesFor('float64', mine.start * V.COLS, mine.count * V.COLS), rowsSel(mine, V.COLS));
  const afterConversion = c.lastTransfer;
  report({ label: 'transfer', afterCollective, afterIndependent, afterCollectiveRead, afterConversion });
});

section('close', () => f.close());

// ---------------------------------------------------------------- read back, from the file
section('read', () => {
  const g = File.open(path, 'r', openOptions);
  const out = {};
  for (const dt of V.DTYPES) {
    out[`dtypes/indep/${dt}`] = g.get(`dtypes/indep/${dt}`).read();
    out[`dtypes/coll/${dt}`] = g.get(`dtypes/coll/${dt}`).collective.read();
  }
  out['dtypes/plain/int64'] = g.get('dtypes/plain/int64').read();
  out['strings/fixed'] = g.get('strings/fixed').collective.read();
  out['strings/fixedIndep'] = g.get('strings/fixedIndep').read();
  out['strings/scalar'] = g.get('strings/scalar').read();
  for (const k of ['matrix', 'scalar', 'strings', 'filled']) out[`initial/${k}`] = g.get(`initial/${k}`).read();
  out['slabs/strided'] = g.get('slabs/strided').collective.read();
  out['slabs/blocks'] = g.get('slabs/blocks').read();
  out['slabs/union'] = g.get('slabs/union').collective.read();
  out['empty/sparse'] = g.get('empty/sparse').collective.read();
  out['empty/zero'] = g.get('empty/zero').collective.read();
  out['chunked/gzip'] = g.get('chunked/gzip').collective.read();
  out['chunked/sparse'] = g.get('chunked/sparse').collective.read();
  out['grow/plain'] = g.get('grow/plain').collective.read();
  out['grow/gzip'] = g.get('grow/gzip').read();
  out['xfer/f32'] = g.get('xfer/f32').read();
  report({ label: 'data', data: out });

  // Partial reads across ranks: the next rank's strided columns, rows of the previous rank, empty reads.
  const next = (rank + 1) % size;
  const prev = V.unevenRows((rank + size - 1) % size);
  const strided = g.get('slabs/strided').read({ start: [0, next], stride: [1, size], count: [4, 3] }, { collective: true });
  const prevRows = g.get('dtypes/coll/uint64').collective.read(rowsSel(prev, V.COLS));
  const sparseMine = g.get('chunked/sparse').collective.read(rowsSel(sparse, V.COLS));
  const into = new Float64Array(sparse.count * V.COLS);
  g.get('empty/sparse').collective.readInto(into, rowsSel(sparse, V.COLS));
  const unionBack = g.get('slabs/union').read(new Hyperslab([next, 4], [1, 3]).union({ start: [next, 0], count: [1, 1] }));
  report({ label: 'partial', next, strided, prevRows, sparseMine, into, unionBack });

  const gz = g.get('chunked/gzip');
  const attrs = {};
  for (const [where, obj] of [['file', g], ['group', g.get('groups/c')], ['dataset', g.get('dtypes/coll/float64')]]) {
    const values = {};
    for (const k of obj.attrs.keys()) values[k] = obj.attrs.get(k);
    attrs[where] = values;
  }
  report({
    label: 'meta',
    parallel: g.parallel,
    chunked: { shape: gz.shape, chunks: gz.chunks, compression: gz.compression, compressionLevel: gz.compressionLevel, shuffle: gz.shuffle },
    grow: { shape: g.get('grow/plain').shape, maxshape: g.get('grow/plain').maxshape.map(String) },
    keys: { root: g.keys(), groups: g.get('groups').keys(), a: g.get('groups/a').keys() },
    has: [g.has('groups/a/b'), g.has('groups/a/x')],
    kinds: [g.get('groups/a/b').constructor.name, g.get('slabs/union').constructor.name],
    fill: g.get('slabs/union').fillValue,
    attrs,
  });
  g.close();
});
