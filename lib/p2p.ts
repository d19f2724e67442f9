// Point-to-point: one MPI message per send (lib/message.ts says how values travel), blocking and
// non-blocking, and probes. Receives of typed arrays go straight into the caller's memory.
import { dtypeOfArray } from './dtype';
import { deserializeMessage, fillStatus, isObjectMessage, MPIBuffer, receiveBuffer, requireTyped, serializeMessage, Status, statusSlots } from './message';
import { PROC_NULL } from './mpistate';
import { native, type NativeComm } from './native';
import { MPIError } from './errors';
import { NativeRequest, Request, RequestRecord } from './request';
import { trackOpen } from './runtime';
import { checkInt, checkOptions } from './validate';
import { watching } from './watchdog';

// The receiving calls report their status into lib/message.ts's statusSlots.
declare module './native' {
  interface NativeComm {
    send(data: ArrayBufferView, dest: number, tag: number, object: boolean, synchronous: boolean): void;
    /** Undefined: the message is in lib/message.ts's receiveBuffer (statusSlots[2] bytes). */
    recv(source: number, tag: number): ArrayBuffer | undefined;
    recvInto(data: ArrayBufferView, source: number, tag: number): void;
    probe(source: number, tag: number): void;
    iprobe(source: number, tag: number): boolean;
    sendrecv(send: ArrayBufferView, dest: number, sendTag: number, recv: ArrayBufferView, source: number, recvTag: number): void;
    sendrecvReplace(data: ArrayBufferView, dest: number, sendTag: number, source: number, recvTag: number): void;
    isend(data: ArrayBufferView, dest: number, tag: number, object: boolean, synchronous: boolean): NativeRequest;
    irecv(source: number, tag: number, maxBytes: number): NativeRequest;
    irecvInto(data: ArrayBufferView, source: number, tag: number): NativeRequest;
  }
}

/** What the point-to-point calls need of a communicator (lib/comm.ts's Comm). */
export interface PeerComm {
  readonly name: string;
  readonly rank: number;
  _call<R>(method: string, f: (c: NativeComm) => R, watch?: () => string): R;
  _native(method: string): NativeComm;
  _failed(method: string, e: unknown): unknown;
  _destArg(v: unknown, where: string): number;
  _sourceArg(v: unknown, where: string): number;
  _tagArg(v: unknown, where: string, wildcard: boolean): number;
}

/**
 * A value as the binding sends it: a typed array as itself, anything else serialised (`own`: into bytes of
 * its own, for a send that outlives the call).
 */
function payload(value: unknown, where: string, own: boolean): [data: ArrayBufferView, object: boolean] {
  if (isTyped(value)) return [value, false];
  return [serializeMessage(value, where, own), true];
}

/** Whether a value goes as a typed-array message (as itself) rather than an object message. */
function isTyped(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value) && dtypeOfArray(value) !== undefined;
}

function peer(name: string, rank: number): string {
  return rank === PROC_NULL ? `${name} MPI.PROC_NULL` : rank === -1 ? `${name} MPI.ANY_SOURCE` : `${name} ${rank}`;
}

function watchLabel(dest: number | undefined, source: number | undefined, tag: number): string {
  const parts: string[] = [];
  if (dest !== undefined) parts.push(peer('dest', dest));
  if (source !== undefined) parts.push(peer('source', source));
  parts.push(tag === -1 ? 'tag MPI.ANY_TAG' : `tag ${tag}`);
  return parts.join(', ');
}

export function send(c: PeerComm, value: unknown, dest: number, tag: number, synchronous: boolean): void {
  const method = synchronous ? 'ssend' : 'send';
  const d = c._destArg(dest, method);
  const t = c._tagArg(tag, method, false);
  if (d === c.rank && !synchronous) {
    selfSend(c, method, value, d, t);
    return;
  }
  // As payload(), without a tuple per message.
  const typed = isTyped(value);
  const object = !typed;
  const data = typed ? value : serializeMessage(value, `${c.name}.${method}`, false);
  if (watching) {
    c._call(method, (n) => n.send(data, d, t, object, synchronous), () => watchLabel(d, undefined, t));
    return;
  }
  const n = c._native(method);
  try {
    n.send(data, d, t, object, synchronous);
  } catch (e) {
    throw c._failed(method, e);
  }
}

