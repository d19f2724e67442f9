// Typed arrays for transfers: large ones on transparent huge pages (binding/memory.cc says why), where
// `zeros` makes the arrays a program fills or reads into and Dataset.read its large results; small results
// of Dataset.read from a shared pool.
import { ARRAY_TYPES, checkDType, NumericDType, TypedArrayOf } from './dtype';
import { native } from './native';
import { checkShape, describeValue } from './validate';

/** From this size up an array goes on huge pages, as numpy's do; smaller ones have little to gain. */
const HUGE_PAGE_MIN_BYTES = 4 * 2 ** 20;
const HUGE_PAGE_BYTES = 2 * 2 ** 20;

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
 * the pool (byteOffset 8-byte aligned, as BigInt64Array and Float64Array need), otherwise allocate's.
 */
export function allocateResult<D extends NumericDType>(dtype: D, length: number): TypedArrayOf[D] {
  const ctor = ARRAY_TYPES[dtype];
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  if (bytes === 0 || bytes > POOLED_MAX_BYTES) return allocate(dtype, length);
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
 * @internal A zero-filled array of `length` elements. From HUGE_PAGE_MIN_BYTES up it starts at a 2 MiB
 * boundary of a buffer 2 MiB larger, whose memory is advised onto huge pages before anything touches it
 * (touched pages stay small); the 2 MiB more are address space only, never touched.
 */
export function allocate<D extends NumericDType>(dtype: D, length: number): TypedArrayOf[D] {
  const ctor = ARRAY_TYPES[dtype];
  const bytes = length * ctor.BYTES_PER_ELEMENT;
  if (bytes < HUGE_PAGE_MIN_BYTES) return new ctor(length) as TypedArrayOf[D];
  const buffer = new ArrayBuffer(bytes + HUGE_PAGE_BYTES);
  return new ctor(buffer, native.hugePageStart(buffer), length) as TypedArrayOf[D];
}

/**
 * A zero-filled typed array of `dtype` with `shape`'s elements (a length, or extents whose product is the
 * length, row-major as datasets are), as numpy.zeros. From 4 MiB up its memory is page-aligned and on
 * transparent huge pages where the kernel offers them: a read into it or a write from it copies faster
 * than with a plain `new Float32Array(n)` (a third less time for a read from the page cache here), and
 * filling it first costs far fewer page faults. Such an array starts inside a buffer 2 MiB larger (its
 * `byteOffset` is not 0): use the array, not its `.buffer`.
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
