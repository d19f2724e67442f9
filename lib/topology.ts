// Topologies: Cartesian grids (MPI_Cart_*), splitting by shared memory (MPI_Comm_split_type) and
// MPI_Dims_create. lib/comm.ts gives them their faces (Comm.createCart, Comm.splitType, CartComm); the
// checks and the logic live here. comm.ts imports this module, so a Comm is known here only by the few
// members below (TopoComm), never by an import.
import { CollectiveMismatchError, MPIError, PeerFailedError } from './errors';
import { PROC_NULL } from './mpistate';
import { native, NativeComm } from './native';
import { checkInt, checkIntegers, describeValue } from './validate';
import { watched, watching } from './watchdog';

declare module './native' {
  interface NativeComm {
    cartCreate(dims: number[], periods: boolean[], reorder: boolean): NativeComm | null;
    cartGet(): CartGrid;
    cartRank(coords: number[]): number;
    cartCoords(rank: number): number[];
    cartShift(direction: number, displacement: number): [source: number, dest: number];
    cartSub(remainDims: boolean[]): NativeComm;
    splitType(shared: boolean, key: number): NativeComm | null;
  }
  interface Native {
    dimsCreate(n: number, dims: number[]): number[];
  }
}

/** A Cartesian communicator's grid, as MPI reports it (MPI_Cart_get). */
export interface CartGrid {
  dims: number[];
  periods: boolean[];
  coords: number[];
}

/** The neighbours `CartComm.shift` finds: receive from `source`, send to `dest` (MPI.PROC_NULL past an edge). */
export interface Shift {
  source: number;
  dest: number;
}

/** How `Comm.splitType` groups ranks: 'shared', by the memory they share (one group per node). */
export type SplitType = 'shared';

/** What this module needs of a Comm. */
export interface TopoComm {
  readonly name: string;
  readonly rank: number;
  readonly size: number;
  allgather<T>(value: T): T[];
  _call<R>(method: string, f: (c: NativeComm) => R): R;
}

/** What it needs of a CartComm. */
export interface TopoCart extends TopoComm {
  readonly dims: readonly number[];
  readonly periods: readonly boolean[];
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** Comm.createCart: the new communicator's native side, or null on a rank beyond the grid. */
export function cartCreate(comm: TopoComm, dims: unknown, periods: unknown, reorder: unknown): NativeComm | null {
  const where = `${comm.name}.createCart`;
  return collective(comm, 'createCart', true, () => {
    checkIntegers(dims, 'dims', 1, where);
    const cells = dims.reduce((a, d) => a * d, 1);
    if (cells > comm.size) {
      throw new RangeError(`${where}: dims [${dims.join(', ')}] make a grid of ${cells} processes, more than the ${comm.size} of ${comm.name}`);
    }
    checkFlags(periods, 'periods', dims.length, where);
    if (typeof reorder !== 'boolean') throw new TypeError(`${where}: reorder must be a boolean, got ${describeValue(reorder)}`);
    return { call: `createCart([${dims.join(', ')}], [${periods.join(', ')}], ${reorder})`, run: (c) => c.cartCreate(dims, periods, reorder) };
  });
}

/** Comm.splitType: the native side of this rank's group, or null for a rank passing null. */
export function commSplitType(comm: TopoComm, type: unknown, key: unknown): NativeComm | null {
  const where = `${comm.name}.splitType`;
  // Ranks may differ in both (null joins none; keys order each group): only their validity is agreed.
  return collective(comm, 'splitType', false, () => {
    if (type !== 'shared' && type !== null) throw new TypeError(`${where}: type must be 'shared' or null, got ${describeValue(type)}`);
    const k = checkInt(key, 'key', INT_MIN, INT_MAX, where);
    return { call: '', run: (c) => c.splitType(type === 'shared', k) };
  });
}

/** CartComm.sub: the native side of the sub-grid this rank is in. */
export function cartSub(cart: TopoCart, remainDims: unknown): NativeComm {
  const where = `${cart.name}.sub`;
  return collective(cart, 'sub', true, () => {
    checkFlags(remainDims, 'remainDims', cart.dims.length, where);
    return { call: `sub([${remainDims.join(', ')}])`, run: (c) => c.cartSub(remainDims) };
  });
}

/** The grid of a new Cartesian communicator, read back from MPI, frozen. */
export function cartGrid(comm: TopoComm): { dims: readonly number[]; periods: readonly boolean[]; coords: readonly number[] } {
  const g = comm._call('cartGet', (c) => c.cartGet());
  return { dims: Object.freeze(g.dims), periods: Object.freeze(g.periods), coords: Object.freeze(g.coords) };
}

/**
 * CartComm.rankOf. A periodic dimension wraps any coordinate; in a non-periodic one a coordinate off the
 * grid gives PROC_NULL (where MPI_Cart_rank would fail), as shift does at an edge.
 */
export function cartRankOf(cart: TopoCart, coords: unknown): number {
  const where = `${cart.name}.rankOf`;
  const n = cart.dims.length;
  if (!Array.isArray(coords)) throw new TypeError(`${where}: coords must be an array of integers, got ${describeValue(coords)}`);
  if (coords.length !== n) throw new RangeError(`${where}: coords has ${count(coords.length, 'element')}; the grid has ${count(n, 'dimension')}`);
  const inGrid: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = checkInt(coords[i], `coords[${i}]`, INT_MIN, INT_MAX, where);
    const d = cart.dims[i];
    if (cart.periods[i]) inGrid.push(((x % d) + d) % d);
    else if (x < 0 || x >= d) return PROC_NULL;
    else inGrid.push(x);
  }
  return cart._call('rankOf', (c) => c.cartRank(inGrid));
}

