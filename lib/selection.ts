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

/** A selection checked against a shape: its encoding for the binding and the number of elements it picks. */
export interface ResolvedSelection {
  code: Float64Array | null;
  size: number;
  /** The shape of a single hyperslab's result (count * block per dimension), when there is one slab. */
  shape?: number[];
}

const ALL: ResolvedSelection = { code: null, size: -1 };

function checkVector(v: readonly number[], name: string, rank: number, min: number, where: string): void {
  if (!Array.isArray(v) || v.length !== rank) {
    throw new RangeError(`${where}: '${name}' has ${Array.isArray(v) ? v.length : 'no'} dimensions, the dataset has ${rank}`);
  }
  for (let i = 0; i < rank; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min) {
      throw new RangeError(`${where}: '${name}'[${i}] is ${String(x)}; expected an integer >= ${min}`);
    }
  }
}

/**
 * Validates `sel` against `shape` (null: a scalar dataset) and encodes it. `where` names the object and
 * call for error messages, e.g. "Dataset '/x'.write".
 */
export function resolveSelection(sel: Selection, shape: readonly number[] | null, where: string): ResolvedSelection {
  const total = shape === null ? 1 : shape.reduce((a, b) => a * b, 1);
  if (sel === undefined || sel === null) return { ...ALL, size: total };
  if (shape === null) throw new RangeError(`${where}: a scalar dataset takes no selection`);
  const slabs = sel instanceof Hyperslab ? sel.slabs : [complete(sel, where)];
  const rank = shape.length;
  const picked: Required<HyperslabSpec>[] = [];
  let size = 0;
  for (const s of slabs) {
    checkVector(s.start, 'start', rank, 0, where);
    checkVector(s.count, 'count', rank, 0, where);
    checkVector(s.stride, 'stride', rank, 1, where);
    checkVector(s.block, 'block', rank, 1, where);
    let n = 1;
    for (let i = 0; i < rank; i++) {
      const start = s.start[i], count = s.count[i], stride = s.stride[i], block = s.block[i];
      if (count > 1 && block > stride) {
        throw new RangeError(`${where}: in dimension ${i} the blocks (${block}) are longer than the stride (${stride}) and would overlap`);
      }
      const end = count === 0 ? start : start + (count - 1) * stride + block;
      if (end > shape[i]) {
        throw new RangeError(
          `${where}: the selection reaches index ${end - 1} in dimension ${i}, but the dataset's shape is [${shape.join(', ')}]`,
        );
      }
      n *= count * block;
    }
    if (n > 0) picked.push(s);
    size += n;
  }
  const shapeOf = slabs.length === 1 ? slabShape(slabs[0]) : undefined;
  // An empty selection is valid: a rank with nothing to do still takes part in collective calls.
  if (picked.length === 0) return { code: NONE, size: 0, shape: shapeOf };
  const code = new Float64Array(2 + picked.length * 4 * rank);
  code[0] = 2;
  code[1] = picked.length;
  let p = 2;
  for (const s of picked) {
    code.set(s.start, p);
    code.set(s.stride, p + rank);
    code.set(s.count, p + 2 * rank);
    code.set(s.block, p + 3 * rank);
    p += 4 * rank;
  }
  // Overlapping slabs of a union select shared elements once: let HDF5 count those.
  if (picked.length > 1) size = native.selectionSize(shape as number[], code);
  return { code, size, shape: shapeOf };
}

const NONE = new Float64Array([1]);

function slabShape(s: Required<HyperslabSpec>): number[] {
  return s.count.map((c, i) => c * s.block[i]);
}
