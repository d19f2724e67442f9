// Data for a write, checked and packed as the binding takes it: numbers into a typed array, strings into
// string[] that fit the dataset's string type.
import { describeArgument } from './collective';
import { ARRAY_TYPES, dtypeOfArray, holderOf, isDirect, NumericArray, NumericDType, ResolvedField, ResolvedType, toNumericArray, typeText } from './dtype';
import { toHalves } from './half';
import { allocateFresh } from './memory';
import { describeValue, checkNoNul } from './validate';

/** Data for a numeric write of `n` elements: a single value fills them, an array must hold exactly `n`. */
export function packNumbers(data: unknown, dtype: NumericDType, n: number, where: string): NumericArray {
  if (typeof data === 'number' || typeof data === 'bigint') {
    const one = toNumericArray(data, dtype, where);
    const filled = allocateFresh(dtype, n);
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

// ---------------------------------------------------------------------------------------------------------
// Every other type: data checked and packed into the form binding/codec.h takes for it (elements.ts says
// which JS form holds which type).

function isRecordList(v: unknown): v is readonly Record<string, unknown>[] {
  return Array.isArray(v) && v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r) && !ArrayBuffer.isView(r));
}

function elementLabel(where: string, i: number): string {
  return `${where}: element ${i}`;
}

/**
 * Numbers into exactly `dtype`'s typed array (a compound's field, an enum's values): a typed array of
 * another type is converted here, with the same checks as plain values.
 */
function exactNumbers(data: unknown, dtype: NumericDType, n: number, where: string): NumericArray {
  if (ArrayBuffer.isView(data) && dtypeOfArray(data) === dtype) {
    if ((data as NumericArray).length !== n) throw new RangeError(`${where}: ${(data as NumericArray).length} values for ${n} elements`);
    return data as NumericArray;
  }
  if (ArrayBuffer.isView(data) && dtypeOfArray(data) !== undefined) data = Array.from(data as unknown as ArrayLike<number | bigint>);
  if (!Array.isArray(data)) throw new TypeError(`${where}: expected a typed array or an array of numbers, got ${describeValue(data)}`);
  if (data.length !== n) throw new RangeError(`${where}: ${data.length} values for ${n} elements`);
  return toNumericArray(data, dtype, where);
}

function packBools(data: unknown, n: number, where: string, top: boolean): Uint8Array | Int8Array {
  if (top && (typeof data === 'boolean' || typeof data === 'number')) data = new Array<unknown>(n).fill(data);
  if (ArrayBuffer.isView(data) && dtypeOfArray(data) !== undefined) {
    const a = data as NumericArray;
    if (a.length !== n) throw new RangeError(`${where}: ${a.length} values for ${n} elements`);
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== 0 && a[i] !== 1 && a[i] !== 0n && a[i] !== 1n) throw new RangeError(`${elementLabel(where, i)} is ${String(a[i])}; a bool takes 0 or 1 (or true and false)`);
    }
    return a instanceof Uint8Array || a instanceof Int8Array ? a : Uint8Array.from(a as ArrayLike<number>, Number);
  }
  if (!Array.isArray(data)) throw new TypeError(`${where}: expected booleans (an array, or a Uint8Array of 0 and 1), got ${describeValue(data)}`);
  if (data.length !== n) throw new RangeError(`${where}: ${data.length} values for ${n} elements`);
  return Uint8Array.from(data as unknown[], (v, i) => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === 0 || v === 1) return v;
    throw new TypeError(`${elementLabel(where, i)} is ${describeValue(v)}; a bool takes true and false (or 0 and 1)`);
  });
}

