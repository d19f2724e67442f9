// Collectives into the caller's arrays, after mpi4py's upper-case methods (Allreduce, Reduce, Scan, Exscan,
// Alltoall, Allgather, Gather, Scatter): typed arrays only, nothing allocated per call, one MPI call each.
// lib/comm.ts's Comm is their face.
//
// The count and type of every call come from the send array (scatterInto: the root's send, the others'
// recv), so a rank can always tell locally what its part of the call is. A recv that does not fit (wrong
// length or element type, overlapping send) is the caller's mistake on that rank alone, and ranks can differ
// in it; so the rank still takes its part, receiving into a scratch array, and throws afterwards: no rank
// is left waiting in the call. With H5MPI_CHECK_COLLECTIVE=1 the ranks agree first, and any rank's mistake
// throws on every rank before anything is sent. A send that cannot make a call (not a typed array, not
// cut into equal blocks, an op its type cannot take) throws at once.
import { collective, commChecking, CommLike } from './collectives';
import { ARRAY_TYPES, dtypeOfArray, NumericArray, NumericDType } from './dtype';
import type { MPIBuffer } from './message';
import type { NativeComm } from './native';
import { OP_CODES, ReduceOp, truthValues } from './reduce';
import { describeValue } from './validate';
import { watching } from './watchdog';

/** Arrays whose elements MPI sees as the same type as A's (a Buffer and a Uint8Array alike). */
export type SameElements<A> = A extends Float64Array
  ? Float64Array
  : A extends Float32Array
    ? Float32Array
    : A extends BigInt64Array
      ? BigInt64Array
      : A extends BigUint64Array
        ? BigUint64Array
        : A extends Int32Array
          ? Int32Array
          : A extends Uint32Array
            ? Uint32Array
            : A extends Int16Array
              ? Int16Array
              : A extends Uint16Array
                ? Uint16Array
                : A extends Int8Array
                  ? Int8Array
                  : A extends Uint8Array | Uint8ClampedArray
                    ? Uint8Array | Uint8ClampedArray
                    : never;

const enum Call {
  Reduce,
  Scan,
  Alltoall,
  Allgather,
  Gather,
  Scatter,
}

/** One call, checked: what goes to MPI and what the caller gets. */
interface Plan {
  call: Call;
  send: MPIBuffer | undefined;
  /** The caller's recv, or a scratch array when it does not fit (then `error` says why). */
  recv: MPIBuffer | undefined;
  inPlace: boolean;
  dtype: NumericDType;
  /** Elements per rank (the reductions: the whole length). */
  count: number;
  op: ReduceOp | undefined;
  root: number;
  /** What the call returns: the caller's recv where it receives. */
  result: MPIBuffer | undefined;
  error: TypeError | undefined;
}

const INT_MAX = 2 ** 31 - 1;

function dtypeOf(a: unknown): NumericDType | undefined {
  return ArrayBuffer.isView(a) ? dtypeOfArray(a) : undefined;
}

function sendArg(comm: CommLike, method: string, a: unknown, name: string): NumericDType {
  const dtype = dtypeOf(a);
  if (dtype === undefined) throw new TypeError(`${comm.name}.${method}: ${name} must be a typed array, got ${describeValue(a)}`);
  if ((a as MPIBuffer).length > INT_MAX) throw new RangeError(`${comm.name}.${method}: ${name} has more than 2^31-1 elements; send it in pieces`);
  return dtype;
}

function typeName(a: ArrayBufferView): string {
  return `a ${a.constructor.name} (${dtypeOfArray(a)})`;
}

