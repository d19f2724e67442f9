// Element types: names, codes shared with binding/types.h, and the typed arrays that hold them.
import { H5Error } from './errors';
import type { NativeType, TypeInfo } from './native';
import type { Reference, ReferenceTarget, RegionReference, RegionTarget } from './references';
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
/**
 * References (lib/references.ts): `'reference'` to objects (h5py's `ref_dtype`), `'regionReference'` to
 * selections of datasets (h5py's `regionref_dtype`).
 */
export type ReferenceDType = 'reference' | 'regionReference';
export type DType = NumericDType | 'string' | ReferenceDType;

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
export type ArrayOf<D extends DType> = D extends NumericDType ? TypedArrayOf[D] : D extends ReferenceDType ? ReferencesOf<D> : string[];
/** What a reference dataset reads as: its references, null for null ones. */
export type ReferencesOf<D extends ReferenceDType> = D extends 'reference' ? (Reference | null)[] : (RegionReference | null)[];

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
  // References: apart from the element types (binding/types.h).
  reference: 32,
  regionReference: 33,
};
export const DTYPES = Object.keys(DTYPE_CODES) as DType[];
const BY_CODE: DType[] = [];
for (const d of DTYPES) BY_CODE[DTYPE_CODES[d]] = d;

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

export function isReferenceDType(dtype: unknown): dtype is ReferenceDType {
  return dtype === 'reference' || dtype === 'regionReference';
}

