// Argument checking for the whole API, in one place and one message shape:
//   "<where>: <name> must be <expected>, got <what it got>"   (a wrong kind of value: TypeError)
//   "<where>: <name> is <value>; expected <expected>"          (a value out of range: RangeError)
// `where` names the object and the call ("Dataset '/x'.write"), so every message says what failed.
import { H5Error } from './errors';

/** How a value is shown in a message: "number 4", "an array", "a Float32Array", "null". */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'object') return `an object (${(v).constructor?.name ?? 'Object'})`;
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'symbol') return `symbol ${v.description ?? ''}`;
  return typeof v;
}

/** An integer in [min, max]; `alternative` names the one other value allowed ("MPI.ANY_TAG"), for the message. */
export function checkInt(v: unknown, name: string, min: number, max: number, where: string, alternative?: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const allowed = `${alternative ? `${alternative} or ` : ''}an integer in [${min}, ${max}]`;
    throw new RangeError(`${where}: ${name} must be ${allowed}, got ${describeValue(v)}`);
  }
  return v;
}

/**
 * An array of safe integers >= `min` (shapes, chunks, selection vectors), of `rank` elements when given.
 * Safe integers (< 2^53) stay exact through the arithmetic and the Float64Array encoding of selections.
 */
export function checkIntegers(v: unknown, name: string, min: number, where: string, rank?: number): asserts v is number[] {
  if (!Array.isArray(v)) throw new TypeError(`${where}: ${name} must be an array of integers, got ${describeValue(v)}`);
  if (rank !== undefined && v.length !== rank) {
    throw new RangeError(`${where}: ${name} has ${v.length} dimensions, the dataset has ${rank}`);
  }
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min) {
      throw new RangeError(`${where}: ${name}[${i}] is ${String(x)}; expected an integer >= ${min}`);
    }
  }
}

/** Extents of a shape: non-negative integers. */
export function checkShape(v: unknown, where: string, name = 'shape'): asserts v is number[] {
  checkIntegers(v, name, 0, where);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A bigint that fits in int64 (`hint` says what to do instead). */
export function checkInt64(v: bigint, where: string, hint = ''): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`${where}: ${v} does not fit in int64${hint ? `; ${hint}` : ''}`);
  return v;
}

/** Strings HDF5 can hold: no NUL characters. `label` names the elements ("element", "string"). */
export function checkNoNul(strings: readonly string[], where: string, label = 'element'): void {
  for (let i = 0; i < strings.length; i++) {
    if (strings[i].includes('\0')) throw new TypeError(`${where}: ${label} ${i} contains a NUL character, which HDF5 strings cannot hold`);
  }
}

/** A non-empty string (a name). */
export function checkName(v: unknown, what: string, where: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new TypeError(`${where}: ${what} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

/** The h5py (snake_case) spellings users bring, and the option each is here. */
const H5PY_SPELLINGS: Record<string, string> = {
  compression_opts: 'compressionOpts',
  compressionopts: 'compressionOpts',
  compression_level: 'compressionLevel',
  scale_offset: 'scaleoffset',
  scaleOffset: 'scaleoffset',
  cd_values: 'cdValues',
  fillvalue: 'fillValue',
  fill_value: 'fillValue',
  maxShape: 'maxshape',
  max_shape: 'maxshape',
  string_length: 'stringLength',
  collective_metadata: 'collectiveMetadata',
  filter_mask: 'filterMask',
  filters_mask: 'filterMask',
  track_order: 'trackOrder',
  expand_soft: 'expandSoft',
  expand_external: 'expandExternal',
  expand_refs: 'expandRefs',
  without_attrs: 'withoutAttrs',
};

/**
 * An options object whose names are all known: an unknown one (a typo, an h5py spelling) throws, naming
 * the accepted ones, instead of being silently ignored. `undefined` passes as "no options".
 */
export function checkOptions<T extends object>(options: unknown, accepted: readonly string[], where: string, example = ''): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object${example ? ` like ${example}` : ''}, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (accepted.includes(key)) continue;
    const instead = H5PY_SPELLINGS[key];
    const hint = instead && accepted.includes(instead) ? ` (did you mean '${instead}'?)` : '';
    throw new TypeError(`${where}: unknown option '${key}'${hint}; accepted: ${accepted.join(', ')}`);
  }
  return options as T;
}

/** Joins a path relative to `base` and normalises it ("/a//b/" -> "/a/b"); refuses '.' and '..'. */
export function resolvePath(base: string, path: unknown, where: string): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`${where}: a path must be a non-empty string, got ${JSON.stringify(path)}`);
  }
  if (path.split('/').some((p) => p === '.' || p === '..')) {
    throw new TypeError(`${where}: HDF5 paths have no '.' or '..' components: '${path}'`);
  }
  const full = path.startsWith('/') ? path : `${base === '/' ? '' : base}/${path}`;
  return '/' + full.split('/').filter((p) => p.length > 0).join('/');
}

/** Parallel HDF5 writes filtered datasets collectively only; `detail` says what this call should do instead. */
export function parallelFilteredError(where: string, detail: string): H5Error {
  return new H5Error(`${where}: in parallel, a filtered (compressed, shuffled or checksummed) dataset ${detail}`);
}

/**
 * Variable-length strings (and sequences: `type` names the type holding them) cannot be written through
 * MPI-IO: the error says what to do instead.
 */
export function parallelVlenError(where: string, type?: string): H5Error {
  if (type !== undefined) {
    return new H5Error(
      `${where}: parallel HDF5 cannot write variable-length data (${type}): HDF5 does not support it with MPI-IO. ` +
        `Write it from a serial file, or store fixed-size elements (fixed-length strings, an array dtype).`,
    );
  }
  return new H5Error(
    `${where}: parallel HDF5 cannot write variable-length strings (HDF5 does not support it with MPI-IO). ` +
      `Create the dataset with a fixed length, e.g. { dtype: 'string', stringLength: 64 }.`,
  );
}
