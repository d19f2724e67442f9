// Virtual datasets, as h5py's VirtualLayout and VirtualSource: a dataset whose elements are read from (and
// written to) parts of other datasets, in this file or others, mapped with hyperslab selections. HDF5 keeps
// only the mappings; the sources may not exist yet (their elements read as the fill value until they do).
// HDF5 1.10 reads and writes virtual datasets only serially: lib/dataset.ts refuses it through MPI-IO.
import * as path from 'node:path';
import { describeArgument } from './collective';
import type { FileContext } from './context';
import { checkDType, DType, isNumericDType, nativeType, resolveDType, toNumericArray } from './dtype';
import { H5Error } from './errors';
import type { DatasetSpec, NativeSlabs, NativeVirtualMapping } from './native';
import { native } from './native';
import { Hyperslab, HyperslabSpec, Points, Selection } from './selection';
import { checkOptions, checkShape, describeValue, resolvePath } from './validate';

/**
 * A selection in a virtual layout or source: everything (null or undefined), a hyperslab, or a union of them.
 * In a regular hyperslab a `count` or `block` may be Infinity (HDF5's H5S_UNLIMITED) along a dimension whose
 * maxshape is unlimited: the mapping then repeats as far as the sources go.
 */
export type VirtualSelection = Exclude<Selection, Points>;

/** The source dataset's description, when it is given by name rather than as an open Dataset. */
export interface VirtualSourceOptions {
  /** The source dataset's shape (h5py requires it too: the source may not exist yet). */
  shape: readonly number[];
  /** Its maxshape, Infinity for unlimited dimensions; default: the shape. */
  maxshape?: readonly number[];
  /** Its dtype, for the record (HDF5 converts the source's elements to the virtual dataset's type). */
  dtype?: DType;
}

/** What `new VirtualSource(dataset)` takes: an open Dataset (h5py: VirtualSource(dset)). */
export interface VirtualSourceDataset {
  readonly file: { readonly filename: string };
  readonly name: string;
  readonly shape: number[];
  readonly maxshape: readonly number[] | null;
  readonly dtype: DType | null;
}

const SOURCE_OPTIONS = ['shape', 'maxshape', 'dtype'] as const;
const LAYOUT_OPTIONS = ['shape', 'dtype', 'maxshape', 'stringLength'] as const;
const CREATE_OPTIONS = ['fillValue'] as const;

/**
 * A source dataset of a virtual dataset, as h5py's VirtualSource: a file name, a dataset path and its shape,
 * and (after `select`) the part of it that is mapped. The file name is stored as given: HDF5 looks a relative
 * name up next to the virtual dataset's file first, then in the working directory; '.' is the virtual
 * dataset's own file. A name may hold printf-style `%b`, the block number of an unlimited mapping
 * (`frames_%b.h5`), so that one mapping covers a series of files.
 */
export class VirtualSource {
  readonly file: string;
  readonly path: string;
  readonly shape: readonly number[];
  /** Infinity for unlimited dimensions. */
  readonly maxshape: readonly number[];
  readonly dtype: DType | undefined;
  /** The part of the source that is mapped; null: all of it. */
  readonly selection: Hyperslab | null;