function packComplex(data: unknown, dtype: 'float32' | 'float64', n: number, where: string, top: boolean): Float32Array | Float64Array {
  if (ArrayBuffer.isView(data)) {
    const a = data as NumericArray;
    if (!(a instanceof Float32Array || a instanceof Float64Array)) {
      throw new TypeError(`${where}: complex numbers come as a Float32Array or Float64Array of interleaved parts (re, im, re, im...), not a ${a.constructor.name}`);
    }
    if (a.length !== 2 * n) throw new RangeError(`${where}: ${a.length} floats for ${n} complex numbers (interleaved re, im: ${2 * n} floats)`);
    if (top || dtypeOfArray(a) === dtype) return a;
    return dtype === 'float32' ? Float32Array.from(a) : Float64Array.from(a);
  }
  if (!Array.isArray(data)) throw new TypeError(`${where}: expected complex numbers as interleaved floats (re, im, ...) or [re, im] pairs, got ${describeValue(data)}`);
  // [re, im] pairs (records, scalars) or interleaved numbers.
  const pairs = data.length === n && n > 0 && data.every((p) => Array.isArray(p) || ArrayBuffer.isView(p));
  const flat: unknown[] = pairs
    ? (data as ArrayLike<unknown>[]).flatMap((p, i) => {
        if (p.length !== 2) throw new TypeError(`${elementLabel(where, i)} has ${p.length} parts; a complex number is [re, im]`);
        return Array.from(p);
      })
    : data;
  if (flat.length !== 2 * n) throw new RangeError(`${where}: ${flat.length} floats for ${n} complex numbers (interleaved re, im: ${2 * n} floats)`);
  return toNumericArray(flat, dtype, where) as Float32Array | Float64Array;
}

function packEnum(t: ResolvedType & { kind: 'enum' }, data: unknown, n: number, where: string, top: boolean): NumericArray {
  if (top && (typeof data === 'number' || typeof data === 'bigint' || typeof data === 'string')) data = new Array<unknown>(n).fill(data);
  const byName = new Map(t.members);
  // Member names stand for their values.
  if (Array.isArray(data) && data.some((v) => typeof v === 'string')) {
    data = data.map((v: unknown, i) => {
      if (typeof v !== 'string') return v;
      if (!byName.has(v)) throw new RangeError(`${elementLabel(where, i)} is '${v}', not a member of the enum (${t.members.map((m) => m[0]).join(', ')})`);
      return byName.get(v);
    });
  }
  const values = exactNumbers(data, t.dtype, n, where);
  // HDF5 would store any value (and convert one without a member to -1 in another byte order): members only.
  const known = new Set(t.members.map((m) => BigInt(m[1])));
  for (let i = 0; i < values.length; i++) {
    if (!known.has(BigInt(values[i]))) {
      throw new RangeError(`${elementLabel(where, i)} is ${String(values[i])}, not the value of a member of the enum (${t.members.map(([k, v]) => `${k} = ${String(v)}`).join(', ')})`);
    }
  }
  return values;
}

function packOpaque(data: unknown, size: number, n: number, where: string): Uint8Array {
  if (data instanceof Uint8Array) {
    if (data.length !== n * size) throw new RangeError(`${where}: ${data.length} bytes for ${n} opaque elements of ${size} bytes`);
    return data;
  }
  if (!Array.isArray(data)) throw new TypeError(`${where}: opaque data comes as a Uint8Array of every element's bytes or a Uint8Array per element, got ${describeValue(data)}`);
  if (data.length !== n) throw new RangeError(`${where}: ${data.length} elements for ${n}`);
  const out = new Uint8Array(n * size);
  data.forEach((b: unknown, i) => {
    if (!(b instanceof Uint8Array) || b.length !== size) throw new TypeError(`${elementLabel(where, i)} is ${describeValue(b)}; each opaque element is a Uint8Array of ${size} bytes`);
    out.set(b, i * size);
  });
  return out;
}

/** @internal Strings of a string type inside another type (or of an attribute): strings or their bytes, checked against the type. */
export function packTypedStrings(t: ResolvedType & { kind: 'string' }, data: unknown, n: number, where: string): (string | Uint8Array)[] {
  if (!Array.isArray(data)) throw new TypeError(`${where}: expected an array of strings, got ${describeValue(data)}`);
  if (data.length !== n) throw new RangeError(`${where}: ${data.length} strings for ${n} elements`);
  // A NUL-terminated fixed-length type keeps its last byte for the NUL.
  const limit = t.length === null ? Infinity : t.length - (t.padding === 'nullterm' ? 1 : 0);
  data.forEach((v: unknown, i) => {
    const bytes = v instanceof Uint8Array ? v : typeof v === 'string' ? undefined : null;
    if (bytes === null) throw new TypeError(`${elementLabel(where, i)} is ${describeValue(v)}, not a string (or a Uint8Array of its bytes)`);
    const size = bytes ? bytes.length : Buffer.byteLength(v as string);
    // Strings are never cut: a silently shortened string is lost data.
    if (size > limit) throw new RangeError(`${elementLabel(where, i)} is ${size} bytes, longer than the ${limit} bytes of the fixed-length strings`);
    if (bytes ? bytes.includes(0) : (v as string).includes('\0')) {
      throw new TypeError(`${where}: string ${i} contains a NUL character, which HDF5 strings cannot hold`);
    }
    if (!bytes && t.encoding === 'ascii' && /[^\x00-\x7f]/.test(v as string)) {
      throw new TypeError(`${elementLabel(where, i)} (${JSON.stringify(v)}) is not ASCII, and the type is ASCII (give its bytes as a Uint8Array to store them as they are)`);
    }
  });
  return data as (string | Uint8Array)[];
}

