// How values travel in messages: typed arrays as themselves, anything else as a structured clone (v8's
// serializer), with a kind code saying which; and the Status of a received message.
import * as v8 from 'node:v8';
import { ARRAY_TYPES, dtypeOfArray, dtypeOfCode, DTYPE_CODES, NumericArray, NumericDType } from './dtype';
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
  /** The sender's rank. */
  source = -1;
  /** The message's tag. */
  tag = -1;
  /** Elements received (bytes for a value sent as an object). */
  count = 0;
}

/** A typed array that MPI moves in place (`bcastInto`, `recvInto`): any numeric typed array, a Buffer, a Uint8ClampedArray. */
export type MPIBuffer = NumericArray | Uint8ClampedArray;

export function requireTyped(a: unknown, where: string): void {
  if (!ArrayBuffer.isView(a) || dtypeOfArray(a) === undefined) {
    throw new TypeError(`${where}: expected a typed array, got ${describeValue(a)}`);
  }
}

export function kindName(kind: number): string {
  if (kind === KIND_OBJECT) return 'a serialised object';
  if (kind === KIND_BUFFER) return 'a Buffer';
  if (kind === KIND_CLAMPED) return 'a Uint8ClampedArray';
  return dtypeOfCode(kind);
}

