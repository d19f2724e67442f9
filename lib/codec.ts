// A compact encoding for the values messages carry most: plain objects, arrays, strings, numbers,
// booleans, null, undefined and bigints. V8's serializer (through node:v8) costs microseconds even for a
// small object, more than MPI takes to move it; this one writes the common shapes straight into a
// reused buffer. Anything else (Map, Set, Date, typed arrays, class instances, sparse arrays, a value
// met twice or a cycle, which structured cloning shares) makes encode() return undefined, and the
// caller falls back to V8's serializer: the result is the same value either way.

const T_UNDEFINED = 0;
const T_NULL = 1;
const T_FALSE = 2;
const T_TRUE = 3;
const T_INT32 = 4;
const T_FLOAT64 = 5;
const T_LATIN1 = 6;
const T_UTF16 = 7;
const T_ARRAY = 8;
const T_OBJECT = 9;
const T_BIGINT = 10;

/** Nesting deeper than this goes to V8's serializer (which handles any depth it can). */
const MAX_DEPTH = 200;

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

let bytes = new Uint8Array(4096);
let view = new DataView(bytes.buffer);
let pos = 0;
// Objects met so far (a value met twice goes to V8's serializer, which shares it): the first few in a
// list, as a message of a few objects is the common case and a scan is cheaper there than hashing.
const FEW = 16;
const few: object[] = [];
let many: Set<object> | undefined;

/** Notes `v` as met; false if it was met before. */
function firstMeeting(v: object): boolean {
  const n = few.length;
  if (n < FEW) {
    for (let i = 0; i < n; i++) if (few[i] === v) return false;
    few.push(v);
    return true;
  }
  many ??= new Set(few);
  if (many.has(v)) return false;
  many.add(v);
  return true;
}

function room(n: number): void {
  if (pos + n <= bytes.length) return;
  const grown = new Uint8Array(Math.max(bytes.length * 2, pos + n));
  grown.set(bytes.subarray(0, pos));
  bytes = grown;
  view = new DataView(bytes.buffer);
}

function writeString(s: string): void {
  const n = s.length;
  // Latin-1 in one pass, as most strings are; a code unit above 0xff starts over as UTF-16.
  room(5 + n);
  const start = pos + 5;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) break;
    bytes[start + i] = c;
  }
  if (i === n) {
    bytes[pos] = T_LATIN1;
    view.setUint32(pos + 1, n, true);
    pos = start + n;
    return;
  }
  // UTF-16 code units as they are: a lone surrogate survives, as it does through structured cloning.
  room(5 + 2 * n);
  bytes[pos] = T_UTF16;
  view.setUint32(pos + 1, n, true);
  pos += 5;
  for (let j = 0; j < n; j++) view.setUint16(pos + 2 * j, s.charCodeAt(j), true);
  pos += 2 * n;
}

function write(v: unknown, depth: number): void {
  switch (typeof v) {
    case 'number':
      room(9);
      if ((v | 0) === v && !(v === 0 && 1 / v < 0)) {
        bytes[pos] = T_INT32;
        view.setInt32(pos + 1, v, true);
        pos += 5;
      } else {
        bytes[pos] = T_FLOAT64;
        view.setFloat64(pos + 1, v, true);
        pos += 9;
      }
      return;
    case 'string':
      writeString(v);
      return;
    case 'boolean':
      room(1);
      bytes[pos++] = v ? T_TRUE : T_FALSE;
      return;
    case 'undefined':
      room(1);
      bytes[pos++] = T_UNDEFINED;
      return;
    case 'bigint': {
      const text = v.toString();
      writeString(text);
      bytes[pos - 5 - text.length] = T_BIGINT;
      return;
    }
    case 'object':
      break;
    default:
      throw UNSUPPORTED; // functions and symbols: V8's serializer says why they cannot be sent
  }
  if (v === null) {
    room(1);
    bytes[pos++] = T_NULL;
    return;
  }
  if (depth > MAX_DEPTH || !firstMeeting(v)) throw UNSUPPORTED;
  if (Array.isArray(v)) {
    const n = v.length;
    if (Object.getPrototypeOf(v) !== Array.prototype) throw UNSUPPORTED;
    room(5);
    bytes[pos] = T_ARRAY;
    view.setUint32(pos + 1, n, true);
    pos += 5;
    for (let i = 0; i < n; i++) {
      const e: unknown = v[i];
      if (e === undefined && !(i in v)) throw UNSUPPORTED; // a hole
      write(e, depth + 1);
    }
    if (Object.keys(v).length !== n) throw UNSUPPORTED; // properties beyond the elements
    return;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw UNSUPPORTED;
  const keys = Object.keys(v);
  room(5);
  bytes[pos] = T_OBJECT;
  view.setUint32(pos + 1, keys.length, true);
  pos += 5;
  for (const k of keys) {
    writeString(k);
    write((v as Record<string, unknown>)[k], depth + 1);
  }
}

/**
 * `value` encoded after `header` (the message's first bytes), or undefined when it has something this
 * encoding does not cover. The bytes are a view on a shared buffer, valid until the next encode: send them
 * before (or copy them).
 */
export function encode(value: unknown, header: Uint8Array): Uint8Array | undefined {
  pos = 0;
  room(header.length);
  bytes.set(header, 0);
  pos = header.length;
  try {
    write(value, 0);
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  } finally {
    few.length = 0;
    many = undefined;
  }
  return bytes.subarray(0, pos);
}

// The decoder's state: one message is decoded at a time (and not kept alive after it).
const EMPTY: Uint8Array = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);
let data = EMPTY;
let dv = EMPTY_VIEW;
let p = 0;

