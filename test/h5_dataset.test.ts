// Datasets in a serial (one-rank, in-process) file: every dtype through a file and back, conversions,
// strings, scalars, layout properties, chunking with filters, and resizing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, DType, File, NumericDType } from '../lib';
import { tmpdir } from './helpers/mpirun';

const dir = tmpdir('h5mpi-dataset-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `f${n++}.h5`);

/** Writes with `write`, closes the file, reopens it read-only and hands the dataset to `check`. */
function roundTrip<T>(create: (f: File) => void, check: (f: File) => T): T {
  const file = fresh();
  const w = File.open(file, 'w');
  create(w);
  w.close();
  const r = File.open(file, 'r');
  try {
    return check(r);
  } finally {
    r.close();
  }
}

// `got` is what a read returns, typed for any dtype (references too): an array-like here.
const same = (got: unknown, b: ArrayLike<unknown>): void => {
  const a = got as ArrayLike<unknown>;
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) throw new Error(`element ${i}: got ${String(a[i])}, expected ${String(b[i])}`);
  }
};

// Extremes of every numeric dtype, with the array type that holds it.
const EXTREMES: { dtype: NumericDType; make: (v: never[]) => ArrayLike<unknown>; values: (number | bigint)[]; array: string }[] = [
  { dtype: 'int8', make: (v) => Int8Array.from(v), values: [-128, 127, 0, -1, 1], array: 'Int8Array' },
  { dtype: 'uint8', make: (v) => Uint8Array.from(v), values: [0, 255, 1, 128, 127], array: 'Uint8Array' },
  { dtype: 'int16', make: (v) => Int16Array.from(v), values: [-32768, 32767, 0, -1, 256], array: 'Int16Array' },
  { dtype: 'uint16', make: (v) => Uint16Array.from(v), values: [0, 65535, 1, 32768, 255], array: 'Uint16Array' },
  { dtype: 'int32', make: (v) => Int32Array.from(v), values: [-2147483648, 2147483647, 0, -1, 65536], array: 'Int32Array' },
  { dtype: 'uint32', make: (v) => Uint32Array.from(v), values: [0, 4294967295, 1, 2147483648, 65535], array: 'Uint32Array' },
  {
    dtype: 'int64',
    make: (v) => BigInt64Array.from(v),
    values: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 2n ** 53n + 1n],
    array: 'BigInt64Array',
  },
  { dtype: 'uint64', make: (v) => BigUint64Array.from(v), values: [0n, 2n ** 64n - 1n, 1n, 2n ** 63n, 2n ** 53n + 1n], array: 'BigUint64Array' },
  {
    dtype: 'float32',
    make: (v) => Float32Array.from(v),
    values: [Math.fround(0.1), -3.4028234663852886e38, 1.401298464324817e-45, NaN, Infinity, -Infinity, -0],
    array: 'Float32Array',
  },
  {
    dtype: 'float64',
    make: (v) => Float64Array.from(v),
    values: [Number.MAX_VALUE, -Number.MIN_VALUE, 0.1, NaN, Infinity, -Infinity, -0],
    array: 'Float64Array',
  },
];

describe.each(EXTREMES)('dtype $dtype', ({ dtype, make, values, array }) => {
  test('a typed array of its own type round-trips with its extremes', () => {
    const data = make(values as never[]);
    const got = roundTrip(
      (f) => f.createDataset('x', { shape: [values.length], dtype }).write(data as never),
      (f) => {
        const d = f.get('x') as Dataset;
        expect(d).toBeInstanceOf(Dataset);
        expect(d.dtype).toBe(dtype);
        expect(d.shape).toEqual([values.length]);
        return d.read();
      },
    );
    expect((got as object).constructor.name).toBe(array);
    same(got, data);
  });

  test('a plain array of numbers (or bigints) round-trips', () => {
    const got = roundTrip(
      (f) => f.createDataset('x', { shape: [values.length], dtype, data: values as never }),
      (f) => (f.get('x') as Dataset).read(),
    );
    same(got, make(values as never[]));
  });

  test('a single value fills the selection', () => {
    const one = values[1];
    const got = roundTrip(
      (f) => {
        const d = f.createDataset('x', { shape: [2, 3], dtype });
        d.write(one);
      },
      (f) => (f.get('x') as Dataset).read(),
    );
    same(got, make(new Array(6).fill(one) as never[]));
  });
});

