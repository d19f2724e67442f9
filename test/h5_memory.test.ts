// zeros() makes large arrays on transparent huge pages (lib/memory.ts), which a transfer copies into and out
// of faster; Dataset.read() makes its large results there too where huge pages pay for memory touched once
// (not on a virtual machine whose host takes freed memory back), and its small results as views on a
// shared pool.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, File, NumericDType, zeros } from '../lib';
import { mpirunOk, tmpdir } from './helpers/mpirun';

// "always [madvise] never": the kernel gives huge pages to regions that ask (Debian's default), or to all.
const THP = /\[(\w+)\]/.exec(fs.readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1] ?? 'never';

// Whether a virtio balloon here reports free pages to the host (feature bit 5, VIRTIO_BALLOON_F_REPORTING),
// read independently of lib/memory.ts.
function hostTakesFreedPages(): boolean {
  const dir = '/sys/bus/virtio/devices';
  if (!fs.existsSync(dir)) return false;
  return fs.readdirSync(dir).some((d) => {
    const at = path.join(dir, d);
    return fs.readFileSync(path.join(at, 'device'), 'utf8').trim() === '0x0005' && fs.readFileSync(path.join(at, 'features'), 'utf8')[5] === '1';
  });
}

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
  ['a negative extent', () => zeros('int32', [2, -1]), RangeError, /^zeros\('int32', \[2, -1\]\): shape\[1\] is -1; expected an integer >= 0/],
  ['a fractional length', () => zeros('int32', 1.5), RangeError, /^zeros\('int32', 1\.5\): shape\[0\] is 1\.5; expected an integer >= 0/],
  ['a shape that is neither', () => zeros('int32', '8' as unknown as number), TypeError, /^zeros\('int32', string 8\): shape must be a length or an array of extents/],
  ['more than memory holds', () => zeros('float64', [2 ** 26, 2 ** 26]), RangeError, /^zeros\('float64', \[67108864, 67108864\]\): cannot allocate 4503599627370496 elements: /],
])('zeros refuses %s, naming the call', (_, call, type, message) => {
  expect(call).toThrow(type);
  expect(call).toThrow(message);
});

interface MemorySeen {
  hugeKiB: { zeros: number; read: number };
}

describe.each([1, 2, 3])('on %i ranks', (n) => {
  test('arrays made by zeros and read() carry the values written collectively, zeros on huge pages, and through MPI', async () => {
    const file = path.join(tmpdir(), 'memory.h5');
    const results = await mpirunOk(n, 'h5_memory.js', [file], { env: { H5MPI_HUGE_PAGES: undefined } });
    for (let r = 0; r < n; r++) {
      const seen = results[r][0] as unknown as MemorySeen;
      expect(seen).toMatchObject({ rank: r, type: 'Float64Array', length: 256 * 4096, untouched: true, readType: 'Float64Array', readLength: n * 256 * 4096, wrong: 0 });
      // Rank 0's array (0 .. 2^20 - 1) on every rank, and the sum of 1..n, element-wise.
      expect(seen).toMatchObject({ mpi: { bcastLast: 2 ** 20 - 1, bcastLength: 2 ** 20, sumFirst: (n * (n + 1)) / 2, sumLast: (n * (n + 1)) / 2 } });
      if (THP === 'never') continue;
      // All but the partial 2 MiB pages at either end of the 8 MiB (zeros) and 8n MiB (read) arrays.
      expect(seen.hugeKiB.zeros).toBeGreaterThanOrEqual(4 * 1024);
      if (hostTakesFreedPages()) expect(seen.hugeKiB.read).toBe(0);
      else expect(seen.hugeKiB.read).toBeGreaterThanOrEqual((8 * n - 4) * 1024);
    }
  });
});

