// References, as h5py's: object references (h5py.ref_dtype) read as the path of the object they point at
// and dereferenced with `file.deref(ref)` or `file.get(ref)`; region references (h5py.regionref_dtype) read
// as a dataset's path and a selection of it (a Hyperslab, Points, or null for all of it). Written from paths,
// objects and references read from the same file. The binding makes and resolves them (binding/references.cc).
import { H5Error } from './errors';
import { parallelObjectReferenceWrites } from './hdf5compat';
import { native, NativeLocation, ReferenceValues, RegionDescription } from './native';
import { Hyperslab, Points, resolveSelection, Selection } from './selection';
import { describeValue, resolvePath } from './validate';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * An object reference (HDF5's hobj_ref_t, h5py's `Reference`): the object's path when it was read, and the
 * reference as stored, which `file.deref(ref)` follows (also after the object moved). It prints as its path.
 * A null reference reads as `null`, never as a Reference.
 */
export class Reference {
  /** The path of the object it points at, as HDF5 names it; null when it has none (it was unlinked) or the reference points at no object. */
  readonly path: string | null;
  /** @internal The stored reference (8 bytes). */
  readonly _bytes: Uint8Array;
  /** @internal The file it points into (its real path). */
  readonly _file: string;

  private constructor(path: string | null, bytes: Uint8Array, file: string) {
    this.path = path;
    this._bytes = bytes;
    this._file = file;
  }

  /** @internal */
  static _make(path: string | null, bytes: Uint8Array, file: string): Reference {
    return new Reference(path, bytes, file);
  }

  /** The path (or a note when it has none). */
  toString(): string {
    return this.path ?? '(an object without a path)';
  }

  toJSON(): string | null {
    return this.path;
  }

  [INSPECT](): string {
    return `Reference(${this.path === null ? 'null' : `'${this.path}'`})`;
  }
}

/**
 * A dataset region reference (HDF5's hdset_reg_ref_t, h5py's `RegionReference`): the dataset's path and the
 * selection stored with it. `file.deref(ref)` gives the dataset; `dataset.read(ref.selection)` its elements.
 */
export class RegionReference {
  /** The path of the dataset; null when it has none. */
  readonly path: string | null;
  /**
   * The selection: a Hyperslab (a regular one, or the union of the blocks HDF5 stored), Points, or null for
   * the whole dataset. An empty selection is a Hyperslab of count 0.
   */
  readonly selection: Hyperslab | Points | null;
  /** @internal The stored reference (12 bytes). */
  readonly _bytes: Uint8Array;
  /** @internal The file it points into (its real path). */
  readonly _file: string;

  private constructor(path: string | null, selection: Hyperslab | Points | null, bytes: Uint8Array, file: string) {
    this.path = path;
    this.selection = selection;
    this._bytes = bytes;
    this._file = file;
  }

  /** @internal */
  static _make(path: string | null, selection: Hyperslab | Points | null, bytes: Uint8Array, file: string): RegionReference {
    return new RegionReference(path, selection, bytes, file);
  }

  /** The path and the selection, e.g. "/x[start 2, count 3]". */
  toString(): string {
    return `${this.path ?? '(a dataset without a path)'}${describeRegion(this.selection)}`;
  }

  toJSON(): { path: string | null; selection: unknown } {
    return { path: this.path, selection: selectionJSON(this.selection) };
  }

  [INSPECT](): string {
    return `RegionReference(${this.toString()})`;
  }
}

/** A group or dataset, as a reference target (checked at run time to be an open object of the same file). */
export interface Referenceable {
  readonly name: string;
  readonly description: string;
}

/**
 * What an object reference is written from: the object's path (from the file's root), the Group or Dataset,
 * a Reference read from the same file, or null (a null reference).
 */
export type ReferenceTarget = string | Referenceable | Reference | null;

/** A region to reference: a dataset (path or Dataset) and a selection of it (default: all of it). */
export interface RegionTarget {
  dataset: string | Referenceable;
  selection?: Selection;
}

/**
 * @internal What references need of a file (lib/context.ts's FileContext, which lib/dtype.ts's types of this
 * module cannot import without a cycle): its name and, in parallel, its communicator.
 */
export interface ReferenceFile {
  readonly filename: string;
  readonly comm?: { readonly rank: number; allgather<T>(value: T): T[] };
}

/** @internal A reference as the binding makes it: null, its stored bytes, a path, or [path, selection code, rank]. */
export type PackedReference = null | Uint8Array | string | [string, Float64Array | null, number];

const realPaths = new WeakMap<ReferenceFile, string>();