// Sends to this rank itself that are still on their way: their requests own copies of the data.
const selfSends: NativeRequest[] = [];
let selfSendsTracked = false;

/**
 * A blocking send to this rank itself. MPI lets MPI_Send wait until the receive is posted, which this
 * rank can only do once the send returns: MPICH does wait (forever, even for one element on a one-rank
 * communicator) where Open MPI buffers small messages. So it goes out as MPI_Isend of a copy, as a
 * buffered send would: the call returns at once on every MPI, and the copy lives until a receive takes
 * it (completed ones are let go at the next send to self; any left at exit are cancelled). `ssend` to
 * oneself stays MPI_Ssend: it completes against a receive posted before (irecv), and waits for ever, on
 * every MPI, without one (the watchdog names it).
 */
function selfSend(c: PeerComm, method: string, value: unknown, d: number, t: number): void {
  for (let i = selfSends.length - 1; i >= 0; i--) {
    let done = true;
    try {
      done = native.requestTest(selfSends[i]);
      if (done) native.requestWait(selfSends[i]); // takes its outcome, which frees its slot and its copy
    } catch {
      // A failed earlier send is not this one's failure; its slot is free all the same.
    }
    if (done) selfSends.splice(i, 1);
  }
  const [data, object] = isTyped(value) ? [copyOf(value), false] : payload(value, `${c.name}.${method}`, true);
  selfSends.push(c._call(method, (n) => n.isend(data, d, t, object, false)));
  if (!selfSendsTracked) {
    selfSendsTracked = true;
    trackOpen({ closeAtExit: cancelSelfSends });
  }
}

/** At exit: sends to oneself never received would keep MPI_Finalize waiting. */
function cancelSelfSends(): void {
  for (const r of selfSends.splice(0)) if (!native.requestCancel(r)) native.requestWait(r);
}

/** A copy of a typed array, of its own type. */
function copyOf(a: ArrayBufferView): ArrayBufferView {
  if (Buffer.isBuffer(a)) return Buffer.from(a);
  const bytes = new Uint8Array(a.byteLength);
  bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const Typed = a.constructor as new (buffer: ArrayBuffer) => ArrayBufferView;
  return new Typed(bytes.buffer);
}

/**
 * The value of a received message (its status in the slots; undefined `buffer`: it is in the receive
 * buffer): an object, or a raw message's bytes (a Buffer).
 */
function received(buffer: ArrayBuffer | undefined, status: Status | undefined): unknown {
  fillStatus(status);
  if (statusSlots[0] === PROC_NULL) return undefined;
  return deserializeMessage(buffer ?? receiveBuffer.subarray(0, statusSlots[2]));
}

export function recv(c: PeerComm, source: number, tag: number, status: Status | undefined): unknown {
  const s = c._sourceArg(source, 'recv');
  const t = c._tagArg(tag, 'recv', true);
  if (watching) return received(c._call('recv', (n) => n.recv(s, t), () => watchLabel(undefined, s, t)), status);
  const n = c._native('recv');
  let buffer: ArrayBuffer | undefined;
  try {
    buffer = n.recv(s, t);
  } catch (e) {
    throw c._failed('recv', e);
  }
  return received(buffer, status);
}

/**
 * Checks what a receive into `array` got (its status in the slots; `truncated`: longer than the array):
 * it fits, and it is not an object message. Returns the element count.
 */
function intoCount(c: PeerComm, method: string, array: MPIBuffer, flag: number): number {
  const bytes = statusSlots[2];
  if (flag === 0 && bytes % array.BYTES_PER_ELEMENT === 0) return bytes / array.BYTES_PER_ELEMENT;
  const where = `${c.name}.${method}`;
  const from = `the message from rank ${statusSlots[0]} (tag ${statusSlots[1]})`;
  if (flag === 2) throw new TypeError(`${where}: ${from} is a value sent as an object (not a typed array): receive it with recv()`);
  if (flag === 1) {
    throw new RangeError(
      `${where}: ${from} is longer than the ${array.constructor.name} of ${array.length} it was received into; ` +
        'it has been taken off the wire (whether the array now holds its start is up to the MPI library)',
    );
  }
  throw new RangeError(`${where}: ${from} is ${bytes} bytes, not a whole number of ${array.constructor.name} elements`);
}

