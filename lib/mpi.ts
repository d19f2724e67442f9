// MPI for Node, after mpi4py: any JS value travels as an object (structured clone), typed arrays travel
// through MPI's buffer path with their own datatype, and reductions work element-wise.
import * as v8 from 'node:v8';
import { ARRAY_TYPES, dtypeOfArray, dtypeOfCode, DTYPE_CODES, NumericArray, NumericDType } from './dtype';
import { native, NativeComm } from './native';
import { ensureExitHook } from './runtime';

export type ReduceOp = 'sum' | 'prod' | 'min' | 'max' | 'land' | 'lor' | 'band' | 'bor';
const OP_CODES: Record<ReduceOp, number> = { sum: 0, prod: 1, min: 2, max: 3, land: 4, lor: 5, band: 6, bor: 7 };

/** Anything `reduce`/`allreduce` combine: a number, bigint, boolean, or a typed array element-wise. */
export type Reducible = number | bigint | boolean | NumericArray;

// Message kinds: dtype codes for typed arrays, and these for the rest.
const KIND_OBJECT = -1;
const KIND_CLAMPED = 11;
const KIND_BUFFER = 12;

interface Encoded {
  kind: number;
  view: ArrayBufferView;
}

function encode(value: unknown): Encoded {
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
  return { kind: KIND_OBJECT, view: v8.serialize(value) };
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
  source = -1;
  tag = -1;
  /** Elements received (bytes for objects). */
  count = 0;
}