describe('conversion between numeric types', () => {
  test('a typed array of another type is converted by HDF5 (C truncation toward zero, clamped at the limits)', () => {
    const src = new Float64Array([1.9, -1.9, 2.5, -0.5, 1e12, -1e12, 42]);
    const expected = Int32Array.from(src, (v) => Math.max(-2147483648, Math.min(2147483647, Math.trunc(v))));
    const got = roundTrip(
      (f) => f.createDataset('x', { shape: [src.length], dtype: 'int32' }).write(src),
      (f) => (f.get('x') as Dataset<'int32'>).read(),
    );
    same(got, expected);
  });

  test('integers widen exactly: Int16Array into float32, Uint8Array into int64, BigInt64Array into float64', () => {
    const i16 = new Int16Array([-32768, 32767, 7]);
    const u8 = new Uint8Array([0, 255, 9]);
    const big = new BigInt64Array([-(2n ** 53n), 2n ** 53n, 3n]);
    roundTrip(
      (f) => {
        f.createDataset('f32', { shape: [3], dtype: 'float32' }).write(i16);
        f.createDataset('i64', { shape: [3], dtype: 'int64' }).write(u8);
        f.createDataset('f64', { shape: [3], dtype: 'float64' }).write(big);
      },
      (f) => {
        same((f.get('f32') as Dataset).read(), Float32Array.from(i16));
        same((f.get('i64') as Dataset).read(), BigInt64Array.from(u8, (v) => BigInt(v)));
        same((f.get('f64') as Dataset).read(), Float64Array.from(big, (v) => Number(v)));
      },
    );
  });

  test('readInto converts into any numeric typed array of the selection size', () => {
    const values = [-3, 0, 100000, 7];
    roundTrip(
      (f) => f.createDataset('x', { shape: [4], dtype: 'int32', data: values }),
      (f) => {
        const d = f.get('x') as Dataset<'int32'>;
        same(d.readInto(new Float64Array(4)), Float64Array.from(values));
        same(d.readInto(new BigInt64Array(4)), BigInt64Array.from(values, (v) => BigInt(v)));
        const target = new Float32Array(2);
        expect(d.readInto(target, { start: [1], count: [2] })).toBe(target);
        same(target, Float32Array.from(values.slice(1, 3)));
      },
    );
  });
});

describe('strings', () => {
  const VARIABLE = ['', 'a', 'héllo wörld', '日本語のテキスト', 'emoji 🙂 and ∑', 'x'.repeat(5000), 'tab\tnew\nline'];

  test('variable-length UTF-8 strings round-trip, including empty and long ones', () => {
    const got = roundTrip(
      (f) => f.createDataset('s', { shape: [VARIABLE.length], dtype: 'string', data: VARIABLE }),
      (f) => {
        const d = f.get('s') as Dataset<'string'>;
        expect(d.dtype).toBe('string');
        expect(d.stringLength).toBeNull();
        return d.read();
      },
    );
    expect(got).toEqual(VARIABLE);
  });

  test('fixed-length strings hold up to stringLength bytes of UTF-8 and come back unpadded', () => {
    // 'exactly8' fills the width; 'héllo' and '日本' are 6 bytes in UTF-8.
    const data = ['', 'abc', 'exactly8', 'héllo', '日本'];
    const got = roundTrip(
      (f) => f.createDataset('s', { shape: [5], dtype: 'string', stringLength: 8, data }),
      (f) => {
        const d = f.get('s') as Dataset<'string'>;
        expect(d.stringLength).toBe(8);
        expect(d.fileType).toMatchObject({ className: 'string', size: 8, order: 'none', string: { encoding: 'utf-8', length: 8, padding: 'nullpad' } });
        return d.read();
      },
    );
    expect(got).toEqual(data);
  });

  test('a fixed-length string longer than stringLength (in UTF-8 bytes) is refused, never cut', () => {
    const file = fresh();
    using f = File.open(file, 'w');
    const d = f.createDataset('s', { shape: [2], dtype: 'string', stringLength: 8, data: ['keep', 'these'] });
    expect(() => d.write(['ok', 'nine char'])).toThrow(/Dataset '\/s'\.write: element 1 is 9 bytes of UTF-8, longer than the 8 bytes/);
    // Three characters, nine bytes.
    expect(() => d.write(['日本語', 'ok'])).toThrow(/element 0 is 9 bytes of UTF-8/);
    expect(d.read()).toEqual(['keep', 'these']);
  });

  test('scalar string datasets, variable and fixed, read and write one string', () => {
    roundTrip(
      (f) => {
        const v = f.createDataset('v', { shape: [], dtype: 'string', data: 'first' });
        v.write('scalar ünïcode');
        f.createDataset('fx', { shape: [], dtype: 'string', stringLength: 16, data: 'fixed scalar' });
      },
      (f) => {
        const v = f.get('v') as Dataset<'string'>;
        expect(v.shape).toEqual([]);
        expect(v.ndim).toBe(0);
        expect(v.size).toBe(1);
        expect(v.read()).toBe('scalar ünïcode');
        expect((f.get('fx') as Dataset<'string'>).read()).toBe('fixed scalar');
      },
    );
  });

  test('a single string fills a selection', () => {
    const got = roundTrip(
      (f) => {
        const d = f.createDataset('s', { shape: [4], dtype: 'string', stringLength: 4 });
        d.write(['a', 'b', 'c', 'd']);
        d.write('zz', { start: [1], count: [2] });
      },
      (f) => (f.get('s') as Dataset<'string'>).read(),
    );
    expect(got).toEqual(['a', 'zz', 'zz', 'd']);
  });
});

