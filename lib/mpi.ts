// MPI for Node, after mpi4py: any JS value travels as an object (structured clone), typed arrays travel
// through MPI's buffer path with their own datatype, and reductions work element-wise.
import * as v8 from 'node:v8';
import { ARRAY_TYPES, dtypeOfArray, dtypeOfCode, DTYPE_CODES, NumericArray, NumericDType } from './dtype';
import { MPIError, PeerFailedError } from './errors';
import { native, NativeComm } from './native';
import { ensureExitHook } from './runtime';
import { checkInt, checkInt64, describeValue } from './validate';
import { startWatchdog, watched, watching } from './watchdog';

export type ReduceOp = 'sum' | 'prod' | 'min' | 'max' | 'land' | 'lor' | 'band' | 'bor';
const OP_CODES: Record<ReduceOp, number> = { sum: 0, prod: 1, min: 2, max: 3, land: 4, lor: 5, band: 6, bor: 7 };

/** Anything `reduce`/`allreduce` combine: a number, bigint, boolean, or a typed array element-wise. */
export type Reducible = number | bigint | boolean | NumericArray;

// Message kinds: dtype codes for typed arrays, and these for the rest.
const KIND_OBJECT = -1;
// A rank that could not serialise its value sends this kind with the error's text, so that the other
// ranks of a collective throw too instead of waiting for a value that never comes.
const KIND_FAILED = -2;
const KIND_CLAMPED = 11;
const KIND_BUFFER = 12;

interface Encoded {
  kind: number;
  view: ArrayBufferView;
  /** Set when the value could not be serialised: the error to throw once the collective is done. */
  error?: Error;
}