function checkInt(name: string, v: unknown, min: number, max: number, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${where}: ${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** An MPI communicator. Every method named after an MPI collective must be called on every rank. */
export class Comm {
  /** @internal */
  readonly native: NativeComm;
  readonly rank: number;
  readonly size: number;
  readonly name: string;

  /** @internal */
  constructor(nativeComm: NativeComm, name: string) {
    this.native = nativeComm;
    this.rank = nativeComm.rank();
    this.size = nativeComm.size();
    this.name = name;
  }

  private check(): NativeComm {
    if (this.native.isFreed()) throw new Error(`${this.name}: the communicator has been freed`);
    return this.native;
  }
  private rankArg(name: string, v: unknown, where: string): number {
    return checkInt(name, v, 0, this.size - 1, `${this.name}.${where}`);
  }
  private tagArg(v: unknown, where: string, wildcard: boolean): number {
    if (wildcard && v === MPI.ANY_TAG) return -1;
    return checkInt('tag', v, 0, 2 ** 31 - 1, `${this.name}.${where}`);
  }

  barrier(): void {
    this.check().barrier();
  }

  /** Broadcasts `value` from `root`; returns it on every rank (the root gets its own value back). */
  bcast<T>(value: T, root = 0): T {
    const c = this.check();
    this.rankArg('root', root, 'bcast');
    if (this.rank === root) {
      const { kind, view } = encode(value);
      c.bcast(kind, view, root);
      return value;
    }
    const [kind, buffer] = c.bcast(0, undefined, root)!;
    return decode(kind, buffer) as T;
  }

  /** Broadcasts the root's typed array into the same-sized typed array every rank passes, in place. */
  bcastInto<A extends NumericArray>(array: A, root = 0): A {
    this.rankArg('root', root, 'bcastInto');
    requireTyped(array, `${this.name}.bcastInto`);
    this.check().bcastInto(array, root);
    return array;
  }

  /** Gathers every rank's value to `root`: an array indexed by rank there, undefined elsewhere. */
  gather<T>(value: T, root = 0): T[] | undefined {
    const c = this.check();
    this.rankArg('root', root, 'gather');
    const { kind, view } = encode(value);
    const out = c.gather(kind, view, root);
    return out && unpackGathered<T>(out);
  }

  /** Gathers every rank's value to every rank, indexed by rank. */
  allgather<T>(value: T): T[] {
    const { kind, view } = encode(value);
    return unpackGathered<T>(this.check().allgather(kind, view));
  }

  /** Combines every rank's value with `op` (element-wise for typed arrays): the result on root, undefined elsewhere. */
  reduce<T extends Reducible>(value: T, op: ReduceOp, root = 0): T | undefined {
    this.rankArg('root', root, 'reduce');
    const { array, unpack } = reducible(value, op, `${this.name}.reduce`);
    const out = this.check().reduce(array, OP_CODES[op], root);
    return out === undefined ? undefined : (unpack(out) as T);
  }

  /** Combines every rank's value with `op` (element-wise for typed arrays); the result on every rank. */
  allreduce<T extends Reducible>(value: T, op: ReduceOp): T {
    const { array, unpack } = reducible(value, op, `${this.name}.allreduce`);
    return unpack(this.check().allreduce(array, OP_CODES[op])) as T;
  }

  /** Sends `value` to rank `dest` (blocking, like MPI_Send). */
  send(value: unknown, dest: number, tag = 0): void {
    this.rankArg('dest', dest, 'send');
    this.tagArg(tag, 'send', false);
    const { kind, view } = encode(value);
    this.check().send(kind, view, dest, tag);
  }

  /** Receives a value sent with `send` from `source` (or MPI.ANY_SOURCE) with `tag` (or MPI.ANY_TAG). */
  recv<T = unknown>(source: number, tag = 0, status?: Status): T {
    const src = source === MPI.ANY_SOURCE ? -1 : this.rankArg('source', source, 'recv');
    const m = this.check().recv(src, this.tagArg(tag, 'recv', true));
    const value = decode(m.kind, m.buffer) as T;
    if (status) {
      status.source = m.source;
      status.tag = m.tag;
      status.count = m.kind === KIND_OBJECT ? m.buffer.byteLength : (value as ArrayBufferView & { length: number }).length;
    }
    return value;
  }

  /** Receives a typed array sent with `send` into `array` (same element type, at least as long), in place. */
  recvInto<A extends NumericArray>(array: A, source: number, tag = 0, status?: Status): A {
    requireTyped(array, `${this.name}.recvInto`);
    const src = source === MPI.ANY_SOURCE ? -1 : this.rankArg('source', source, 'recvInto');
    const { kind } = encode(array);
    const m = this.check().recvInto(array, kind, src, this.tagArg(tag, 'recvInto', true));
    if (m.length < 0) {
      throw new RangeError(
        `${this.name}.recvInto: the message from rank ${m.source} (tag ${m.tag}) is ${m.bytes} bytes of ` +
          `${kindName(m.kind)}, which does not fit a ${array.constructor.name} of ${array.length}`,
      );
    }
    if (status) Object.assign(status, { source: m.source, tag: m.tag, count: m.length });
    return array;
  }

  /** Splits into sub-communicators by `color` (null: this rank joins none and gets null), ordered by `key`. */
  split(color: number | null, key = this.rank): Comm | null {
    if (color !== null) checkInt('color', color, 0, 2 ** 31 - 1, `${this.name}.split`);
    const out = this.check().split(color, key);
    return out && new Comm(out, `Comm(split of ${this.name}, color ${color})`);
  }

  dup(): Comm {
    return new Comm(this.check().dup(), `Comm(dup of ${this.name})`);
  }

  /** Frees a communicator made by split/dup (collective). */
  free(): void {
    this.check().free();
  }

  /** Ends every process of this communicator's job (MPI_Abort). */
  abort(code = 1): never {
    this.native.abort(code);
    process.exit(code);
  }
}

function requireTyped(a: unknown, where: string): void {
  if (!ArrayBuffer.isView(a) || dtypeOfArray(a) === undefined) {
    throw new TypeError(`${where}: expected a typed array, got ${a === null ? 'null' : typeof a}`);
  }
}

function kindName(kind: number): string {
  if (kind === KIND_OBJECT) return 'a serialised object';
  if (kind === KIND_BUFFER) return 'a Buffer';
  if (kind === KIND_CLAMPED) return 'a Uint8ClampedArray';
  return dtypeOfCode(kind);
}

function unpackGathered<T>([kinds, buffer, offsets]: [number[], ArrayBuffer, number[]]): T[] {
  return kinds.map((k, i) => decode(k, buffer, offsets[i], offsets[i + 1] - offsets[i]) as T);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function reducible(value: Reducible, op: ReduceOp, where: string): { array: NumericArray; unpack: (b: ArrayBuffer) => unknown } {
  if (!Object.prototype.hasOwnProperty.call(OP_CODES, op)) {
    throw new TypeError(`${where}: unknown op ${JSON.stringify(op)}; expected one of ${Object.keys(OP_CODES).join(', ')}`);
  }
  const bitwise = op === 'band' || op === 'bor' || op === 'land' || op === 'lor';
  if (ArrayBuffer.isView(value)) {
    const dt = dtypeOfArray(value);
    if (dt === undefined) throw new TypeError(`${where}: ${value.constructor.name} cannot be reduced`);
    if (bitwise && dt.startsWith('float')) throw new TypeError(`${where}: '${op}' needs integers, not a ${dt} array`);
    const ctor = value.constructor as new (b: ArrayBuffer) => NumericArray;
    return { array: value, unpack: (b) => new ctor(b) };
  }
  if (typeof value === 'boolean') {
    if (op === 'sum' || op === 'prod') return { array: new Float64Array([+value]), unpack: (b) => new Float64Array(b)[0] };
    return { array: new Uint8Array([+value]), unpack: (b) => new Uint8Array(b)[0] !== 0 };
  }
  if (typeof value === 'bigint') {
    if (value < INT64_MIN || value > INT64_MAX) {
      if (value < 0n || value >= 2n ** 64n) throw new RangeError(`${where}: ${value} does not fit in 64 bits`);
      return { array: new BigUint64Array([value]), unpack: (b) => new BigUint64Array(b)[0] };
    }
    return { array: new BigInt64Array([value]), unpack: (b) => new BigInt64Array(b)[0] };
  }
  if (typeof value === 'number') {
    if (!bitwise) return { array: new Float64Array([value]), unpack: (b) => new Float64Array(b)[0] };
    if (!Number.isSafeInteger(value)) throw new TypeError(`${where}: '${op}' needs an integer, got ${value}`);
    return { array: new BigInt64Array([BigInt(value)]), unpack: (b) => Number(new BigInt64Array(b)[0]) };
  }
  throw new TypeError(`${where}: cannot reduce ${typeof value}; pass a number, bigint, boolean or typed array`);
}

let world: Comm | undefined;
let self: Comm | undefined;
let failFast = process.env.H5MPI_FAIL_FAST !== '0';
let failFastInstalled = false;

function start(): void {
  if (world) return;
  const { world: w, self: s } = native.mpiInit();
  world = new Comm(w, 'MPI.COMM_WORLD');
  self = new Comm(s, 'MPI.COMM_SELF');
  ensureExitHook();
  if (world.size > 1) installFailFast();
}

// In a multi-rank job an uncaught error on one rank would leave the others waiting in their next
// collective forever; abort the whole job instead, as `python -m mpi4py` does.
function installFailFast(): void {
  if (failFastInstalled) return;
  failFastInstalled = true;
  const die = (kind: string) => (err: unknown) => {
    if (!failFast) {
      // Behave as Node does without the hook.
      process.stderr.write(`${kind}: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    }
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`[h5mpi] rank ${world!.rank} of ${world!.size}: ${kind}: ${text}\n` +
      `[h5mpi] aborting the job (MPI_Abort) so that the other ranks do not wait forever; ` +
      `set H5MPI_FAIL_FAST=0 to turn this off\n`);
    world!.native.abort(1);
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled rejection'));
}

/** True when this process was started by an MPI launcher (mpiexec, srun with PMI). */
function launchedByMPI(): boolean {
  const e = process.env;
  return !!(e.OMPI_COMM_WORLD_SIZE || e.PMI_SIZE || e.PMI_RANK || e.PMIX_RANK || e.MPI_LOCALNRANKS);
}

/** The MPI entry point: communicators, wildcards, clock, and job-level calls. MPI starts on first use. */
export const MPI = {
  ANY_SOURCE: -1 as const,
  ANY_TAG: -1 as const,

  get COMM_WORLD(): Comm {
    start();
    return world!;
  },
  get COMM_SELF(): Comm {
    start();
    return self!;
  },
  /** Seconds since an arbitrary time in the past (MPI_Wtime). */
  Wtime(): number {
    start();
    return native.wtime();
  },
  processorName(): string {
    start();
    return native.processorName();
  },
  /** Ends the whole job with `code` (MPI_Abort on COMM_WORLD). */
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
    failFast = on;
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