describe('scalars, sizes and properties', () => {
  test('a numeric scalar dataset reads as a one-element typed array', () => {
    roundTrip(
      (f) => {
        f.createDataset('f', { shape: [], dtype: 'float64', data: 2.75 });
        f.createDataset('i', { shape: [], dtype: 'int64' }).write(-(2n ** 62n));
      },
      (f) => {
        const d = f.get('f') as Dataset<'float64'>;
        expect(d.shape).toEqual([]);
        expect(d.maxshape).toBeNull();
        same(d.read(), new Float64Array([2.75]));
        same((f.get('i') as Dataset).read(), new BigInt64Array([-(2n ** 62n)]));
      },
    );
  });

  test.each<[string, { shape: number[]; dtype: DType; stringLength?: number }, number, number]>([
    ['int16 [3, 4]', { shape: [3, 4], dtype: 'int16' }, 12, 24],
    ['uint64 [5]', { shape: [5], dtype: 'uint64' }, 5, 40],
    ['float32 [2, 0, 3]', { shape: [2, 0, 3], dtype: 'float32' }, 0, 0],
    ['float64 scalar', { shape: [], dtype: 'float64' }, 1, 8],
    ['fixed strings [5] of 8 bytes', { shape: [5], dtype: 'string', stringLength: 8 }, 5, 40],
    ['variable strings [3] (pointers)', { shape: [3], dtype: 'string' }, 3, 24],
  ])('size and nbytes of %s', (_label, options, size, nbytes) => {
    const file = fresh();
    using f = File.open(file, 'w');
    const d = f.createDataset('x', options);
    expect(d.size).toBe(size);
    expect(d.nbytes).toBe(nbytes);
  });

  test('a plain dataset reports contiguous storage and no filters', () => {
    roundTrip(
      (f) => f.createDataset('x', { shape: [4, 2], dtype: 'uint16' }),
      (f) => {
        const d = f.get('x') as Dataset;
        expect(d.chunks).toBeNull();
        expect(d.compression).toBeNull();
        expect(d.compressionLevel).toBeNull();
        expect(d.shuffle).toBe(false);
        expect(d.fletcher32).toBe(false);
        expect(d.fillValue).toBeNull();
        expect(d.maxshape).toEqual([4, 2]);
        expect(d.ndim).toBe(2);
        // Never written: HDF5's default fill, zero.
        same(d.read(), new Uint16Array(8));
      },
    );
  });
});