/** Whether two distinct views share bytes (MPI forbids it: pass the same array for in place). */
function overlap(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * Why `recv` cannot take `length` elements of `send`'s type, or undefined when it can. `why` says where the
 * length comes from, for the message.
 */
function misfit(comm: CommLike, method: string, send: MPIBuffer, recv: unknown, length: number, why: string): TypeError | undefined {
  if (ArrayBuffer.isView(recv) && (recv.constructor === send.constructor || dtypeOf(recv) === dtypeOf(send)) && (recv as MPIBuffer).length === length && !overlap(send, recv)) {
    return undefined;
  }
  const where = `${comm.name}.${method}`;
  if (!ArrayBuffer.isView(recv) || dtypeOfArray(recv) === undefined) {
    return new TypeError(`${where}: recv must be a typed array of ${length} elements (${why}), got ${describeValue(recv)}`);
  }
  const r = recv as MPIBuffer;
  if (r.constructor !== send.constructor && dtypeOfArray(r) !== dtypeOfArray(send)) {
    return new TypeError(`${where}: recv is ${typeName(r)} and send ${typeName(send)}: pass arrays of the same element type (MPI moves elements, it would not convert them)`);
  }
  if (r.length !== length) {
    return new TypeError(`${where}: recv has ${r.length} element${r.length === 1 ? '' : 's'} and send ${send.length}: recv must have ${length} (${why})`);
  }
  if (overlap(send, r)) {
    return new TypeError(`${where}: send and recv share memory without being the same array; pass the same array as both to reduce in place (MPI_IN_PLACE)`);
  }
  return undefined;
}

function scratch(dtype: NumericDType, length: number): NumericArray {
  return new ARRAY_TYPES[dtype](length);
}

function opArg(comm: CommLike, method: string, send: MPIBuffer, op: ReduceOp): void {
  const code = OP_CODES[op];
  if (typeof code === 'number' && code <= OP_CODES.max && !(send instanceof Uint8ClampedArray)) return;
  const where = `${comm.name}.${method}`;
  if (!Object.prototype.hasOwnProperty.call(OP_CODES, op)) {
    throw new TypeError(`${where}: unknown op ${JSON.stringify(op)}; expected one of ${Object.keys(OP_CODES).join(', ')}`);
  }
  if (send instanceof Uint8ClampedArray) {
    throw new TypeError(`${where}: a Uint8ClampedArray cannot be reduced (MPI's uint8 arithmetic wraps, it does not clamp); pass a Uint8Array`);
  }
  if (op !== 'sum' && op !== 'prod' && op !== 'min' && op !== 'max' && (send instanceof Float64Array || send instanceof Float32Array)) {
    throw new TypeError(`${where}: '${op}' needs integers, not a ${dtypeOfArray(send)} array`);
  }
}

function plan(call: Call, send: MPIBuffer | undefined, recv: MPIBuffer | undefined, inPlace: boolean, dtype: NumericDType, count: number, op: ReduceOp | undefined, root: number, result: MPIBuffer | undefined, error: TypeError | undefined): Plan {
  return { call, send, recv, inPlace, dtype, count, op, root, result, error };
}

// ---- planning each call (throws when the send cannot make it) ----

/** allreduceInto, scanInto, exscanInto (root -1) and reduceInto: recv the length of send. */
function planReduce(comm: CommLike, method: string, send: unknown, recv: unknown, op: ReduceOp, root: number, call: Call.Reduce | Call.Scan = Call.Reduce): Plan {
  const dtype = sendArg(comm, method, send, 'send');
  opArg(comm, method, send as MPIBuffer, op);
  const a = send as MPIBuffer;
  if (root >= 0) comm._rankArg('root', root, method);
  const receives = root < 0 || comm.rank === root;
  if (!receives) return plan(call, a, undefined, false, dtype, a.length, op, root, undefined, undefined);
  if (recv === send) return plan(call, a, a, true, dtype, a.length, op, root, a, undefined);
  const error = misfit(comm, method, a, recv, a.length, 'as many as send');
  const into = error ? scratch(dtype, a.length) : (recv as MPIBuffer);
  return plan(call, a, into, false, dtype, a.length, op, root, recv as MPIBuffer, error);
}

/** alltoallInto: send cut into one equal block per rank, recv the same length. */
function planAlltoall(comm: CommLike, send: unknown, recv: unknown): Plan {
  const dtype = sendArg(comm, 'alltoallInto', send, 'send');
  const a = send as MPIBuffer;
  if (a.length % comm.size !== 0) {
    throw new TypeError(`${comm.name}.alltoallInto: send has ${a.length} elements, not a multiple of the ${comm.size} ranks: it is cut into one equal block per rank`);
  }
  const block = a.length / comm.size;
  if (recv === send) return plan(Call.Alltoall, a, a, true, dtype, block, undefined, -1, a, undefined);
  const error = misfit(comm, 'alltoallInto', a, recv, a.length, 'as many as send');
  return plan(Call.Alltoall, a, error ? scratch(dtype, a.length) : (recv as MPIBuffer), false, dtype, block, undefined, -1, recv as MPIBuffer, error);
}

/** allgatherInto (root -1) and gatherInto: recv send.length * size elements where it receives. */
function planGather(comm: CommLike, method: string, send: unknown, recv: unknown, root: number): Plan {
  const where = `${comm.name}.${method}`;
  const call = root < 0 ? Call.Allgather : Call.Gather;
  if (root >= 0) comm._rankArg('root', root, method);
  const receives = root < 0 || comm.rank === root;
  if (receives && recv === send) {
    // In place: this rank's block is already in its place in recv.
    const dt = sendArg(comm, method, send, 'send (and recv, in place)');
    const a = send as MPIBuffer;
    if (a.length % comm.size !== 0) {
      throw new TypeError(`${where}: in place, recv has ${a.length} elements, not a multiple of the ${comm.size} ranks: it holds one equal block per rank`);
    }
    return plan(call, a, a, true, dt, a.length / comm.size, undefined, root, a, undefined);
  }
  const dtype = sendArg(comm, method, send, 'send');
  const a = send as MPIBuffer;
  if (!receives) return plan(call, a, undefined, false, dtype, a.length, undefined, root, undefined, undefined);
  const total = a.length * comm.size;
  if (total > INT_MAX) throw new RangeError(`${where}: the ranks' arrays together have more than 2^31-1 elements; gather in pieces`);
  const error = misfit(comm, method, a, recv, total, `send's length times the ${comm.size} ranks`);
  return plan(call, a, error ? scratch(dtype, total) : (recv as MPIBuffer), false, dtype, a.length, undefined, root, recv as MPIBuffer, error);
}

/** scatterInto: the root's send cut into one block per rank; every rank's recv one block. */
function planScatter(comm: CommLike, send: unknown, recv: unknown, root: number): Plan {
  const where = `${comm.name}.scatterInto`;
  comm._rankArg('root', root, 'scatterInto');
  if (comm.rank !== root) {
    // The block's length and type come from recv here: there is nothing to check it against.
    const dt = sendArg(comm, 'scatterInto', recv, 'recv');
    const r = recv as MPIBuffer;
    return plan(Call.Scatter, undefined, r, false, dt, r.length, undefined, root, r, undefined);
  }
  const dtype = sendArg(comm, 'scatterInto', send, 'send (on the root)');
  const a = send as MPIBuffer;
  if (a.length % comm.size !== 0) {
    throw new TypeError(`${where}: send has ${a.length} elements, not a multiple of the ${comm.size} ranks: it is cut into one equal block per rank`);
  }
  const block = a.length / comm.size;
  if (recv === send) return plan(Call.Scatter, a, a, true, dtype, block, undefined, root, a, undefined);
  const error = misfit(comm, 'scatterInto', a, recv, block, `send's length divided by the ${comm.size} ranks`);
  return plan(Call.Scatter, a, error ? scratch(dtype, block) : (recv as MPIBuffer), false, dtype, block, undefined, root, recv as MPIBuffer, error);
}

// ---- running a plan ----

function execute(n: NativeComm, p: Plan): void {
  switch (p.call) {
    case Call.Reduce:
      n.reduceInto(p.send!, p.recv, OP_CODES[p.op!], p.root, p.inPlace);
      break;
    case Call.Scan:
      n.mpiScan(p.send!, p.recv!, OP_CODES[p.op!], p.root === -2, p.inPlace);
      break;
    case Call.Alltoall:
      n.mpiAlltoall(p.send!, p.recv!, p.count, p.inPlace);
      break;
    case Call.Allgather:
      n.mpiAllgather(p.send!, p.recv!, p.inPlace);
      break;
    case Call.Gather:
      n.mpiGather(p.send!, p.recv, p.root, p.inPlace);
      break;
    case Call.Scatter:
      n.mpiScatter(p.send, p.recv!, p.root, p.inPlace);
      break;
  }
}

/** After the call: 'land'/'lor' as 1 or 0 (a one-rank MPI leaves the input as it was), then the deferred error. */
function finish(p: Plan): MPIBuffer | undefined {
  if (p.error) throw p.error;
  if ((p.op === 'land' || p.op === 'lor') && p.result) truthValues(p.result as NumericArray);
  return p.result;
}

function describe(p: Plan): string {
  const what = p.call === Call.Reduce || p.call === Call.Scan ? `${p.dtype}[${p.count}]` : `${p.dtype}[${p.count}] per rank`;
  // MPI wants MPI_IN_PLACE at all processes or none in Allreduce, Alltoall and Allgather; at a root, or in
  // a scan, it is each rank's own affair.
  const everywhere = (p.call === Call.Reduce && p.root < 0) || p.call === Call.Alltoall || p.call === Call.Allgather;
  const inPlace = p.inPlace && everywhere ? ', in place' : '';
  return `${p.op ? `'${p.op}', ` : ''}${what}${p.root >= 0 ? `, root ${p.root}` : ''}${inPlace}`;
}

/** Runs one Into call through the collective check and the watchdog (when either is on). */
function runChecked(comm: CommLike, method: string, prepare: () => Plan): MPIBuffer | undefined {
  // Checking: a recv that does not fit fails the agreement, so every rank throws before the call.
  // Watchdog alone: as unchecked, the rank takes its part first.
  const p = collective(
    comm,
    method,
    () => {
      const q = prepare();
      if (q.error && commChecking()) throw q.error;
      return q;
    },
    describe,
    (q) => {
      comm._call(method, (n) => execute(n, q));
      return q;
    },
  );
  return finish(p);
}

/** Runs a planned call straight on the binding. */
function runPlan(comm: CommLike, method: string, p: Plan): MPIBuffer | undefined {
  const n = comm._native(method);
  try {
    execute(n, p);
  } catch (e) {
    throw comm._failed(method, e);
  }
  return finish(p);
}

function slow(): boolean {
  return commChecking() || watching;
}

// ---- the calls ----
// Each plans straight away in the common case: no closure per call.

export function allreduceInto<A extends NumericArray>(comm: CommLike, send: A, recv: SameElements<A>, op: ReduceOp): SameElements<A> {
  if (slow()) return runChecked(comm, 'allreduceInto', () => planReduce(comm, 'allreduceInto', send, recv, op, -1)) as SameElements<A>;
  return runPlan(comm, 'allreduceInto', planReduce(comm, 'allreduceInto', send, recv, op, -1)) as SameElements<A>;
}

export function reduceInto<A extends NumericArray>(comm: CommLike, send: A, recv: SameElements<A> | undefined, op: ReduceOp, root: number): SameElements<A> | undefined {
  if (slow()) return runChecked(comm, 'reduceInto', () => planReduce(comm, 'reduceInto', send, recv, op, root)) as SameElements<A> | undefined;
  return runPlan(comm, 'reduceInto', planReduce(comm, 'reduceInto', send, recv, op, root)) as SameElements<A> | undefined;
}

/** scanInto and exscanInto (root -2 marks the exclusive scan for execute). */
export function scanInto<A extends NumericArray>(comm: CommLike, method: 'scanInto' | 'exscanInto', send: A, recv: SameElements<A>, op: ReduceOp): SameElements<A> {
  const prepare = (): Plan => {
    const p = planReduce(comm, method, send, recv, op, -1, Call.Scan);
    if (method === 'exscanInto') p.root = -2;
    return p;
  };
  return (slow() ? runChecked(comm, method, prepare) : runPlan(comm, method, prepare())) as SameElements<A>;
}

export function alltoallInto<A extends MPIBuffer>(comm: CommLike, send: A, recv: SameElements<A>): SameElements<A> {
  if (slow()) return runChecked(comm, 'alltoallInto', () => planAlltoall(comm, send, recv)) as SameElements<A>;
  return runPlan(comm, 'alltoallInto', planAlltoall(comm, send, recv)) as SameElements<A>;
}

export function allgatherInto<A extends MPIBuffer>(comm: CommLike, send: A, recv: SameElements<A>): SameElements<A> {
  if (slow()) return runChecked(comm, 'allgatherInto', () => planGather(comm, 'allgatherInto', send, recv, -1)) as SameElements<A>;
  return runPlan(comm, 'allgatherInto', planGather(comm, 'allgatherInto', send, recv, -1)) as SameElements<A>;
}

export function gatherInto<A extends MPIBuffer>(comm: CommLike, send: A, recv: SameElements<A> | undefined, root: number): SameElements<A> | undefined {
  if (slow()) return runChecked(comm, 'gatherInto', () => planGather(comm, 'gatherInto', send, recv, root)) as SameElements<A> | undefined;
  return runPlan(comm, 'gatherInto', planGather(comm, 'gatherInto', send, recv, root)) as SameElements<A> | undefined;
}

export function scatterInto<A extends MPIBuffer>(comm: CommLike, send: SameElements<A> | undefined, recv: A, root: number): A {
  if (slow()) return runChecked(comm, 'scatterInto', () => planScatter(comm, send, recv, root)) as A;
  return runPlan(comm, 'scatterInto', planScatter(comm, send, recv, root)) as A;
}
