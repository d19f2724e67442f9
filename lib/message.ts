// How values travel in messages: typed arrays as themselves, anything else as a structured clone (v8's
// serializer), with a kind code saying which; and the Status of a received message.
import * as v8 from 'node:v8';
import { ARRAY_TYPES, dtypeOfArray, dtypeOfCode, DTYPE_CODES, NumericArray, NumericDType } from './dtype';
import * as codec from './codec';
import { native } from './native';
import { describeValue } from './validate';

// Message kinds: dtype codes for typed arrays, and these for the rest.
export const KIND_OBJECT = -1;
// A rank that could not serialise its value sends this kind with the error's text, so that the other
// ranks of a collective throw too instead of waiting for a value that never comes.
export const KIND_FAILED = -2;
const KIND_CLAMPED = 11;
const KIND_BUFFER = 12;

export interface Encoded {
  kind: number;
  view: ArrayBufferView;
  /** Set when the value could not be serialised: the error to throw once the collective is done. */
  error?: Error;
}

export function encode(value: unknown, where: string): Encoded {
  if (ArrayBuffer.isView(value)) {
    const dt = dtypeOfArray(value);
    if (dt !== undefined) {
      const kind = Buffer.isBuffer(value)
        ? KIND_BUFFER
        : value instanceof Uint8ClampedArray
          ? KIND_CLAMPED
          : DTYPE_CODES[dt];
      return { kind, view: value };
    }
  }
  try {
    return { kind: KIND_OBJECT, view: v8.serialize(value) };
  } catch (e) {
    const error = new TypeError(`${where}: the value cannot be sent: ${(e as Error).message}`);
    return { kind: KIND_FAILED, view: Buffer.from(error.message), error };
  }
}

export function decode(kind: number, buffer: ArrayBuffer, offset = 0, length = buffer.byteLength - offset): unknown {
  if (kind === KIND_OBJECT) return v8.deserialize(Buffer.from(buffer, offset, length));
  if (kind === KIND_BUFFER) return Buffer.from(buffer, offset, length);
  if (kind === KIND_CLAMPED) return new Uint8ClampedArray(buffer, offset, length);
  const ctor = ARRAY_TYPES[dtypeOfCode(kind) as NumericDType];
  return new ctor(buffer, offset, length / ctor.BYTES_PER_ELEMENT);
}

/** Where a received message came from; pass one to `recv`/`recvInto` to have it filled. */
export class Status {
  /** The sender's rank (MPI.PROC_NULL for a receive from it). */
  source = -1;
  /** The message's tag. */
  tag = -1;
  /** Elements received into a typed array; bytes for an object, a raw message and a probe. */
  count = 0;
  /** The message's size in bytes. */
  bytes = 0;
  /** Whether the operation was cancelled (Request.cancel). */
  cancelled = false;
}

/**
 * Where the binding reports the status of a point-to-point call or a completed request: source, tag,
 * bytes, flag (a receive longer than its array; a cancelled request). Read right after the call.
 */
export const statusSlots = new Float64Array(4);
/** Where a blocking receive puts a message of up to its size: decoded at once, before the next receive. */
export const receiveBuffer = new Uint8Array(64 * 1024);
native.setStatusArray(statusSlots, receiveBuffer);

/** Fills `status` from the slots (`count`: elements, when not the bytes). */
export function fillStatus(status: Status | undefined, count = statusSlots[2], cancelled = false): void {
  if (!status) return;
  status.source = statusSlots[0];
  status.tag = statusSlots[1];
  status.count = count;
  status.bytes = statusSlots[2];
  status.cancelled = cancelled;
}

// Point-to-point messages are one MPI message each: a typed array as itself (a plain message of its
// datatype, as C or mpi4py would send it), any other value serialised behind these first bytes, which is
// how a receive tells the two apart.
// After the mark, one byte says how the value is encoded: lib/codec.ts's compact encoding for the common
// shapes, or V8's serializer for everything else.
const OBJECT_MAGIC = Buffer.from([0x89, 0x48, 0x35, 0x4d, 0x50, 0x49, 0x0d, 0x0a]); // "\x89H5MPI\r\n"
const CODEC_COMPACT = 1;
const CODEC_V8 = 0;
const COMPACT_HEADER = Buffer.concat([OBJECT_MAGIC, Buffer.of(CODEC_COMPACT)]);
const V8_HEADER = Buffer.concat([OBJECT_MAGIC, Buffer.of(CODEC_V8)]);

/**
 * A value as an object message. Throws a TypeError (naming `where`) for what cannot be cloned. Unless
 * `own`, the bytes may be a view on a buffer the next message reuses: fine for a blocking send, which is
 * done with them when it returns; a non-blocking send asks for bytes of its own.
 */
export function serializeMessage(value: unknown, where: string, own = false): Uint8Array {
  const compact = codec.encode(value, COMPACT_HEADER);
  if (compact !== undefined) return own ? compact.slice() : compact;
  const s = new v8.DefaultSerializer();
  s.writeRawBytes(V8_HEADER);
  s.writeHeader();
  try {
    s.writeValue(value);
  } catch (e) {
    throw new TypeError(`${where}: the value cannot be sent: ${(e as Error).message}`);
  }
  return s.releaseBuffer();
}

/** Whether received bytes are an object message. */
export function isObjectMessage(bytes: Uint8Array): boolean {
  if (bytes.length < OBJECT_MAGIC.length) return false;
  for (let i = 0; i < OBJECT_MAGIC.length; i++) if (bytes[i] !== OBJECT_MAGIC[i]) return false;
  return true;
}

/**
 * What a received message holds: the value of an object message, or a raw message's bytes as a Buffer (of
 * its own: `bytes` may be the shared receive buffer).
 */
export function deserializeMessage(message: ArrayBuffer | Uint8Array): unknown {
  const bytes = message instanceof Uint8Array ? message : new Uint8Array(message);
  if (!isObjectMessage(bytes)) return Buffer.from(bytes);
  if (bytes[OBJECT_MAGIC.length] === CODEC_COMPACT) return codec.decode(bytes, COMPACT_HEADER.length);
  // V8's deserializer makes typed arrays as views on its input: give it bytes of their own, not the shared
  // receive buffer the next message overwrites.
  const own = message instanceof Uint8Array ? Buffer.from(bytes) : Buffer.from(message);
  const d = new v8.DefaultDeserializer(own);
  d.readRawBytes(V8_HEADER.length);
  d.readHeader();
  return d.readValue();
}

/** A typed array that MPI moves in place (`bcastInto`, `recvInto`): any numeric typed array, a Buffer, a Uint8ClampedArray. */
export type MPIBuffer = NumericArray | Uint8ClampedArray;

export function requireTyped(a: unknown, where: string): void {
  if (!ArrayBuffer.isView(a) || dtypeOfArray(a) === undefined) {
    throw new TypeError(`${where}: expected a typed array, got ${describeValue(a)}`);
  }
}

