// Element types: names, codes shared with binding/types.h, and the typed arrays that hold them.
import { H5Error } from './errors';
import type { NativeTypeSpec, TypeInfo } from './native';
import { describeValue } from './validate';

export type NumericDType =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64';
export type DType = NumericDType | 'string';

/** The typed array that holds each numeric dtype. */
export interface TypedArrayOf {
  int8: Int8Array;
  uint8: Uint8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  float32: Float32Array;
  float64: Float64Array;
}
export type NumericArray = TypedArrayOf[NumericDType];
/** What reading a dataset of dtype D returns. */
export type ArrayOf<D extends DType> = D extends NumericDType ? TypedArrayOf[D] : string[];

// Keep in step with enum class DType in binding/types.h.
export const DTYPE_CODES: Readonly<Record<DType, number>> = {
  int8: 0,
  uint8: 1,
  int16: 2,
  uint16: 3,
  int32: 4,
  uint32: 5,
  int64: 6,
  uint64: 7,
  float32: 8,
  float64: 9,
  string: 10,
};
export const DTYPES = Object.keys(DTYPE_CODES) as DType[];
const BY_CODE = DTYPES;

type TypedArrayConstructor = { new (n: number): NumericArray; new (b: ArrayBuffer, o?: number, n?: number): NumericArray; BYTES_PER_ELEMENT: number };
export const ARRAY_TYPES: Readonly<Record<NumericDType, TypedArrayConstructor>> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
};

export function dtypeOfCode(code: number): DType {
  return BY_CODE[code];
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_CODES, x);
}

export function checkDType(x: unknown, where: string): DType {
  if (!isDType(x)) {
    throw new TypeError(`${where}: unknown dtype ${JSON.stringify(x)}; expected one of ${DTYPES.join(', ')}`);
  }
  return x;
}

/** The dtype of a typed array's elements, or undefined for a DataView / Float16Array. */
export function dtypeOfArray(a: ArrayBufferView): NumericDType | undefined {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof BigUint64Array) return 'uint64';
  return undefined;
}

export function itemSize(dtype: NumericDType): number {
  return ARRAY_TYPES[dtype].BYTES_PER_ELEMENT;
}

export function isBigDType(dtype: DType): dtype is 'int64' | 'uint64' {
  return dtype === 'int64' || dtype === 'uint64';
}

/**
 * Turns user data for a numeric dtype into a typed array, copying only when it must: a typed array passes
 * through as it is (HDF5 converts between numeric types), a plain array or a single number is packed into
 * the dataset's own array type.
 */
export function toNumericArray(data: unknown, dtype: NumericDType, where: string): NumericArray {
  if (ArrayBuffer.isView(data)) {
    if (dtypeOfArray(data) === undefined) throw new TypeError(`${where}: ${data.constructor.name} is not a supported array type`);
    return data as NumericArray;
  }
  const big = isBigDType(dtype);
  const values: unknown[] = Array.isArray(data) ? data : [data];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') {
      throw new TypeError(`${where}: cannot write strings into a ${dtype} dataset (element ${i} is ${JSON.stringify(v)})`);
    }
    if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') {
      throw new TypeError(`${where}: element ${i} is ${describeValue(v)}, not a number`);
    }
  }
  // Plain values into integer dtypes must fit exactly: a typed array would wrap 300 to 44 in a uint8 without a word.
  const range = INTEGER_RANGES[dtype];
  if (range) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number | bigint | boolean;
      if (typeof v === 'boolean') continue;
      if (typeof v === 'number' && !Number.isInteger(v)) {
        throw new TypeError(`${where}: element ${i} is ${v}, not an integer (the dtype is ${dtype})`);
      }
      if (BigInt(v) < range[0] || BigInt(v) > range[1]) {
        throw new RangeError(`${where}: element ${i} (${String(v)}) is out of the range of ${dtype} (${range[0]} to ${range[1]})`);
      }
    }
  }
  if (big) {
    const out = new ARRAY_TYPES[dtype](values.length) as BigInt64Array | BigUint64Array;
    for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i] as number | bigint | boolean);
    return out;
  }
  const out = new ARRAY_TYPES[dtype](values.length) as Exclude<NumericArray, BigInt64Array | BigUint64Array>;
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  return out;
}

