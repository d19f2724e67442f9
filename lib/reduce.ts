// Reductions: the ops, and how a value (number, bigint, boolean, typed array) becomes the array MPI reduces
// and back.
import { dtypeOfArray, NumericArray } from './dtype';
import { checkInt64, describeValue } from './validate';

export type ReduceOp = 'sum' | 'prod' | 'min' | 'max' | 'land' | 'lor' | 'band' | 'bor';
export const OP_CODES: Record<ReduceOp, number> = { sum: 0, prod: 1, min: 2, max: 3, land: 4, lor: 5, band: 6, bor: 7 };

/** Anything `reduce`/`allreduce` combine: a number, bigint, boolean, or a typed array element-wise. */
export type Reducible = number | bigint | boolean | NumericArray;

/** What reducing a T with op O gives: numbers, bigints and typed arrays keep their type; booleans stay booleans, except that 'sum' and 'prod' count them. */
export type Reduced<T extends Reducible, O extends ReduceOp> = T extends number
  ? number
  : T extends bigint
    ? bigint
    : T extends boolean
      ? O extends 'sum' | 'prod'
        ? number
        : boolean
      : T;

// 'land'/'lor' give 1 or 0 per element; MPI leaves a one-rank reduction's input as it was, so normalise.
export function truthValues<A extends NumericArray>(a: A): A {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) {
    for (let i = 0; i < a.length; i++) a[i] = a[i] ? 1n : 0n;
  } else {
    const numbers = a;
    for (let i = 0; i < numbers.length; i++) numbers[i] = numbers[i] ? 1 : 0;
  }
  return a;
}

export function reducible(value: Reducible, op: ReduceOp, where: string): { array: NumericArray; unpack: (b: ArrayBuffer) => unknown } {
  if (!Object.prototype.hasOwnProperty.call(OP_CODES, op)) {
    throw new TypeError(`${where}: unknown op ${JSON.stringify(op)}; expected one of ${Object.keys(OP_CODES).join(', ')}`);
  }
  const logical = op === 'land' || op === 'lor';
  const integerOnly = logical || op === 'band' || op === 'bor';
  const fromInt64 = (b: ArrayBuffer): bigint => {
    const a = new BigInt64Array(b);
    return (logical ? truthValues(a) : a)[0];
  };
  if (ArrayBuffer.isView(value)) {
    const dt = dtypeOfArray(value);
    if (dt === undefined) throw new TypeError(`${where}: a ${value.constructor.name} cannot be reduced`);
    if (value instanceof Uint8ClampedArray) {
      throw new TypeError(`${where}: a Uint8ClampedArray cannot be reduced (MPI's uint8 arithmetic wraps, it does not clamp); pass a Uint8Array`);
    }
    if (integerOnly && dt.startsWith('float')) throw new TypeError(`${where}: '${op}' needs integers, not a ${dt} array`);
    const ctor = value.constructor as new (b: ArrayBuffer) => NumericArray;
    const view = Buffer.isBuffer(value) ? (b: ArrayBuffer) => Buffer.from(b) : (b: ArrayBuffer) => new ctor(b);
    return { array: value, unpack: logical ? (b) => truthValues(view(b)) : view };
  }
  if (typeof value === 'boolean') {
    if (op === 'sum' || op === 'prod') return { array: new Float64Array([+value]), unpack: (b) => new Float64Array(b)[0] };
    return { array: new Uint8Array([+value]), unpack: (b) => new Uint8Array(b)[0] !== 0 };
  }
  if (typeof value === 'bigint') {
    // Always int64, so that every rank passes the same MPI type whatever its value.
    checkInt64(value, where, 'pass a BigUint64Array to reduce unsigned 64-bit values');
    return { array: new BigInt64Array([value]), unpack: fromInt64 };
  }
  if (typeof value === 'number') {
    if (!integerOnly) return { array: new Float64Array([value]), unpack: (b) => new Float64Array(b)[0] };
    if (!Number.isSafeInteger(value)) throw new TypeError(`${where}: '${op}' needs an integer, got ${value}`);
    return { array: new BigInt64Array([BigInt(value)]), unpack: (b) => Number(fromInt64(b)) };
  }
  throw new TypeError(`${where}: cannot reduce ${describeValue(value)}; pass a number, bigint, boolean or typed array`);
}