  /** A source given by file name, dataset path and shape (h5py: VirtualSource(path, name, shape)). */
  constructor(file: string, path: string, options: VirtualSourceOptions);
  /** An open dataset as the source (h5py: VirtualSource(dset)): its file's name as it was opened, its path and shape. */
  constructor(dataset: VirtualSourceDataset);
  constructor(a: string | VirtualSourceDataset, b?: string, c?: VirtualSourceOptions) {
    const where = 'new VirtualSource';
    if (typeof a === 'object' && a !== null) {
      if (b !== undefined || c !== undefined) throw new TypeError(`${where}: given a dataset, it takes no other arguments (h5py: "no other arguments may be passed")`);
      if (typeof a.name !== 'string' || typeof a.file?.filename !== 'string' || !Array.isArray(a.shape)) {
        throw new TypeError(`${where}: expected a Dataset, or (file, path, { shape })`);
      }
      this.file = a.file.filename;
      this.path = a.name;
      this.shape = [...a.shape];
      this.maxshape = a.maxshape ? [...a.maxshape] : [...a.shape];
      this.dtype = a.dtype ?? undefined;
    } else {
      if (typeof a !== 'string' || a.length === 0) throw new TypeError(`${where}: the file name must be a non-empty string, got ${describeValue(a)}`);
      if (typeof b !== 'string' || b.length === 0) throw new TypeError(`${where}: the dataset path must be a non-empty string, got ${describeValue(b)}`);
      if (c === null || typeof c !== 'object') throw new TypeError(`${where}('${a}', '${b}'): options { shape, maxshape?, dtype? } are required (the source may not exist yet), got ${describeValue(c)}`);
      const o = checkOptions<VirtualSourceOptions>(c, SOURCE_OPTIONS, `${where}('${a}', '${b}')`);
      const at = `${where}('${a}', '${b}')`;
      checkShape(o.shape, at);
      this.file = a;
      this.path = b;
      this.shape = [...o.shape];
      this.maxshape = checkMaxshape(o.maxshape, this.shape, at);
      this.dtype = o.dtype === undefined ? undefined : checkDType(o.dtype, at);
    }
    this.selection = null;
    Object.freeze(this);
  }

  /** The part of the source to map (h5py: vsource[key]); a new VirtualSource, this one is unchanged. */
  select(selection: VirtualSelection): VirtualSource {
    const out = Object.create(VirtualSource.prototype) as VirtualSource;
    const where = `VirtualSource('${this.file}', '${this.path}').select`;
    encodeSlabs(selection, this.shape, this.maxshape, where);
    Object.assign(out, this, { selection: toHyperslab(selection) });
    return Object.freeze(out);
  }
}

/** What `new VirtualLayout` takes: the virtual dataset's shape and type, as createDataset's. */
export interface VirtualLayoutOptions<D extends DType = DType> {
  shape: readonly number[];
  dtype: D;
  /** Infinity for unlimited dimensions (for unlimited mappings); default: the shape. */
  maxshape?: readonly number[];
  /** For dtype 'string': fixed length in bytes; omit for variable-length strings. */
  stringLength?: D extends 'string' ? number : never;
}

/** One mapping of a virtual dataset (h5py's VDSmap: vspace, file_name, dset_name, src_space). */
export interface VirtualMapping {
  /** The source's file name as stored ('.': the virtual dataset's own file). */
  file: string;
  /** The source dataset's path in it. */
  path: string;
  /** The elements of the virtual dataset it fills (h5py's vspace); null: all of them. */
  target: Hyperslab | null;
  /**
   * The elements of the source they come from (h5py's src_space's selection); null: all of them. (The
   * source's shape is not kept: HDF5 stores the selection only, and reads it back in the extent of its bounds.)
   */
  source: Hyperslab | null;
}

/**
 * A virtual dataset's shape, type and mappings before it is created, as h5py's VirtualLayout: map sources
 * into it with `set`, then create it with `group.createVirtualDataset(path, layout)`.
 */