const INTEGER_RANGES: Partial<Record<NumericDType, readonly [bigint, bigint]>> = {
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

/** What `write` takes for a dataset of dtype D. */
export type WriteData<D extends DType> = D extends NumericDType
  ? NumericArray | readonly number[] | readonly bigint[] | number | bigint
  : readonly string[] | string;

/** What `read` returns: a typed array, or strings (one string for a scalar string dataset). */
export type ReadResult<D extends DType> = D extends NumericDType ? TypedArrayOf[D] : string[] | string;

/** The typed array constructor of a numeric dtype (a string dtype has none). */
export function arrayTypeOf(dtype: DType): TypedArrayConstructor {
  if (dtype === 'string') throw new TypeError('strings have no typed array; use a string[]');
  return ARRAY_TYPES[dtype];
}

// ---------------------------------------------------------------------------------------------------------
// Type specs: the types attributes (and later datasets) are stored as, beyond the dtype names above, and
// the description of any stored type, including those h5mpi cannot read yet.

/**
 * A string type, as h5py's `string_dtype(encoding, length)`: `{ string: {} }` is variable-length UTF-8
 * (the same as `'string'`), `{ string: { encoding: 'ascii', length: 8 } }` is numpy's `S8`.
 */
export interface StringDTypeSpec {
  string: {
    /** The charset HDF5 records: 'utf-8' (the default) or 'ascii' (7-bit; h5py's bytes). */
    encoding?: 'utf-8' | 'ascii';
    /** Fixed length in bytes (NUL-padded, as h5py writes them); omit it for variable-length strings. */
    length?: number;
  };
}

/**
 * A type to store: a dtype name, `'bool'` (numpy's bool, stored as h5py stores it: an int8 enum with
 * FALSE = 0 and TRUE = 1, read back as booleans), or a string type (`'string'` is variable-length UTF-8;
 * the object form chooses ASCII and a fixed length).
 */
export type DTypeSpec = DType | 'bool' | StringDTypeSpec;

/** @internal A type spec, checked: a numeric dtype, bool, or a string type with its encoding and length. */
export type ResolvedType =
  | { kind: 'number'; dtype: NumericDType }
  | { kind: 'bool' }
  | { kind: 'string'; encoding: 'utf-8' | 'ascii'; length: number | null };

const SPEC_FORMS = `one of ${[...DTYPES, 'bool'].join(', ')}, or { string: { encoding?: 'utf-8' | 'ascii', length?: number } }`;

/** @internal Checks a type spec (TypeError naming the accepted forms, RangeError for a bad length). */
export function resolveDType(spec: unknown, where: string): ResolvedType {
  if (spec === 'bool') return { kind: 'bool' };
  if (spec === 'string') return { kind: 'string', encoding: 'utf-8', length: null };
  if (isDType(spec)) return { kind: 'number', dtype: spec as NumericDType };
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    const hint = typeof spec === 'string' && spec in NUMPY_NAMES ? ` (did you mean '${NUMPY_NAMES[spec]}'?)` : '';
    throw new TypeError(`${where}: unknown dtype ${describeSpec(spec)}${hint}; expected ${SPEC_FORMS}`);
  }
  const keys = Object.keys(spec);
  if (keys.length !== 1 || keys[0] !== 'string') {
    throw new TypeError(`${where}: unknown dtype ${describeSpec(spec)}; expected ${SPEC_FORMS}`);
  }
  const s: unknown = (spec as StringDTypeSpec).string;
  if (s === null || typeof s !== 'object' || Array.isArray(s)) {
    throw new TypeError(`${where}: the string type's options must be an object like { encoding: 'ascii', length: 8 }, got ${describeValue(s)}`);
  }
  for (const k of Object.keys(s)) {
    if (k !== 'encoding' && k !== 'length') throw new TypeError(`${where}: unknown string type option '${k}'; accepted: encoding, length`);
  }
  const { encoding = 'utf-8', length } = s as StringDTypeSpec['string'];
  if (encoding !== 'utf-8' && encoding !== 'ascii') {
    throw new TypeError(`${where}: string encoding ${describeSpec(encoding)} is not 'utf-8' or 'ascii'`);
  }
  if (length !== undefined && (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 1)) {
    throw new RangeError(`${where}: string length must be a positive integer (bytes), got ${describeValue(length)}`);
  }
  return { kind: 'string', encoding, length: length ?? null };
}