/** How many elements of `t` a sequence's (or array element's) flat data holds. */
function countOf(t: ResolvedType, data: unknown, where: string): number {
  const units = isDirect(t) ? holderOf(t).units : 1;
  let length: number;
  if (t.kind === 'complex' && Array.isArray(data) && data.every((p) => Array.isArray(p))) length = 2 * data.length;
  else if (t.kind === 'opaque' && Array.isArray(data)) length = data.length * units;
  else if (ArrayBuffer.isView(data) || Array.isArray(data)) length = (data as ArrayLike<unknown>).length;
  else throw new TypeError(`${where}: expected an array or a typed array, got ${describeValue(data)}`);
  if (length % units !== 0) throw new RangeError(`${where}: ${length} values is not a whole number of ${typeText(t)} elements (${units} values each)`);
  return length / units;
}

/**
 * @internal Data for `n` elements of type `t` as the binding takes it: a typed array of the elements for a direct
 * type (`top`: the whole transfer, where a typed array of another numeric type passes as it is and HDF5
 * converts; inside a compound exactly the type's own array), strings, a compound's fields, one typed array
 * per sequence. A compound takes its fields as an object of arrays (struct of arrays) or as records (an
 * array of objects); with `fields`, only those. A single value fills a top-level number, bool or enum.
 */
export function packElements(t: ResolvedType, data: unknown, n: number, where: string, top = false, fields?: readonly string[]): unknown {
  switch (t.kind) {
    case 'number':
      return top ? packNumbers(data, t.dtype, n, where) : exactNumbers(data, t.dtype, n, where);
    case 'float16': {
      if (top && (typeof data === 'number' || typeof data === 'bigint')) data = new Array<unknown>(n).fill(data);
      // Any numbers, rounded to halves here (lib/half.ts says why).
      const values = ArrayBuffer.isView(data) && dtypeOfArray(data) !== undefined ? (data as NumericArray) : exactNumbers(data, 'float64', n, where);
      if (values.length !== n) throw new RangeError(`${where}: ${values.length} values for ${n} elements`);
      return toHalves(values);
    }
    case 'bool':
      return packBools(data, n, where, top);
    case 'complex':
      return packComplex(data, t.dtype, n, where, top);
    case 'enum':
      return packEnum(t, data, n, where, top);
    case 'bitfield':
      return exactNumbers(data, t.dtype, n, where);
    case 'opaque':
      return packOpaque(data, t.size, n, where);
    case 'string':
      return packTypedStrings(t, data, n, where);
    case 'array': {
      const per = t.shape.reduce((a, b) => a * b, 1);
      // Elements in rows of the array's shape, flat; each record's value is one element's array.
      const flat = Array.isArray(data) && data.length === n && n > 0 && data.every((x) => ArrayBuffer.isView(x) || Array.isArray(x)) && t.base.kind !== 'complex'
        ? concatValues(t.base, data as unknown[], per, where)
        : data;
      const numberLike = t.base.kind === 'number' || t.base.kind === 'float16';
      return packElements(t.base, flat, n * per, where, top && numberLike);
    }
    case 'vlen': {
      if (!Array.isArray(data)) throw new TypeError(`${where}: variable-length data comes as an array of one sequence (a typed array or an array of numbers) per element, got ${describeValue(data)}`);
      if (data.length !== n) throw new RangeError(`${where}: ${data.length} sequences for ${n} elements`);
      return data.map((item: unknown, i) => {
        const at = elementLabel(where, i);
        return packElements(t.base, item, countOf(t.base, item, at), at);
      });
    }
    case 'compound':
      return packCompound(t, data, n, where, fields);
  }
}

