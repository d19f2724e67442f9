// Communicators, after mpi4py's lower-case methods: a Comm over a native communicator. Calls of each kind
// live in modules of their own where they grow (lib/message.ts, lib/reduce.ts); the class is their face.
import { MPIError, PeerFailedError } from './errors';
import { decode, encode, KIND_FAILED, KIND_OBJECT, kindName, MPIBuffer, requireTyped, Status } from './message';
import { ANY_SOURCE, ANY_TAG, limits } from './mpistate';
import type { NativeComm } from './native';
import { OP_CODES, ReduceOp, Reduced, Reducible, reducible } from './reduce';
import { cartCoordsOf, cartCreate, cartGrid, cartRankOf, cartShift, cartSub, commSplitType, Shift, SplitType } from './topology';
import { checkInt } from './validate';
import { watched, watching } from './watchdog';

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
    this._call('barrier', (c) => c.barrier());
  }

  /**
   * Broadcasts `value` from `root` and returns it on every rank (the root gets its own value back; the
   * value the other ranks pass is ignored). Typed arrays and Buffers arrive as the same type; anything
   * else travels as a structured clone (objects, Map, Set, Date, bigint, nested typed arrays...).
   */
  bcast<T>(value: T, root = 0): T {
    this._rankArg('root', root, 'bcast');
    if (this.rank === root) {
      const { kind, view, error } = encode(value, `${this.name}.bcast`);
      this._call('bcast', (c) => c.bcast(kind, view, root));
      if (error) throw error;
      return value;
    }
    const [kind, buffer] = this._call('bcast', (c) => c.bcast(0, undefined, root))!;
    if (kind === KIND_FAILED) throw this.peersFailed('bcast', [root], [Buffer.from(buffer).toString()]);
    return decode(kind, buffer) as T;
  }

  /** Broadcasts the root's typed array into `array` on every rank, in place; all pass the same type and length. */
  bcastInto<A extends MPIBuffer>(array: A, root = 0): A {
    requireTyped(array, `${this.name}.bcastInto`);
    this._rankArg('root', root, 'bcastInto');
    this._call('bcastInto', (c) => c.bcastInto(array, root));
    return array;
  }

  /** Gathers every rank's value to `root`: an array indexed by rank there, undefined elsewhere. */
  gather<T>(value: T, root = 0): T[] | undefined {
    this._rankArg('root', root, 'gather');
    const { kind, view, error } = encode(value, `${this.name}.gather`);
    const out = this._call('gather', (c) => c.gather(kind, view, root));
    if (error) throw error;
    return out && this.unpackGathered<T>(out, 'gather');
  }

  /** Gathers every rank's value to every rank, indexed by rank. */
  allgather<T>(value: T): T[] {
    const { kind, view, error } = encode(value, `${this.name}.allgather`);
    const out = this._call('allgather', (c) => c.allgather(kind, view));
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
    this._rankArg('root', root, 'reduce');
    const out = this._call('reduce', (c) => c.reduce(array, OP_CODES[op], root));
    return out === undefined ? undefined : (unpack(out) as Reduced<T, O>);
  }

  /** Combines every rank's value with `op`, as `reduce` does, and returns the result on every rank. */
  allreduce<T extends Reducible, O extends ReduceOp>(value: T, op: O): Reduced<T, O> {
    const { array, unpack } = reducible(value, op, `${this.name}.allreduce`);
    return unpack(this._call('allreduce', (c) => c.allreduce(array, OP_CODES[op]))) as Reduced<T, O>;
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