/** numpy's names for the dtypes, for the hint when one is used. */
const NUMPY_NAMES: Record<string, string> = {
  i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64',
  f4: 'float32', f8: 'float64', '?': 'bool', str: 'string', S: "{ string: { encoding: 'ascii', length } }",
  double: 'float64', float: 'float32', int: 'int64', boolean: 'bool',
};

function describeSpec(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : describeValue(v);
}

/** @internal The spec of a checked type, in its shortest form ('string' for variable-length UTF-8). */
export function specOf(t: ResolvedType): DTypeSpec {
  if (t.kind === 'number') return t.dtype;
  if (t.kind === 'bool') return 'bool';
  if (t.encoding === 'utf-8' && t.length === null) return 'string';
  return { string: t.length === null ? { encoding: t.encoding } : { encoding: t.encoding, length: t.length } };
}

/** @internal A checked type in words, for messages and collective-call descriptions: "int32", "string(ascii, 8)". */
export function typeText(t: ResolvedType): string {
  if (t.kind === 'number') return t.dtype;
  if (t.kind === 'bool') return 'bool';
  if (t.encoding === 'utf-8' && t.length === null) return 'string';
  return `string(${t.encoding}${t.length === null ? '' : `, ${t.length}`})`;
}

/** @internal Whether two checked types are the same type. */
export function sameType(a: ResolvedType, b: ResolvedType): boolean {
  return typeText(a) === typeText(b);
}

/** @internal What the binding stores for a checked type. */
export function nativeType(t: ResolvedType): NativeTypeSpec {
  if (t.kind === 'number') return { dtype: DTYPE_CODES[t.dtype], stringLength: 0, ascii: false, bool: false };
  if (t.kind === 'bool') return { dtype: DTYPE_CODES.int8, stringLength: 0, ascii: false, bool: true };
  return { dtype: DTYPE_CODES.string, stringLength: t.length ?? 0, ascii: t.encoding === 'ascii', bool: false };
}

/** @internal The type h5mpi reads a stored type as, or undefined when it cannot read it. */
export function resolvedOfInfo(info: TypeInfo): ResolvedType | undefined {
  if (info.dtype < 0) return undefined;
  if (info.bool) return { kind: 'bool' };
  const dt = dtypeOfCode(info.dtype);
  if (dt !== 'string') return { kind: 'number', dtype: dt };
  return { kind: 'string', encoding: info.utf8 ? 'utf-8' : 'ascii', length: info.vlen ? null : (info.stringLength ?? null) };
}

/**
 * A type as stored in the file, as HDF5 describes it: every type, also those h5mpi cannot read (compound,
 * float16, opaque, references, variable-length sequences...), so that they can be told apart and reported.
 */
export interface StoredType {
  /** HDF5's type class: 'integer', 'float', 'string', 'enum', 'compound', 'array', 'vlen', 'opaque', 'reference', 'bitfield', 'time'. */
  className: string;
  /** Bytes per element in the file (variable-length strings and sequences: the size of their descriptor). */
  size: number;
  order: 'little' | 'big' | 'none';
  /** The type in one line: "int32", "float16", "compound { re: float64, im: float64 }", "enum int8 { FALSE = 0, TRUE = 1 }". */
  description: string;
  /** Integers: signed or not. */
  signed?: boolean;
  /** Strings: the charset, the fixed length in bytes (null: variable length) and how unused bytes are filled. */
  string?: { encoding: 'utf-8' | 'ascii'; length: number | null; padding: 'nullterm' | 'nullpad' | 'spacepad' };
  /** Enums, arrays and variable-length sequences: the element (or underlying integer) type. */
  base?: StoredType;
  /** Enums: the names and values. */
  members?: readonly { name: string; value: number }[];
  /** Compounds: the fields, in order, with their byte offsets. */
  fields?: readonly { name: string; offset: number; type: StoredType }[];
  /** Arrays: the dimensions of each element. */
  dims?: readonly number[];
  /** Opaque types: their tag, when they have one. */
  tag?: string;
}

