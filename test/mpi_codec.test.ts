// Object messages: lib/codec.ts's compact encoding gives the same value as structured cloning (V8's
// serializer, what it falls back to) for every kind of value, in-process.
import * as v8 from 'node:v8';
import { deserializeMessage, serializeMessage } from '../lib/message';

const roundTrip = (v: unknown): unknown => {
  const bytes = serializeMessage(v, 'test', true);
  return deserializeMessage(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
};
const cloned = (v: unknown): unknown => v8.deserialize(v8.serialize(v));
/** Whether the compact encoding took the value (its codec byte after the 8-byte mark). */
const compact = (v: unknown): boolean => serializeMessage(v, 'test', true)[8] === 1;

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

const shared = { s: 1 };
const cyclic: Record<string, unknown> = { name: 'c' };
cyclic.self = cyclic;
let deep: unknown = 'bottom';
for (let i = 0; i < 300; i++) deep = [deep];
const withGetter = Object.defineProperty({ a: 1 }, 'b', { get: () => 2, enumerable: true });
const nullProto = Object.assign(Object.create(null) as object, { k: 'v' });
const holes = [1, , 3];  
const withProp = Object.assign([1, 2], { extra: true });
const protoKey = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as unknown;
// The encoder remembers the first objects in a list and the rest in a set: sharing is found in both.
const many: unknown[] = Array.from({ length: 40 }, (_, i) => ({ i }));
const sharedLate = [...many, many[30]];
const sharedEarly = [...many, many[3]];
// More keys than the decoder's key cache holds, some of them colliding.
const manyKeys = Array.from({ length: 1200 }, (_, i) => ({ [`k${i}`]: i, [`k${i % 7}`]: 'again', same: i }));

const CASES: [string, unknown, boolean][] = [
  ['a small object', { step: 1, name: 'x', values: [1, 2, 3] }, true],
  ['numbers', [0, -0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 0.5, NaN, Infinity, -Infinity, Number.MIN_VALUE, Number.MAX_VALUE], true],
  ['strings', ['', 'ascii', 'latin1 é ÿ', 'ünïcödé ✓', '😀 surrogate pair', 'lone \ud800 surrogate', 'x'.repeat(1000), 'é'.repeat(100), '✓'.repeat(100)], true],
  ['scalars', [true, false, null, undefined], true],
  ['bigints', [0n, -1n, 2n ** 64n + 1n, -(2n ** 100n)], true],
  ['nesting', { a: { b: { c: [{ d: [[], {}] }] } }, 'key with spaces': 1, '1': 'numeric key', 0: 'zero' }, true],
  ['a getter', withGetter, true],
  ['a null-prototype object', nullProto, true],
  ["a '__proto__' key", protoKey, true],
  ['a top-level number', 42, true],
  ['a top-level string', 'just text', true],
  ['a class instance', new Point(1, 2), false],
  ['a Map and a Set', { m: new Map([[1, 'a']]), s: new Set(['x']) }, false],
  ['a Date', new Date(0), false],
  ['a typed array inside', { t: new Int16Array([1, -1]) }, false],
  ['a sparse array', holes, false],
  ['an array with a property', withProp, false],
  ['a cycle', cyclic, false],
  ['a value met twice', { a: shared, b: shared }, false],
  ['deep nesting', deep, false],
  ['a value met twice, late in a long message', sharedLate, false],
  ['a value met twice, early in a long message', sharedEarly, false],
  ['many objects, many keys', manyKeys, true],
];

// V8's serialization of both is compared byte for byte: it holds every type, key order, -0 and the shape
// of the graph, and it does not depend on which realm made the objects (jest runs tests in a realm of
// their own, V8's deserializer makes objects in Node's).
test.each(CASES)('%s: the same value as structured cloning', (_label, value, isCompact) => {
  const got = roundTrip(value);
  expect(got).toEqual(cloned(value));
  expect(v8.serialize(got).toString('hex')).toBe(v8.serialize(cloned(value)).toString('hex'));
  expect(compact(value)).toBe(isCompact);
});

test('-0 stays -0, and NaN NaN', () => {
  const got = roundTrip({ z: -0, n: NaN }) as { z: number; n: number };
  expect(Object.is(got.z, -0)).toBe(true);
  expect(Number.isNaN(got.n)).toBe(true);
});

test('identity: a value met twice is one object after the trip, a cycle a cycle', () => {
  const twice = roundTrip({ a: shared, b: shared }) as { a: object; b: object };
  expect(twice.a).toBe(twice.b);
  const c = roundTrip(cyclic) as Record<string, unknown>;
  expect(c.self).toBe(c);
});

test("'__proto__' arrives as an own property, not as the prototype", () => {
  const got = roundTrip(protoKey) as Record<string, unknown>;
  expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  expect(Object.keys(got)).toEqual(['__proto__', 'a']);
  expect((got as { polluted?: boolean }).polluted).toBeUndefined();
});

test('what cannot be cloned is a TypeError naming the call', () => {
  expect(() => serializeMessage({ f: () => 1 }, 'MPI.COMM_WORLD.send')).toThrow(/^MPI\.COMM_WORLD\.send: the value cannot be sent: .* could not be cloned/);
  expect(() => serializeMessage(Symbol('s'), 'MPI.COMM_WORLD.send')).toThrow(TypeError);
});

test('a blocking send may use the shared buffer; a non-blocking one gets bytes of its own', () => {
  const first = serializeMessage({ a: 1 }, 'x', false);
  const own = serializeMessage({ a: 1 }, 'x', true);
  serializeMessage({ a: 2 }, 'x', false);
  expect(first.buffer).not.toBe(own.buffer);
  expect(roundTrip({ a: 1 })).toEqual({ a: 1 });
  expect(deserializeMessage(own.buffer.slice(own.byteOffset, own.byteOffset + own.byteLength) as ArrayBuffer)).toEqual({ a: 1 });
});

test('a message cut short or with bytes to spare is an error, not a value', () => {
  const bytes = serializeMessage({ step: 1, values: [1, 2, 3] }, 'x', true);
  const cut = bytes.slice(0, bytes.length - 1);
  const padded = new Uint8Array(bytes.length + 1);
  padded.set(bytes);
  expect(() => deserializeMessage(cut)).toThrow(/corrupt|out of bounds/i);
  expect(() => deserializeMessage(padded)).toThrow(/corrupt/);
  expect(deserializeMessage(bytes)).toEqual({ step: 1, values: [1, 2, 3] });
});
