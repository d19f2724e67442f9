// The size arithmetic behind large transfers, on small data: a non-collective transfer over the piece limit
// is cut into hyperslab pieces (HDF5 1.10's independent MPI-IO fails at 2 GiB per call), here with a limit
// of a few bytes so that small selections take that path; offsets and extents beyond 2^32 travel exactly.
// `npm run stress` does the same at real sizes (blocks over 2 GiB, datasets over 4 GiB).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, File, Hyperslab, HyperslabSpec } from '../lib';
import { _setMaxTransferBytes } from '../lib/dataset';
import { resolveSelection, splitSelection } from '../lib/selection';
import { mpirunOk, RANK_COUNTS, tmpdir } from './helpers/mpirun';
import { slabIndices } from './helpers/selection';

const dir = tmpdir('h5mpi-large-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `f${n++}.h5`);

const CASES: { label: string; shape: number[]; sel: HyperslabSpec | null }[] = [
  { label: '1-D, everything', shape: [10], sel: null },
  { label: '2-D, everything', shape: [5, 7], sel: null },
  { label: '2-D rows', shape: [9, 4], sel: { start: [2, 0], count: [5, 4] } },
  { label: '2-D strided', shape: [12, 10], sel: { start: [1, 2], count: [4, 3], stride: [3, 3] } },
  { label: '2-D blocks bigger than a piece', shape: [8, 20], sel: { start: [0, 1], count: [2, 2], stride: [4, 9], block: [3, 8] } },
  { label: '3-D blocked', shape: [4, 6, 5], sel: { start: [1, 0, 1], count: [1, 2, 2], stride: [1, 3, 2], block: [3, 2, 1] } },
  { label: 'a row longer than a piece', shape: [3, 50], sel: { start: [1, 3], count: [2, 41] } },
];

describe('splitSelection: pieces cover the selection in order', () => {
  for (const c of CASES) {
    for (const maxElements of [1, 2, 3, 5, 8, 13, 1000]) {
      test(`${c.label}, pieces of at most ${maxElements}`, () => {
        const resolved = resolveSelection(c.sel, c.shape, 'test');
        const spec = c.sel ?? { start: c.shape.map(() => 0), count: c.shape };
        const pieces = splitSelection(resolved.code, c.shape, maxElements)!;
        const whole = slabIndices(c.shape, spec);
        const joined: number[] = [];
        let offset = 0;
        for (const p of pieces) {
          expect(p.offset).toBe(offset);
          expect(p.length).toBeGreaterThan(0);
          expect(p.length).toBeLessThanOrEqual(maxElements);
          // Each piece is a valid hyperslab of the dataset selecting exactly `length` elements.
          expect(resolveSelection(p.slab, c.shape, 'piece').size).toBe(p.length);
          joined.push(...slabIndices(c.shape, p.slab));
          offset += p.length;
        }
        expect(offset).toBe(resolved.size);
        expect(joined).toEqual(whole);
      });
    }
  }

  test('nothing selected: no pieces; a union: not cut', () => {
    expect(splitSelection(resolveSelection({ start: [0, 0], count: [0, 4] }, [3, 4], 't').code, [3, 4], 2)).toEqual([]);
    const union = new Hyperslab({ start: [0], count: [2] }).union({ start: [5], count: [2] });
    expect(splitSelection(resolveSelection(union, [10], 't').code, [10], 2)).toBeUndefined();
  });

  test('coordinates and counts past 2^32 and 2^40 stay exact', () => {
    const shape = [2 ** 41, 6];
    const sel = { start: [2 ** 40 + 3, 0], count: [5, 6], stride: [2 ** 33 + 1, 1] };
    const resolved = resolveSelection(sel, shape, 't');
    expect(resolved.size).toBe(30);
    expect(Array.from(resolved.code!.subarray(0, 10))).toEqual([2, 1, 2 ** 40 + 3, 0, 2 ** 33 + 1, 1, 5, 6, 1, 1]);
    const pieces = splitSelection(resolved.code, shape, 12)!;
    expect(pieces.map((p) => [p.slab.start[0], p.slab.count[0], p.offset, p.length])).toEqual([
      [2 ** 40 + 3, 2, 0, 12],
      [2 ** 40 + 3 + 2 * (2 ** 33 + 1), 2, 12, 12],
      [2 ** 40 + 3 + 4 * (2 ** 33 + 1), 1, 24, 6],
    ]);
    // Past 2^53 a double is no longer exact: refused rather than rounded.
    expect(() => resolveSelection({ start: [2 ** 53, 0], count: [1, 1] }, [2 ** 60, 6], 'Dataset \'/x\'.read')).toThrow(
      /Dataset '\/x'\.read: 'start'\[0\] is 9007199254740992; expected an integer >= 0/,
    );
  });
});

describe('transfers made in pieces go through the file intact (serial file, limit of 12 bytes)', () => {
  let old = 0;
  beforeAll(() => (old = _setMaxTransferBytes(12)));
  afterAll(() => _setMaxTransferBytes(old));

  test('every case, written in pieces, reads back whole and in pieces; conversions and readInto too', () => {
    const file = fresh();
    const f = File.open(file, 'w');
    const results: Record<string, unknown> = {};
    CASES.forEach((c, k) => {
      const d = f.createDataset(`c${k}`, { shape: c.shape, dtype: 'float32', fillValue: -1 });
      const size = resolveSelection(c.sel, c.shape, 't').size;
      const data = Float32Array.from({ length: size }, (_, i) => i * 1.5 + k);
      d.write(data, c.sel);
      // float64 into the same selection of a second dataset: HDF5 converts, 8 bytes an element in memory.
      const e = f.createDataset(`d${k}`, { shape: c.shape, dtype: 'float32', fillValue: -1 });
      e.write(Float64Array.from(data), c.sel);
      results[c.label] = { inPieces: Array.from(d.read(c.sel)), converted: Array.from(e.read(c.sel)), into: Array.from(d.readInto(new Float64Array(size), c.sel)) };
    });
    f.close();
    // Read back with the normal limit, as whole arrays, and compare with what JS expects element by element.
    _setMaxTransferBytes(old);
    const g = File.open(file, 'r');
    CASES.forEach((c, k) => {
      const spec = c.sel ?? { start: c.shape.map(() => 0), count: c.shape };
      const expected = new Array<number>(c.shape.reduce((a, b) => a * b, 1)).fill(-1);
      slabIndices(c.shape, spec).forEach((flat, i) => (expected[flat] = i * 1.5 + k));
      expect({ label: c.label, d: Array.from((g.get(`c${k}`) as Dataset).read() as Float32Array), e: Array.from((g.get(`d${k}`) as Dataset).read() as Float32Array) }).toEqual({
        label: c.label,
        d: expected,
        e: expected,
      });
      const values = slabIndices(c.shape, spec).map((_, i) => i * 1.5 + k);
      expect(results[c.label]).toEqual({ inPieces: values, converted: values, into: values });
    });
    g.close();
    _setMaxTransferBytes(12);
  });

  test('a chunked dataset of 2^40 elements: writes and reads past 2^32 and 2^33', () => {
    const file = fresh();
    const f = File.open(file, 'w');
    const d = f.createDataset('huge', { shape: [2 ** 40], dtype: 'uint8', chunks: [4096] });
    const at = [2 ** 32 - 3, 2 ** 33 + 7, 2 ** 40 - 10];
    at.forEach((start, i) => d.write(Uint8Array.from({ length: 10 }, (_, j) => 10 * i + j + 1), { start: [start], count: [10] }));
    f.close();
    const g = File.open(file, 'r');
    const h = g.get('huge') as Dataset;
    expect(h.shape).toEqual([2 ** 40]);
    // One element either side of each write (the last one ends at the dataset's end).
    const around = at.map((start) => Array.from(h.read({ start: [start - 1], count: [start === 2 ** 40 - 10 ? 11 : 12] }) as Uint8Array));
    expect(around).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0],
      [0, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0],
      [0, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30],
    ]);
    g.close();
    expect(fs.statSync(file).size).toBeLessThan(1 << 20);
  });
});

describe.each(RANK_COUNTS)('independent transfers in pieces on %i ranks', (ranks) => {
  test('each rank writes its rows in 12-byte pieces; every rank reads everything back', async () => {
    const results = await mpirunOk(ranks, 'h5_pieces.js', [fresh()]);
    const rows = 3 * ranks + 1;
    const expected = Array.from({ length: rows * 5 }, (_, i) => Math.floor(i / 5) * 100 + (i % 5));
    for (let r = 0; r < ranks; r++) {
      expect(results[r]).toEqual([{ rank: r, whole: expected, piecewise: expected, strided: expected.filter((_, i) => Math.floor(i / 5) % 2 === 0) }]);
    }
  });
});
