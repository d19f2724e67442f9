// Elements read from a file, in their JS forms (dtype.ts ElementsOf and ValueOf): what a decoded read
// becomes, one element as a value (a record's field, a scalar attribute), and records from a compound's
// struct of arrays.
import { ARRAY_TYPES, checkDecoded, holderOf, ResolvedType } from './dtype';
import { fromHalves } from './half';

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * @internal `n` elements as read (a typed array for direct types, the binding's decoding for the others)
 * in their JS form: opaque bytes become one Uint8Array view per element, wherever they are.
 */
export function finishRead(t: ResolvedType, raw: unknown, n: number): unknown {
  // The binding gives a direct type's elements as an ArrayBuffer (or a typed array the read went into).
  if (Object.prototype.toString.call(raw) === '[object ArrayBuffer]') {
    raw = new ARRAY_TYPES[holderOf(t).dtype](raw as ArrayBuffer);
  }
  switch (t.kind) {
    case 'float16':
      return fromHalves(raw as Uint16Array);
    case 'opaque': {
      const bytes = raw as Uint8Array;
      return Array.from({ length: n }, (_, i) => bytes.subarray(i * t.size, (i + 1) * t.size));
    }
    case 'array':
      return finishRead(t.base, raw, n * product(t.shape));
    case 'vlen':
      return (raw as ArrayBuffer[]).map((item) => finishRead(t.base, item, item.byteLength / (holderOf(t.base).units * ARRAY_TYPES[holderOf(t.base).dtype].BYTES_PER_ELEMENT)));
    case 'compound': {
      const o = raw as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields) out[f.name] = finishRead(f.type, o[f.name], n);
      return out;
    }
    default:
      return raw;
  }
}

/** @internal Elements `start` to `start + count` of elements in their JS form (views where they are typed arrays). */
export function sliceElements(t: ResolvedType, elements: unknown, start: number, count: number): unknown {
  if (t.kind === 'compound') {
    const o = elements as Record<string, unknown>;
    return Object.fromEntries(t.fields.map((f) => [f.name, sliceElements(f.type, o[f.name], start, count)]));
  }
  if (Array.isArray(elements)) return elements.slice(start, start + count);
  const units = holderOf(t).units;
  return (elements as Uint8Array).subarray(start * units, (start + count) * units);
}

/** @internal Element `i` of elements in their JS form, as one value (dtype.ts ValueOf). */
export function valueAt(t: ResolvedType, elements: unknown, i: number): unknown {
  switch (t.kind) {
    case 'bool':
      return (elements as ArrayLike<number>)[i] !== 0;
    case 'complex': {
      const a = elements as ArrayLike<number>;
      return [a[2 * i], a[2 * i + 1]];
    }
    case 'array': {
      const per = product(t.shape);
      return sliceElements(t.base, elements, i * per, per);
    }
    case 'compound': {
      const o = elements as Record<string, unknown>;
      return Object.fromEntries(t.fields.map((f) => [f.name, valueAt(f.type, o[f.name], i)]));
    }
    default:
      return (elements as ArrayLike<unknown>)[i];
  }
}

/** @internal `n` elements of a compound as records: an array of objects, one per element. */
export function toRecords(t: ResolvedType, elements: unknown, n: number): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => valueAt(t, elements, i) as Record<string, unknown>);
}

/**
 * @internal Checks strings read as text wherever they are in `t`'s elements: one whose bytes are not valid
 * UTF-8 in a UTF-8 type throws (the binding hands back such bytes instead of replacing them).
 */
export function checkStrings(t: ResolvedType, elements: unknown, where: string, what: string): void {
  if (t.kind === 'string') checkDecoded(elements as (string | Uint8Array)[], where, what);
  else if (t.kind === 'array') checkStrings(t.base, elements, where, what);
  else if (t.kind === 'compound') {
    for (const f of t.fields) checkStrings(f.type, (elements as Record<string, unknown>)[f.name], where, `field '${f.name}' of ${what}`);
  }
}
