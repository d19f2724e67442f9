// createDataset's options: their type, their checking into the binding's spec, h5py's chunk guess, the
// text ranks compare before creating, and the initial data checked before the dataset exists.
import { describeArgument } from './collective';
import { DTypeSpec, IntegerDType, itemSize, nativeType, NumericDType, ResolvedType, resolveDType, storedSize, typeText, WriteData } from './dtype';
import { checkEncoders, explainCreateFailure, FILTER_IDS, filterId, filterLabel, filterName, FilterSpec, FLAG_OPTIONAL } from './filters';
import type { DatasetSpec, NativeDataset, NativeFile } from './native';
import { describeData, emptyData, packElements, packStrings } from './pack';
import { checkIntegers, checkOptions, checkShape, describeValue } from './validate';

/** Options of `createDataset`. */
export interface DatasetOptions<D extends DTypeSpec = DTypeSpec> {
  /** Extents per dimension; [] for a scalar. */
  shape: readonly number[];
  /** The element type: a dtype name or a structured spec (see the API guide's tables). */
  dtype: D;
  /** Largest extents `resize` may reach; Infinity for unlimited. Needs chunks (picked for you when omitted). */
  maxshape?: readonly number[];
  /** Chunk shape, or true to have one picked. */
  chunks?: readonly number[] | true;
  /**
   * A compression filter, as h5py's `compression`: `'gzip'`, `'lzf'`, `'szip'`, or any filter's id (a
   * plugin's: 32008 bitshuffle, 32004 LZ4, 32001 Blosc... see FILTER_IDS), added as optional as h5py does.
   */
  compression?: 'gzip' | 'lzf' | 'szip' | number;
  /**
   * The compression's options, as h5py's `compression_opts`: gzip's level 0-9 (default 4); szip's
   * `['ec' | 'nn', pixelsPerBlock]` (default `['nn', 8]`); a filter id's parameters (cd_values); none for lzf.
   */
  compressionOpts?: number | readonly number[] | readonly ['ec' | 'nn', number];
  /** gzip's level 0-9 (default 4): the same as `compressionOpts` for gzip. */
  compressionLevel?: number;
  /** The shuffle filter, before the compression (bytes of each element grouped together). */
  shuffle?: boolean;
  /** A Fletcher-32 checksum of each stored chunk, checked on read (last in the pipeline). */
  fletcher32?: boolean;
  /**
   * The scale-offset filter (first in the pipeline), as h5py's `scaleoffset`: for integers the bits to keep
   * (`true` or 0: as few as the values need, lossless); for floats the decimal digits to keep (lossy).
   */
  scaleoffset?: D extends 'float32' | 'float64' ? number : D extends NumericDType ? number | boolean : never;
  /** The N-bit filter (numeric dtypes): stores each element in the bits its type's precision needs. */
  nbit?: D extends NumericDType ? boolean : never;
  /**
   * More filters, by id and parameters: any filter registered with HDF5 or found as a plugin (bitshuffle,
   * LZ4, bzip2, Blosc, Zstd...; HDF5's built-in ones have options of their own). They run after the
   * compression, in this order, and before fletcher32.
   */
  filters?: readonly FilterSpec[];
  /** What unwritten elements read as: numbers, float16, enums (a value or a member's name) and bools. */
  fillValue?: D extends NumericDType | 'float16' | { enum: IntegerDType } ? number | bigint | (D extends { enum: IntegerDType } ? string : never) : D extends 'bool' ? boolean : never;
  /** For dtype 'string': fixed length in bytes (UTF-8). Omit for variable-length strings. */
  stringLength?: D extends 'string' ? number : never;
  /** Initial contents (in parallel, rank 0's data is written; pass the same on every rank). */
  data?: WriteData<D>;
  /** Track the creation order of the dataset's attributes, so that `attrs.keys()` lists them in it (h5py's `track_order`; default false). */
  trackOrder?: boolean;
}

const OPTION_NAMES = [
  'shape', 'dtype', 'maxshape', 'chunks', 'compression', 'compressionOpts', 'compressionLevel', 'shuffle', 'fletcher32',
  'scaleoffset', 'nbit', 'filters', 'fillValue', 'stringLength', 'data', 'trackOrder',
] as const;
const FILTER_OPTION_NAMES = ['id', 'cdValues', 'optional'] as const;

/** Bytes of a stored object reference and region reference (HDF5 1.10's hobj_ref_t and hdset_reg_ref_t). */