export class VirtualLayout<D extends DType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly maxshape: readonly number[];
  readonly stringLength: number | null;
  #mappings: { target: NativeSlabs; source: VirtualSource; sourceSlabs: NativeSlabs }[] = [];

  constructor(options: VirtualLayoutOptions<D>) {
    const where = 'new VirtualLayout';
    if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options { shape, dtype } are required, got ${describeValue(options)}`);
    const o = checkOptions<VirtualLayoutOptions<D>>(options, LAYOUT_OPTIONS, where);
    checkShape(o.shape, where);
    if (o.shape.length === 0) throw new TypeError(`${where}: a virtual dataset has at least one dimension (shape [] is a scalar)`);
    this.dtype = checkDType(o.dtype, where) as D;
    this.shape = [...o.shape];
    this.maxshape = checkMaxshape(o.maxshape, this.shape, where);
    if (o.stringLength !== undefined) {
      const n: unknown = o.stringLength;
      if (this.dtype !== 'string') throw new TypeError(`${where}: stringLength is for dtype 'string', not '${this.dtype}'`);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new RangeError(`${where}: stringLength must be a positive integer, got ${describeValue(n)}`);
    }
    this.stringLength = o.stringLength ?? null;
  }

  /**
   * Maps `source` (all of it, or what `source.select(...)` picked) into `selection` of the virtual dataset
   * (h5py: layout[key] = vsource). Both select the same number of elements, unless one is unlimited.
   * Returns the layout, for chaining.
   */
  set(selection: VirtualSelection, source: VirtualSource): this {
    const where = 'VirtualLayout.set';
    if (!(source instanceof VirtualSource)) throw new TypeError(`${where}: the source must be a VirtualSource, got ${describeValue(source)}`);
    const target = encodeSlabs(selection, this.shape, this.maxshape, `${where} (the layout's selection)`);
    const sourceSlabs = encodeSlabs(source.selection, source.shape, source.maxshape, `${where} (the source's selection)`);
    const n = countSelected(target, this.shape);
    const m = countSelected(sourceSlabs, source.shape);
    if (n !== undefined && m !== undefined && n !== m) {
      throw new RangeError(`${where}: the layout's selection has ${n} elements and the source's ('${source.path}' in '${source.file}') ${m}; they must match`);
    }
    this.#mappings.push({ target, source, sourceSlabs });
    return this;
  }

  /** The mappings so far, as the virtual dataset will list them. */
  get mappings(): VirtualMapping[] {
    return this.#mappings.map((m) => describeMapping(this.#toNative(m, m.source.file), this.shape.length));
  }

  /** The binding's mapping, with the source file `file` (after '.' was worked out). */
  #toNative(m: { target: NativeSlabs; source: VirtualSource; sourceSlabs: NativeSlabs }, file: string): NativeVirtualMapping {
    const s = m.source;
    return { file, path: s.path, target: m.target, sourceShape: [...s.shape], sourceMaxshape: s.maxshape.map((d) => (d === Infinity ? -1 : d)), source: m.sourceSlabs };
  }

  /** @internal The binding's mappings for a virtual dataset created in `filename`. */
  _nativeMappings(filename: string): NativeVirtualMapping[] {
    const here = path.resolve(filename);
    // As h5py: a source in the virtual dataset's own file is stored as '.', so that renaming the file keeps it valid.
    return this.#mappings.map((m) => this.#toNative(m, m.source.file === '.' || path.resolve(m.source.file) === here ? '.' : m.source.file));
  }
}

/** Options of `createVirtualDataset`. */
export interface VirtualDatasetOptions {
  /** The value of elements no source provides (unmapped, or whose source file or dataset is missing). Numeric dtypes. */
  fillValue?: number | bigint;
}

function checkMaxshape(maxshape: unknown, shape: readonly number[], where: string): number[] {
  if (maxshape === undefined) return [...shape];
  if (!Array.isArray(maxshape) || maxshape.length !== shape.length) throw new RangeError(`${where}: maxshape must have ${shape.length} dimensions like shape`);
  return (maxshape as unknown[]).map((d, i) => {
    if (d !== Infinity && (typeof d !== 'number' || !Number.isInteger(d) || d < shape[i])) {
      throw new RangeError(`${where}: maxshape[${i}] is ${describeValue(d)}; it must be Infinity or an integer >= shape[${i}] (${shape[i]})`);
    }
    return d;
  });
}