/** Whether a dtype is one of the numeric ones (held in a typed array). */
export function isNumericDType(dtype: unknown): dtype is NumericDType {
  return isDType(dtype) && dtype !== 'string' && !isReferenceDType(dtype);
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

/** The typed array constructor of a numeric dtype (a string dtype has none). */
export function arrayTypeOf(dtype: DType): TypedArrayConstructor {
  if (dtype === 'string') throw new TypeError('strings have no typed array; use a string[]');
  if (isReferenceDType(dtype)) throw new TypeError('references have no typed array; use an array of references');
  return ARRAY_TYPES[dtype];
}


// ---------------------------------------------------------------------------------------------------------
// Type specs: every type datasets and attributes are stored as, beyond the dtype names above, after h5py's
// mapping of numpy dtypes; how each is checked (resolveDType), read from a file's description of it
// (resolvedOfInfo), handed to the binding (nativeType) and held in JS (the *Of types below).
//
// A new kind (a reference, say) slots in as: its spec form in DTypeSpec, a `kind` in ResolvedType, its
// cases in resolveDType, resolvedOfInfo, specOf, typeText and nativeType, a Kind in binding/codec.h with its
// file and memory types, and its JS form in ElementsOf/ValueOf and lib/pack.ts.

/** The integer dtypes (enums' and bitfields' bases). */
export type IntegerDType = Exclude<NumericDType, 'float32' | 'float64'>;
/** What a bitfield reads as, by its size (h5py: an unsigned integer). */
export type BitfieldDType = 'uint8' | 'uint16' | 'uint32' | 'uint64';
/**
 * Every dtype given by name: the numeric dtypes, `'string'`, `'bool'` (h5py's: an int8 enum FALSE = 0,
 * TRUE = 1), `'float16'` (IEEE half, held as float32) and `'complex64'` / `'complex128'` (h5py's: a
 * compound of two floats named r and i, held interleaved: re, im, re, im...).
 */
export type DTypeName = DType | 'bool' | 'float16' | 'complex64' | 'complex128';

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

/** A compound field at an explicit byte offset (numpy's `offsets`). */
export interface CompoundField {
  dtype: DTypeSpec;
  offset: number;
}

/**
 * A compound (struct) type, as a numpy structured dtype: fields in order, each a dtype spec (or
 * `{ dtype, offset }` for explicit offsets: all fields or none). Without offsets the fields are packed, as
 * numpy packs them; `itemsize` makes each element larger (padding at the end).
 */
export interface CompoundDTypeSpec {
  compound: { readonly [field: string]: DTypeSpec | CompoundField };
  itemsize?: number;
}

/** An enum over an integer dtype (h5py's `enum_dtype(members, basetype)`); its values read as integers. */
export interface EnumDTypeSpec {
  enum: IntegerDType;
  members: { readonly [name: string]: number | bigint };
}

/** A variable-length sequence of numbers per element (h5py's `vlen_dtype(base)`). */
export interface VlenDTypeSpec {
  vlen: DTypeSpec;
}

/** A fixed-size array per element (numpy's subarray dtype `('<f4', (3,))`), held flat. */
export interface ArrayDTypeSpec {
  array: DTypeSpec;
  shape: readonly number[];
}

/** Opaque bytes, `opaque` of them per element (numpy's `V<n>`), with an optional tag describing them. */
export interface OpaqueDTypeSpec {
  opaque: number;
  tag?: string;
}

/** A bitfield (PyTables' bools are 8-bit ones), read as the unsigned integer of its size, as h5py does. */
export interface BitfieldDTypeSpec {
  bitfield: BitfieldDType;
}

/** A type to store or read: a dtype name or one of the structured forms. */
export type DTypeSpec =
  | DTypeName
  | StringDTypeSpec
  | CompoundDTypeSpec
  | EnumDTypeSpec
  | VlenDTypeSpec
  | ArrayDTypeSpec
  | OpaqueDTypeSpec
  | BitfieldDTypeSpec;

/** A compound field's dtype, whether given alone or as `{ dtype, offset }`. */
export type FieldDType<F> = F extends { dtype: infer S; offset: number } ? S : F;
/** The dtypes read as bigints. */
export type BigIntDType = 'int64' | 'uint64';
/**
 * true for a dtype not known when compiling (`DTypeSpec` itself, a compound's fields typed as any dtype):
 * the forms below are not worked out for it.
 */
export type IsAnyDType<D> = [DTypeSpec] extends [D] ? true : false;
/** Elements of a type not known when compiling. */
export type AnyElements = NumericArray | string[] | Uint8Array[] | NumericArray[] | { [field: string]: unknown };

/**
 * The flat arrays that hold n elements of type D: a typed array for numbers (float16 as Float32Array, bool
 * as Uint8Array 0/1, enums and bitfields as their integers, complex as interleaved floats, arrays of
 * elements flat), `string[]`, a `Uint8Array` per opaque element, a typed array per variable-length
 * sequence, and for a compound an object of one such array per field (struct of arrays).
 */
export type ElementsOf<D> = D extends NumericDType
  ? TypedArrayOf[D]
  : D extends ReferenceDType
    ? ReferencesOf<D>
  : D extends 'string' | StringDTypeSpec
    ? string[]
    : D extends 'bool'
      ? Uint8Array
      : D extends 'float16' | 'complex64'
        ? Float32Array
        : D extends 'complex128'
          ? Float64Array
          : D extends { enum: infer B extends IntegerDType }
            ? TypedArrayOf[B]
            : D extends { bitfield: infer B extends BitfieldDType }
              ? TypedArrayOf[B]
              : D extends { compound: infer F }
                ? string extends keyof F
                  ? { [field: string]: unknown }
                  : { -readonly [K in keyof F]: ElementsOf<FieldDType<F[K]>> }
                : D extends { vlen: infer B }
                  ? true extends IsAnyDType<B> ? NumericArray[] : ElementsOf<B>[]
                  : D extends { array: infer B }
                    ? true extends IsAnyDType<B> ? AnyElements : ElementsOf<B>
                    : D extends { opaque: number }
                      ? Uint8Array[]
                      : never;

/**
 * One element of type D as a JS value (a record's field, a scalar attribute): a number (a bigint for 64-bit
 * integers), a boolean, a string, `[re, im]`, a `Uint8Array` of opaque bytes, the typed array of a
 * sequence or of an array element, an object of fields.
 */
export type ValueOf<D> = D extends BigIntDType
  ? bigint
  : D extends ReferenceDType
    ? ReferencesOf<D>[number]
  : D extends NumericDType | 'float16'
    ? number
    : D extends 'string' | StringDTypeSpec
      ? string
      : D extends 'bool'
        ? boolean
        : D extends 'complex64' | 'complex128'
          ? [number, number]
          : D extends { enum: infer B } | { bitfield: infer B }
            ? B extends BigIntDType
              ? bigint
              : number
            : D extends { compound: infer F }
              ? string extends keyof F
                ? { [field: string]: unknown }
                : { -readonly [K in keyof F]: ValueOf<FieldDType<F[K]>> }
              : D extends { vlen: infer B } | { array: infer B }
                ? true extends IsAnyDType<B> ? AnyElements : ElementsOf<B>
                : D extends { opaque: number }
                  ? Uint8Array
                  : never;

/** What `read` returns for a dataset of dtype D: its elements (one string for a scalar string dataset). */
export type ReadResult<D extends DTypeSpec> = D extends 'string' | StringDTypeSpec
  ? string[] | string
  : D extends ReferenceDType
    ? ReferencesOf<D> | ReferencesOf<D>[number]
    : ElementsOf<D>;

/** What writes take for n elements of type D (a record's values: `WriteValue`). */
export type WriteElements<D> = D extends NumericDType | { enum: IntegerDType } | { bitfield: BitfieldDType }
  ? NumericArray | readonly number[] | readonly bigint[] | (D extends { enum: IntegerDType } ? readonly (string | number | bigint)[] : never)
  : D extends 'reference'
    ? readonly ReferenceTarget[]
  : D extends 'regionReference'
    ? readonly (RegionReference | RegionTarget | null)[]
  : D extends 'string' | StringDTypeSpec
    ? readonly string[]
    : D extends 'bool'
      ? NumericArray | readonly boolean[] | readonly number[]
      : D extends 'float16'
        ? NumericArray | readonly number[]
        : D extends 'complex64' | 'complex128'
          ? Float32Array | Float64Array | readonly number[]
          : D extends { compound: infer F }
            ? string extends keyof F
              ? { readonly [field: string]: unknown } | readonly { readonly [field: string]: unknown }[]
              : { readonly [K in keyof F]: WriteElements<FieldDType<F[K]>> } | readonly WriteValue<D>[]
            : D extends { vlen: infer B }
              ? true extends IsAnyDType<B> ? readonly unknown[] : readonly WriteElements<B>[]
              : D extends { array: infer B }
                ? true extends IsAnyDType<B> ? unknown : WriteElements<B>
                : D extends { opaque: number }
                  ? Uint8Array | readonly Uint8Array[]
                  : never;

/** One element of type D as writes take it (records, scalar attributes). */
export type WriteValue<D> = D extends NumericDType | 'float16' | { bitfield: BitfieldDType }
  ? number | bigint
  : D extends { enum: IntegerDType }
    ? number | bigint | string
  : D extends 'reference'
    ? ReferenceTarget
  : D extends 'regionReference'
    ? RegionReference | RegionTarget | null
    : D extends 'string' | StringDTypeSpec
      ? string
      : D extends 'bool'
        ? boolean | number
        : D extends 'complex64' | 'complex128'
          ? readonly [number, number]
          : D extends { compound: infer F }
            ? string extends keyof F
              ? { readonly [field: string]: unknown }
              : { readonly [K in keyof F]: WriteValue<FieldDType<F[K]>> }
            : D extends { vlen: infer B } | { array: infer B }
              ? true extends IsAnyDType<B> ? unknown : WriteElements<B>
              : D extends { opaque: number }
                ? Uint8Array
                : never;

/**
 * What `write` takes for a dataset of dtype D: its elements (`WriteElements`), a compound's records, or a
 * single number, boolean or string that fills the selection.
 */
export type WriteData<D extends DTypeSpec> =
  | WriteElements<D>
  | (D extends NumericDType | 'float16' | { enum: IntegerDType } | { bitfield: BitfieldDType }
      ? number | bigint
      : D extends 'bool'
        ? boolean
        : D extends 'string' | StringDTypeSpec
          ? string
          : D extends 'reference'
            ? ReferenceTarget
            : D extends 'regionReference'
              ? RegionReference | RegionTarget | null
              : never);

/** @internal What the binding knows of a type read from a file: its stored size and byte order. */
interface Stored {
  size?: number;
  bigEndian?: true;
}

/** @internal A compound's field, checked. */
export interface ResolvedField {
  name: string;
  type: ResolvedType;
  /** Explicit (or stored) byte offset; packed after the previous field when absent. */
  offset?: number;
}

/** @internal A type spec, checked (or a stored type, as h5mpi reads it). */
export type ResolvedType = Stored &
  (
    | { kind: 'number'; dtype: NumericDType }
    | { kind: 'bool' }
    | { kind: 'string'; encoding: 'utf-8' | 'ascii'; length: number | null; padding?: 'nullterm' | 'nullpad' | 'spacepad' }
    | { kind: 'float16' }
    | { kind: 'complex'; dtype: 'float32' | 'float64' }
    | { kind: 'enum'; dtype: IntegerDType; members: readonly (readonly [string, number | bigint])[] }
    | { kind: 'bitfield'; dtype: BitfieldDType }
    | { kind: 'compound'; fields: readonly ResolvedField[]; itemsize?: number }
    | { kind: 'array'; base: ResolvedType; shape: readonly number[] }
    | { kind: 'vlen'; base: ResolvedType }
    | { kind: 'opaque'; size: number; tag: string }
    | { kind: 'reference'; region: boolean }
  );

export const DTYPE_NAMES: readonly DTypeName[] = [...DTYPES, 'bool', 'float16', 'complex64', 'complex128'];
const INTEGER_DTYPES: readonly string[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'];
const BITFIELD_DTYPES: readonly string[] = ['uint8', 'uint16', 'uint32', 'uint64'];

const SPEC_FORMS =
  `a name (${DTYPE_NAMES.join(', ')}) or one of { string: { encoding?, length? } }, { compound: { field: dtype, ... }, itemsize? }, ` +
  '{ enum: integer dtype, members: { NAME: value } }, { vlen: dtype }, { array: dtype, shape: [...] }, { opaque: bytes, tag? }, { bitfield: uint dtype }';

/** numpy's and h5py's names for the dtypes, for the hint when one is used. */
const NUMPY_NAMES: Record<string, string> = {
  i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64',
  f2: 'float16', f4: 'float32', f8: 'float64', c8: 'complex64', c16: 'complex128', '?': 'bool', b1: 'bool',
  str: 'string', S: "{ string: { encoding: 'ascii', length } }", double: 'float64', float: 'float32', half: 'float16',
  int: 'int64', boolean: 'bool', complex: 'complex128', cfloat: 'complex128', cdouble: 'complex128', csingle: 'complex64',
  V: '{ opaque: bytes }', void: '{ opaque: bytes }',
};

function describeSpec(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : describeValue(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Throws unless `o`'s keys are among `allowed` (its first key names the form). */
function checkKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new TypeError(`${where}: unknown key '${k}' in a { ${allowed[0]}: ... } dtype; accepted: ${allowed.join(', ')}`);
  }
}

function positiveInteger(v: unknown, what: string, where: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new RangeError(`${where}: ${what} must be a positive integer, got ${describeValue(v)}`);
  return v;
}

/** @internal Checks a type spec (TypeError naming the accepted forms, RangeError for a bad size or value). */
export function resolveDType(spec: unknown, where: string): ResolvedType {
  return resolveAt(spec, where, 0);
}

function resolveAt(spec: unknown, where: string, depth: number): ResolvedType {
  if (depth > 32) throw new RangeError(`${where}: the dtype nests more than 32 levels deep`);
  if (typeof spec === 'string') {
    if (spec === 'bool') return { kind: 'bool' };
    if (spec === 'float16') return { kind: 'float16' };
    if (spec === 'complex64') return { kind: 'complex', dtype: 'float32' };
    if (spec === 'complex128') return { kind: 'complex', dtype: 'float64' };
    if (spec === 'string') return { kind: 'string', encoding: 'utf-8', length: null };
    if (isReferenceDType(spec)) return { kind: 'reference', region: spec === 'regionReference' };
    if (isDType(spec)) return { kind: 'number', dtype: spec as NumericDType };
    const bare = spec.replace(/^[<>|=]/, '');
    const hint = bare in NUMPY_NAMES ? ` (did you mean '${NUMPY_NAMES[bare]}'?)` : '';
    throw new TypeError(`${where}: unknown dtype ${describeSpec(spec)}${hint}; expected ${SPEC_FORMS}`);
  }
  if (!isPlainObject(spec)) throw new TypeError(`${where}: unknown dtype ${describeSpec(spec)}; expected ${SPEC_FORMS}`);
  if ('string' in spec) return resolveString(spec, where);
  if ('compound' in spec) return resolveCompound(spec, where, depth);
  if ('enum' in spec) return resolveEnum(spec, where);
  if ('vlen' in spec) {
    checkKeys(spec, ['vlen'], where);
    const base = resolveAt(spec.vlen, where, depth + 1);
    if (base.kind === 'string') throw new TypeError(`${where}: a variable-length string is dtype 'string', not { vlen: ... }`);
    if (!isDirect(base)) {
      throw new TypeError(`${where}: variable-length sequences hold numbers (numeric dtypes, bool, float16, complex, enums, bitfields, opaque bytes or arrays of them), not ${typeText(base)}`);
    }
    return { kind: 'vlen', base };
  }
  if ('array' in spec) {
    checkKeys(spec, ['array', 'shape'], where);
    const shape = spec.shape;
    if (!Array.isArray(shape) || shape.length === 0) throw new TypeError(`${where}: an array dtype's shape must be a non-empty array of extents, got ${describeValue(shape)}`);
    shape.forEach((d, i) => positiveInteger(d, `the array dtype's shape[${i}]`, where));
    const base = resolveAt(spec.array, where, depth + 1);
    if (base.kind === 'reference') throw new TypeError(`${where}: references are stored on their own (dtype '${specOf(base) as string}'), not in array dtypes`);
    if (base.kind === 'array') throw new TypeError(`${where}: an array of arrays is one array dtype with both shapes: { array: base, shape: [...outer, ...inner] }`);
    return { kind: 'array', base, shape: [...(shape as number[])] };
  }
  if ('opaque' in spec) {
    checkKeys(spec, ['opaque', 'tag'], where);
    const size = positiveInteger(spec.opaque, 'an opaque dtype\'s size (bytes)', where);
    const tag = spec.tag ?? '';
    if (typeof tag !== 'string' || tag.includes('\0') || Buffer.byteLength(tag) > 255) {
      throw new TypeError(`${where}: an opaque dtype's tag must be a string of at most 255 bytes without NUL, got ${describeSpec(tag)}`);
    }
    return { kind: 'opaque', size, tag };
  }
  if ('bitfield' in spec) {
    checkKeys(spec, ['bitfield'], where);
    if (typeof spec.bitfield !== 'string' || !BITFIELD_DTYPES.includes(spec.bitfield)) {
      throw new TypeError(`${where}: a bitfield dtype is { bitfield: ${BITFIELD_DTYPES.map((d) => `'${d}'`).join(' | ')} }, got ${describeSpec(spec.bitfield)}`);
    }
    return { kind: 'bitfield', dtype: spec.bitfield as BitfieldDType };
  }
  throw new TypeError(`${where}: unknown dtype ${describeValue(spec)} (keys ${Object.keys(spec).join(', ') || 'none'}); expected ${SPEC_FORMS}`);
}

function resolveString(spec: Record<string, unknown>, where: string): ResolvedType {
  checkKeys(spec, ['string'], where);
  const s: unknown = spec.string;
  if (!isPlainObject(s)) {
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

function resolveEnum(spec: Record<string, unknown>, where: string): ResolvedType {
  checkKeys(spec, ['enum', 'members'], where);
  if (typeof spec.enum !== 'string' || !INTEGER_DTYPES.includes(spec.enum)) {
    throw new TypeError(`${where}: an enum's base must be an integer dtype (${INTEGER_DTYPES.join(', ')}), got ${describeSpec(spec.enum)}`);
  }
  const dtype = spec.enum as IntegerDType;
  const members = spec.members;
  if (!isPlainObject(members) || Object.keys(members).length === 0) {
    throw new TypeError(`${where}: an enum's members must be an object { NAME: value, ... } with at least one member, got ${describeValue(members)}`);
  }
  const range = INTEGER_RANGES[dtype]!;
  const seen = new Map<bigint, string>();
  const out: [string, number | bigint][] = [];
  for (const [name, value] of Object.entries(members)) {
    if (name.length === 0 || name.includes('\0')) throw new TypeError(`${where}: enum member names must be non-empty and without NUL`);
    if (!(typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value)))) {
      throw new TypeError(`${where}: enum member ${name} is ${describeValue(value)}, not an integer`);
    }
    const v = BigInt(value);
    if (v < range[0] || v > range[1]) throw new RangeError(`${where}: enum member ${name} (${String(value)}) is out of the range of ${dtype}`);
    if (seen.has(v)) throw new TypeError(`${where}: enum members ${seen.get(v)} and ${name} have the same value ${String(value)}`);
    seen.set(v, name);
    out.push([name, isBigDType(dtype) ? v : Number(v)]);
  }
  return { kind: 'enum', dtype, members: out };
}

function resolveCompound(spec: Record<string, unknown>, where: string, depth: number): ResolvedType {
  checkKeys(spec, ['compound', 'itemsize'], where);
  const fields = spec.compound;
  if (!isPlainObject(fields) || Object.keys(fields).length === 0) {
    throw new TypeError(`${where}: a compound's fields must be an object { name: dtype, ... } with at least one field, got ${describeValue(fields)}`);
  }
  const out: ResolvedField[] = [];
  let explicit = 0;
  for (const [name, f] of Object.entries(fields)) {
    if (name.length === 0 || name.includes('\0')) throw new TypeError(`${where}: compound field names must be non-empty and without NUL`);
    const at = `${where}: field '${name}'`;
    if (isPlainObject(f) && 'dtype' in f) {
      checkKeys(f, ['dtype', 'offset'], at);
      const offset = f.offset;
      if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`${at}: offset must be an integer >= 0, got ${describeValue(offset)}`);
      out.push({ name, type: resolveAt(f.dtype, at, depth + 1), offset });
      explicit++;
    } else {
      out.push({ name, type: resolveAt(f, at, depth + 1) });
    }
  }
  const ref = out.find((f) => f.type.kind === 'reference');
  // Written references are made from paths in the file (lib/references.ts), a path no codec has.
  if (ref) throw new TypeError(`${where}: field '${ref.name}': references are stored on their own (a '${typeText(ref.type)}' dataset or attribute), not in compound dtypes`);
  if (explicit !== 0 && explicit !== out.length) {
    throw new TypeError(`${where}: give every compound field an offset ({ dtype, offset }) or none (packed in order)`);
  }
  const itemsize = spec.itemsize === undefined ? undefined : positiveInteger(spec.itemsize, 'itemsize', where);
  // The layout, checked here rather than by HDF5's "member extends past end of compound type".
  let end = 0;
  const spans = out.map((f) => {
    const start = f.offset ?? end;
    end = Math.max(end, start + storedSize(f.type));
    return [start, start + storedSize(f.type), f.name] as const;
  });
  if (explicit) {
    const sorted = [...spans].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i][0] < sorted[i - 1][1]) throw new RangeError(`${where}: fields '${sorted[i - 1][2]}' and '${sorted[i][2]}' overlap`);
    }
  }
  if (itemsize !== undefined && itemsize < end) throw new RangeError(`${where}: itemsize ${itemsize} is smaller than the fields (${end} bytes)`);
  return itemsize === undefined ? { kind: 'compound', fields: out } : { kind: 'compound', fields: out, itemsize };
}