/** h5py's chunk guess: about 16 KiB to 1 MiB a chunk depending on the dataset's size, halving dims in turn. */
export function guessChunks(shape: readonly number[], typeSize: number): number[] {
  const BASE = 16 * 1024, MIN = 8 * 1024, MAX = 1024 * 1024;
  const chunks = shape.map((d) => (d > 0 ? d : 1024));
  const dsetBytes = chunks.reduce((a, b) => a * b, 1) * typeSize;
  let target = BASE * 2 ** Math.log10(dsetBytes / (1024 * 1024));
  target = Math.min(MAX, Math.max(MIN, target));
  for (let i = 0; ; i++) {
    const bytes = chunks.reduce((a, b) => a * b, 1) * typeSize;
    if ((bytes < target || Math.abs(bytes - target) / target < 0.5) && bytes < MAX) break;
    if (chunks.reduce((a, b) => a * b, 1) === 1) break;
    const k = i % chunks.length;
    chunks[k] = Math.ceil(chunks[k] / 2);
  }
  return chunks;
}

/** Whether a spec has filters (which parallel HDF5 writes only collectively). */
export function isFiltered(spec: DatasetSpec): boolean {
  return (spec.filters?.length ?? 0) > 0;
}

type PipelineStep = NonNullable<DatasetSpec['filters']>[number];
const step = (id: number, flags = 0, cdValues: number[] = []): PipelineStep => ({ id, flags, cdValues });

/** cd_values: unsigned 32-bit integers. */
function checkCdValues(v: unknown, what: string, where: string): number[] {
  const values: unknown[] = typeof v === 'number' ? [v] : Array.isArray(v) ? v : [null];
  if (typeof v !== 'number' && !Array.isArray(v)) throw new TypeError(`${where}: ${what} must be an array of unsigned integers, got ${describeValue(v)}`);
  values.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 0xffffffff) {
      throw new RangeError(`${where}: ${what}[${i}] is ${describeValue(x)}; expected an unsigned 32-bit integer`);
    }
  });
  return values as number[];
}

const SZIP_MASKS = { ec: 4, nn: 32 } as const;
const H5Z_SO_FLOAT_DSCALE = 0;
const H5Z_SO_INT = 2;
/** HDF5's built-in filters, which have options of their own (in the pipeline's order) rather than ids. */
const OWN_OPTION: Partial<Record<number, string>> = {
  1: "compression: 'gzip'",
  2: 'shuffle: true',
  3: 'fletcher32: true',
  4: "compression: 'szip'",
  5: 'nbit: true',
  6: 'scaleoffset',
};

/**
 * The pipeline in h5py's order: scale-offset (or N-bit), shuffle, the compression, `filters`, fletcher32.
 * Type-aware filters go first (they work on elements), the checksum last (it covers the stored bytes).
 */