/** Validates a selection against a shape (and maxshape, for unlimited parts) and encodes it for the binding. */
function encodeSlabs(selection: VirtualSelection, shape: readonly number[], maxshape: readonly number[], where: string): NativeSlabs {
  if (selection === null || selection === undefined) return null;
  if (typeof selection !== 'object') throw new TypeError(`${where}: a selection is a hyperslab { start, count, stride?, block? }, a Hyperslab or null, got ${describeValue(selection)}`);
  const slabs: readonly HyperslabSpec[] = selection instanceof Hyperslab ? selection.slabs : [selection];
  const rank = shape.length;
  const out: number[] = [0];
  const ones = new Array<number>(rank).fill(1);
  for (const slab of slabs as unknown[]) {
    if (slab === null || typeof slab !== 'object') throw new TypeError(`${where}: a hyperslab needs arrays 'start' and 'count'`);
    const raw = slab as Partial<Record<SlabField, unknown>>;
    const fields = {} as Record<SlabField, number[]>;
    for (const name of SLAB_FIELDS) {
      const v: unknown = raw[name] ?? (name === 'stride' || name === 'block' ? ones : undefined);
      if (!Array.isArray(v) || v.length !== rank) {
        throw new (Array.isArray(v) ? RangeError : TypeError)(`${where}: '${name}' must be an array of ${rank} integers (the dataset's dimensions), got ${describeValue(v)}`);
      }
      const min = name === 'start' || name === 'count' ? 0 : 1;
      const unlimitedOk = name === 'count' || name === 'block';
      (v as unknown[]).forEach((x, i) => {
        if (x === Infinity && unlimitedOk) return;
        if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min) {
          throw new RangeError(`${where}: '${name}'[${i}] is ${describeValue(x)}; expected an integer >= ${min}${unlimitedOk ? ' or Infinity (unlimited)' : ''}`);
        }
      });
      fields[name] = v as number[];
    }
    for (let i = 0; i < rank; i++) {
      const start = fields.start[i], stride = fields.stride[i], count = fields.count[i], block = fields.block[i];
      if (count === Infinity || block === Infinity) {
        if (slabs.length > 1) throw new RangeError(`${where}: an unlimited selection must be one regular hyperslab, not a union`);
        if (maxshape[i] !== Infinity) throw new RangeError(`${where}: dimension ${i} is selected without limit, so its maxshape must be Infinity (it is ${maxshape[i]})`);
        if (count === Infinity && block === Infinity) throw new RangeError(`${where}: in dimension ${i} count and block cannot both be unlimited`);
        continue;
      }
      if (count > 1 && block > stride) throw new RangeError(`${where}: in dimension ${i} the blocks (${block}) are longer than the stride (${stride}) and would overlap`);
      const end = count === 0 ? start : start + (count - 1) * stride + block;
      const limit = maxshape[i] === Infinity ? Infinity : maxshape[i];
      if (end > limit) throw new RangeError(`${where}: the selection reaches index ${end - 1} in dimension ${i}, beyond the ${limit === shape[i] ? 'shape' : 'maxshape'} [${(limit === shape[i] ? shape : maxshape).join(', ')}]`);
    }
    out[0]++;
    out.push(...fields.start, ...fields.stride.map(unl), ...fields.count.map(unl), ...fields.block.map(unl));
  }
  return out;
}

type SlabField = 'start' | 'stride' | 'count' | 'block';
const SLAB_FIELDS: readonly SlabField[] = ['start', 'stride', 'count', 'block'];
const unl = (x: number): number => (x === Infinity ? -1 : x);

/** The number of elements a selection picks, or undefined when it is unlimited. */
function countSelected(slabs: NativeSlabs, shape: readonly number[]): number | undefined {
  const rank = shape.length;
  if (slabs === null) return shape.reduce((a, b) => a * b, 1);
  if (slabs.slice(1).some((x) => x < 0)) return undefined;
  if (slabs[0] === 1) {
    let n = 1;
    for (let i = 0; i < rank; i++) n *= slabs[1 + 2 * rank + i] * slabs[1 + 3 * rank + i];
    return n;
  }
  // A union: overlaps count once, as HDF5 counts them, in an extent that holds every slab.
  const extent = shape.map((d, i) => {
    let end = d;
    for (let k = 0; k < slabs[0]; k++) {
      const p = 1 + k * 4 * rank;
      const count = slabs[p + 2 * rank + i];
      if (count > 0) end = Math.max(end, slabs[p + i] + (count - 1) * slabs[p + rank + i] + slabs[p + 3 * rank + i]);
    }
    return end;
  });
  return native.selectionSize(extent, Float64Array.from([2, ...slabs]));
}

/** Binding slabs as a Hyperslab (Infinity for unlimited), or null for everything. */
function fromSlabs(slabs: NativeSlabs, rank: number): Hyperslab | null {
  if (slabs === null) return null;
  const n = slabs[0];
  const zeros = new Array<number>(rank).fill(0);
  if (n === 0) return new Hyperslab({ start: zeros, count: zeros });
  const field = (k: number, f: number): number[] => slabs.slice(1 + k * 4 * rank + f * rank, 1 + k * 4 * rank + (f + 1) * rank).map((x) => (x < 0 ? Infinity : x));
  let out: Hyperslab | undefined;
  for (let k = 0; k < n; k++) {
    const spec = { start: field(k, 0), stride: field(k, 1), count: field(k, 2), block: field(k, 3) };
    out = out === undefined ? new Hyperslab(spec) : out.union(spec);
  }
  return out!;
}