/** CartComm.coordsOf */
export function cartCoordsOf(cart: TopoCart, rank: unknown): number[] {
  const r = checkInt(rank, 'rank', 0, cart.size - 1, `${cart.name}.coordsOf`);
  return cart._call('coordsOf', (c) => c.cartCoords(r));
}

/** CartComm.shift */
export function cartShift(cart: TopoCart, direction: unknown, displacement: unknown): Shift {
  const where = `${cart.name}.shift`;
  const n = cart.dims.length;
  if (n === 0) throw new RangeError(`${where}: the grid has no dimension to shift along`);
  // Open MPI does not check the direction: it would read past the grid's dims.
  const dir = checkInt(direction, 'direction', 0, n - 1, where);
  const disp = checkInt(displacement, 'displacement', INT_MIN, INT_MAX, where);
  // The same neighbours from a displacement within one turn of the grid, so MPI's coordinate plus
  // displacement cannot overflow an int.
  const d = cart.dims[dir];
  const within = cart.periods[dir] ? disp % d : Math.max(-d, Math.min(d, disp));
  const [source, dest] = cart._call('shift', (c) => c.cartShift(dir, within));
  return { source, dest };
}

/** MPI.computeDims: MPI_Dims_create, with what it refuses (all as MPI_ERR_DIMS) said in words. */
export function computeDims(n: unknown, ndims: unknown, dims?: unknown): number[] {
  const where = 'MPI.computeDims';
  const nodes = checkInt(n, 'n', 1, INT_MAX, where);
  const rank = checkInt(ndims, 'ndims', 1, INT_MAX, where);
  let given: number[];
  if (dims === undefined) {
    given = new Array<number>(rank).fill(0);
  } else {
    checkIntegers(dims, 'dims', 0, where);
    if (dims.length !== rank) throw new RangeError(`${where}: dims has ${count(dims.length, 'element')}; ndims is ${rank}`);
    given = dims;
    const fixed = dims.filter((d) => d > 0);
    const product = fixed.reduce((a, d) => a * d, 1);
    if (fixed.length === rank && product !== nodes) {
      throw new RangeError(`${where}: dims [${dims.join(', ')}] fix every dimension and make ${product}, not n = ${nodes}; pass 0 for a dimension to choose`);
    }
    if (nodes % product !== 0) {
      throw new RangeError(`${where}: the fixed dims of [${dims.join(', ')}] make ${product}, which does not divide n = ${nodes}`);
    }
  }
  try {
    return native.dimsCreate(nodes, given);
  } catch (e) {
    if (e instanceof MPIError) throw new MPIError(`${where}: ${e.message}`, e.errorClass, e.code);
    throw e;
  }
}