function pipeline<D extends DTypeSpec>(options: DatasetOptions<D>, t: ResolvedType, where: string): PipelineStep[] {
  const out: PipelineStep[] = [];
  // The type-aware filters (N-bit, scale-offset, szip) take plain numbers.
  const numeric = t.kind === 'number';
  const dtype = t.kind === 'number' ? t.dtype : typeText(t);
  if (options.nbit !== undefined && options.nbit !== false) {
    if (options.nbit !== true) throw new TypeError(`${where}: nbit must be a boolean, got ${describeValue(options.nbit)}`);
    if (!numeric) throw new TypeError(`${where}: the N-bit filter is for numeric dtypes, not '${dtype}'`);
    out.push(step(FILTER_IDS.nbit));
  }
  const so: unknown = options.scaleoffset;
  if (so !== undefined && so !== false) {
    if (!numeric) throw new TypeError(`${where}: the scale-offset filter is for numeric dtypes, not '${dtype}'`);
    const float = dtype === 'float32' || dtype === 'float64';
    if (float && so === true) throw new TypeError(`${where}: scaleoffset for ${dtype} is the number of decimal digits to keep (an integer >= 0), not true`);
    const bits = itemSize(dtype as NumericDType) * 8;
    const n = so === true ? 0 : so;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || (!float && n > bits)) {
      throw new RangeError(
        `${where}: scaleoffset is ${describeValue(so)}; expected ${float ? 'the decimal digits to keep, an integer >= 0' : `true or the bits to keep, an integer 0-${bits} (0: as few as the values need)`}`,
      );
    }
    // As h5py: a lossy filter before the checksum would make every read fail it.
    if (options.fletcher32) throw new TypeError(`${where}: fletcher32 cannot be used with the scale-offset filter, which may be lossy`);
    out.push(step(FILTER_IDS.scaleoffset, 0, [float ? H5Z_SO_FLOAT_DSCALE : H5Z_SO_INT, n]));
  }
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') throw new TypeError(`${where}: shuffle must be a boolean, got ${describeValue(options.shuffle)}`);
  if (options.shuffle) out.push(step(FILTER_IDS.shuffle, FLAG_OPTIONAL));
  const c: unknown = options.compression;
  const opts: unknown = options.compressionOpts;
  if (options.compressionLevel !== undefined) {
    const l = options.compressionLevel;
    if (c !== 'gzip') throw new TypeError(`${where}: compressionLevel needs compression: 'gzip'`);
    if (opts !== undefined) throw new TypeError(`${where}: give gzip's level as compressionOpts or compressionLevel, not both`);
    if (!Number.isInteger(l) || l < 0 || l > 9) throw new RangeError(`${where}: compressionLevel must be an integer 0-9, got ${l}`);
  }
  if (c === undefined) {
    if (opts !== undefined) throw new TypeError(`${where}: compressionOpts needs a compression (h5py: "Compression method must be specified")`);
  } else if (c === 'gzip') {
    const level = options.compressionLevel ?? opts ?? 4;
    if (typeof level !== 'number' || !Number.isInteger(level) || level < 0 || level > 9) {
      throw new RangeError(`${where}: gzip's compressionOpts is its level, an integer 0-9; got ${describeValue(level)}`);
    }
    out.push(step(FILTER_IDS.gzip, FLAG_OPTIONAL, [level]));
  } else if (c === 'lzf') {
    if (opts !== undefined) throw new TypeError(`${where}: lzf takes no compressionOpts`);
    out.push(step(FILTER_IDS.lzf, FLAG_OPTIONAL));
  } else if (c === 'szip') {
    if (!numeric) throw new TypeError(`${where}: szip compresses numbers, not '${dtype}'`);
    const o: unknown = opts ?? ['nn', 8];
    const [method, pixels] = Array.isArray(o) && o.length === 2 ? (o as unknown[]) : [];
    if ((method !== 'ec' && method !== 'nn') || typeof pixels !== 'number' || !Number.isInteger(pixels) || pixels < 2 || pixels > 32 || pixels % 2 !== 0) {
      throw new TypeError(`${where}: szip's compressionOpts must be ['ec' | 'nn', pixels per block: an even integer 2-32], got ${JSON.stringify(opts)}`);
    }
    out.push(step(FILTER_IDS.szip, FLAG_OPTIONAL, [SZIP_MASKS[method], pixels]));
  } else if (typeof c === 'number') {
    const id = filterId(c, 'compression', where);
    if (OWN_OPTION[id]) throw new TypeError(`${where}: compression ${id} is HDF5's built-in ${filterLabel(id)}: use ${OWN_OPTION[id]}`);
    out.push(step(id, FLAG_OPTIONAL, opts === undefined ? [] : checkCdValues(opts, 'compressionOpts', where)));
  } else {
    throw new TypeError(
      `${where}: compression ${describeValue(c)} is not 'gzip', 'lzf', 'szip' or a filter id; a plugin goes by its id ` +
        `(compression: 32008) or in filters: [{ id: 'bitshuffle', cdValues: [...] }]`,
    );
  }
  if (options.filters !== undefined) {
    if (!Array.isArray(options.filters)) throw new TypeError(`${where}: filters must be an array of { id, cdValues?, optional? }, got ${describeValue(options.filters)}`);
    (options.filters as unknown[]).forEach((f, i) => {
      const at = `${where}: filters[${i}]`;
      if (f === null || typeof f !== 'object' || Array.isArray(f)) throw new TypeError(`${at} must be an object { id, cdValues?, optional? }, got ${describeValue(f)}`);
      const spec = checkOptions<FilterSpec>(f, FILTER_OPTION_NAMES, at);
      const id = filterId(spec.id, 'id', at);
      if (OWN_OPTION[id]) throw new TypeError(`${at}: ${filterLabel(id)} is built into HDF5 and has an option of its own: use ${OWN_OPTION[id]}`);
      if (spec.optional !== undefined && typeof spec.optional !== 'boolean') throw new TypeError(`${at}: optional must be a boolean`);
      const cd = spec.cdValues === undefined ? [] : checkCdValues(spec.cdValues, 'cdValues', at);
      out.push(step(id, spec.optional ? FLAG_OPTIONAL : 0, cd));
    });
  }
  if (options.fletcher32 !== undefined && typeof options.fletcher32 !== 'boolean') throw new TypeError(`${where}: fletcher32 must be a boolean, got ${describeValue(options.fletcher32)}`);
  if (options.fletcher32) out.push(step(FILTER_IDS.fletcher32));
  const seen = new Set<number>();
  for (const f of out) {
    if (seen.has(f.id)) throw new TypeError(`${where}: ${filterLabel(f.id)} is in the pipeline twice`);
    seen.add(f.id);
  }
  return out;
}

