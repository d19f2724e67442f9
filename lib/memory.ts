// Typed arrays for transfers: large ones page-aligned, on transparent huge pages where they pay (binding/memory.cc
// says why), where `zeros` makes the arrays a program fills or reads into and Dataset.read its large results;
// small results of Dataset.read from a shared pool.
import * as fs from 'node:fs';
import { ARRAY_TYPES, checkDType, NumericDType, TypedArrayOf } from './dtype';
import { native } from './native';
import { checkShape, describeValue } from './validate';

/** From this size up an array is page-aligned and may go on huge pages, as numpy's do; smaller ones have little to gain. */
const LARGE_BYTES = 4 * 2 ** 20;
const HUGE_PAGE_BYTES = 2 * 2 ** 20;
const PAGE_BYTES = 4096;

/**
 * Whether this machine's host takes freed memory back: a virtual machine whose balloon device reports free
 * pages (virtio-balloon's VIRTIO_BALLOON_F_REPORTING, feature bit 5). Such a guest reports its free 2 MiB
 * blocks, the very ones a huge page is made of, and the host supplies each again, slowly, when it is next
 * touched: a read() of 4 GiB into new huge pages took 2.5-3x as long as into ordinary pages, which come from
 * smaller free blocks the guest never reported (bench/NOTES.md).
 */
function hostTakesFreedPages(): boolean {
  const dir = '/sys/bus/virtio/drivers/virtio_balloon';
  try {
    return fs.readdirSync(dir).some((name) => name.startsWith('virtio') && fs.readFileSync(`${dir}/${name}/features`, 'latin1')[5] === '1');
  } catch {
    return false; // no such driver or device: not such a virtual machine
  }
}

/**
 * Which large arrays go on huge pages: H5MPI_HUGE_PAGES=1 all, =0 none; by default every array from `zeros`
 * (a program's own buffers, filled and reused, as numpy's), and new memory that a read or a fill touches once
 * only where a huge page's first touch costs less than 512 ordinary ones: not where the host takes freed
 * memory back. Read once, when the first large array is made.
 */
let hugePolicy: { zeros: boolean; fresh: boolean } | undefined;

function policy(): { zeros: boolean; fresh: boolean } {
  if (hugePolicy) return hugePolicy;
  const setting = process.env.H5MPI_HUGE_PAGES;
  if (setting === '0' || setting === '1') return (hugePolicy = { zeros: setting === '1', fresh: setting === '1' });
  return (hugePolicy = { zeros: true, fresh: !hostTakesFreedPages() });
}

/**
 * @internal A zero-filled array of `length` elements in new memory that one read or fill will touch first:
 * allocate's, on huge pages only where they pay for that (policy).
 */
export function allocateFresh<D extends NumericDType>(dtype: D, length: number): TypedArrayOf[D] {
  return allocate(dtype, length, policy().fresh);
}

/**
 * Small results are views on a shared buffer, as Node's Buffer.allocUnsafe takes its small buffers from a
 * pool: a typed array with a buffer of its own costs V8 a malloc, a zero fill and a sweep later, a large
 * share of a one-row read; a view costs a fraction of that. A pool is used once, front to back, and
 * dropped when full: it holds 8 or more results and lives as long as any of them.
 */
const POOL_BYTES = 16 * 1024;
const POOLED_MAX_BYTES = POOL_BYTES / 8;
let pool = new ArrayBuffer(0);
let poolUsed = 0;

/**
 * @internal A zero-filled array of `length` elements for a read's result: up to POOLED_MAX_BYTES a view on
 * the pool (byteOffset 8-byte aligned, as BigInt64Array and Float64Array need), otherwise fresh memory
 * (allocateFresh's).
 */
export function allocateResult<D extends NumericDType>(dtype: D, length: number): TypedArrayOf[D] {
  const ctor = ARRAY_TYPES[dtype];
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  if (bytes === 0 || bytes > POOLED_MAX_BYTES) return allocateFresh(dtype, length);
  // A pool whose buffer a program transferred away (detached) has byteLength 0, and is replaced here too.
  if (poolUsed + bytes > pool.byteLength) {
    pool = new ArrayBuffer(POOL_BYTES);
    poolUsed = 0;
  }
  const array = new ctor(pool, poolUsed, length) as TypedArrayOf[D];
  poolUsed += (bytes + 7) & ~7;
  return array;
}

/**
 * @internal A zero-filled array of `length` elements. From LARGE_BYTES up it starts at a page boundary of a
 * slightly larger buffer: of a 2 MiB page, its memory advised onto huge pages before anything touches it
 * (touched pages stay small), when `huge` (default: as for `zeros`), else of an ordinary page. The extra
 * 2 MiB or 4 KiB are address space only, never touched. Nothing writes the zeros: the kernel gives new
 * memory zeroed on first touch, and whatever reads into the array touches it first.
 */
export function allocate<D extends NumericDType>(dtype: D, length: number, huge = policy().zeros): TypedArrayOf[D] {
  const ctor = ARRAY_TYPES[dtype];
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  if (bytes < LARGE_BYTES) return new ctor(length) as TypedArrayOf[D];
  const buffer = new ArrayBuffer(bytes + (huge ? HUGE_PAGE_BYTES : PAGE_BYTES));
  return new ctor(buffer, native.pageStart(buffer, huge), length) as TypedArrayOf[D];
}

/**
 * A zero-filled typed array of `dtype` with `shape`'s elements (a length, or extents whose product is the
 * length, row-major as datasets are), as numpy.zeros. From 4 MiB up its memory is page-aligned and on
 * transparent huge pages where the kernel offers them: a read into it or a write from it copies faster
 * than with a plain `new Float32Array(n)` (a third less time for a read from the page cache here), and
 * filling it first costs far fewer page faults. Such an array starts inside a buffer 2 MiB larger (its
 * `byteOffset` is not 0): use the array, not its `.buffer`. `H5MPI_HUGE_PAGES=0` keeps it off huge pages
 * (page-aligned still): on a virtual machine whose host takes freed memory back, huge pages cost more on
 * first touch than they save (docs/large-data.md).
 */
export function zeros<D extends NumericDType>(dtype: D, shape: number | readonly number[]): TypedArrayOf[D] {
  const shown = Array.isArray(shape) ? `[${shape.map(String).join(', ')}]` : typeof shape === 'number' ? String(shape) : describeValue(shape);
  const where = `zeros('${String(dtype)}', ${shown})`;
  if (checkDType(dtype, where) === 'string') throw new TypeError(`${where}: strings have no typed array; use a string[]`);
  const extents: unknown = typeof shape === 'number' ? [shape] : shape;
  if (!Array.isArray(extents)) throw new TypeError(`${where}: shape must be a length or an array of extents`);
  checkShape(extents, where);
  const length = extents.reduce((a, b) => a * b, 1);
  try {
    return allocate(dtype, length);
  } catch (e) {
    throw new RangeError(`${where}: cannot allocate ${length} elements: ${(e as Error).message}`);
  }
}