/** An array of `length` booleans, one per dimension. */
function checkFlags(v: unknown, name: string, length: number, where: string): asserts v is boolean[] {
  if (!Array.isArray(v)) throw new TypeError(`${where}: ${name} must be an array of booleans, got ${describeValue(v)}`);
  if (v.length !== length) throw new RangeError(`${where}: ${name} has ${count(v.length, 'element')}; expected ${length}, one per dimension`);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'boolean') throw new TypeError(`${where}: ${name}[${i}] must be a boolean, got ${describeValue(x)}`);
  }
}

/** "1 element", "2 elements" */
function count(k: number, word: string): string {
  return `${k} ${word}${k === 1 ? '' : 's'}`;
}

/** A checked collective call: `call` describes it (for comparing ranks), `run` makes it. */
interface Prepared<R> {
  call: string;
  run: (c: NativeComm) => R;
}

/**
 * A collective topology call. Every rank checks its own arguments, then (on more than one rank) one
 * allgather tells every rank whether all of them can make the call, and with the same arguments when
 * `same`: a bad or different argument on one rank throws on every rank (its own error there, a
 * PeerFailedError or CollectiveMismatchError elsewhere) instead of leaving the others waiting inside MPI.
 * Topologies are made a few times per run, so the exchange costs nothing that matters.
 */
function collective<R>(comm: TopoComm, method: string, same: boolean, prepare: () => Prepared<R>): R {
  const where = `${comm.name}.${method}`;
  comm._call(method, () => undefined); // a freed communicator throws here, naming this call
  const run = (): R => {
    let failure: Error | undefined;
    let prepared: Prepared<R> | undefined;
    try {
      prepared = prepare();
    } catch (e) {
      failure = e instanceof Error ? e : new Error(String(e));
    }
    if (comm.size > 1) agree(comm, where, same, failure ? [false, `${failure.name}: ${failure.message}`] : [true, prepared!.call]);
    if (failure) throw failure;
    return comm._call(method, prepared!.run);
  };
  return watching ? watched(`${where}()`, run) : run();
}

/** Throws on every rank unless every rank's vote is [true, call], with the same call when `same`. */
function agree(comm: TopoComm, where: string, same: boolean, mine: [ok: boolean, text: string]): void {
  const votes = comm.allgather(mine);
  const failed = votes.flatMap(([ok], r) => (ok ? [] : [r]));
  if (failed.length > 0) {
    if (!mine[0]) return; // this rank throws its own error
    const who = failed.length === 1 ? `rank ${failed[0]}` : `ranks ${failed.join(', ')}`;
    const texts = failed.map((r) => votes[r][1]);
    throw new PeerFailedError(
      `${where}: not started on any rank because ${who} failed to prepare it (${failed.map((r, i) => `rank ${r}: ${texts[i]}`).join('; ')})`,
      failed,
      texts,
    );
  }
  const calls = votes.map(([, text]) => text);
  if (same && calls.some((c) => c !== calls[0])) {
    const byCall = new Map<string, number[]>();
    calls.forEach((c, r) => byCall.set(c, [...(byCall.get(c) ?? []), r]));
    const groups = [...byCall].map(([c, ranks]) => `${ranks.length === 1 ? 'rank' : 'ranks'} ${ranks.join(', ')}: ${c}`);
    throw new CollectiveMismatchError(
      `${where}: the ranks passed different arguments, so none made the call: ${groups.join('; ')}. Every rank of ${comm.name} passes the same ones.`,
      calls,
    );
  }
}