// H5MPI_HUGE_PAGES overrides the choice either way; the values are right on either kind of page.
test.each([
  ['1', 'every large array on huge pages', true],
  ['0', 'none', false],
])('H5MPI_HUGE_PAGES=%s puts %s', async (setting, _, huge) => {
  const file = path.join(tmpdir(), 'memory.h5');
  const [[seen]] = (await mpirunOk(1, 'h5_memory.js', [file], { env: { H5MPI_HUGE_PAGES: setting } })) as unknown as (MemorySeen & { wrong: number; readLength: number })[][];
  expect(seen).toMatchObject({ readLength: 256 * 4096, wrong: 0, untouched: true });
  if (THP === 'never') return;
  if (huge) {
    expect(seen.hugeKiB.zeros).toBeGreaterThanOrEqual(4 * 1024);
    expect(seen.hugeKiB.read).toBeGreaterThanOrEqual(4 * 1024);
  } else {
    expect(seen.hugeKiB).toEqual({ zeros: 0, read: 0 });
  }
});

// Small results of read() (up to 2 KiB) share a pool buffer, as Node's small Buffers do; each is its own
// stretch of it, aligned for its element type, and holds exactly what was written.
describe('small results of read()', () => {
  const dir = tmpdir('h5mpi-memory-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const DTYPES: NumericDType[] = ['int8', 'uint8', 'int16', 'float32', 'float64', 'int64', 'uint64', 'int32'];

  test('carry their own values, 8-byte aligned, one after another in a shared buffer', () => {
    using f = File.open(path.join(dir, 'small.h5'), 'w');
    const rows = 50, cols = 7; // 7 elements: odd byte lengths, so that alignment has work to do
    const seen: { dtype: NumericDType; row: number; array: ArrayLike<number | bigint> & { byteOffset: number; buffer: ArrayBufferLike } }[] = [];
    for (const dtype of DTYPES) {
      const d = f.createDataset(dtype, { shape: [rows, cols], dtype });
      const big = dtype === 'int64' || dtype === 'uint64';
      d.write(Array.from({ length: rows * cols }, (_, i) => (big ? BigInt(i % 100) : i % 100)) as number[]);
      for (let row = 0; row < rows; row++) seen.push({ dtype, row, array: d.read({ start: [row, 0], count: [1, cols] }) });
    }
    // Interleave the dtypes' reads too, so that 1-byte results sit next to 8-byte ones.
    for (let row = 0; row < rows; row++) {
      for (const dtype of DTYPES) seen.push({ dtype, row, array: (f.get(dtype) as Dataset).read({ start: [row, 0], count: [1, cols] }) as never });
    }
    for (const { dtype, row, array } of seen) {
      expect(array.byteOffset % 8).toBe(0);
      for (let c = 0; c < cols; c++) {
        const want = (row * cols + c) % 100;
        if (Number(array[c]) !== want) throw new Error(`${dtype} row ${row} [${c}]: got ${String(array[c])}, expected ${want}`);
      }
    }
    // Neighbours share a buffer and do not overlap: overwriting one leaves the others as they were.
    const [a, b] = [seen[0].array as Int8Array, seen[1].array as Int8Array];
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.byteLength);
    a.fill(-1);
    expect(Array.from(b)).toEqual([7, 8, 9, 10, 11, 12, 13]);
  });

  test('go on working after a program transfers one of their buffers away', () => {
    using f = File.open(path.join(dir, 'transfer.h5'), 'w');
    const d = f.createDataset('x', { shape: [4, 3], dtype: 'float64', data: Float64Array.from({ length: 12 }, (_, i) => i) });
    const first = d.read({ start: [0, 0], count: [1, 3] });
    const moved = structuredClone(first.buffer, { transfer: [first.buffer as ArrayBuffer] });
    expect(first.length).toBe(0); // detached, with the whole pool
    const next = d.read({ start: [2, 0], count: [1, 3] });
    expect(Array.from(next)).toEqual([6, 7, 8]);
    expect(next.buffer).not.toBe(moved);
  });

  test('above 2 KiB have a buffer of their own', () => {
    using f = File.open(path.join(dir, 'large.h5'), 'w');
    const d = f.createDataset('x', { shape: [2, 300], dtype: 'float64', data: Float64Array.from({ length: 600 }, (_, i) => i) });
    const row = d.read({ start: [1, 0], count: [1, 300] }); // 2400 bytes
    expect({ byteOffset: row.byteOffset, bufferBytes: row.buffer.byteLength, first: row[0], last: row[299] }).toEqual({ byteOffset: 0, bufferBytes: 2400, first: 300, last: 599 });
  });
});