/** @internal The real path of a file, which references compare to tell whether they point into it. */
export function fileIdentity(ctx: ReferenceFile): string {
  let p = realPaths.get(ctx);
  if (p === undefined) {
    p = native.realPath(ctx.filename) ?? ctx.filename;
    realPaths.set(ctx, p);
  }
  return p;
}

/** @internal Whether `v` is a group or dataset (an h5mpi object of some file). */
export function isH5Object(v: unknown): v is Referenceable & { ctx: ReferenceFile; _checkOpen(): void } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { ctx?: { filename?: unknown }; name?: unknown; _checkOpen?: unknown };
  return typeof o.name === 'string' && typeof o._checkOpen === 'function' && typeof o.ctx?.filename === 'string';
}

/** @internal Whether a value is one that makes a reference attribute when no dtype is given. */
export function referenceKindOf(v: unknown): 'object' | 'region' | undefined {
  const one = Array.isArray(v) ? (v as unknown[]).find((x) => x !== null) : v;
  if (one instanceof Reference || (isH5Object(one) && !Array.isArray(v))) return 'object';
  if (one instanceof RegionReference) return 'region';
  if (Array.isArray(v) && v.length > 0 && v.every((x) => x === null || x instanceof Reference || isH5Object(x))) return 'object';
  return undefined;
}

function elementWhere(where: string, i: number, n: number): string {
  return n === 1 ? where : `${where}: element ${i}`;
}

/** An object's path, checked to be in the file of `ctx`. */
function objectPath(v: Referenceable & { ctx: ReferenceFile; _checkOpen(): void }, ctx: ReferenceFile, where: string): string {
  if (v.ctx !== ctx && fileIdentity(v.ctx) !== fileIdentity(ctx)) {
    throw new TypeError(`${where}: ${v.description} is in '${v.ctx.filename}', not in '${ctx.filename}': a reference points into its own file (use an external link across files)`);
  }
  v._checkOpen();
  return v.name;
}

function storedBytes(r: Reference | RegionReference, ctx: ReferenceFile, where: string): Uint8Array {
  if (r._file !== fileIdentity(ctx)) {
    const kind = r instanceof Reference ? 'reference' : 'region reference';
    throw new TypeError(
      `${where}: the ${kind} to '${r.path}' was read from '${r._file}', and points into that file, not '${ctx.filename}'; ` +
        `give the path${r instanceof RegionReference ? ' and selection' : ''} to make one in this file`,
    );
  }
  return r._bytes;
}

/** A selection in the binding's encoding, with its rank; the binding checks it against the dataset. */
function encodeRegion(selection: Selection, where: string): [Float64Array | null, number] {
  if (selection === undefined || selection === null) return [null, 0];
  let rank: number;
  if (selection instanceof Points) rank = selection.rank;
  else if (selection instanceof Hyperslab) rank = selection.slabs[0].start.length;
  else if (typeof selection === 'object' && Array.isArray(selection.start)) rank = selection.start.length;
  else throw new TypeError(`${where}: a region's selection must be a Hyperslab, a { start, count } object or Points, got ${describeValue(selection)}`);
  // Bounds are the dataset's, checked by the binding; here only the form.
  const { code } = resolveSelection(selection, new Array<number>(rank).fill(Number.MAX_SAFE_INTEGER), where);
  if (code === null) return [null, 0];
  // A copy of what the (shared, reused) encoding holds: nothing, hyperslabs, or points.
  const length = code[0] === 2 ? 2 + code[1] * 4 * rank : code[0] === 3 ? 2 + code[1] * rank : 1;
  return [code.slice(0, length), rank];
}

/**
 * @internal References to write, checked, in the binding's form: `values` (n of them) into a file of `ctx`,
 * object references or (`region`) region references.
 */
export function packReferences(values: readonly unknown[], region: boolean, ctx: ReferenceFile, where: string): PackedReference[] {
  const n = values.length;
  return values.map((v, i): PackedReference => {
    const at = elementWhere(where, i, n);
    if (v === null || v === undefined) return null;
    if (region) {
      if (v instanceof RegionReference) return storedBytes(v, ctx, at);
      if (v instanceof Reference) throw new TypeError(`${at}: an object reference in a region reference dataset; give { dataset, selection }`);
      if (typeof v !== 'object' || isH5Object(v) || !('dataset' in v)) {
        throw new TypeError(`${at}: a region reference is written from a RegionReference or { dataset, selection }, got ${describeValue(v)}`);
      }
      for (const k of Object.keys(v)) {
        if (k !== 'dataset' && k !== 'selection') throw new TypeError(`${at}: unknown key '${k}' of a region; accepted: dataset, selection`);
      }
      const t = v as RegionTarget;
      const path = isH5Object(t.dataset) ? objectPath(t.dataset, ctx, at) : typeof t.dataset === 'string' ? resolvePath('/', t.dataset, at) : undefined;
      if (path === undefined) throw new TypeError(`${at}: a region's dataset must be a path or a Dataset, got ${describeValue(t.dataset)}`);
      const [code, rank] = encodeRegion(t.selection, at);
      return [path, code, rank];
    }
    if (v instanceof Reference) return storedBytes(v, ctx, at);
    if (v instanceof RegionReference) throw new TypeError(`${at}: a region reference in an object reference dataset; store its dataset (ref.path) or use dtype 'regionReference'`);
    if (typeof v === 'string') return resolvePath('/', v, at);
    if (isH5Object(v)) return objectPath(v, ctx, at);
    throw new TypeError(`${at}: an object reference is written from a path, a Group or Dataset, a Reference or null, got ${describeValue(v)}`);
  });
}

