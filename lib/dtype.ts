// Element types: names, codes shared with binding/types.h, and the typed arrays that hold them.
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