/** Each element's values (an array element's, one record's), as one flat array of the base type's data. */
function concatValues(base: ResolvedType, items: readonly unknown[], per: number, where: string): unknown {
  const out: unknown[] = [];
  items.forEach((item, i) => {
    const values = Array.from(item as ArrayLike<unknown>);
    const units = isDirect(base) && base.kind !== 'opaque' ? holderOf(base).units : 1;
    if (values.length !== per * units) throw new RangeError(`${elementLabel(where, i)} holds ${values.length} values; the array dtype's elements hold ${per * units}`);
    out.push(...values);
  });
  return out;
}

function packCompound(t: ResolvedType & { kind: 'compound' }, data: unknown, n: number, where: string, only?: readonly string[]): Record<string, unknown> {
  const fields = only ? t.fields.filter((f) => only.includes(f.name)) : t.fields;
  const names = fields.map((f) => f.name);
  if (isRecordList(data)) {
    if (data.length !== n) throw new RangeError(`${where}: ${data.length} records for ${n} elements`);
    const byField: Record<string, unknown> = {};
    for (const f of fields) {
      byField[f.name] = data.map((r, i) => {
        if (!(f.name in r)) throw new TypeError(`${where}: record ${i} has no field '${f.name}' (the fields: ${names.join(', ')})`);
        return r[f.name];
      });
    }
    data.forEach((r, i) => {
      const extra = Object.keys(r).find((k) => !names.includes(k));
      if (extra !== undefined) throw new TypeError(`${where}: record ${i} has a field '${extra}' the type does not have (the fields: ${names.join(', ')})`);
    });
    return packFields(fields, byField, n, where, true);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data) || ArrayBuffer.isView(data)) {
    throw new TypeError(`${where}: a compound takes an object of one array per field ({ ${names.join(', ')} }) or an array of records, got ${describeValue(data)}`);
  }
  const o = data as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!names.includes(k)) {
      const hint = t.fields.some((f) => f.name === k) ? ` (not among the fields written: ${names.join(', ')})` : ` (the fields: ${names.join(', ')})`;
      throw new TypeError(`${where}: the data has a field '${k}' the type does not have${hint}`);
    }
  }
  for (const name of names) {
    if (o[name] === undefined) {
      throw new TypeError(`${where}: the data has no field '${name}'; give every field (${names.join(', ')}), or write some with { fields: [...] }`);
    }
  }
  return packFields(fields, o, n, where, false);
}

function packFields(fields: readonly ResolvedField[], values: Record<string, unknown>, n: number, where: string, fromRecords: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    let v = values[f.name];
    // A record's complex field is [re, im], a nested compound's a record: the same forms as their arrays take.
    if (fromRecords && f.type.kind === 'compound' && Array.isArray(v)) v = v as unknown[];
    out[f.name] = packElements(f.type, v, n, `${where}, field '${f.name}'`);
  }
  return out;
}

/** @internal A write of nothing (the empty selection of a rank with nothing to write) of type `t`. */
export function emptyData(t: ResolvedType): unknown {
  if (t.kind === 'string' || t.kind === 'reference') return [];
  if (isDirect(t)) return new ARRAY_TYPES[holderOf(t).dtype](0);
  if (t.kind === 'vlen') return [];
  return Object.fromEntries(t.kind === 'compound' ? t.fields.map((f) => [f.name, emptyData(f.type)]) : []);
}

/**
 * A record or an object of fields' arrays, not an object of a class (a Group or Dataset given as a
 * reference's target, which describeArgument names by its path).
 */
function isPlainRecord(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Data in a message, briefly: what ranks compare (describeArgument, with records' fields). */
export function describeData(value: unknown): string {
  if (isPlainRecord(value)) return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${describeData(v)}`).join(', ')} }`;
  if (Array.isArray(value) && value.some((v) => isPlainRecord(v) || Array.isArray(v))) {
    return `[${value.map(describeData).join(', ')}]`;
  }
  return describeArgument(value);
}