describe('chunking, filters and fill values', () => {
  test('chunked + gzip + shuffle + fletcher32 + fillValue: reported back after reopening, unwritten elements hold the fill', () => {
    const got = roundTrip(
      (f) => {
        const d = f.createDataset('c', {
          shape: [6, 5],
          dtype: 'int16',
          chunks: [4, 2],
          compression: 'gzip',
          compressionLevel: 7,
          shuffle: true,
          fletcher32: true,
          fillValue: -99,
        });
        d.write([1, 2, 3, 4, 5, 6], { start: [2, 1], count: [2, 3] });
      },
      (f) => {
        const d = f.get('c') as Dataset<'int16'>;
        expect(d.chunks).toEqual([4, 2]);
        expect(d.compression).toBe('gzip');
        expect(d.compressionLevel).toBe(7);
        expect(d.shuffle).toBe(true);
        expect(d.fletcher32).toBe(true);
        expect(d.fillValue).toBe(-99);
        return d.read();
      },
    );
    const expected = new Int16Array(30).fill(-99);
    [1, 2, 3, 4, 5, 6].forEach((v, k) => (expected[(2 + Math.floor(k / 3)) * 5 + 1 + (k % 3)] = v));
    same(got, expected);
  });

  test('fill values of 64-bit and float dtypes (bigint, NaN) are kept exactly', () => {
    roundTrip(
      (f) => {
        f.createDataset('i', { shape: [3], dtype: 'int64', fillValue: -(2n ** 63n) });
        f.createDataset('u', { shape: [2], dtype: 'uint64', fillValue: 2n ** 64n - 1n, chunks: [1] });
        f.createDataset('n', { shape: [2], dtype: 'float32', fillValue: NaN });
      },
      (f) => {
        expect((f.get('i') as Dataset).fillValue).toBe(-(2n ** 63n));
        same((f.get('i') as Dataset).read(), new BigInt64Array(3).fill(-(2n ** 63n)));
        expect((f.get('u') as Dataset).fillValue).toBe(2n ** 64n - 1n);
        same((f.get('u') as Dataset).read(), new BigUint64Array(2).fill(2n ** 64n - 1n));
        expect((f.get('n') as Dataset).fillValue).toBeNaN();
        same((f.get('n') as Dataset).read(), new Float32Array([NaN, NaN]));
      },
    );
  });

  test('chunks: true picks a chunk shape that fits the dataset, and the data survives gzip', () => {
    const values = Float64Array.from({ length: 300 * 40 }, (_, i) => Math.sin(i) * 1000);
    roundTrip(
      (f) => f.createDataset('c', { shape: [300, 40], dtype: 'float64', chunks: true, compression: 'gzip', data: values }),
      (f) => {
        const d = f.get('c') as Dataset<'float64'>;
        expect(d.chunks).not.toBeNull();
        expect(d.chunks!.length).toBe(2);
        d.chunks!.forEach((c, i) => {
          expect(c).toBeGreaterThanOrEqual(1);
          expect(c).toBeLessThanOrEqual(d.shape[i]);
        });
        expect(d.compressionLevel).toBe(4);
        same(d.read(), values);
      },
    );
  });

  test('filters alone (shuffle, or gzip) make a dataset chunked', () => {
    const file = fresh();
    using f = File.open(file, 'w');
    expect(f.createDataset('s', { shape: [100], dtype: 'int32', shuffle: true }).chunks).not.toBeNull();
    expect(f.createDataset('g', { shape: [100], dtype: 'int32', compression: 'gzip' }).chunks).not.toBeNull();
  });
});

describe('resize', () => {
  test('grow along an unlimited dimension, write the new rows, read everything back after reopening', () => {
    const cols = 4;
    const model: number[] = [];
    const file = fresh();
    {
      using f = File.open(file, 'w');
      const d = f.createDataset('log', { shape: [0, cols], dtype: 'float64', maxshape: [Infinity, cols], chunks: [2, cols] });
      expect(d.maxshape).toEqual([Infinity, cols]);
      expect(d.read()).toHaveLength(0);
      for (let step = 1; step <= 4; step++) {
        const rows = d.shape[0];
        const add = Array.from({ length: step * cols }, (_, k) => step * 100 + k);
        d.resize([rows + step, cols]);
        expect(d.shape).toEqual([rows + step, cols]);
        d.write(add, { start: [rows, 0], count: [step, cols] });
        model.push(...add);
        same(d.read(), Float64Array.from(model));
      }
    }
    using r = File.open(file, 'r');
    const d = r.get('log') as Dataset<'float64'>;
    expect(d.shape).toEqual([10, cols]);
    expect(d.maxshape).toEqual([Infinity, cols]);
    same(d.read({ start: [6, 0], count: [4, cols] }), Float64Array.from(model.slice(6 * cols)));
  });

  test('growing a fixed dimension or past maxshape is refused; shrinking keeps the leading data', () => {
    const file = fresh();
    using f = File.open(file, 'w');
    const d = f.createDataset('x', { shape: [3, 2], dtype: 'int32', maxshape: [5, 2], data: [1, 2, 3, 4, 5, 6] });
    expect(() => d.resize([6, 2])).toThrow(/Dataset '\/x'\.resize: dimension 0 cannot grow to 6; its maxshape is 5/);
    expect(() => d.resize([3, 3])).toThrow(/dimension 1 cannot grow to 3/);
    expect(() => d.resize([3])).toThrow(RangeError);
    d.resize([5, 2]);
    same(d.read(), new Int32Array([1, 2, 3, 4, 5, 6, 0, 0, 0, 0]));
    d.resize([1, 2]);
    same(d.read(), new Int32Array([1, 2]));
  });
});
