// Hyperslab selections: validation against a dataset's shape, element counts, and the compact encoding
// binding/dataspace.cc applies (see the comment there).
import { native } from './native';
import { checkIntegers, describeValue } from './validate';

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

/**
 * Single elements by their coordinates (HDF5's point selection, h5py's `PointSelection`): `new Points([[0, 1],
 * [2, 3]])` selects two elements of a 2-d dataset, read and written in the order given. Region references to
 * points read as these.
 */
export class Points {
  /** One coordinate array per element, each of the dataset's rank. */
  readonly coords: readonly (readonly number[])[];

  constructor(coords: readonly (readonly number[])[]) {
    const given: unknown = coords;
    if (!Array.isArray(given)) throw new TypeError(`Points: coords must be an array of coordinate arrays, got ${describeValue(given)}`);
    const list = given as unknown[];
    const rank = list.length > 0 && Array.isArray(list[0]) ? (list[0] as unknown[]).length : 0;
    list.forEach((c, i) => checkIntegers(c, `coords[${i}]`, 0, 'Points', rank));
    this.coords = Object.freeze(coords.map((c) => Object.freeze(Array.from(c))));
  }

  /** The number of dimensions of each coordinate (0 for no points). */
  get rank(): number {
    return this.coords.length > 0 ? this.coords[0].length : 0;
  }
}

/** What `read`/`write` take: nothing (the whole dataset), a plain hyperslab object, a Hyperslab, or Points. */
export type Selection = HyperslabSpec | Hyperslab | Points | null | undefined;

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
  checkIntegers(starts, "'start'", 0, where, rank);
  checkIntegers(counts, "'count'", 0, where, rank);
  if (strides !== undefined) checkIntegers(strides, "'stride'", 1, where, rank);
  if (blocks !== undefined) checkIntegers(blocks, "'block'", 1, where, rank);
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
  if (sel instanceof Points) return encodePoints(sel, shape, where);
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

/** Points as [3, npoints, coordinates...], each checked against `shape`. */
function encodePoints(sel: Points, shape: readonly number[], where: string): ResolvedSelection {
  const n = sel.coords.length;
  if (n === 0) return { code: NONE, size: 0 };
  const rank = shape.length;
  if (sel.rank !== rank) throw new RangeError(`${where}: the points have ${sel.rank} coordinates each, the dataset ${rank} dimensions`);
  const code = encodingBuffer(2 + n * rank);
  code[0] = 3;
  code[1] = n;
  for (let k = 0; k < n; k++) {
    const c = sel.coords[k];
    for (let i = 0; i < rank; i++) {
      if (c[i] >= shape[i]) {
        throw new RangeError(`${where}: point ${k} ([${c.join(', ')}]) is outside the dataset's shape [${shape.join(', ')}]`);
      }
      code[2 + k * rank + i] = c[i];
    }
  }
  return { code, size: n };
}

/** One part of a transfer cut into pieces: a hyperslab, and the elements of the caller's array it moves. */
export interface TransferPiece {
  slab: Required<HyperslabSpec>;
  /** The first element of the array this piece moves, and how many. */
  offset: number;
  length: number;
}

/**
 * Cuts a resolved selection of one hyperslab (or everything) of a dataset of `shape` into pieces of at most
 * `maxElements` elements, in the order HDF5 moves the elements (row-major over the selected coordinates),
 * so that piece i moves elements [offset, offset + length) of the array. Each piece is one regular
 * hyperslab: the outermost dimensions are pinned to one coordinate, the dimension where a piece's worth of
 * elements fits is cut into runs of whole blocks (or of one block's elements, when a block is too big), and
 * the inner dimensions are whole. Returns undefined for a union of hyperslabs, which is not cut.
 */
export function splitSelection(code: Float64Array | null, shape: readonly number[], maxElements: number): TransferPiece[] | undefined {
  const rank = shape.length;
  if (code !== null && code[0] === 1) return [];
  // Points, and a union of hyperslabs, are not cut.
  if (code !== null && (code[0] === 3 || code[1] !== 1)) return undefined;
  const field = (f: number): number[] => (code === null ? shape.map((d) => (f === 2 ? d : f === 0 ? 0 : 1)) : Array.from(code.subarray(2 + f * rank, 2 + (f + 1) * rank)));
  const start = field(0), stride = field(1), count = field(2), block = field(3);
  // Selected coordinates per dimension, and the elements one coordinate of a dimension spans inside it.
  const span = count.map((c, i) => c * block[i]);
  const inner: number[] = new Array<number>(rank);
  let total = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inner[i] = total;
    total *= span[i];
  }
  if (total === 0) return [];
  const limit = Math.max(1, Math.floor(maxElements));
  let d = 0;
  while (inner[d] > limit) d++;
  const perPiece = Math.floor(limit / inner[d]); // selected coordinates of dimension d per piece, >= 1
  // The coordinate of the p-th selected position of dimension i.
  const coord = (i: number, p: number): number => start[i] + Math.floor(p / block[i]) * stride[i] + (p % block[i]);
  const pieces: TransferPiece[] = [];
  let offset = 0;
  const emit = (outer: number[], dStart: number, dStride: number, dCount: number, dBlock: number): void => {
    const slab: Required<HyperslabSpec> = {
      start: [...outer, dStart, ...start.slice(d + 1)],
      stride: [...outer.map(() => 1), dStride, ...stride.slice(d + 1)],
      count: [...outer.map(() => 1), dCount, ...count.slice(d + 1)],
      block: [...outer.map(() => 1), dBlock, ...block.slice(d + 1)],
    };
    const length = dCount * dBlock * inner[d];
    pieces.push({ slab, offset, length });
    offset += length;
  };
  let outerTotal = 1;
  for (let i = 0; i < d; i++) outerTotal *= span[i];
  const position = new Array<number>(d).fill(0);
  for (let o = 0; o < outerTotal; o++) {
    const outer = position.map((p, i) => coord(i, p));
    if (block[d] <= perPiece) {
      // Runs of whole blocks.
      const blocks = Math.floor(perPiece / block[d]);
      for (let b = 0; b < count[d]; b += blocks) {
        emit(outer, start[d] + b * stride[d], stride[d], Math.min(blocks, count[d] - b), block[d]);
      }
    } else {
      // A block is more than a piece: runs of consecutive coordinates inside each block.
      for (let b = 0; b < count[d]; b++) {
        for (let q = 0; q < block[d]; q += perPiece) emit(outer, start[d] + b * stride[d] + q, 1, 1, Math.min(perPiece, block[d] - q));
      }
    }
    for (let i = d - 1; i >= 0; i--) {
      if (++position[i] < span[i]) break;
      position[i] = 0;
    }
  }
  return pieces;
}
