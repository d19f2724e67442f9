// Hyperslab selections in a serial file, checked against the elements JS computes for them: strided,
// blocked, unions (overlapping ones select shared elements once), n-dimensional, and empty selections.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, File, Hyperslab, HyperslabSpec } from '../lib';
import { tmpdir } from './helpers/mpirun';
import { slabIndices, unionIndices } from './helpers/selection';

const dir = tmpdir('h5mpi-selection-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `f${n++}.h5`);

/** A dataset whose element at flat index i holds i. */
function indexed(f: File, name: string, shape: number[]): Dataset<'int32'> {
  const size = shape.reduce((a, b) => a * b, 1);
  return f.createDataset(name, { shape, dtype: 'int32', data: Int32Array.from({ length: size }, (_, i) => i) });
}

const SHAPE = [6, 8];

describe('reading hyperslabs', () => {
  test.each<[string, HyperslabSpec]>([
    ['a contiguous block', { start: [1, 2], count: [3, 4] }],
    ['every other row and column', { start: [1, 0], count: [3, 4], stride: [2, 2] }],
    ['blocks of 2x3, 3 rows and 4 columns apart', { start: [0, 1], count: [2, 2], stride: [3, 4], block: [2, 3] }],
    ['a single element', { start: [5, 7], count: [1, 1] }],
    ['a full column', { start: [0, 3], count: [6, 1] }],
    ['stride larger than the extent with count 1', { start: [2, 2], count: [1, 1], stride: [100, 100], block: [2, 2] }],
  ])('%s', (_label, slab) => {
    using f = File.open(fresh(), 'w');
    const d = indexed(f, 'x', SHAPE);
    const expected = slabIndices(SHAPE, slab);
    expect(Array.from(d.read(slab))).toEqual(expected);
    // The same selection as a Hyperslab, in both constructor forms.
    expect(Array.from(d.read(new Hyperslab(slab)))).toEqual(expected);
    expect(Array.from(d.read(new Hyperslab(slab.start, slab.count, slab.stride, slab.block)))).toEqual(expected);
  });

  test('a union of overlapping and disjoint slabs selects each element once, in file order', () => {
    using f = File.open(fresh(), 'w');
    const d = indexed(f, 'x', SHAPE);
    const slabs: HyperslabSpec[] = [
      { start: [0, 0], count: [3, 3] },
      { start: [1, 1], count: [3, 3] },
      { start: [0, 6], count: [3, 1], stride: [2, 1], block: [1, 2] },
    ];
    const sel = new Hyperslab(slabs[0]).union(slabs[1]).union(new Hyperslab(slabs[2]));
    const expected = unionIndices(SHAPE, slabs);
    expect(expected.length).toBe(9 + 9 - 4 + 6);
    expect(Array.from(d.read(sel))).toEqual(expected);
    const into = new Float64Array(expected.length);
    d.readInto(into, sel);
    expect(Array.from(into)).toEqual(expected);
  });

  test('three dimensions: a blocked, strided slab of a [4, 5, 6] dataset', () => {
    using f = File.open(fresh(), 'w');
    const shape = [4, 5, 6];
    const d = indexed(f, 'x', shape);
    const slab = { start: [1, 0, 1], count: [2, 2, 2], stride: [2, 3, 3], block: [1, 2, 2] };
    expect(Array.from(d.read(slab))).toEqual(slabIndices(shape, slab));
  });

  test('selections of string datasets', () => {
    using f = File.open(fresh(), 'w');
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven'];
    const d = f.createDataset('s', { shape: [2, 4], dtype: 'string', data: words });
    expect(d.read({ start: [0, 1], count: [2, 2], stride: [1, 2] })).toEqual(['one', 'three', 'five', 'seven']);
    expect(d.read(new Hyperslab([1, 0], [1, 1]).union({ start: [0, 3], count: [1, 1] }))).toEqual(['three', 'four']);
  });
});

describe('writing hyperslabs', () => {
  test('a strided write changes exactly the selected elements', () => {
    using f = File.open(fresh(), 'w');
    const d = indexed(f, 'x', SHAPE);
    const slab = { start: [0, 1], count: [3, 3], stride: [2, 3], block: [1, 1] };
    const idx = slabIndices(SHAPE, slab);
    const model = Array.from({ length: 48 }, (_, i) => i);
    idx.forEach((i, k) => (model[i] = -1000 - k));
    d.write(idx.map((_, k) => -1000 - k), slab);
    expect(Array.from(d.read())).toEqual(model);
  });

  test('a union write fills the union in file order', () => {
    using f = File.open(fresh(), 'w');
    const d = indexed(f, 'x', SHAPE);
    const slabs: HyperslabSpec[] = [
      { start: [4, 4], count: [2, 4] },
      { start: [0, 0], count: [2, 2], stride: [3, 3] },
      { start: [3, 3], count: [2, 2] },
    ];
    const idx = unionIndices(SHAPE, slabs);
    const model = Array.from({ length: 48 }, (_, i) => i);
    idx.forEach((i, k) => (model[i] = 500 + k));
    d.write(
      Int32Array.from(idx, (_, k) => 500 + k),
      new Hyperslab(slabs[0]).union(slabs[1]).union(slabs[2]),
    );
    expect(Array.from(d.read())).toEqual(model);
    f.close();
    using r = File.open(f.filename, 'r');
    expect(Array.from((r.get('x') as Dataset<'int32'>).read())).toEqual(model);
  });

  test('a single value fills a blocked selection', () => {
    using f = File.open(fresh(), 'w');
    const d = indexed(f, 'x', SHAPE);
    const slab = { start: [1, 1], count: [2, 2], stride: [3, 4], block: [2, 2] };
    const model = Array.from({ length: 48 }, (_, i) => i);
    for (const i of slabIndices(SHAPE, slab)) model[i] = 7;
    d.write(7, slab);
    expect(Array.from(d.read())).toEqual(model);
  });
});

describe('empty selections', () => {
  test.each<[string, HyperslabSpec]>([
    ['count 0 in one dimension', { start: [2, 0], count: [0, 8] }],
    ['count 0 in every dimension', { start: [0, 0], count: [0, 0] }],
    ['count 0 at the very end of the extent', { start: [6, 8], count: [0, 0] }],
  ])('%s: reads nothing, writes nothing, changes nothing', (_label, slab) => {
    using f = File.open(fresh(), 'w');
    const d = indexed(f, 'x', SHAPE);
    const got = d.read(slab);
    expect(got).toBeInstanceOf(Int32Array);
    expect(got).toHaveLength(0);
    d.write([], slab);
    d.write(new Int32Array(0), slab);
    expect(d.readInto(new Float32Array(0), slab)).toHaveLength(0);
    expect(Array.from(d.read())).toEqual(Array.from({ length: 48 }, (_, i) => i));
  });

  test('a union of empty slabs is empty; an empty slab in a union adds nothing', () => {
    using f = File.open(fresh(), 'w');
    const d = indexed(f, 'x', SHAPE);
    expect(d.read(new Hyperslab([0, 0], [0, 3]).union({ start: [1, 1], count: [2, 0] }))).toHaveLength(0);
    expect(Array.from(d.read(new Hyperslab([0, 0], [0, 3]).union({ start: [1, 1], count: [1, 2] })))).toEqual([9, 10]);
  });

  test('empty selections of string and zero-sized datasets', () => {
    using f = File.open(fresh(), 'w');
    const s = f.createDataset('s', { shape: [3], dtype: 'string', data: ['a', 'b', 'c'] });
    expect(s.read({ start: [1], count: [0] })).toEqual([]);
    s.write([], { start: [1], count: [0] });
    expect(s.read()).toEqual(['a', 'b', 'c']);
    const z = f.createDataset('z', { shape: [0, 4], dtype: 'float64' });
    expect(z.read()).toHaveLength(0);
    z.write([]);
  });
});