function readString(latin1: boolean): string {
  const n = dv.getUint32(p + 1, true);
  p += 5;
  let s = '';
  if (latin1) {
    if (n <= 32) {
      for (let i = 0; i < n; i++) s += String.fromCharCode(data[p + i]);
    } else {
      s = Buffer.from(data.buffer, data.byteOffset + p, n).toString('latin1');
    }
    p += n;
  } else {
    s = Buffer.from(data.buffer, data.byteOffset + p, 2 * n).toString('utf16le');
    p += 2 * n;
  }
  return s;
}

// Object keys recur from message to message: a small cache of the strings made for them saves making and
// interning the same string again (a hit is checked byte by byte, so a collision costs only a miss).
const KEYS = 512;
const keyCache: string[] = new Array<string>(KEYS).fill('');

function readKey(): string {
  const n = dv.getUint32(p + 1, true);
  if (data[p] !== T_LATIN1 || n > 32) return readString(data[p] === T_LATIN1);
  const start = p + 5;
  let h = n;
  for (let i = 0; i < n; i++) h = (h * 31 + data[start + i]) | 0;
  const slot = h & (KEYS - 1);
  const cached = keyCache[slot];
  if (cached.length === n) {
    let i = 0;
    while (i < n && cached.charCodeAt(i) === data[start + i]) i++;
    if (i === n) {
      p = start + n;
      return cached;
    }
  }
  const key = readString(true);
  keyCache[slot] = key;
  return key;
}

/** Decodes what encode() wrote, from `offset` of `message`. */
export function decode(message: Uint8Array, offset: number): unknown {
  data = message;
  // Messages mostly come from the same receive buffer: its DataView is made once.
  if (dv.buffer !== message.buffer || dv.byteOffset !== message.byteOffset || dv.byteLength < message.byteLength) {
    dv = new DataView(message.buffer, message.byteOffset, message.byteLength);
  }
  p = offset;
  try {
    let value: unknown;
    try {
      value = read();
    } catch (e) {
      if (e instanceof RangeError) p = Infinity; // read past the end
      else throw e;
    }
    if (p !== message.byteLength) throw new TypeError(`h5mpi: a message's value is corrupt (${message.byteLength} bytes, ended at ${p})`);
    return value;
  } finally {
    data = EMPTY;
    if (message.byteLength > 1 << 16) dv = EMPTY_VIEW; // not kept alive: a large message's own buffer
  }
}

function read(): unknown {
    const tag = data[p];
    switch (tag) {
      case T_UNDEFINED:
        p++;
        return undefined;
      case T_NULL:
        p++;
        return null;
      case T_FALSE:
        p++;
        return false;
      case T_TRUE:
        p++;
        return true;
      case T_INT32: {
        const v = dv.getInt32(p + 1, true);
        p += 5;
        return v;
      }
      case T_FLOAT64: {
        const v = dv.getFloat64(p + 1, true);
        p += 9;
        return v;
      }
      case T_LATIN1:
        return readString(true);
      case T_UTF16:
        return readString(false);
      case T_BIGINT:
        return BigInt(readString(true));
      case T_ARRAY: {
        const n = dv.getUint32(p + 1, true);
        p += 5;
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = read();
        return a;
      }
      case T_OBJECT: {
        const n = dv.getUint32(p + 1, true);
        p += 5;
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = readKey();
          const value = read();
          // As structured cloning: '__proto__' is an own property, not the prototype.
          if (k === '__proto__') Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
          else o[k] = value;
        }
        return o;
      }
      default:
        throw new TypeError(`h5mpi: a message's value is corrupt (unknown tag ${tag} at byte ${p})`);
    }
}