export function recvInto<A extends MPIBuffer>(c: PeerComm, array: A, source: number, tag: number, status: Status | undefined): A {
  requireTyped(array, `${c.name}.recvInto`);
  const s = c._sourceArg(source, 'recvInto');
  const t = c._tagArg(tag, 'recvInto', true);
  if (watching) {
    c._call('recvInto', (n) => n.recvInto(array, s, t), () => watchLabel(undefined, s, t));
  } else {
    const n = c._native('recvInto');
    try {
      n.recvInto(array, s, t);
    } catch (e) {
      throw c._failed('recvInto', e);
    }
  }
  const count = intoCount(c, 'recvInto', array, statusSlots[3]);
  fillStatus(status, count);
  return array;
}

export function probe(c: PeerComm, source: number, tag: number, status: Status | undefined, blocking: boolean): Status | undefined {
  const method = blocking ? 'probe' : 'iprobe';
  const s = c._sourceArg(source, method);
  const t = c._tagArg(tag, method, true);
  if (blocking) c._call(method, (n) => n.probe(s, t), () => watchLabel(undefined, s, t));
  else if (!c._call(method, (n) => n.iprobe(s, t))) return undefined;
  const out = status ?? new Status();
  fillStatus(out);
  return out;
}

/** Sends `value` to `dest` and receives a value from `source`, without deadlock whatever the order of the ranks. */
export function sendrecv(c: PeerComm, value: unknown, dest: number, source: number, sendTag: number, recvTag: number, status: Status | undefined): unknown {
  const d = c._destArg(dest, 'sendrecv');
  const s = c._sourceArg(source, 'sendrecv');
  const st = c._tagArg(sendTag, 'sendrecv', false);
  const rt = c._tagArg(recvTag, 'sendrecv', true);
  const [data, object] = payload(value, `${c.name}.sendrecv`, true);
  // Sizes are unknown on the receiving side: the send goes out non-blocking while the receive probes.
  if (abandoned.length > 0) reapAbandoned();
  return c._call('sendrecv', (n) => {
    const out = n.isend(data, d, st, object, false);
    let buffer: ArrayBuffer | undefined;
    try {
      buffer = n.recv(s, rt);
    } catch (e) {
      // The send may still be pending (its peer never got to its receive): waiting here could hang, so
      // it is taken later, by a sendrecv that finds it done, and the receive's error is what is reported.
      abandoned.push(out);
      throw e;
    }
    try {
      return received(buffer, status);
    } finally {
      native.requestWait(out);
    }
  }, () => watchLabel(d, s, rt));
}

// Sends of sendrecv calls whose receive failed; their slots are released once they complete.
const abandoned: NativeRequest[] = [];

function reapAbandoned(): void {
  for (let i = abandoned.length - 1; i >= 0; i--) {
    const id = abandoned[i];
    let done = true;
    try {
      done = native.requestTest(id);
      if (done) native.requestWait(id);
    } catch {
      // Its failure belongs to the call that already failed.
    }
    if (done) abandoned.splice(i, 1);
  }
}

export function sendrecvInto<A extends MPIBuffer>(c: PeerComm, send: MPIBuffer, dest: number, array: A, source: number, sendTag: number, recvTag: number, status: Status | undefined): A {
  requireTyped(send, `${c.name}.sendrecvInto`);
  requireTyped(array, `${c.name}.sendrecvInto`);
  const d = c._destArg(dest, 'sendrecvInto');
  const s = c._sourceArg(source, 'sendrecvInto');
  const st = c._tagArg(sendTag, 'sendrecvInto', false);
  const rt = c._tagArg(recvTag, 'sendrecvInto', true);
  c._call('sendrecvInto', (n) => n.sendrecv(send, d, st, array, s, rt), () => watchLabel(d, s, rt));
  fillStatus(status, statusSlots[2] / array.BYTES_PER_ELEMENT);
  return array;
}

