// Data for a write, checked and packed as the binding takes it: numbers into a typed array, strings into
// string[] that fit the dataset's string type.
import { describeValue, checkNoNul } from './validate';
import { NumericArray, NumericDType, toNumericArray } from './dtype';
import { allocate } from './memory';

/** Data for a numeric write of `n` elements: a single value fills them, an array must hold exactly `n`. */
export function packNumbers(data: unknown, dtype: NumericDType, n: number, where: string): NumericArray {
  if (typeof data === 'number' || typeof data === 'bigint') {
    const one = toNumericArray(data, dtype, where);
    const filled = allocate(dtype, n);
    (filled as { fill(v: unknown): unknown }).fill(one[0]);
    return filled;
  }
  if (!ArrayBuffer.isView(data) && !Array.isArray(data)) {
    throw new TypeError(`${where}: expected a typed array, an array of numbers or a number for a ${dtype} dataset, got ${describeValue(data)}`);
  }
  const arr = toNumericArray(data, dtype, where);
  if (arr.length !== n) {
    throw new RangeError(`${where}: ${arr.length} values for a selection of ${n} elements`);
  }
  return arr;
}

/** What a string type holds: at most `maxBytes` of UTF-8 (Infinity: variable length), ASCII only or not. */
export interface StringLimits {
  maxBytes: number;
  stringLength: number | null;
  ascii: boolean;
}

/** Data for a string write of `n` elements: a single string fills them, an array must hold exactly `n`. */
export function packStrings(data: unknown, n: number, limits: StringLimits, where: string): string[] {
  const strings = typeof data === 'string' ? new Array<string>(n).fill(data) : data;
  if (!Array.isArray(strings)) {
    throw new TypeError(`${where}: a string dataset takes a string or string[], got ${describeValue(data)}`);
  }
  strings.forEach((s: unknown, i) => {
    if (typeof s !== 'string') throw new TypeError(`${where}: element ${i} is ${describeValue(s)}, not a string`);
    // Strings are never cut: a silently shortened string is lost data.
    if (Buffer.byteLength(s) > limits.maxBytes) {
      throw new RangeError(
        `${where}: element ${i} is ${Buffer.byteLength(s)} bytes of UTF-8, longer than the ${limits.maxBytes} bytes ` +
          `the dataset's fixed-length strings hold (stringLength ${limits.stringLength})`,
      );
    }
    if (limits.ascii && /[^\x00-\x7f]/.test(s)) {
      throw new TypeError(`${where}: element ${i} (${JSON.stringify(s)}) is not ASCII, and the dataset's strings are ASCII`);
    }
  });
  checkNoNul(strings as string[], where);
  if (strings.length !== n) throw new RangeError(`${where}: ${strings.length} strings for a selection of ${n} elements`);
  return strings as string[];
}