function toHyperslab(selection: VirtualSelection): Hyperslab | null {
  if (selection === null || selection === undefined) return null;
  return selection instanceof Hyperslab ? selection : new Hyperslab(selection);
}

/** @internal A binding mapping of a virtual dataset of `rank` dimensions as the public one. */
export function describeMapping(m: NativeVirtualMapping, rank: number): VirtualMapping {
  return {
    file: m.file,
    path: m.path,
    target: fromSlabs(m.target, rank),
    source: fromSlabs(m.source, m.source === null ? 0 : m.source[0] > 0 ? (m.source.length - 1) / (4 * m.source[0]) : m.sourceShape.length),
  };
}

/**
 * @internal Group.createVirtualDataset: collective in parallel; `make` creates the dataset from its spec
 * once the ranks agreed (lib/group.ts's, which refuses a path already taken).
 */
export function createVirtualDataset<T>(
  ctx: FileContext,
  group: { name: string; description: string; checkOpen(): void },
  pathArg: string,
  layout: VirtualLayout,
  options: VirtualDatasetOptions | undefined,
  make: (full: string, spec: DatasetSpec, where: string) => T,
): T {
  const where = `${group.description}.createVirtualDataset('${pathArg}')`;
  let full!: string;
  let spec!: DatasetSpec;
  return ctx.collective(where, () => {
    group.checkOpen();
    full = resolvePath(group.name, pathArg, where);
    ctx.checkWritable(where);
    if (!(layout instanceof VirtualLayout)) throw new TypeError(`${where}: the layout must be a VirtualLayout, got ${describeValue(layout)}`);
    const o = checkOptions<VirtualDatasetOptions>(options, CREATE_OPTIONS, where, '{ fillValue: 0 }');
    const mappings = layout._nativeMappings(ctx.filename);
    if (mappings.length === 0) throw new TypeError(`${where}: the layout maps no source; map some with layout.set(selection, source)`);
    spec = {
      type: nativeType(resolveDType(layout.dtype === 'string' && layout.stringLength ? { string: { length: layout.stringLength } } : layout.dtype, where)),
      shape: [...layout.shape],
      virtual: mappings,
    };
    if (layout.maxshape.some((d, i) => d !== layout.shape[i])) spec.maxshape = layout.maxshape.map(unl);
    if (o.fillValue !== undefined && o.fillValue !== null) {
      if (!isNumericDType(layout.dtype)) throw new TypeError(`${where}: ${layout.dtype} datasets take no fillValue`);
      const v: unknown = o.fillValue;
      if (typeof v !== 'number' && typeof v !== 'bigint') throw new TypeError(`${where}: fillValue must be a number or bigint, got ${describeValue(v)}`);
      spec.fill = toNumericArray(v, layout.dtype, `${where}: fillValue`);
    }
    const maxshape = spec.maxshape ? `, maxshape [${layout.maxshape.join(', ')}]` : '';
    const fill = o.fillValue === undefined ? '' : `, fill ${describeArgument(o.fillValue)}`;
    return `createVirtualDataset('${full}', [${layout.shape.join(', ')}], ${layout.dtype}${maxshape}${fill}, ${describeArgument(JSON.stringify(mappings))})`;
  }, () => make(full, spec, where));
}

/** @internal HDF5 1.10 reads and writes virtual datasets only serially ("parallel reads not supported on virtual datasets"). */
export function parallelVirtualError(where: string, filename: string, call: 'read' | 'write'): H5Error {
  return new H5Error(
    `${where}: HDF5 ${native.hdf5Version()} cannot ${call} virtual datasets through MPI-IO ("parallel ${call}s not supported ` +
      `on virtual datasets"). Close '${filename}' and open it serially to ${call} it (in a one-rank run, or with ` +
      `{ comm: MPI.COMM_SELF } on one rank), or ${call} its source datasets in parallel.`,
    'UNSUPPORTED',
  );
}