export function sendrecvReplace<A extends MPIBuffer>(c: PeerComm, array: A, dest: number, source: number, sendTag: number, recvTag: number, status: Status | undefined): A {
  requireTyped(array, `${c.name}.sendrecvReplace`);
  const d = c._destArg(dest, 'sendrecvReplace');
  const s = c._sourceArg(source, 'sendrecvReplace');
  const st = c._tagArg(sendTag, 'sendrecvReplace', false);
  const rt = c._tagArg(recvTag, 'sendrecvReplace', true);
  c._call('sendrecvReplace', (n) => n.sendrecvReplace(array, d, st, s, rt), () => watchLabel(d, s, rt));
  fillStatus(status, statusSlots[2] / array.BYTES_PER_ELEMENT);
  return array;
}

export function isend(c: PeerComm, value: unknown, dest: number, tag: number, synchronous: boolean): Request<void> {
  const method = synchronous ? 'issend' : 'isend';
  const d = c._destArg(dest, method);
  const t = c._tagArg(tag, method, false);
  const [data, object] = payload(value, `${c.name}.${method}`, true);
  const r = c._call(method, (n) => n.isend(data, d, t, object, synchronous));
  return Request._wrap(r, () => `${c.name}.${method}(${watchLabel(d, undefined, t)})`, () => undefined);
}

/** What `irecv` takes. */
export interface IrecvOptions {
  /** The largest message it can receive, in bytes (default 64 KiB, as mpi4py's irecv has 32 KiB). */
  maxBytes?: number;
}

/** irecv's default buffer: a receive is posted with its buffer, before the message's size is known. */
export const IRECV_MAX_BYTES = 64 * 1024;

export function irecv<T>(c: PeerComm, source: number, tag: number, options: IrecvOptions | undefined): Request<T> {
  const where = `${c.name}.irecv`;
  const { maxBytes = IRECV_MAX_BYTES } = checkOptions<IrecvOptions>(options, ['maxBytes'], where, '{ maxBytes: 1 << 20 }');
  checkInt(maxBytes, 'maxBytes', 0, Number.MAX_SAFE_INTEGER, where);
  const s = c._sourceArg(source, 'irecv');
  const t = c._tagArg(tag, 'irecv', true);
  const r = c._call('irecv', (n) => n.irecv(s, t, maxBytes));
  const label = (): string => `${where}(${watchLabel(undefined, s, t)})`;
  return Request._wrap(
    r,
    label,
    (record: RequestRecord) => {
      const value = record.result!;
      // The message from MPI.PROC_NULL carries nothing: as recv, undefined.
      return (record.source === PROC_NULL ? undefined : deserializeMessage(new Uint8Array(value, 0, record.bytes))) as T;
    },
    (e) =>
      e instanceof MPIError && e.code === 'MPI_ERR_TRUNCATE'
        ? new RangeError(`${label()}: the message is longer than the ${maxBytes} bytes this receive was posted with; pass { maxBytes } large enough, or receive it with recv()`)
        : e,
  );
}

export function irecvInto<A extends MPIBuffer>(c: PeerComm, array: A, source: number, tag: number): Request<A> {
  requireTyped(array, `${c.name}.irecvInto`);
  const s = c._sourceArg(source, 'irecvInto');
  const t = c._tagArg(tag, 'irecvInto', true);
  const r = c._call('irecvInto', (n) => n.irecvInto(array, s, t));
  return Request._wrap(r, () => `${c.name}.irecvInto(${watchLabel(undefined, s, t)})`, (record) => {
    const object = record.bytes >= 8 && array.byteLength >= 8 && isObjectMessage(new Uint8Array(array.buffer, array.byteOffset, 8));
    intoCount(c, 'irecvInto', array, object ? 2 : 0);
    return array;
  }, undefined, array.BYTES_PER_ELEMENT);
}