/** @internal Reference data for a selection of `n` elements: an array of exactly n, or one value for all of them. */
export function referenceList(data: unknown, n: number, where: string): unknown[] {
  if (!Array.isArray(data)) return new Array<unknown>(n).fill(data);
  if (data.length !== n) throw new RangeError(`${where}: ${data.length} references for a selection of ${n} elements`);
  return data;
}

/** @internal Whether making these references changes the file (a path or region to make, not stored bytes). */
export function makesReferences(packed: readonly PackedReference[]): boolean {
  return packed.some((p) => p !== null && !(p instanceof Uint8Array));
}

/** @internal The packed references as text, for the ranks' comparison of a collective call. */
export function describePacked(packed: readonly PackedReference[]): string {
  const one = (p: PackedReference): string => {
    if (p === null) return 'null';
    if (p instanceof Uint8Array) return `ref#${Buffer.from(p).toString('hex')}`;
    if (typeof p === 'string') return p;
    return `${p[0]}${p[1] === null ? '' : `[${p[1].join(' ')}]`}`;
  };
  const all = packed.map(one);
  return all.length <= 8 ? `[${all.join(', ')}]` : `[${all.slice(0, 4).join(', ')}, ...] (${all.length} references, #${shortHash(all.join('\u0000'))})`;
}

function shortHash(s: string): string {
  // FNV-1a: the ranks compare texts, so a short digest is enough.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16);
}

/**
 * @internal The stored references for `packed`, made by the binding at `location`. In a parallel file (`ctx`
 * with a communicator) making a reference changes the file, so every rank must make the same ones: with
 * `collective`, the ranks exchange what they make and every rank makes all of them, in rank order; otherwise
 * (an independent write) only stored bytes and nulls are accepted.
 */
export function makeReferences(ctx: ReferenceFile, location: NativeLocation, packed: PackedReference[], region: boolean, collective: boolean): DataView {
  const size = region ? 12 : 8;
  if (!ctx.comm || !collective) return new DataView(location.makeReferences(packed, region));
  const comm = ctx.comm;
  const mine = packed.map((p, i) => [i, p] as const).filter(([, p]) => p !== null && !(p instanceof Uint8Array));
  const all = comm.allgather(mine.map(([, p]) => p));
  let before = 0;
  for (let r = 0; r < comm.rank; r++) before += all[r].length;
  const made = new Uint8Array(location.makeReferences(all.flat(), region));
  const out = [...packed];
  mine.forEach(([i], k) => (out[i] = made.subarray((before + k) * size, (before + k + 1) * size)));
  return new DataView(location.makeReferences(out, region));
}

/** @internal Throws for an independent write in a parallel file that would make references. */
export function checkIndependentReferences(packed: readonly PackedReference[], where: string): void {
  if (!makesReferences(packed)) return;
  throw new H5Error(
    `${where}: in a parallel file, references are made by every rank together (HDF5 changes the file to make one): ` +
      `write with { collective: true }, every rank taking part (possibly with an empty selection), or write ` +
      `References read from this file`,
  );
}

/**
 * @internal Runs a binding call whose failures name only the problem, prefixing `where` (the object and call)
 * to their messages; the error keeps its class and, for an H5Error, its code and HDF5 stack.
 */
export function named<T>(where: string, call: () => T): T {
  try {
    return call();
  } catch (e) {
    if (typeof e !== 'object' || e === null || typeof (e as Error).message !== 'string' || (e as Error).message.startsWith(where)) throw e;
    const message = `${where}: ${(e as Error).message}`;
    if (e instanceof H5Error) throw new H5Error(message, e.code, e.h5stack);
    // By name: the binding makes its TypeErrors and RangeErrors in the addon's realm.
    if ((e as Error).name === 'RangeError') throw new RangeError(message);
    if ((e as Error).name === 'TypeError') throw new TypeError(message);
    throw e;
  }
}

