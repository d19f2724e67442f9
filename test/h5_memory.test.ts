// zeros() and Dataset.read() make large arrays on transparent huge pages (lib/memory.ts), which a
// transfer copies into and out of faster; below 4 MiB, and for everything else, arrays are as before.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { zeros } from '../lib';
import { mpirunOk, tmpdir } from './helpers/mpirun';

// "always [madvise] never": the kernel gives huge pages to regions that ask (Debian's default), or to all.
const THP = /\[(\w+)\]/.exec(fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? 'never';

// Never called: it only has to typecheck (ts-jest fails the suite if a marked call compiles).
export function zerosTypes(): [Float32Array, BigInt64Array, Uint8Array] {
  // @ts-expect-error strings have no typed array
  zeros('string', 4);
  // @ts-expect-error the shape is a length or an array of extents
  zeros('float64', '4');
  // @ts-expect-error no such dtype
  zeros('float16', 4);
  return [zeros('float32', [2, 3]), zeros('int64', 4), zeros('uint8', [])];
}

test('zeros makes a zero-filled typed array of the dtype, from a length or a shape', () => {
  expect(zeros('float32', 5)).toEqual(new Float32Array(5));
  const grid = zeros('int64', [3, 4]);
  expect(grid).toBeInstanceOf(BigInt64Array);
  expect(grid.length).toBe(12);
  expect(zeros('uint8', [])).toEqual(new Uint8Array(1)); // a scalar's one element, as numpy.zeros(())
  expect(zeros('float64', [2, 0]).length).toBe(0);
});

test.each([
  ['an unknown dtype', () => zeros('float16' as 'float32', 4), TypeError, /^zeros\('float16', 4\): unknown dtype "float16"/],
  ['strings', () => zeros('string' as 'float32', 4), TypeError, /^zeros\('string', 4\): strings have no typed array; use a string\[\]/],
  ['a negative extent', () => zeros('int32', [2, -1]), RangeError, /^zeros\('int32', \[2, -1\]\): extents are non-negative integers, got -1/],
  ['a fractional length', () => zeros('int32', 1.5), RangeError, /^zeros\('int32', 1\.5\): extents are non-negative integers, got 1\.5/],
  ['a shape that is neither', () => zeros('int32', '8' as unknown as number), TypeError, /^zeros\('int32', string 8\): shape must be a length or an array of extents/],
  ['more than memory holds', () => zeros('float64', [2 ** 26, 2 ** 26]), RangeError, /^zeros\('float64', \[67108864, 67108864\]\): cannot allocate 4503599627370496 elements: /],
])('zeros refuses %s, naming the call', (_, call, type, message) => {
  expect(call).toThrow(type);
  expect(call).toThrow(message);
});

describe.each([1, 2, 3])('on %i ranks', (n) => {
  test('arrays made by zeros and read() carry the values written collectively, on huge pages, and through MPI', async () => {
    const file = path.join(tmpdir(), 'memory.h5');
    const results = await mpirunOk(n, 'h5_memory.js', [file]);
    for (let r = 0; r < n; r++) {
      const seen = results[r][0] as { hugeKiB: { zeros: number; read: number } };
      expect(seen).toMatchObject({ rank: r, type: 'Float64Array', length: 256 * 4096, untouched: true, readType: 'Float64Array', readLength: n * 256 * 4096, wrong: 0 });
      // Rank 0's array (0 .. 2^20 - 1) on every rank, and the sum of 1..n, element-wise.
      expect(seen).toMatchObject({ mpi: { bcastLast: 2 ** 20 - 1, bcastLength: 2 ** 20, sumFirst: (n * (n + 1)) / 2, sumLast: (n * (n + 1)) / 2 } });
      if (THP === 'never') continue;
      // All but the partial 2 MiB pages at either end of the 8 MiB (zeros) and 8n MiB (read) arrays.
      expect(seen.hugeKiB.zeros).toBeGreaterThanOrEqual(4 * 1024);
      expect(seen.hugeKiB.read).toBeGreaterThanOrEqual((8 * n - 4) * 1024);
    }
  });
});