/** How many fields or members a description lists before it says how many more there are. */
const LISTED = 8;

/** @internal The description of a stored type from the binding's account of it. */
export function storedTypeOf(info: TypeInfo): StoredType {
  const t: StoredType = { className: info.className, size: info.size, order: info.order, description: '' };
  if (info.signed !== undefined) t.signed = info.signed;
  if (info.className === 'string') {
    t.string = { encoding: info.utf8 ? 'utf-8' : 'ascii', length: info.vlen ? null : (info.stringLength ?? info.size), padding: info.padding ?? 'nullterm' };
  }
  if (info.base) t.base = storedTypeOf(info.base);
  if (info.members) t.members = info.members.map((m) => ({ name: m.name, value: m.value }));
  if (info.fields) t.fields = info.fields.map((f) => ({ name: f.name, offset: f.offset, type: f.type ? storedTypeOf(f.type) : unknownType() }));
  if (info.dims) t.dims = [...info.dims];
  if (info.tag !== undefined) t.tag = info.tag;
  t.description = describeStored(t);
  return t;
}

function unknownType(): StoredType {
  return { className: 'other', size: 0, order: 'none', description: 'unknown' };
}

function listed<T>(items: readonly T[], show: (x: T) => string): string {
  const shown = items.slice(0, LISTED).map(show);
  if (items.length > LISTED) shown.push(`... ${items.length - LISTED} more`);
  return shown.join(', ');
}

function describeStored(t: StoredType): string {
  const endian = t.order === 'big' ? ' big-endian' : '';
  switch (t.className) {
    case 'integer':
      return `${t.signed === false ? 'uint' : 'int'}${t.size * 8}${endian}`;
    case 'float':
      return `float${t.size * 8}${endian}`;
    case 'string': {
      const s = t.string!;
      return `string (${s.encoding}, ${s.length === null ? 'variable length' : `${s.length} bytes, ${s.padding}`})`;
    }
    case 'enum':
      return `enum ${t.base?.description ?? ''} { ${listed(t.members ?? [], (m) => `${m.name} = ${m.value}`)} }`;
    case 'compound':
      return `compound { ${listed(t.fields ?? [], (f) => `${f.name}: ${f.type.description}`)} } (${t.size} bytes)`;
    case 'array':
      return `array [${(t.dims ?? []).join(', ')}] of ${t.base?.description ?? 'unknown'}`;
    case 'vlen':
      return `variable-length sequence of ${t.base?.description ?? 'unknown'}`;
    case 'opaque':
      return `opaque (${t.size} bytes${t.tag ? `, tag '${t.tag}'` : ''})`;
    default:
      return `${t.className} (${t.size} bytes)`;
  }
}

/** How strings come back from reads: decoded to JS strings, or the bytes as stored (`Uint8Array`s). */
export type StringMode = 'text' | 'bytes';
/** @internal The codes of binding/types.h StringMode. */
export const STRING_MODES: Readonly<Record<StringMode, number>> = { text: 0, bytes: 1 };

/** @internal Checks a `strings` read option. */
export function checkStringMode(v: unknown, where: string): StringMode {
  if (v === undefined) return 'text';
  if (v !== 'text' && v !== 'bytes') throw new TypeError(`${where}: strings must be 'text' or 'bytes', got ${describeSpec(v)}`);
  return v;
}

/**
 * @internal Strings read as text, checked: the binding hands back the bytes of an element that is not valid
 * UTF-8 (in a UTF-8 type) instead of replacing them with U+FFFD, and this throws, naming the element.
 */
export function checkDecoded(values: readonly (string | Uint8Array)[], where: string, what: string): string[] {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'string') continue;
    const shown = Array.from(v.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ') + (v.length > 16 ? ' ...' : '');
    throw new H5Error(
      `${where}: element ${i} of ${what} is not valid UTF-8 (bytes ${shown}), though its type says UTF-8; ` +
        `read it with { strings: 'bytes' } to get the bytes as stored`,
      'DECODE',
    );
  }
  return values as string[];
}