/** @internal The type createDataset's options ask for: `dtype`, with `stringLength` for dtype 'string'. */
export function optionsType<D extends DTypeSpec>(options: DatasetOptions<D>, where: string): ResolvedType {
  const t = resolveDType(options.dtype, where);
  if (options.stringLength !== undefined) {
    if (options.dtype !== 'string') throw new TypeError(`${where}: stringLength is for dtype 'string', not ${typeText(t)} (a string type with a length: { string: { length } })`);
    const n = options.stringLength as unknown;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new RangeError(`${where}: stringLength must be a positive integer, got ${String(n)}`);
    return { kind: 'string', encoding: 'utf-8', length: n };
  }
  return t;
}

/** @internal What a rank with nothing to write passes in the collective write of createDataset's data. */
export function emptyWrite<D extends DTypeSpec>(options: DatasetOptions<D>, where: string): WriteData<D> {
  return emptyData(optionsType(options, where)) as WriteData<D>;
}

/** Whether a spec's type holds variable-length data, which parallel HDF5 cannot write. */
export function writesVlen(spec: DatasetSpec): boolean {
  const walk = (t: DatasetSpec['type']): boolean =>
    t.kind === 'vlen' || (t.kind === 'string' && t.length === 0) || (t.kind === 'array' && walk(t.base)) || (t.kind === 'compound' && t.fields.some((f) => walk(f.type)));
  return walk(spec.type);
}

/** A fill value as the binding takes it: one element in its type's typed array. */
function fillOf(t: ResolvedType, v: unknown, where: string): ArrayBufferView {
  const at = `${where}: fillValue`;
  const kinds = ['number', 'float16', 'bool', 'enum'];
  if (t.kind === 'string' || t.kind === 'reference') throw new TypeError(`${where}: ${typeText(t)} datasets take no fillValue`);
  if (!kinds.includes(t.kind)) throw new TypeError(`${where}: a dataset of ${typeText(t)} takes no fillValue (numbers, float16, bools and enums do)`);
  if (t.kind === 'bool' ? typeof v !== 'boolean' : typeof v !== 'number' && typeof v !== 'bigint' && !(t.kind === 'enum' && typeof v === 'string')) {
    throw new TypeError(`${at} must be ${t.kind === 'bool' ? 'a boolean' : t.kind === 'enum' ? 'a value or a member name' : 'a number or bigint'}, got ${describeValue(v)}`);
  }
  return packElements(t, [v], 1, at, t.kind !== 'float16') as ArrayBufferView;
}

