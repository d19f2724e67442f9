// Hyperslab selections: validation against a dataset's shape, element counts, and the compact encoding
// binding/dataspace.cc applies (see the comment there).
import { native } from './native';

/** A regular block pattern: `count` blocks of `block` elements, `stride` apart, from `start` (per dimension). */
export interface HyperslabSpec {
  start: readonly number[];
  count: readonly number[];
  /** Distance between block starts; default 1 per dimension. */
  stride?: readonly number[];
  /** Block size; default 1 per dimension. */
  block?: readonly number[];
}

/** A hyperslab, or a union of several (`a.union(b)`), selected in one call. */
export class Hyperslab {
  readonly slabs: readonly Required<HyperslabSpec>[];

  constructor(spec: HyperslabSpec);
  constructor(start: readonly number[], count: readonly number[], stride?: readonly number[], block?: readonly number[]);
  constructor(
    a: HyperslabSpec | readonly number[],
    count?: readonly number[],
    stride?: readonly number[],
    block?: readonly number[],
  ) {
    const spec: HyperslabSpec = Array.isArray(a) ? { start: a, count: count ?? [], stride, block } : (a as HyperslabSpec);
    this.slabs = [complete(spec, 'Hyperslab')];
  }

  /** The union of this selection and `other` (elements in both are selected once). */
  union(other: HyperslabSpec | Hyperslab): Hyperslab {
    const out = Object.create(Hyperslab.prototype) as Hyperslab;
    const more = other instanceof Hyperslab ? other.slabs : [complete(other, 'Hyperslab.union')];
    (out as { slabs: readonly Required<HyperslabSpec>[] }).slabs = [...this.slabs, ...more];
    return out;
  }
}

/** What `read`/`write` take: nothing (the whole dataset), a plain hyperslab object, or a Hyperslab. */
export type Selection = HyperslabSpec | Hyperslab | null | undefined;

function complete(spec: HyperslabSpec, where: string): Required<HyperslabSpec> {
  if (spec === null || typeof spec !== 'object' || !Array.isArray(spec.start) || !Array.isArray(spec.count)) {
    throw new TypeError(`${where}: a hyperslab needs arrays 'start' and 'count'`);
  }
  const rank = spec.start.length;
  const ones = new Array<number>(rank).fill(1);
  return { start: spec.start, count: spec.count, stride: spec.stride ?? ones, block: spec.block ?? ones };
}

/**
 * A selection checked against a shape: its encoding for the binding and the number of elements it picks.
 * `code` may be the shared encoding buffer (see `encodingBuffer`): hand it to the binding before resolving
 * another selection.
 */
export interface ResolvedSelection {
  code: Float64Array | null;
  size: number;
}

// Encodings go into one reused buffer, longer than needed is fine (the binding reads what the slab count
// says). Allocating a Float64Array per call would cost more than the rest of a small read: V8 keeps only
// typed arrays of up to 64 bytes on its heap, and a larger one takes a malloc'd backing store.
let encoding = new Float64Array(2 + 4 * 4 * 8);
function encodingBuffer(length: number): Float64Array {
  if (encoding.length < length) encoding = new Float64Array(Math.max(length, 2 * encoding.length));
  return encoding;
}

function checkVector(v: readonly number[], name: string, rank: number, min: number, where: string): void {
  if (!Array.isArray(v) || v.length !== rank) {
    throw new RangeError(`${where}: '${name}' has ${Array.isArray(v) ? v.length : 'no'} dimensions, the dataset has ${rank}`);
  }
  for (let i = 0; i < rank; i++) {
    const x = v[i];
    // Safe integers (< 2^53) stay exact through the arithmetic below and the Float64Array encoding.
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min) {
      throw new RangeError(`${where}: '${name}'[${i}] is ${String(x)}; expected an integer >= ${min}`);
    }
  }
}

/**
 * Checks one slab against `shape` and writes it into `code` at `p` as (start, stride, count, block) per
 * dimension; returns the number of elements it selects. Absent stride and block mean 1: nothing is
 * allocated, so a small read or write spends no time here.
 */
function encodeSlab(spec: HyperslabSpec, shape: readonly number[], code: Float64Array, p: number, where: string): number {
  if (spec === null || typeof spec !== 'object' || !Array.isArray(spec.start) || !Array.isArray(spec.count)) {
    throw new TypeError(`${where}: a hyperslab needs arrays 'start' and 'count'`);
  }
  const rank = shape.length;
  const { start: starts, count: counts, stride: strides, block: blocks } = spec;
  checkVector(starts, 'start', rank, 0, where);
  checkVector(counts, 'count', rank, 0, where);
  if (strides !== undefined) checkVector(strides, 'stride', rank, 1, where);
  if (blocks !== undefined) checkVector(blocks, 'block', rank, 1, where);
  let n = 1;
  for (let i = 0; i < rank; i++) {
    const start = starts[i], count = counts[i];
    const stride = strides === undefined ? 1 : strides[i], block = blocks === undefined ? 1 : blocks[i];
    if (count > 1 && block > stride) {
      throw new RangeError(`${where}: in dimension ${i} the blocks (${block}) are longer than the stride (${stride}) and would overlap`);
    }
    const end = count === 0 ? start : start + (count - 1) * stride + block;
    if (end > shape[i]) {
      throw new RangeError(
        `${where}: the selection reaches index ${end - 1} in dimension ${i}, but the dataset's shape is [${shape.join(', ')}]`,
      );
    }
    code[p + i] = start;
    code[p + rank + i] = stride;
    code[p + 2 * rank + i] = count;
    code[p + 3 * rank + i] = block;
    n *= count * block;
  }
  return n;
}

/**
 * Validates `sel` against `shape` (null: a scalar dataset) and encodes it. `where` names the object and
 * call for error messages, e.g. "Dataset '/x'.write".
 */
export function resolveSelection(sel: Selection, shape: readonly number[] | null, where: string): ResolvedSelection {
  if (sel === undefined || sel === null) {
    let total = 1;
    if (shape !== null) for (let i = 0; i < shape.length; i++) total *= shape[i];
    return { code: null, size: total };
  }
  if (shape === null) throw new RangeError(`${where}: a scalar dataset takes no selection`);
  const rank = shape.length;
  const slabs: readonly HyperslabSpec[] = sel instanceof Hyperslab ? sel.slabs : [sel];
  const code = encodingBuffer(2 + slabs.length * 4 * rank);
  let picked = 0;
  let size = 0;
  for (let k = 0; k < slabs.length; k++) {
    const n = encodeSlab(slabs[k], shape, code, 2 + picked * 4 * rank, where);
    // Slabs that select nothing are left out (the next one overwrites their place).
    if (n > 0) picked++;
    size += n;
  }
  // An empty selection is valid: a rank with nothing to do still takes part in collective calls.
  if (picked === 0) return { code: NONE, size: 0 };
  code[0] = 2;
  code[1] = picked;
  // Overlapping slabs of a union select shared elements once: let HDF5 count those.
  if (picked > 1) size = native.selectionSize(shape as number[], code);
  return { code, size };
}

const NONE = new Float64Array([1]);
