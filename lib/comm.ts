// Communicators, after mpi4py's lower-case methods: a Comm over a native communicator. Calls of each kind
// live in modules of their own where they grow (lib/message.ts, lib/reduce.ts, lib/collectives.ts,
// lib/p2p.ts, lib/nonblocking.ts, lib/topology.ts); the class is their face.
import * as collectives from './collectives';
import * as into from './into';
import type { SameElements } from './into';
import type { NumericArray } from './dtype';
import { MPIError } from './errors';
import { MPIBuffer, Status } from './message';
import { ANY_SOURCE, ANY_TAG, limits, PROC_NULL } from './mpistate';
import type { NativeComm } from './native';
import * as nb from './nonblocking';
import * as p2p from './p2p';
import type { Request } from './request';
import { ReduceOp, Reduced, Reducible } from './reduce';
import { cartCoordsOf, cartCreate, cartGrid, cartRankOf, cartShift, cartSub, commSplitType, Shift, SplitType } from './topology';
import { checkInt } from './validate';
import { watched, watching } from './watchdog';

// The Comm methods that every rank must call (what the hang watchdog watches).
const COLLECTIVE_METHODS = new Set([
  'barrier', 'bcast', 'bcastInto', 'gather', 'allgather', 'reduce', 'allreduce', 'split', 'dup', 'free',
  'allreduceInto', 'reduceInto', 'scanInto', 'exscanInto', 'alltoallInto', 'allgatherInto', 'gatherInto', 'scatterInto',
]);

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
  #freed = false;
  readonly #tagUpperBound = limits().tagUpperBound;

  /** @hidden Protected, not private, because CartComm (at the end of this file) is a Comm. */
  protected constructor(nativeComm: NativeComm, name: string, owned: boolean) {
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
    return this.#freed;
  }

  /**
   * @internal Runs one native call; MPI's errors come back naming this communicator and the call. With
   * H5MPI_HANG_TIMEOUT set, calls that wait on other ranks are marked for the hang watchdog
   * (lib/watchdog.ts): collectives by name, point-to-point calls with `watch` (which names the peer).
   */
  _call<R>(method: string, f: (c: NativeComm) => R, watch?: () => string): R {
    if (this.#freed) throw new MPIError(`${this.name}.${method}: the communicator has been freed`, limits().errComm, 'MPI_ERR_COMM');
    if (watching && (watch !== undefined || COLLECTIVE_METHODS.has(method))) {
      return watched(`${this.name}.${method}(${watch === undefined ? '' : watch()})`, () => this.invoke(method, f));
    }
    return this.invoke(method, f);
  }
  // The names in messages are built only when something failed: a small message's whole trip is a
  // fraction of a microsecond.
  private invoke<R>(method: string, f: (c: NativeComm) => R): R {
    try {
      return f(this.native);
    } catch (e) {
      throw this._failed(method, e);
    }
  }
  /**
   * @internal The native communicator, for the point-to-point fast path (no closures per call), which
   * calls it unmarked when the watchdog is off; throws when the communicator is freed.
   */
  _native(method: string): NativeComm {
    if (this.#freed) throw new MPIError(`${this.name}.${method}: the communicator has been freed`, limits().errComm, 'MPI_ERR_COMM');
    return this.native;
  }
  /** @internal The error to throw for `e` from a native call: MPI's errors name this communicator and the call. */
  _failed(method: string, e: unknown): unknown {
    const where = `${this.name}.${method}`;
    if (e instanceof MPIError) return new MPIError(`${where}: ${e.message}`, e.errorClass, e.code);
    if (e instanceof RangeError) return new RangeError(`${where}: ${e.message}`);
    return e;
  }
  /** @internal A rank argument (0 to size - 1). */
  _rankArg(name: string, v: unknown, where: string): number {
    if (typeof v === 'number' && v >= 0 && v < this.size && Number.isInteger(v)) return v;
    return checkInt(v, name, 0, this.size - 1, `${this.name}.${where}`);
  }
  /** @internal A source argument (a rank, MPI.ANY_SOURCE or MPI.PROC_NULL). */
  _sourceArg(v: unknown, where: string): number {
    if (v === ANY_SOURCE || v === PROC_NULL) return v;
    if (typeof v === 'number' && v >= 0 && v < this.size && Number.isInteger(v)) return v;
    return checkInt(v, 'source', 0, this.size - 1, `${this.name}.${where}`, 'MPI.ANY_SOURCE, MPI.PROC_NULL');
  }
  /** @internal A destination argument (a rank or MPI.PROC_NULL). */
  _destArg(v: unknown, where: string): number {
    if (v === PROC_NULL) return v;
    if (typeof v === 'number' && v >= 0 && v < this.size && Number.isInteger(v)) return v;
    return checkInt(v, 'dest', 0, this.size - 1, `${this.name}.${where}`, 'MPI.PROC_NULL');
  }
  /** @internal A tag argument (0 to MPI.TAG_UB, or MPI.ANY_TAG where `wildcard`). */
  _tagArg(v: unknown, where: string, wildcard: boolean): number {
    if (wildcard && v === ANY_TAG) return -1;
    if (typeof v === 'number' && v >= 0 && v <= this.#tagUpperBound && Number.isInteger(v)) return v;
    return checkInt(v, 'tag', 0, this.#tagUpperBound, `${this.name}.${where}`, wildcard ? 'MPI.ANY_TAG' : undefined);
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
    this.#freed = true;
  }

  /** Ends every process of the job (MPI_Abort) with exit status `code`. */
  abort(code = 1): never {
    checkInt(code, 'code', 0, 255, `${this.name}.abort`);
    this.native.abort(code);
    process.exit(code);
  }

  // ---- point-to-point (lib/p2p.ts) ----

  /**
   * Sends `value` to rank `dest` (or MPI.PROC_NULL: nothing is sent) with `tag` (0 to MPI.TAG_UB), as one
   * MPI message. A typed array goes as a plain message of its own datatype, straight from its memory (a C
   * or mpi4py rank receives it as such); any other value as a structured clone. Blocking, like MPI_Send:
   * it returns once the value's memory may be reused, which for a large message can mean once the
   * receiver has it.
   */
  send(value: unknown, dest: number, tag = 0): void {
    p2p.send(this, value, dest, tag, false);
  }

  /** As `send`, but returns only once the receiver has started to receive (MPI_Ssend). */
  ssend(value: unknown, dest: number, tag = 0): void {
    p2p.send(this, value, dest, tag, true);
  }

  /**
   * Receives the next message from `source` (a rank, MPI.ANY_SOURCE or MPI.PROC_NULL) with `tag` (or
   * MPI.ANY_TAG), whatever its size: a value sent with `send` as it was sent; a typed array's message (or
   * a C rank's) as its bytes, a Buffer (use `recvInto` to receive it typed and in place). Undefined from
   * MPI.PROC_NULL.
   */
  recv<T = unknown>(source: number, tag: number = ANY_TAG, status?: Status): T {
    return p2p.recv(this, source, tag, status) as T;
  }

  /**
   * Receives a typed-array message into `array`, in place (any typed array a C or mpi4py rank sent as
   * elements of the same type): at most `array.length` elements; `status.count` says how many came. A
   * message that does not fit is taken off the wire and a RangeError thrown, so the next receive gets the
   * next message.
   */
  recvInto<A extends MPIBuffer>(array: A, source: number, tag: number = ANY_TAG, status?: Status): A {
    return p2p.recvInto(this, array, source, tag, status);
  }

  /** Waits for a matching message without receiving it; its Status (`count` in bytes). */
  probe(source: number = ANY_SOURCE, tag: number = ANY_TAG, status?: Status): Status {
    return p2p.probe(this, source, tag, status, true)!;
  }

  /** The Status of a matching message that has arrived, or undefined: never waits. */
  iprobe(source: number = ANY_SOURCE, tag: number = ANY_TAG, status?: Status): Status | undefined {
    return p2p.probe(this, source, tag, status, false);
  }

  /**
   * Sends `value` to `dest` and returns the value received from `source`, in one call that cannot
   * deadlock whatever order the ranks make it in (the halo exchange). MPI.PROC_NULL on either side skips it.
   */
  sendrecv<T = unknown>(value: unknown, dest: number, source: number = ANY_SOURCE, sendTag = 0, recvTag: number = ANY_TAG, status?: Status): T {
    return p2p.sendrecv(this, value, dest, source, sendTag, recvTag, status) as T;
  }

  /** As `sendrecv` for typed arrays: sends `send`, receives into `array` in place (MPI_Sendrecv). */
  sendrecvInto<A extends MPIBuffer>(send: MPIBuffer, dest: number, array: A, source: number = ANY_SOURCE, sendTag = 0, recvTag: number = ANY_TAG, status?: Status): A {
    return p2p.sendrecvInto(this, send, dest, array, source, sendTag, recvTag, status);
  }

  /** Sends `array` to `dest`, then receives from `source` into the same array (MPI_Sendrecv_replace). */
  sendrecvReplace<A extends MPIBuffer>(array: A, dest: number, source: number = ANY_SOURCE, sendTag = 0, recvTag: number = ANY_TAG, status?: Status): A {
    return p2p.sendrecvReplace(this, array, dest, source, sendTag, recvTag, status);
  }

  /** Starts sending `value` (as `send`); the Request completes once its memory may be reused. The value is kept alive until then. */
  isend(value: unknown, dest: number, tag = 0): Request<void> {
    return p2p.isend(this, value, dest, tag, false);
  }

  /** Starts a synchronous send (MPI_Issend): completes once the receiver has started to receive. */
  issend(value: unknown, dest: number, tag = 0): Request<void> {
    return p2p.isend(this, value, dest, tag, true);
  }

  /**
   * Starts receiving the next matching message; `wait()` returns it as `recv` would. The receive is posted
   * now with a buffer of `maxBytes` (default 64 KiB): a longer message is an error at `wait()`.
   */
  irecv<T = unknown>(source: number = ANY_SOURCE, tag: number = ANY_TAG, options?: p2p.IrecvOptions): Request<T> {
    return p2p.irecv<T>(this, source, tag, options);
  }

  /** Starts receiving a typed-array message into `array` (kept alive until done); `wait()` returns the array. */
  irecvInto<A extends MPIBuffer>(array: A, source: number = ANY_SOURCE, tag: number = ANY_TAG): Request<A> {
    return p2p.irecvInto(this, array, source, tag);
  }

  // ---- non-blocking collectives (lib/nonblocking.ts) ----

  /** Starts a barrier; the Request completes once every rank has started it. */
  ibarrier(): Request<void> {
    return nb.ibarrier(this);
  }

  /** Starts a broadcast from `root`; `wait()` returns the value on every rank, as `bcast` would. */
  ibcast<T>(value: T, root = 0): Request<T> {
    return nb.ibcast(this, value, root);
  }

  /** Starts a reduction to `root`; `wait()` returns what `reduce` would (undefined off the root). */
  ireduce<T extends Reducible, O extends ReduceOp>(value: T, op: O, root = 0): Request<Reduced<T, O> | undefined> {
    return nb.ireduce(this, value, op, root);
  }

  /** Starts a reduction to every rank; `wait()` returns what `allreduce` would. */
  iallreduce<T extends Reducible, O extends ReduceOp>(value: T, op: O): Request<Reduced<T, O>> {
    return nb.iallreduce(this, value, op);
  }

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

  // ---- collectives into the caller's arrays (lib/into.ts), as mpi4py's upper-case methods ----
  // Nothing is allocated: each is one MPI call from `send` into `recv`, which it returns. Passing the same
  // array as send and recv works in place (MPI_IN_PLACE). A recv that does not fit (length, element type)
  // is a TypeError on that rank after it has taken its part, so the others are not left waiting; with
  // H5MPI_CHECK_COLLECTIVE=1 every rank throws and nothing is sent.

  /** mpi4py's `Allreduce`: every rank's `send` combined element-wise with `op`, into `recv` (the same type and length) on every rank. */
  allreduceInto<A extends NumericArray>(send: A, recv: SameElements<A>, op: ReduceOp): SameElements<A> {
    return into.allreduceInto(this, send, recv, op);
  }

  /** mpi4py's `Reduce`: as `allreduceInto`, into the root's `recv`; the others' `recv` is ignored (pass undefined) and they get undefined. */
  reduceInto<A extends NumericArray>(send: A, recv: SameElements<A> | undefined, op: ReduceOp, root = 0): SameElements<A> | undefined {
    return into.reduceInto(this, send, recv, op, root);
  }

  /** mpi4py's `Scan`: the reduction of ranks 0 to this one's `send`, into `recv`. */
  scanInto<A extends NumericArray>(send: A, recv: SameElements<A>, op: ReduceOp): SameElements<A> {
    return into.scanInto(this, 'scanInto', send, recv, op);
  }

  /** mpi4py's `Exscan`: the reduction of ranks 0 to this one minus one, into `recv`; rank 0's `recv` is not written (MPI leaves it undefined). */
  exscanInto<A extends NumericArray>(send: A, recv: SameElements<A>, op: ReduceOp): SameElements<A> {
    return into.scanInto(this, 'exscanInto', send, recv, op);
  }

  /** mpi4py's `Alltoall`: block r of `send` (cut into `size` equal blocks) to rank r; block r of `recv` (the same length) from rank r. */
  alltoallInto<A extends MPIBuffer>(send: A, recv: SameElements<A>): SameElements<A> {
    return into.alltoallInto(this, send, recv);
  }

  /** mpi4py's `Allgather`: every rank's `send`, in rank order, into `recv` (`size` times as long) on every rank. In place, each rank's block is already at its place in recv. */
  allgatherInto<A extends MPIBuffer>(send: A, recv: SameElements<A>): SameElements<A> {
    return into.allgatherInto(this, send, recv);
  }

  /** mpi4py's `Gather`: as `allgatherInto`, into the root's `recv` only; the others pass undefined as recv and get undefined. */
  gatherInto<A extends MPIBuffer>(send: A, recv: SameElements<A> | undefined, root = 0): SameElements<A> | undefined {
    return into.gatherInto(this, send, recv, root);
  }

  /** mpi4py's `Scatter`: block r of the root's `send` (cut into `size` equal blocks) into rank r's `recv`; the others pass undefined as send. */
  scatterInto<A extends MPIBuffer>(send: SameElements<A> | undefined, recv: A, root = 0): A {
    return into.scatterInto(this, send, recv, root);
  }

  // ---- topologies (lib/topology.ts) ----

  /**
   * A communicator whose ranks form a Cartesian grid (MPI_Cart_create), with `dims` ranks along each
   * dimension (positive; their product at most `size`) and `periods[i]` saying whether dimension `i` wraps
   * around. Ranks are laid out row-major (the last coordinate varies fastest); with `reorder` MPI may
   * renumber them to fit the machine. A rank beyond the grid gets null. Collective: every rank passes the
   * same arguments, and a bad or different argument on any rank throws on every rank.
   */
  createCart(dims: readonly number[], periods: readonly boolean[], reorder = false): CartComm | null {
    const out = cartCreate(this, dims, periods, reorder);
    return out && CartComm._cart(out, `CartComm(createCart of ${this.name}, dims [${dims.join(', ')}])`);
  }

  /**
   * Splits into one communicator per group of ranks that share memory (MPI_Comm_split_type with
   * MPI_COMM_TYPE_SHARED; `'shared'` is the one type): one per node. Ranked by `key`, then by rank here;
   * a rank passing null joins none and gets null. Collective.
   */
  splitType(type: SplitType | null, key: number = this.rank): Comm | null {
    const out = commSplitType(this, type, key);
    return out && new Comm(out, `Comm(splitType of ${this.name}, ${type})`, true);
  }

}


// ---- topology communicators (lib/topology.ts) ----

/**
 * A communicator whose ranks form a Cartesian grid, made by `Comm.createCart` (or by `sub` and `dup` of
 * another). Ranks are laid out row-major: the last coordinate varies fastest. Every Comm method works on
 * it, and `free()` frees it.
 */
export class CartComm extends Comm {
  /** The number of ranks along each dimension. */
  readonly dims: readonly number[];
  /** Whether each dimension wraps around (a ring rather than a line). */
  readonly periods: readonly boolean[];
  /** This rank's coordinates in the grid. */
  readonly coords: readonly number[];

  private constructor(nativeComm: NativeComm, name: string) {
    super(nativeComm, name, true);
    const grid = cartGrid(this);
    this.dims = grid.dims;
    this.periods = grid.periods;
    this.coords = grid.coords;
  }

  /** @internal A CartComm over a new native Cartesian communicator. */
  static _cart(nativeComm: NativeComm, name: string): CartComm {
    return new CartComm(nativeComm, name);
  }

  /** How many dimensions the grid has. */
  get ndim(): number {
    return this.dims.length;
  }

  /**
   * The rank at `coords` (MPI_Cart_rank). A periodic dimension wraps any coordinate; a coordinate off a
   * non-periodic dimension gives MPI.PROC_NULL (where MPI would fail), as `shift` does at an edge.
   */
  rankOf(coords: readonly number[]): number {
    return cartRankOf(this, coords);
  }

  /** The coordinates of `rank` (MPI_Cart_coords). */
  coordsOf(rank: number): number[] {
    return cartCoordsOf(this, rank);
  }

  /**
   * The neighbours `displacement` steps along dimension `direction` (MPI_Cart_shift): `dest` is where this
   * rank sends, `source` where it receives from. Past the edge of a non-periodic dimension a neighbour is
   * MPI.PROC_NULL.
   */
  shift(direction: number, displacement: number): Shift {
    return cartShift(this, direction, displacement);
  }

  /**
   * Splits the grid into sub-grids (MPI_Cart_sub) that keep the dimensions where `remainDims` is true: in a
   * 2-D grid, `sub([false, true])` gives this rank's row and `sub([true, false])` its column. Collective,
   * with the same `remainDims` on every rank.
   */
  sub(remainDims: readonly boolean[]): CartComm {
    return new CartComm(cartSub(this, remainDims), `CartComm(sub of ${this.name}, remain [${remainDims.join(', ')}])`);
  }

  /** A new communicator with the same grid and ranks, whose messages never mix with this one's. */
  override dup(): CartComm {
    return new CartComm(this._call('dup', (c) => c.dup()), `CartComm(dup of ${this.name})`);
  }
}