function encode(value: unknown, where: string): Encoded {
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

function decode(kind: number, buffer: ArrayBuffer, offset = 0, length = buffer.byteLength - offset): unknown {
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

// The Comm methods that every rank must call (what the hang watchdog watches).
const COLLECTIVE_METHODS = new Set(['barrier', 'bcast', 'bcastInto', 'gather', 'allgather', 'reduce', 'allreduce', 'split', 'dup', 'free']);

/**
 * An MPI communicator, after mpi4py's lower-case methods. Every collective method (barrier, bcast, gather,
 * allgather, reduce, allreduce, split, dup, free) must be called by every rank of the communicator.
 * Arguments are checked before anything is sent, so a wrong call throws on the rank that made it.
 */
export class Comm {
  /** @internal */
  readonly native: NativeComm;
  /** This process's rank in the communicator, 0 to size - 1. */
  readonly rank: number;
  /** How many processes the communicator has. */
  readonly size: number;
  /** How errors name this communicator, e.g. "MPI.COMM_WORLD" or "Comm(dup of MPI.COMM_WORLD)". */
  readonly name: string;
  private readonly owned: boolean;

  private constructor(nativeComm: NativeComm, name: string, owned: boolean) {
    this.native = nativeComm;
    this.rank = nativeComm.rank();
    this.size = nativeComm.size();
    this.name = name;
    this.owned = owned;
  }

  /** @internal A Comm over a native communicator (`owned`: made by split/dup, so free() may free it). */
  static _wrap(nativeComm: NativeComm, name: string, owned: boolean): Comm {
    return new Comm(nativeComm, name, owned);
  }

  /** True once `free()` has been called. */
  get freed(): boolean {
    return this.native.isFreed();
  }

  // Runs one native call; MPI's errors come back naming this communicator and the call.
  private call<R>(method: string, f: (c: NativeComm) => R): R {
    const where = `${this.name}.${method}`;
    if (this.native.isFreed()) throw new MPIError(`${where}: the communicator has been freed`, limits().errComm);
    // With H5MPI_HANG_TIMEOUT set, collectives are marked for the hang watchdog (lib/watchdog.ts).
    if (watching && COLLECTIVE_METHODS.has(method)) return watched(`${where}()`, () => this.invoke(where, f));
    return this.invoke(where, f);
  }
  private invoke<R>(where: string, f: (c: NativeComm) => R): R {
    try {
      return f(this.native);
    } catch (e) {
      if (e instanceof MPIError) throw new MPIError(`${where}: ${e.message}`, e.errorClass);
      if (e instanceof RangeError) throw new RangeError(`${where}: ${e.message}`);
      throw e;
    }
  }
  private rankArg(name: string, v: unknown, where: string): number {
    return checkInt(v, name, 0, this.size - 1, `${this.name}.${where}`);
  }
  private sourceArg(v: unknown, where: string): number {
    return v === MPI.ANY_SOURCE ? -1 : checkInt(v, 'source', 0, this.size - 1, `${this.name}.${where}`, 'MPI.ANY_SOURCE');
  }
  private tagArg(v: unknown, where: string, wildcard: boolean): number {
    if (wildcard && v === MPI.ANY_TAG) return -1;
    return checkInt(v, 'tag', 0, limits().tagUpperBound, `${this.name}.${where}`, wildcard ? 'MPI.ANY_TAG' : undefined);
  }

  /** Waits until every rank has called it. */
  barrier(): void {
    this.call('barrier', (c) => c.barrier());
  }

  /**
   * Broadcasts `value` from `root` and returns it on every rank (the root gets its own value back; the
   * value the other ranks pass is ignored). Typed arrays and Buffers arrive as the same type; anything
   * else travels as a structured clone (objects, Map, Set, Date, bigint, nested typed arrays...).
   */
  bcast<T>(value: T, root = 0): T {
    this.rankArg('root', root, 'bcast');
    if (this.rank === root) {
      const { kind, view, error } = encode(value, `${this.name}.bcast`);
      this.call('bcast', (c) => c.bcast(kind, view, root));
      if (error) throw error;
      return value;
    }
    const [kind, buffer] = this.call('bcast', (c) => c.bcast(0, undefined, root))!;
    if (kind === KIND_FAILED) throw this.peersFailed('bcast', [root], [Buffer.from(buffer).toString()]);
    return decode(kind, buffer) as T;
  }

  /** Broadcasts the root's typed array into `array` on every rank, in place; all pass the same type and length. */
  bcastInto<A extends MPIBuffer>(array: A, root = 0): A {
    requireTyped(array, `${this.name}.bcastInto`);
    this.rankArg('root', root, 'bcastInto');
    this.call('bcastInto', (c) => c.bcastInto(array, root));
    return array;
  }

  /** Gathers every rank's value to `root`: an array indexed by rank there, undefined elsewhere. */
  gather<T>(value: T, root = 0): T[] | undefined {
    this.rankArg('root', root, 'gather');
    const { kind, view, error } = encode(value, `${this.name}.gather`);
    const out = this.call('gather', (c) => c.gather(kind, view, root));
    if (error) throw error;
    return out && this.unpackGathered<T>(out, 'gather');
  }

  /** Gathers every rank's value to every rank, indexed by rank. */
  allgather<T>(value: T): T[] {
    const { kind, view, error } = encode(value, `${this.name}.allgather`);
    const out = this.call('allgather', (c) => c.allgather(kind, view));
    if (error) throw error;
    return this.unpackGathered<T>(out, 'allgather');
  }

  private unpackGathered<T>([kinds, buffer, offsets, lengths]: [number[], ArrayBuffer, number[], number[]], method: string): T[] {
    const failed = kinds.flatMap((k, i) => (k === KIND_FAILED ? [i] : []));
    if (failed.length > 0) {
      throw this.peersFailed(method, failed, failed.map((i) => Buffer.from(buffer, offsets[i], lengths[i]).toString()));
    }
    return kinds.map((k, i) => decode(k, buffer, offsets[i], lengths[i]) as T);
  }

  // Thrown on the ranks whose value arrived, when another rank could not send its value.
  private peersFailed(method: string, ranks: number[], messages: string[]): PeerFailedError {
    const who = ranks.length === 1 ? `rank ${ranks[0]}` : `ranks ${ranks.join(', ')}`;
    return new PeerFailedError(`${this.name}.${method}: ${who} could not send a value (${messages.join('; ')})`, ranks, messages);
  }

  /**
   * Combines every rank's value with `op`: the result on `root`, undefined elsewhere. Numbers reduce as
   * float64, bigints as int64, booleans as logical values (sum/prod count them), typed arrays element-wise
   * in their own type (all ranks pass the same type and length).
   */
  reduce<T extends Reducible, O extends ReduceOp>(value: T, op: O, root = 0): Reduced<T, O> | undefined {
    const where = `${this.name}.reduce`;
    const { array, unpack } = reducible(value, op, where);
    this.rankArg('root', root, 'reduce');
    const out = this.call('reduce', (c) => c.reduce(array, OP_CODES[op], root));
    return out === undefined ? undefined : (unpack(out) as Reduced<T, O>);
  }

  /** Combines every rank's value with `op`, as `reduce` does, and returns the result on every rank. */
  allreduce<T extends Reducible, O extends ReduceOp>(value: T, op: O): Reduced<T, O> {
    const { array, unpack } = reducible(value, op, `${this.name}.allreduce`);
    return unpack(this.call('allreduce', (c) => c.allreduce(array, OP_CODES[op]))) as Reduced<T, O>;
  }

  /**
   * Sends `value` to rank `dest` with `tag` (0 to MPI.TAG_UB). Blocking, like MPI_Send: it returns once
   * the value's memory may be reused, which for a large message can mean once the receiver has it.
   */
  send(value: unknown, dest: number, tag = 0): void {
    this.rankArg('dest', dest, 'send');
    this.tagArg(tag, 'send', false);
    const { kind, view, error } = encode(value, `${this.name}.send`);
    if (error) throw error;
    this.call('send', (c) => c.send(kind, view, dest, tag));
  }

  /** Receives a value sent with `send` from `source` (or MPI.ANY_SOURCE) with `tag` (or MPI.ANY_TAG). */
  recv<T = unknown>(source: number, tag = 0, status?: Status): T {
    const src = this.sourceArg(source, 'recv');
    const t = this.tagArg(tag, 'recv', true);
    const m = this.call('recv', (c) => c.recv(src, t));
    const value = decode(m.kind, m.buffer) as T;
    if (status) {
      status.source = m.source;
      status.tag = m.tag;
      status.count = m.kind === KIND_OBJECT ? m.buffer.byteLength : (value as unknown as MPIBuffer).length;
    }
    return value;
  }

  /**
   * Receives a typed array sent with `send` into `array`, in place: the message must have the same element
   * type (a Buffer and a Uint8Array match) and at most `array.length` elements; `status.count` says how
   * many came. A message that does not fit is consumed and a RangeError thrown, so the next recv gets the
   * next message.
   */
  recvInto<A extends MPIBuffer>(array: A, source: number, tag = 0, status?: Status): A {
    const where = `${this.name}.recvInto`;
    requireTyped(array, where);
    const src = this.sourceArg(source, 'recvInto');
    const t = this.tagArg(tag, 'recvInto', true);
    const m = this.call('recvInto', (c) => c.recvInto(array, src, t));
    if (m.length < 0) {
      throw new RangeError(
        `${where}: the message from rank ${m.source} (tag ${m.tag}) is ${m.bytes} bytes of ` +
          `${kindName(m.kind)}, which does not fit a ${array.constructor.name} of ${array.length}`,
      );
    }
    if (status) Object.assign(status, { source: m.source, tag: m.tag, count: m.length });
    return array;
  }

  /**
   * Splits into sub-communicators, one per `color` (a non-negative integer), ranked by `key` then by rank
   * here. A rank passing `null` joins none and gets null.
   */
  split(color: number | null, key: number = this.rank): Comm | null {
    const where = `${this.name}.split`;
    if (color !== null) checkInt(color, 'color', 0, 2 ** 31 - 1, where, 'null');
    checkInt(key, 'key', -(2 ** 31), 2 ** 31 - 1, where);
    const out = this.call('split', (c) => c.split(color, key));
    return out && new Comm(out, `Comm(split of ${this.name}, color ${color})`, true);
  }

  /** A new communicator with the same ranks, whose messages never mix with this one's. */
  dup(): Comm {
    return new Comm(this.call('dup', (c) => c.dup()), `Comm(dup of ${this.name})`, true);
  }

  /** Frees a communicator made by split/dup; every later call on it throws an MPIError. */
  free(): void {
    if (!this.owned) throw new TypeError(`${this.name}.free: only communicators made by split() or dup() can be freed`);
    this.call('free', (c) => c.free());
  }

  /** Ends every process of the job (MPI_Abort) with exit status `code`. */
  abort(code = 1): never {
    checkInt(code, 'code', 0, 255, `${this.name}.abort`);
    this.native.abort(code);
    process.exit(code);
  }
}

function requireTyped(a: unknown, where: string): void {
  if (!ArrayBuffer.isView(a) || dtypeOfArray(a) === undefined) {
    throw new TypeError(`${where}: expected a typed array, got ${describeValue(a)}`);
  }
}

function kindName(kind: number): string {
  if (kind === KIND_OBJECT) return 'a serialised object';
  if (kind === KIND_BUFFER) return 'a Buffer';
  if (kind === KIND_CLAMPED) return 'a Uint8ClampedArray';
  return dtypeOfCode(kind);
}

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
function truthValues<A extends NumericArray>(a: A): A {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) {
    for (let i = 0; i < a.length; i++) a[i] = a[i] ? 1n : 0n;
  } else {
    const numbers = a;
    for (let i = 0; i < numbers.length; i++) numbers[i] = numbers[i] ? 1 : 0;
  }
  return a;
}

function reducible(value: Reducible, op: ReduceOp, where: string): { array: NumericArray; unpack: (b: ArrayBuffer) => unknown } {
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

let world: Comm | undefined;
let self: Comm | undefined;
let limitsOf: { tagUpperBound: number; errComm: number; threadLevel: ThreadLevel } | undefined;
let failFast = process.env.H5MPI_FAIL_FAST !== '0';
let failFastInstalled = false;

/** MPI's thread support level (MPI_Query_thread): h5mpi asks for 'funneled'. */
export type ThreadLevel = 'single' | 'funneled' | 'serialized' | 'multiple';

function start(): void {
  if (world) return;
  const init = native.mpiInit();
  limitsOf = { tagUpperBound: init.tagUpperBound, errComm: init.errComm, threadLevel: init.threadLevel };
  world = Comm._wrap(init.world, 'MPI.COMM_WORLD', false);
  self = Comm._wrap(init.self, 'MPI.COMM_SELF', false);
  ensureExitHook();
  syncFailFast();
  startWatchdog(world.rank, world.size);
}

function limits(): NonNullable<typeof limitsOf> {
  start();
  return limitsOf!;
}

// In a multi-rank job an uncaught error on one rank would leave the others waiting in their next
// collective forever; abort the whole job instead, as `python -m mpi4py` does. With fail-fast off (or in a
// one-rank job) the handlers are not there and Node does what it always does.
function onUncaughtException(err: unknown): void {
  abortJob('uncaught exception', err);
}
function onUnhandledRejection(err: unknown): void {
  abortJob('unhandled rejection', err);
}
function abortJob(kind: string, err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(
    `[h5mpi] rank ${world!.rank} of ${world!.size}: ${kind}: ${text}\n` +
      `[h5mpi] rank ${world!.rank}: aborting the job (MPI_Abort) so that the other ranks do not wait forever; ` +
      `set H5MPI_FAIL_FAST=0 or MPI.failFast = false to turn this off\n`,
  );
  world!.native.abort(1);
  process.exit(1);
}

function syncFailFast(): void {
  const want = failFast && world !== undefined && world.size > 1;
  if (want === failFastInstalled) return;
  failFastInstalled = want;
  if (want) {
    process.on('uncaughtException', onUncaughtException);
    process.on('unhandledRejection', onUnhandledRejection);
  } else {
    process.off('uncaughtException', onUncaughtException);
    process.off('unhandledRejection', onUnhandledRejection);
  }
}

/** True when this process was started by an MPI launcher (mpiexec, srun with PMI). */
function launchedByMPI(): boolean {
  const e = process.env;
  return !!(e.OMPI_COMM_WORLD_SIZE || e.PMI_SIZE || e.PMI_RANK || e.PMIX_RANK || e.MPI_LOCALNRANKS);
}

/**
 * The MPI entry point: communicators, wildcards, clock, and job-level calls. MPI starts (MPI_Init_thread,
 * 'funneled') on first use of anything here but `version()`, `failFast` and `initialized`, and is
 * finalised when the process exits normally, after every open file is closed.
 */
export const MPI = {
  /** Pass as `source` to `recv`/`recvInto` to take a message from any rank. */
  get ANY_SOURCE(): -1 {
    return -1;
  },
  /** Pass as `tag` to `recv`/`recvInto` to take a message with any tag. */
  get ANY_TAG(): -1 {
    return -1;
  },
  /** The largest tag `send` accepts (MPI_TAG_UB). */
  get TAG_UB(): number {
    return limits().tagUpperBound;
  },

  /** Every process of the job. */
  get COMM_WORLD(): Comm {
    start();
    return world!;
  },
  /** This process alone. */
  get COMM_SELF(): Comm {
    start();
    return self!;
  },
  /** Seconds since an arbitrary time in the past (MPI_Wtime). */
  Wtime(): number {
    start();
    return native.wtime();
  },
  /** This node's name (MPI_Get_processor_name). */
  processorName(): string {
    start();
    return native.processorName();
  },
  /** The thread support MPI_Init_thread granted. */
  get threadLevel(): ThreadLevel {
    return limits().threadLevel;
  },
  /** Ends the whole job with exit status `code` (MPI_Abort on COMM_WORLD). */
  abort(code = 1): never {
    return MPI.COMM_WORLD.abort(code);
  },
  /** The MPI library's version string, e.g. "Open MPI v4.1.4, ...". */
  version(): string {
    return native.mpiVersion().library;
  },
  /** The MPI standard the library implements, e.g. "3.1". */
  standardVersion(): string {
    return native.mpiVersion().standard;
  },
  /**
   * Whether an uncaught exception or unhandled rejection on any rank aborts the whole job (default true;
   * H5MPI_FAIL_FAST=0 sets it false).
   */
  get failFast(): boolean {
    return failFast;
  },
  set failFast(on: boolean) {
    failFast = !!on;
    syncFailFast();
  },
  /** True once MPI has been started in this process. */
  get initialized(): boolean {
    return world !== undefined;
  },
  /** @internal The size of the job this process belongs to, without starting MPI for a plain `node` run. */
  jobSize(): number {
    if (world) return world.size;
    if (!launchedByMPI()) return 1;
    start();
    return world!.size;
  },
};
