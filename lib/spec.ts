// createDataset's options: their type, their checking into the binding's spec, h5py's chunk guess, the
// text ranks compare before creating, and the initial data checked before the dataset exists.
import { describeArgument } from './collective';
import { checkDType, DType, DTYPE_CODES, itemSize, NumericDType, toNumericArray, WriteData } from './dtype';
import type { DatasetSpec } from './native';
import { packNumbers, packStrings } from './pack';
import { checkIntegers, checkOptions, checkShape, describeValue } from './validate';

/** Options of `createDataset`. */
export interface DatasetOptions<D extends DType = DType> {
  /** Extents per dimension; [] for a scalar. */
  shape: readonly number[];
  dtype: D;
  /** Largest extents `resize` may reach; Infinity for unlimited. Needs chunks (picked for you when omitted). */
  maxshape?: readonly number[];
  /** Chunk shape, or true to have one picked. */
  chunks?: readonly number[] | true;
  compression?: 'gzip';
  /** gzip level 0-9 (default 4). */
  compressionLevel?: number;
  shuffle?: boolean;
  fletcher32?: boolean;
  fillValue?: D extends NumericDType ? number | bigint : never;
  /** For dtype 'string': fixed length in bytes (UTF-8). Omit for variable-length strings. */
  stringLength?: D extends 'string' ? number : never;
  /** Initial contents (in parallel, rank 0's data is written; pass the same on every rank). */
  data?: WriteData<D>;
  /** Track the creation order of the dataset's attributes, so that `attrs.keys()` lists them in it (h5py's `track_order`; default false). */
  trackOrder?: boolean;
}

const OPTION_NAMES = ['shape', 'dtype', 'maxshape', 'chunks', 'compression', 'compressionLevel', 'shuffle', 'fletcher32', 'fillValue', 'stringLength', 'data', 'trackOrder'] as const;

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
  return spec.gzip !== undefined || !!spec.shuffle || !!spec.fletcher32;
}

/** Validates createDataset options into the binding's spec. */
export function datasetSpec(options: DatasetOptions, where: string): DatasetSpec {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object with shape and dtype, got ${describeValue(options)}`);
  checkOptions(options, OPTION_NAMES, where);
  const dtype = checkDType(options.dtype, where);
  checkShape(options.shape, where);
  const shape = [...options.shape];
  const rank = shape.length;
  const spec: DatasetSpec = { dtype: DTYPE_CODES[dtype], stringLength: 0, shape: rank === 0 ? null : shape };
  if (dtype === 'string') {
    if (options.stringLength !== undefined) {
      const n = options.stringLength as unknown;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new RangeError(`${where}: stringLength must be a positive integer, got ${String(n)}`);
      spec.stringLength = n;
    }
  } else if (options.stringLength !== undefined) {
    throw new TypeError(`${where}: stringLength is for dtype 'string', not '${dtype}'`);
  }
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
  const filtered = options.compression !== undefined || !!options.shuffle || !!options.fletcher32;
  if (options.compression !== undefined && options.compression !== 'gzip') {
    throw new TypeError(`${where}: compression ${JSON.stringify(options.compression)} is not available; use 'gzip'`);
  }
  if (options.compressionLevel !== undefined) {
    const l = options.compressionLevel;
    if (options.compression !== 'gzip') throw new TypeError(`${where}: compressionLevel needs compression: 'gzip'`);
    if (!Number.isInteger(l) || l < 0 || l > 9) throw new RangeError(`${where}: compressionLevel must be an integer 0-9, got ${l}`);
  }
  if (options.chunks !== undefined || needsChunks || filtered) {
    if (rank === 0) throw new TypeError(`${where}: a scalar dataset cannot be chunked, resized or compressed`);
    let chunks: number[];
    if (options.chunks === undefined || options.chunks === true) {
      // As h5py: a variable-length string counts as its 8-byte pointer (numpy's object itemsize).
      chunks = guessChunks(shape, dtype === 'string' ? spec.stringLength || 8 : itemSize(dtype));
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
    if (options.compression === 'gzip') spec.gzip = options.compressionLevel ?? 4;
    spec.shuffle = !!options.shuffle;
    spec.fletcher32 = !!options.fletcher32;
  }
  if (options.fillValue !== undefined && options.fillValue !== null) {
    if (dtype === 'string') throw new TypeError(`${where}: string datasets take no fillValue`);
    const v: unknown = options.fillValue;
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new TypeError(`${where}: fillValue must be a number or bigint, got ${describeValue(v)}`);
    spec.fill = toNumericArray(v, dtype, `${where}: fillValue`);
  }
  if (options.trackOrder) spec.trackOrder = true;
  return spec;
}

/**
 * createDataset's `data`, checked before the dataset exists: a first write that failed would leave the
 * new dataset behind, empty.
 */
export function checkInitialData(options: DatasetOptions, spec: DatasetSpec, where: string): void {
  const n = options.shape.reduce((a, b) => a * b, 1);
  const at = `${where}: data`;
  if (options.dtype === 'string') {
    packStrings(options.data, n, { maxBytes: spec.stringLength || Infinity, stringLength: spec.stringLength || null, ascii: false }, at);
  } else {
    packNumbers(options.data, options.dtype, n, at);
  }
}

/** The text ranks compare before creating a dataset: everything that shapes it (and its initial data, `withData`). */
export function describeCreate(full: string, o: DatasetOptions, spec: DatasetSpec, withData = false): string {
  const parts = [`'${full}'`, `[${o.shape.join(', ')}]`, o.dtype];
  if (spec.stringLength) parts.push(`stringLength ${spec.stringLength}`);
  if (spec.maxshape) parts.push(`maxshape [${spec.maxshape.map((d) => (d < 0 ? 'Infinity' : d)).join(', ')}]`);
  if (spec.chunks) parts.push(`chunks [${spec.chunks.join(', ')}]`);
  if (spec.gzip !== undefined) parts.push(`gzip ${spec.gzip}`);
  if (spec.shuffle) parts.push('shuffle');
  if (spec.fletcher32) parts.push('fletcher32');
  if (o.fillValue !== undefined) parts.push(`fill ${describeArgument(o.fillValue)}`);
  if (spec.trackOrder) parts.push('trackOrder');
  if (withData && o.data !== undefined) parts.push(`data ${describeArgument(o.data)}`);
  return `createDataset(${parts.join(', ')})`;
}