/**
 * @internal Whether parallel HDF5 writes references of this kind into a dataset through MPI-IO: region
 * references never, object references up to HDF5 1.10 (lib/hdf5compat.ts).
 */
export function parallelReferenceWrites(region: boolean): boolean {
  return !region && parallelObjectReferenceWrites();
}

/** @internal The refusal of a reference write into a dataset that parallel HDF5 cannot make (see above). */
export function parallelReferenceError(where: string, region: boolean): H5Error {
  const what = region ? 'region references' : 'references';
  const why = region ? 'HDF5 does not support it with MPI-IO' : `HDF5 ${native.hdf5Version()} does not support it with MPI-IO; 1.10 did`;
  return new H5Error(
    `${where}: parallel HDF5 cannot write ${what} into a dataset (${why}). ` +
      `Write them from a serial file, or store them in an attribute (attrs.set), which every rank writes together.`,
  );
}

/** @internal The binding's account of a region's selection, as the selection types of lib/selection.ts. */
function regionSelection(d: RegionDescription): Hyperslab | Points | null {
  const zeros = new Array<number>(d.rank).fill(0);
  switch (d.kind) {
    case 'all':
      return null;
    case 'none':
      return new Hyperslab(zeros, zeros);
    case 'regular': {
      // HDF5 gives one block of n as count 1, block n: shown as count n, as it was most likely made.
      const one = d.count!.map((c) => c === 1);
      return new Hyperslab({
        start: d.start!,
        count: d.count!.map((c, i) => (one[i] ? d.block![i] : c)),
        stride: d.stride!.map((s, i) => (one[i] ? 1 : s)),
        block: d.block!.map((b, i) => (one[i] ? 1 : b)),
      });
    }
    case 'points':
      return new Points(d.points!);
    case 'blocks': {
      // Each block (start and end coordinates) as a hyperslab of its elements.
      const slabs = d.blocks!.map((b) => {
        const start = b.slice(0, d.rank);
        return new Hyperslab({ start, count: b.slice(d.rank).map((end, i) => end - start[i] + 1) });
      });
      return slabs.slice(1).reduce((u, s) => u.union(s), slabs[0]);
    }
  }
}

/**
 * @internal The values the binding read from a type that holds references, with References made of its
 * leaves, following the stored type: compounds as objects of their fields, arrays and sequences as arrays.
 */
export function decodeReferences(r: ReferenceValues, type: HoldingType, file: string): unknown[] {
  const raw = new Uint8Array(r.raw);
  const decode = (v: unknown, t: HoldingType): unknown => {
    if (v === null || v === undefined) return v ?? null;
    if (t.reference) {
      const [path, offset, sel] = v as [string | null, number, RegionDescription | undefined];
      if (t.reference === 'object') return Reference._make(path, raw.subarray(offset, offset + 8), file);
      return RegionReference._make(path, regionSelection(sel!), raw.subarray(offset, offset + 12), file);
    }
    if ((t.className === 'vlen' || t.className === 'array') && t.base) return (v as unknown[]).map((x) => decode(x, t.base!));
    if (t.className === 'compound' && t.fields) {
      const o = v as Record<string, unknown>;
      for (const f of t.fields) if (f.type) o[f.name] = decode(o[f.name], f.type);
      return o;
    }
    return v;
  };
  return r.values.map((v) => decode(v, type));
}

/** @internal A stored type as the binding (TypeInfo) or Dataset.fileType (StoredType) describes it. */
export interface HoldingType {
  readonly className: string;
  readonly reference?: 'object' | 'region';
  readonly base?: HoldingType;
  readonly fields?: readonly { readonly name: string; readonly type?: HoldingType }[];
}

/** @internal Whether a stored type is a reference or holds one. */
export function holdsReferences(t: HoldingType): boolean {
  return t.reference !== undefined || (t.base !== undefined && holdsReferences(t.base)) || (t.fields ?? []).some((f) => f.type !== undefined && holdsReferences(f.type));
}

function describeRegion(s: Hyperslab | Points | null): string {
  if (s === null) return '';
  if (s instanceof Points) return `[points ${s.coords.map((c) => `(${c.join(', ')})`).join(' ')}]`;
  return s.slabs
    .map((b) => `[start ${b.start.join(', ')}, count ${b.count.join(', ')}${b.stride.some((x) => x !== 1) ? `, stride ${b.stride.join(', ')}` : ''}${b.block.some((x) => x !== 1) ? `, block ${b.block.join(', ')}` : ''}]`)
    .join(' | ');
}

function selectionJSON(s: Hyperslab | Points | null): unknown {
  if (s === null) return null;
  if (s instanceof Points) return { points: s.coords };
  return s.slabs.length === 1 ? s.slabs[0] : { union: s.slabs };
}
