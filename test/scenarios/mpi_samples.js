// Values the MPI scenarios send, made from a seed (usually the sending rank) so that the test can say what
// a receiver must have got without the receiver ever making it; and `describe`, which turns what arrived
// into JSON that keeps its type (constructor, Map, Date, bigint, Buffer).
'use strict';

/** Every typed array kind that travels zero-copy, by name. */
const ARRAY_KINDS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Buffer',
];

/** The kinds that can be reduced (Uint8ClampedArray cannot), with their integer width (0: float). */
const REDUCIBLE_KINDS = {
  Int8Array: 8,
  Uint8Array: 8,
  Int16Array: 16,
  Uint16Array: 16,
  Int32Array: 32,
  Uint32Array: 32,
  Float32Array: 0,
  Float64Array: 0,
  BigInt64Array: 64,
  BigUint64Array: 64,
  Buffer: 8,
};

function make(kind, numbers) {
  if (kind === 'Buffer') return Buffer.from(new Uint8Array(numbers));
  const ctor = globalThis[kind];
  if (kind.startsWith('Big')) return ctor.from(numbers, (x) => BigInt(Math.trunc(x)));
  return ctor.from(numbers);
}

/** A typed array of `kind` whose values depend on `seed`: signs, wrap-around, clamping, fractions, 64-bit values. */
function sampleArray(kind, seed) {
  const length = 3 + (seed % 4);
  const numbers = [];
  for (let i = 0; i < length; i++) numbers.push(seed * 7 + i * 3 + 1);
  numbers[1] = -(seed + 2); // wraps for unsigned types, clamps to 0 for Uint8ClampedArray
  numbers[2] = 300 + seed; // wraps for 8-bit types, clamps to 255
  const a = make(kind, numbers);
  if (kind.startsWith('Float')) a[0] = seed + 0.25;
  if (kind === 'BigInt64Array') a[0] = -(2n ** 62n) - BigInt(seed);
  if (kind === 'BigUint64Array') a[0] = 2n ** 64n - 1n - BigInt(seed);
  return a;
}

/** A structured-clone value that depends on `seed`: nested objects, Map, Set, Date, strings, bigint, a typed array inside. */
function sampleObject(seed) {
  return {
    from: seed,
    text: `rank ${seed}: ünïcödé ✓ ${'x'.repeat(seed)}`,
    nested: { list: [seed, [seed + 1, { deep: `d${seed}` }]], nothing: null, flag: seed % 2 === 0 },
    map: new Map([
      [`k${seed}`, seed * 10],
      [seed, { v: -seed }],
    ]),
    set: new Set([seed, `s${seed}`]),
    date: new Date(Date.UTC(2024, 0, 1 + seed, 12, 30)),
    big: 2n ** 70n + BigInt(seed),
    inner: new Int16Array([seed, -seed]),
  };
}

/** The element-wise reduction inputs of rank `rank` for `kind`: [r+1, -(r+1), 1 << r, r % 3]. */
function reduceInput(kind, rank) {
  return make(kind, [rank + 1, -(rank + 1), 1 << rank, rank % 3]);
}

/** JSON that keeps what type a value was. */
function describe(v) {
  if (v === undefined) return { type: 'undefined' };
  if (typeof v === 'bigint') return { type: 'bigint', value: v.toString() };
  if (Buffer.isBuffer(v)) return { type: 'Buffer', values: Array.from(v) };
  if (ArrayBuffer.isView(v)) {
    return { type: v.constructor.name, values: Array.from(v, (x) => (typeof x === 'bigint' ? x.toString() : x)) };
  }
  if (v instanceof Map) return { type: 'Map', entries: [...v].map(([k, x]) => [describe(k), describe(x)]) };
  if (v instanceof Set) return { type: 'Set', values: [...v].map(describe) };
  if (v instanceof Date) return { type: 'Date', iso: v.toISOString() };
  if (Array.isArray(v)) return { type: 'Array', values: v.map(describe) };
  if (v && typeof v === 'object') {
    return { type: 'Object', entries: Object.entries(v).map(([k, x]) => [k, describe(x)]) };
  }
  return v;
}

module.exports = { ARRAY_KINDS, REDUCIBLE_KINDS, sampleArray, sampleObject, reduceInput, describe, make };