/** Validates createDataset options into the binding's spec. */
export function datasetSpec<D extends DTypeSpec>(options: DatasetOptions<D>, where: string): DatasetSpec {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object with shape and dtype, got ${describeValue(options)}`);
  checkOptions(options, OPTION_NAMES, where);
  const t = optionsType(options, where);
  checkShape(options.shape, where);
  const shape = [...options.shape];
  const rank = shape.length;
  const spec: DatasetSpec = { type: nativeType(t), shape: rank === 0 ? null : shape };
  let needsChunks = false;
  if (options.maxshape !== undefined) {
    const m = options.maxshape;
    if (!Array.isArray(m) || m.length !== rank) throw new RangeError(`${where}: maxshape must have ${rank} dimensions like shape`);
    m.forEach((d, i) => {
      if (d !== Infinity && (typeof d !== 'number' || !Number.isInteger(d) || d < shape[i])) {
        throw new RangeError(`${where}: maxshape[${i}] is ${String(d)}; it must be Infinity or an integer >= shape[${i}] (${shape[i]})`);
      }
    });
    const max = m as readonly number[];
    spec.maxshape = max.map((d) => (d === Infinity ? -1 : d));
    needsChunks = max.some((d, i) => d !== shape[i]);
  }
  const filters = pipeline(options, t, where);
  const filtered = filters.length > 0;
  if (options.chunks !== undefined || needsChunks || filtered) {
    if (rank === 0) throw new TypeError(`${where}: a scalar dataset cannot be chunked, resized or compressed`);
    let chunks: number[];
    if (options.chunks === undefined || options.chunks === true) {
      // As h5py: numpy's itemsize (a variable-length string or sequence counts as its 8-byte pointer).
      chunks = guessChunks(shape, storedSize(t));
    } else {
      checkIntegers(options.chunks, 'chunks', 0, where);
      chunks = [...options.chunks];
      if (chunks.length !== rank) throw new RangeError(`${where}: chunks has ${chunks.length} dimensions, the dataset ${rank}`);
      chunks.forEach((c, i) => {
        if (c < 1) throw new RangeError(`${where}: chunks[${i}] must be at least 1`);
        const max = spec.maxshape ? spec.maxshape[i] : shape[i];
        if (max >= 0 && c > max) throw new RangeError(`${where}: chunks[${i}] (${c}) is larger than the dataset can ever be (${max})`);
      });
    }
    spec.chunks = chunks;
    if (filtered) spec.filters = filters;
  }
  // Before the dataset exists: HDF5 would otherwise say only that a filter "is not registered".
  if (filtered) checkEncoders(filters, where);
  if (options.fillValue !== undefined && options.fillValue !== null) spec.fill = fillOf(t, options.fillValue, where);
  if (options.trackOrder) spec.trackOrder = true;
  return spec;
}

/**
 * createDataset's `data`, checked before the dataset exists: a first write that failed would leave the
 * new dataset behind, empty.
 */
export function checkInitialData<D extends DTypeSpec>(options: DatasetOptions<D>, spec: DatasetSpec, where: string): void {
  const n = options.shape.reduce((a, b) => a * b, 1);
  const at = `${where}: data`;
  const t = optionsType(options, where);
  if (t.kind === 'string') {
    packStrings(options.data, n, { maxBytes: t.length ?? Infinity, stringLength: t.length, ascii: t.encoding === 'ascii' }, at);
  } else if (t.kind !== 'reference') {
    packElements(t, options.data, n, at, true);
  }
  // References are checked against the file they go into (lib/group.ts, lib/references.ts).
}

/** The text ranks compare before creating a dataset: everything that shapes it (and its initial data, `withData`). */
export function describeCreate<D extends DTypeSpec>(full: string, o: DatasetOptions<D>, spec: DatasetSpec, withData = false): string {
  const named = typeof o.dtype === 'string';
  const parts = [`'${full}'`, `[${o.shape.join(', ')}]`, named ? (o.dtype as string) : typeText(resolveDType(o.dtype, full))];
  if (named && spec.type.kind === 'string' && spec.type.length) parts.push(`stringLength ${spec.type.length}`);
  if (spec.maxshape) parts.push(`maxshape [${spec.maxshape.map((d) => (d < 0 ? 'Infinity' : d)).join(', ')}]`);
  if (spec.chunks) parts.push(`chunks [${spec.chunks.join(', ')}]`);
  if (spec.filters) {
    const text = spec.filters.map((f) => `${filterName(f.id)}${f.flags & FLAG_OPTIONAL ? '?' : ''}${f.cdValues.length > 0 ? `(${f.cdValues.join(', ')})` : ''}`);
    parts.push(`filters [${text.join(', ')}]`);
  }
  if (o.fillValue !== undefined) parts.push(`fill ${describeArgument(o.fillValue)}`);
  if (spec.trackOrder) parts.push('trackOrder');
  if (withData && o.data !== undefined) parts.push(`data ${describeData(o.data)}`);
  return `createDataset(${parts.join(', ')})`;
}

/** Creates the dataset in the file; a filter that fails to set it up is explained (lib/filters.ts). */
export function createNative(file: NativeFile, full: string, spec: DatasetSpec, where: string): NativeDataset {
  try {
    return file.createDataset(full, spec);
  } catch (e) {
    throw explainCreateFailure(e, spec.filters?.map((f) => f.id) ?? [], where);
  }
}