/** @internal Whether elements of `t` are fixed bytes a typed array holds as they are (no strings, fields or sequences). */
export function isDirect(t: ResolvedType): boolean {
  switch (t.kind) {
    case 'number': case 'bool': case 'float16': case 'complex': case 'enum': case 'bitfield': case 'opaque':
      return true;
    case 'array':
      return isDirect(t.base);
    default:
      return false;
  }
}

/** @internal Whether `t` holds variable-length data (strings or sequences), which parallel HDF5 cannot write. */
export function hasVlen(t: ResolvedType): boolean {
  switch (t.kind) {
    case 'string': return t.length === null;
    case 'vlen': return true;
    case 'array': return hasVlen(t.base);
    case 'compound': return t.fields.some((f) => hasVlen(f.type));
    default: return false;
  }
}

/**
 * @internal Bytes per element as stored (numpy's itemsize: a variable-length string or sequence is its
 * 8-byte object pointer); from the file when the type came from one.
 */
export function storedSize(t: ResolvedType): number {
  switch (t.kind) {
    case 'number': return t.size ?? itemSize(t.dtype);
    case 'bool': return 1;
    case 'float16': return 2;
    case 'complex': return t.size ?? 2 * itemSize(t.dtype);
    case 'string': return t.length ?? 8;
    case 'enum': case 'bitfield': return itemSize(t.dtype);
    case 'opaque': return t.size;
    case 'vlen': return 8;
    case 'reference': return t.region ? 12 : 8;
    case 'array': return product(t.shape) * storedSize(t.base);
    case 'compound': {
      if (t.itemsize !== undefined) return t.itemsize;
      let end = 0;
      for (const f of t.fields) end = Math.max(end, (f.offset ?? end) + storedSize(f.type));
      return end;
    }
  }
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * @internal The typed array the binding moves a direct type's elements in, and how many of its numbers make
 * one element (float16 as its bits, a Uint16Array, which JS shows as a Float32Array: lib/half.ts).
 */
export function holderOf(t: ResolvedType): { dtype: NumericDType; units: number } {
  switch (t.kind) {
    case 'number': case 'enum': case 'bitfield': return { dtype: t.dtype, units: 1 };
    case 'bool': return { dtype: 'uint8', units: 1 };
    case 'float16': return { dtype: 'uint16', units: 1 };
    case 'complex': return { dtype: t.dtype, units: 2 };
    case 'opaque': return { dtype: 'uint8', units: t.size };
    case 'array': {
      const h = holderOf(t.base);
      return { dtype: h.dtype, units: h.units * product(t.shape) };
    }
    default: throw new TypeError(`${typeText(t)} has no typed array`);
  }
}

/** @internal The spec of a checked type, in its shortest form ('string' for variable-length UTF-8). */
export function specOf(t: ResolvedType): DTypeSpec {
  switch (t.kind) {
    case 'number': return t.dtype;
    case 'bool': return 'bool';
    case 'float16': return 'float16';
    case 'complex': return t.dtype === 'float32' ? 'complex64' : 'complex128';
    case 'string':
      if (t.encoding === 'utf-8' && t.length === null) return 'string';
      return { string: t.length === null ? { encoding: t.encoding } : { encoding: t.encoding, length: t.length } };
    case 'enum': return { enum: t.dtype, members: Object.fromEntries(t.members) };
    case 'bitfield': return { bitfield: t.dtype };
    case 'opaque': return t.tag ? { opaque: t.size, tag: t.tag } : { opaque: t.size };
    case 'vlen': return { vlen: specOf(t.base) };
    case 'array': return { array: specOf(t.base), shape: [...t.shape] };
    case 'reference': return t.region ? 'regionReference' : 'reference';
    case 'compound': {
      // Offsets only where the layout is not numpy's packed one (a stored type's padding, an explicit layout).
      const packed = isPacked(t);
      const fields: Record<string, DTypeSpec | CompoundField> = {};
      for (const f of t.fields) fields[f.name] = packed ? specOf(f.type) : { dtype: specOf(f.type), offset: f.offset ?? 0 };
      return packed ? { compound: fields } : { compound: fields, itemsize: storedSize(t) };
    }
  }
}

function isPacked(t: ResolvedType & { kind: 'compound' }): boolean {
  let end = 0;
  for (const f of t.fields) {
    if (f.offset !== undefined && f.offset !== end) return false;
    end += storedSize(f.type);
  }
  return t.itemsize === undefined || t.itemsize === end;
}

/** @internal A checked type in words, for messages and collective-call descriptions: "int32", "string(ascii, 8)". */
export function typeText(t: ResolvedType): string {
  switch (t.kind) {
    case 'number': return t.dtype;
    case 'bool': case 'float16': return t.kind;
    case 'reference': return t.region ? 'regionReference' : 'reference';
    case 'complex': return t.dtype === 'float32' ? 'complex64' : 'complex128';
    case 'string':
      if (t.encoding === 'utf-8' && t.length === null) return 'string';
      return `string(${t.encoding}${t.length === null ? '' : `, ${t.length}`})`;
    case 'enum': return `enum ${t.dtype} { ${t.members.map(([n, v]) => `${n} = ${String(v)}`).join(', ')} }`;
    case 'bitfield': return `bitfield ${t.dtype}`;
    case 'opaque': return `opaque(${t.size}${t.tag ? `, ${JSON.stringify(t.tag)}` : ''})`;
    case 'vlen': return `vlen ${typeText(t.base)}`;
    case 'array': return `array [${t.shape.join(', ')}] of ${typeText(t.base)}`;
    case 'compound': {
      const packed = isPacked(t);
      const fields = t.fields.map((f) => `${JSON.stringify(f.name)}: ${typeText(f.type)}${packed ? '' : ` @${f.offset ?? 0}`}`);
      return `compound { ${fields.join(', ')} }${packed ? '' : ` (${storedSize(t)} bytes)`}`;
    }
  }
}

/** @internal Whether two checked types are the same type. */
export function sameType(a: ResolvedType, b: ResolvedType): boolean {
  return typeText(a) === typeText(b);
}

/** @internal What the binding builds for a checked type (its file type, its memory type and codec). */
export function nativeType(t: ResolvedType): NativeType {
  const facts: { size?: number; bigEndian?: boolean } = {};
  if (t.size !== undefined) facts.size = t.size;
  if (t.bigEndian) facts.bigEndian = true;
  switch (t.kind) {
    case 'number': return { ...facts, kind: 'number', dtype: DTYPE_CODES[t.dtype] };
    case 'bool': return { ...facts, kind: 'bool' };
    case 'float16': return { ...facts, kind: 'float16' };
    case 'complex': return { ...facts, kind: 'complex', dtype: DTYPE_CODES[t.dtype] };
    case 'string': {
      const s: NativeType = { ...facts, kind: 'string', length: t.length ?? 0, ascii: t.encoding === 'ascii' };
      if (t.padding) s.padding = t.padding;
      return s;
    }
    case 'enum':
      return { ...facts, kind: 'enum', dtype: DTYPE_CODES[t.dtype], names: t.members.map((m) => m[0]), values: t.members.map((m) => m[1]) };
    case 'bitfield': return { ...facts, kind: 'bitfield', size: itemSize(t.dtype) };
    case 'opaque': return { ...facts, kind: 'opaque', size: t.size, tag: t.tag };
    case 'vlen': return { ...facts, kind: 'vlen', base: nativeType(t.base) };
    case 'array': return { ...facts, kind: 'array', base: nativeType(t.base), dims: [...t.shape] };
    case 'reference': return { kind: 'reference', dtype: DTYPE_CODES[t.region ? 'regionReference' : 'reference'] };
    case 'compound': {
      const c: NativeType = {
        ...facts,
        kind: 'compound',
        fields: t.fields.map((f) => (f.offset === undefined ? { name: f.name, type: nativeType(f.type) } : { name: f.name, type: nativeType(f.type), offset: f.offset })),
      };
      if (t.itemsize !== undefined) c.size = t.itemsize;
      return c;
    }
  }
}

/** The names h5py gives a complex number's parts (its `complex_names` default). */
const COMPLEX_NAMES = ['r', 'i'];

/**
 * @internal The type h5mpi reads a stored type as, or undefined when it cannot read it (times, references inside other types,
 * 2-byte floats other than IEEE half, and compounds, arrays or sequences of those).
 */
export function resolvedOfInfo(info: TypeInfo): ResolvedType | undefined {
  const facts: Stored = { size: info.size };
  if (info.order === 'big') facts.bigEndian = true;
  switch (info.className) {
    case 'integer':
    case 'float':
      if (info.half) return { ...facts, kind: 'float16' };
      return info.dtype < 0 ? undefined : { ...facts, kind: 'number', dtype: dtypeOfCode(info.dtype) as NumericDType };
    case 'string':
      return { ...facts, kind: 'string', encoding: info.utf8 ? 'utf-8' : 'ascii', length: info.vlen ? null : (info.stringLength ?? null), padding: info.padding };
    case 'enum': {
      if (info.bool) return { ...facts, kind: 'bool' };
      const base = info.base && resolvedOfInfo(info.base);
      if (!base || base.kind !== 'number' || !INTEGER_DTYPES.includes(base.dtype)) return undefined;
      return { ...facts, kind: 'enum', dtype: base.dtype as IntegerDType, members: (info.members ?? []).map((m) => [m.name, m.value] as const) };
    }
    case 'bitfield': {
      const dtype = ({ 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' } as const)[info.size as 1 | 2 | 4 | 8];
      return dtype && { ...facts, kind: 'bitfield', dtype };
    }
    case 'opaque':
      return { ...facts, kind: 'opaque', size: info.size, tag: info.tag ?? '' };
    case 'reference':
      return info.reference ? { ...facts, kind: 'reference', region: info.reference === 'region' } : undefined;
    case 'array': {
      // References inside other types are read on their own path (lib/references.ts), not through a codec.
      const base = info.base && resolvedOfInfo(info.base);
      return base && base.kind !== 'reference' && info.dims ? { ...facts, kind: 'array', base, shape: [...info.dims] } : undefined;
    }
    case 'vlen': {
      const base = info.base && resolvedOfInfo(info.base);
      return base && isDirect(base) ? { ...facts, kind: 'vlen', base } : undefined;
    }
    case 'compound': {
      const fields = info.fields ?? [];
      const types = fields.map((f) => (f.type ? resolvedOfInfo(f.type) : undefined));
      // h5py's complex: two floats of one type named r and i (in that order).
      const [r, i] = types;
      if (
        fields.length === 2 && fields[0].name === COMPLEX_NAMES[0] && fields[1].name === COMPLEX_NAMES[1] &&
        r?.kind === 'number' && i?.kind === 'number' && r.dtype === i.dtype && (r.dtype === 'float32' || r.dtype === 'float64') && r.size === i.size
      ) {
        return { ...facts, kind: 'complex', dtype: r.dtype };
      }
      if (types.some((t) => t === undefined || t.kind === 'reference') || fields.length === 0) return undefined;
      return { ...facts, kind: 'compound', fields: fields.map((f, k) => ({ name: f.name, type: types[k]!, offset: f.offset })), itemsize: info.size };
    }
    default:
      return undefined;
  }
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
  members?: readonly { name: string; value: number | bigint }[];
  /** Compounds: the fields, in order, with their byte offsets. */
  fields?: readonly { name: string; offset: number; type: StoredType }[];
  /** Arrays: the dimensions of each element. */
  dims?: readonly number[];
  /** Opaque types: their tag, when they have one. */
  tag?: string;
  /** References: to objects, or to regions (selections) of datasets. */
  reference?: 'object' | 'region';
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
  if (info.reference !== undefined) t.reference = info.reference;
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
      return `enum ${t.base?.description ?? ''} { ${listed(t.members ?? [], (m) => `${m.name} = ${String(m.value)}`)} }`;
    case 'compound':
      return `compound { ${listed(t.fields ?? [], (f) => `${f.name}: ${f.type.description}`)} } (${t.size} bytes)`;
    case 'array':
      return `array [${(t.dims ?? []).join(', ')}] of ${t.base?.description ?? 'unknown'}`;
    case 'vlen':
      return `variable-length sequence of ${t.base?.description ?? 'unknown'}`;
    case 'opaque':
      return `opaque (${t.size} bytes${t.tag ? `, tag '${t.tag}'` : ''})`;
    case 'reference':
      return t.reference ? `${t.reference} reference` : `reference (${t.size} bytes)`;
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
