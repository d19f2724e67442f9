// Communicators, after mpi4py's lower-case methods: a Comm over a native communicator. Calls of each kind
// live in modules of their own where they grow (lib/message.ts, lib/reduce.ts, lib/collectives.ts); the
// class is their face.
import * as collectives from './collectives';
import type { NumericArray } from './dtype';
import { MPIError } from './errors';
import { decode, encode, KIND_OBJECT, kindName, MPIBuffer, requireTyped, Status } from './message';
import { ANY_SOURCE, ANY_TAG, limits } from './mpistate';
import type { NativeComm } from './native';
import { ReduceOp, Reduced, Reducible } from './reduce';
import { checkInt } from './validate';
import { watched, watching } from './watchdog';

// The Comm methods that every rank must call (what the hang watchdog watches).
const COLLECTIVE_METHODS = new Set(['barrier', 'bcast', 'bcastInto', 'gather', 'allgather', 'reduce', 'allreduce', 'split', 'dup', 'free']);

/**
 * An MPI communicator, after mpi4py's lower-case methods. Every collective method (barrier, the
 * broadcasts, gathers, scatters, all-to-all exchanges and reductions, split, dup, free) must be called by
 * every rank of the communicator. Arguments are checked before anything is sent, so a wrong call throws on
 * the rank that made it; with H5MPI_CHECK_COLLECTIVE=1 the ranks also agree on each collective call first,
 * so that a call that differs between ranks throws on every rank (docs/parallel-safety.md).
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

  /** @internal Runs one native call; MPI's errors come back naming this communicator and the call. */
  _call<R>(method: string, f: (c: NativeComm) => R): R {
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
  /** @internal A rank argument (0 to size - 1). */
  _rankArg(name: string, v: unknown, where: string): number {
    return checkInt(v, name, 0, this.size - 1, `${this.name}.${where}`);
  }
  /** @internal A source argument (a rank or MPI.ANY_SOURCE). */
  _sourceArg(v: unknown, where: string): number {
    return v === ANY_SOURCE ? -1 : checkInt(v, 'source', 0, this.size - 1, `${this.name}.${where}`, 'MPI.ANY_SOURCE');
  }
  /** @internal A tag argument (0 to MPI.TAG_UB, or MPI.ANY_TAG where `wildcard`). */
  _tagArg(v: unknown, where: string, wildcard: boolean): number {
    if (wildcard && v === ANY_TAG) return -1;
    return checkInt(v, 'tag', 0, limits().tagUpperBound, `${this.name}.${where}`, wildcard ? 'MPI.ANY_TAG' : undefined);
  }

  /** Waits until every rank has called it. */
  barrier(): void {
    collectives.barrier(this);
  }

  /**
   * Broadcasts `value` from `root` and returns it on every rank (the root gets its own value back; the
   * value the other ranks pass is ignored). Typed arrays and Buffers arrive as the same type; anything
   * else travels as a structured clone (objects, Map, Set, Date, bigint, nested typed arrays...).
   */
  bcast<T>(value: T, root = 0): T {
    return collectives.bcast(this, value, root);
  }

  /** Broadcasts the root's typed array into `array` on every rank, in place; all pass the same type and length. */
  bcastInto<A extends MPIBuffer>(array: A, root = 0): A {
    return collectives.bcastInto(this, array, root);
  }

  /** Gathers every rank's value to `root`: an array indexed by rank there, undefined elsewhere. */
  gather<T>(value: T, root = 0): T[] | undefined {
    return collectives.gather(this, value, root);
  }

  /** Gathers every rank's value to every rank, indexed by rank. */
  allgather<T>(value: T): T[] {
    return collectives.allgather(this, value);
  }

  /**
   * Combines every rank's value with `op`: the result on `root`, undefined elsewhere. Numbers reduce as
   * float64, bigints as int64, booleans as logical values (sum/prod count them), typed arrays element-wise
   * in their own type (all ranks pass the same type and length).
   */
  reduce<T extends Reducible, O extends ReduceOp>(value: T, op: O, root = 0): Reduced<T, O> | undefined {
    return collectives.reduce(this, value, op, root);
  }

  /** Combines every rank's value with `op`, as `reduce` does, and returns the result on every rank. */
  allreduce<T extends Reducible, O extends ReduceOp>(value: T, op: O): Reduced<T, O> {
    return collectives.allreduce(this, value, op);
  }

  /**
   * Sends `value` to rank `dest` with `tag` (0 to MPI.TAG_UB). Blocking, like MPI_Send: it returns once
   * the value's memory may be reused, which for a large message can mean once the receiver has it.
   */
  send(value: unknown, dest: number, tag = 0): void {
    this._rankArg('dest', dest, 'send');
    this._tagArg(tag, 'send', false);
    const { kind, view, error } = encode(value, `${this.name}.send`);
    if (error) throw error;
    this._call('send', (c) => c.send(kind, view, dest, tag));
  }

  /** Receives a value sent with `send` from `source` (or MPI.ANY_SOURCE) with `tag` (or MPI.ANY_TAG). */
  recv<T = unknown>(source: number, tag = 0, status?: Status): T {
    const src = this._sourceArg(source, 'recv');
    const t = this._tagArg(tag, 'recv', true);
    const m = this._call('recv', (c) => c.recv(src, t));
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
    const src = this._sourceArg(source, 'recvInto');
    const t = this._tagArg(tag, 'recvInto', true);
    const m = this._call('recvInto', (c) => c.recvInto(array, src, t));
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
    const out = this._call('split', (c) => c.split(color, key));
    return out && new Comm(out, `Comm(split of ${this.name}, color ${color})`, true);
  }

  /** A new communicator with the same ranks, whose messages never mix with this one's. */
  dup(): Comm {
    return new Comm(this._call('dup', (c) => c.dup()), `Comm(dup of ${this.name})`, true);
  }

  /** Frees a communicator made by split/dup; every later call on it throws an MPIError. */
  free(): void {
    if (!this.owned) throw new TypeError(`${this.name}.free: only communicators made by split() or dup() can be freed`);
    this._call('free', (c) => c.free());
  }

  /** Ends every process of the job (MPI_Abort) with exit status `code`. */
  abort(code = 1): never {
    checkInt(code, 'code', 0, 255, `${this.name}.abort`);
    this.native.abort(code);
    process.exit(code);
  }

  // ---- point-to-point (lib/p2p.ts) ----

  // ---- collectives (lib/collectives.ts) ----

  /**
   * Sends `values[r]` from `root` to rank r and returns this rank's: the root passes one value per rank
   * (the others' `values` are ignored; pass undefined). Typed arrays arrive as the same type; anything
   * else as a structured clone.
   */
  scatter<T>(values: readonly T[] | undefined, root = 0): T {
    return collectives.scatter(this, values, root);
  }

  /**
   * Sends `counts[r]` elements of the root's `sendArray`, from `displs[r]` (default: laid end to end), to
   * rank r and returns this rank's as an array of the root's type: in `recvArray` when given (it must be
   * of that type and exactly that length). Only the root needs `sendArray`, `counts` and `displs`; a rank
   * that passes counts or a recvArray that do not match what the root sends throws after the call.
   */
  scatterv<A extends MPIBuffer>(sendArray: A | undefined, counts?: readonly number[], displs?: readonly number[], recvArray?: A, root = 0): A {
    return collectives.scatterv(this, sendArray, counts, displs, recvArray, root);
  }

  /**
   * Gathers every rank's typed array to `root`, end to end in rank order, as one array of the same type
   * (undefined elsewhere). `counts` (every rank's length) saves an exchange; give it on every rank or none.
   */
  gatherv<A extends MPIBuffer>(array: A, counts?: readonly number[], root = 0): A | undefined {
    return collectives.gatherv(this, 'gatherv', array, counts, root);
  }

  /** Gathers every rank's typed array to every rank, end to end in rank order, as one array; `counts` as for gatherv. */
  allgatherv<A extends MPIBuffer>(array: A, counts?: readonly number[]): A {
    return collectives.gatherv(this, 'allgatherv', array, counts, -1)!;
  }

  /**
   * Sends block r of `array` (cut into `size` equal blocks) to rank r, and returns the blocks every rank
   * sent here, in rank order, as an array of the same type and length. Or, with an array of `size` values,
   * `values[r]` to rank r, returning what each rank sent here, indexed by rank.
   */
  alltoall<A extends MPIBuffer>(array: A): A;
  alltoall<T>(values: readonly T[]): T[];
  alltoall<T>(values: MPIBuffer | readonly T[]): MPIBuffer | T[] {
    return collectives.alltoall(this, values);
  }

  /**
   * Sends `sendCounts[r]` elements of `sendArray` (laid end to end) to rank r, and returns what every rank
   * sent here, end to end in rank order, as one array of the same type. Without `recvCounts` the ranks
   * first tell each other their counts.
   */
  alltoallv<A extends MPIBuffer>(sendArray: A, sendCounts: readonly number[], recvCounts?: readonly number[]): A {
    return collectives.alltoallv(this, sendArray, sendCounts, recvCounts);
  }

  /** The reduction with `op` of the values of ranks 0 to this one (an inclusive prefix), as `allreduce` combines them. */
  scan<T extends Reducible, O extends ReduceOp>(value: T, op: O): Reduced<T, O> {
    return collectives.scan(this, 'scan', value, op)!;
  }

  /** The reduction with `op` of the values of ranks 0 to this one minus one; undefined on rank 0 (MPI leaves it undefined). */
  exscan<T extends Reducible, O extends ReduceOp>(value: T, op: O): Reduced<T, O> | undefined {
    return collectives.scan(this, 'exscan', value, op);
  }

  /**
   * Reduces every rank's typed array element-wise with `op` and gives rank r `counts[r]` elements of the
   * result, in order (the counts add up to the array's length; every rank passes the same).
   */
  reduceScatter<A extends NumericArray>(array: A, counts: readonly number[], op: ReduceOp): A {
    return collectives.reduceScatter(this, 'reduceScatter', array, counts, op);
  }

  /** As `reduceScatter`, with the result cut into `size` equal blocks, block r to rank r. */
  reduceScatterBlock<A extends NumericArray>(array: A, op: ReduceOp): A {
    return collectives.reduceScatter(this, 'reduceScatterBlock', array, undefined, op);
  }

  // ---- topologies (lib/topology.ts) ----

}


// ---- topology communicators (lib/topology.ts) ----
