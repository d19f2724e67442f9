// Collective calls on a communicator, after mpi4py's lower-case methods: barrier, broadcasts, gathers,
// scatters, all-to-all exchanges, reductions and prefix reductions, of any value or of typed arrays.
// lib/comm.ts's Comm is their face. Here: how each encodes its values and checks its arguments, and the
// checking of Comm collectives (H5MPI_CHECK_COLLECTIVE=1), in which the ranks first agree that they are
// making the same call with the same root, op, element type and length.
//
// Typed arrays go from and into their own memory (what is received lands in an array allocated here, or
// the caller's); other values travel as structured clones (lib/message.ts). A root's bad data (a value that
// cannot be serialised, counts that do not fit its array) still takes its part in the call as a failure
// message, so that the other ranks throw too instead of waiting.
import * as v8 from 'node:v8';
import { ballot, digest64, groupByCall, ranges, unanimous } from './agreement';
import { ARRAY_TYPES, dtypeOfArray, dtypeOfCode, DTYPE_CODES, NumericArray, NumericDType } from './dtype';
import { CollectiveMismatchError, PeerFailedError } from './errors';
import { decode, encode, KIND_FAILED, KIND_OBJECT, MPIBuffer, requireTyped } from './message';
import type { NativeComm } from './native';
import { OP_CODES, ReduceOp, Reduced, Reducible, reducible, truthValues } from './reduce';
import { describeValue } from './validate';
import { watched, watching } from './watchdog';

declare module './native' {
  interface NativeComm {
    // Thin wrappers of MPI's calls on typed arrays (binding/collectives.cc); counts and displacements in elements.
    /** inPlace (the root's send and recv the same array): send.length / size elements to each rank, the root's block left in place. */
    mpiScatter(send: ArrayBufferView | undefined, recv: ArrayBufferView, root: number, inPlace?: boolean): void;
    mpiScatterv(send: ArrayBufferView | undefined, counts: Int32Array | undefined, displs: Int32Array | undefined, recv: ArrayBufferView, root: number): void;
    /** root -1: MPI_Allgatherv, into every rank's recv. */
    mpiGatherv(send: ArrayBufferView, recv: ArrayBufferView | undefined, counts: Int32Array, displs: Int32Array, root: number): void;
    /** inPlace (send and recv the same array): recv.length / size elements from each rank. */
    mpiAllgather(send: ArrayBufferView, recv: ArrayBufferView, inPlace?: boolean): void;
    /** inPlace on the root: recv.length / size elements from each rank. */
    mpiGather(send: ArrayBufferView, recv: ArrayBufferView | undefined, root: number, inPlace: boolean): void;
    mpiAlltoall(send: ArrayBufferView, recv: ArrayBufferView, block: number, inPlace?: boolean): void;
    mpiAlltoallv(send: ArrayBufferView, sendCounts: Int32Array, sendDispls: Int32Array, recv: ArrayBufferView, recvCounts: Int32Array, recvDispls: Int32Array): void;
    mpiScan(send: ArrayBufferView, recv: ArrayBufferView, op: number, exclusive: boolean, inPlace?: boolean): void;
    /** root -1: MPI_Allreduce; recv undefined off the root; inPlace: MPI_IN_PLACE for send. */
    reduceInto(send: ArrayBufferView, recv: ArrayBufferView | undefined, op: number, root: number, inPlace: boolean): void;
    /** Without counts: MPI_Reduce_scatter_block of recv.length elements per rank. */
    mpiReduceScatter(send: ArrayBufferView, recv: ArrayBufferView, counts: Int32Array | undefined, op: number): void;
  }
}

/** What the collectives need of a Comm (lib/comm.ts's class, which imports this module: hence an interface). */
export interface CommLike {
  readonly name: string;
  readonly rank: number;
  readonly size: number;
  _call<R>(method: string, f: (c: NativeComm) => R): R;
  _native(method: string): NativeComm;
  _failed(method: string, e: unknown): unknown;
  _rankArg(name: string, v: unknown, where: string): number;
}

// ---- checking ----

// Off unless H5MPI_CHECK_COLLECTIVE=1: the check is an allreduce of its own, which costs about as much as a
// small collective (bench/comm-check-cost.js; docs/benchmarks.md has the figures).
let checking = process.env.H5MPI_CHECK_COLLECTIVE === '1';

/** Whether Comm collectives are checked (H5MPI_CHECK_COLLECTIVE=1). */
export function commChecking(): boolean {
  return checking;
}

/** Turns checking on or off for the rest of the process (bench/comm-check-cost.js compares the two). */
export function setCommChecking(on: boolean): void {
  checking = on;
}

/**
 * Makes one collective call. `prepare` checks this rank's arguments (throwing on a bad one) and returns
 * what `action` needs; `describe` says what this rank asks for, in text that must be the same on every
 * rank (made only when checking). With checking on, the ranks first agree on it, so that a disagreement
 * or a failed `prepare` on any rank throws on every rank and no rank makes the call.
 */
export function collective<P, R>(comm: CommLike, method: string, prepare: () => P, describe: (p: P) => string, action: (p: P) => R): R {
  const run = (): R => action(checking && comm.size > 1 ? agreed(comm, method, prepare, describe) : prepare());
  return watching ? watched(`${comm.name}.${method}()`, run) : run();
}

type Vote = [ok: boolean, text: string];

function agreed<P>(comm: CommLike, method: string, prepare: () => P, describe: (p: P) => string): P {
  let prepared: P | undefined;
  let failure: unknown;
  let mine: Vote;
  try {
    prepared = prepare();
    mine = [true, `${method}(${describe(prepared)})`];
  } catch (e) {
    failure = e;
    mine = [false, e instanceof Error ? `${e.name}: ${e.message}` : String(e)];
  }
  const exchange = (): Int32Array => new Int32Array(comm._call(method, (c) => c.allreduce(ballot(mine[0], mine[1]), OP_CODES.min)));
  const r = watching ? watched('collective-call check', exchange) : exchange();
  if (!unanimous(r)) judge(comm, method, mine, failure);
  return prepared as P;
}

/** After a failed agreement: every rank's vote, and the error every rank throws. */
function judge(comm: CommLike, method: string, mine: Vote, failure: unknown): void {
  const where = `${comm.name}.${method}`;
  const votes = gatherObjects<Vote>(comm, method, mine);
  const failed = votes.flatMap(([ok], r) => (ok ? [] : [r]));
  if (failed.length > 0) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- this rank's own error, rethrown as it was
    if (failure !== undefined) throw failure;
    const messages = failed.map((r) => votes[r][1]);
    throw new PeerFailedError(
      `${where}: not started on any rank because ${who(failed)} failed to prepare it ` +
        `(${failed.map((r, i) => `rank ${r}: ${messages[i]}`).join('; ')}). Nothing was sent.`,
      failed,
      messages,
    );
  }
  const calls = votes.map(([, text]) => text);
  if (calls.every((c) => c === calls[0])) return;
  throw new CollectiveMismatchError(
    `${where}: the ranks made different collective calls, so none was made: ${groupByCall(calls)}. ${advice(calls)}`,
    calls,
  );
}

/** Every rank's small value, by rank (the object path of allgather, without checking). */
function gatherObjects<T>(comm: CommLike, method: string, value: T): T[] {
  const [kinds, buffer, offsets, lengths] = comm._call(method, (c) => c.allgather(KIND_OBJECT, v8.serialize(value)));
  return kinds.map((k, i) => decode(k, buffer, offsets[i], lengths[i]) as T);
}

const AGREE_ON: Record<string, string> = {
  bcast: 'the same root',
  bcastInto: 'the same root and an array of the same type and length',
  gather: 'the same root',
  scatter: 'the same root',
  scatterv: 'the same root',
  gatherv: 'arrays of one element type, the same root, and the same counts or none',
  allgatherv: 'arrays of one element type, and the same counts or none',
  reduce: 'the same op and root and the same kind of value (typed arrays: the same type and length)',
  allreduce: 'the same op and the same kind of value (typed arrays: the same type and length)',
  scan: 'the same op and the same kind of value (typed arrays: the same type and length)',
  exscan: 'the same op and the same kind of value (typed arrays: the same type and length)',
  alltoall: 'an array of one value per rank everywhere, or typed arrays of the same type and length everywhere',
  alltoallv: 'arrays of one element type',
  reduceScatter: 'the same op and counts, and arrays of the same type and length',
  reduceScatterBlock: 'the same op, and arrays of the same type and length',
  allreduceInto: 'the same op and a send array of the same type and length, in place on every rank or none',
  reduceInto: 'the same op and root and a send array of the same type and length',
  scanInto: 'the same op and a send array of the same type and length',
  exscanInto: 'the same op and a send array of the same type and length',
  alltoallInto: 'a send array of the same type and length, in place on every rank or none',
  allgatherInto: 'a send array of the same type and length, in place on every rank or none',
  gatherInto: 'the same root and a send array of the same type and length',
  scatterInto: 'the same root and the same type and length of block (the root: send.length / size; the others: recv.length)',
};

/** What to do instead, for the kind of disagreement the calls show. */
function advice(calls: string[]): string {
  const ops = new Set(calls.map((c) => c.slice(0, c.indexOf('('))));
  if (ops.size > 1) {
    return 'The ranks are at different points of the program: every rank must make the same collective calls on ' +
      'a communicator, in the same order. Look for a collective call made inside a rank-dependent branch ' +
      '(if (comm.rank === 0) ...) or in a loop that runs a different number of times on different ranks.';
  }
  const op = [...ops][0];
  return `Every rank must call ${op} with ${AGREE_ON[op] ?? 'the same arguments'}.`;
}

// ---- what calls are described by ----

/** "float64[3]": what MPI sees of a typed array (a Buffer and a Uint8Array are the same to it). */
function arrayText(a: ArrayBufferView): string {
  return `${dtypeOfArray(a)}[${(a as MPIBuffer).length}]`;
}

/** A reduction's input: a typed array's dtype and length, or the kind of a single value. */
function valueText(v: unknown): string {
  return ArrayBuffer.isView(v) ? arrayText(v) : typeof v;
}

/** Counts as they go into a call's text: all of them when few, else a preview and a digest of all. */
function countsText(counts: Int32Array): string {
  if (counts.length <= 8) return `[${counts.join(', ')}]`;
  const [h1, h2] = digest64(counts.join(','));
  return `[${counts.subarray(0, 4).join(', ')}, ...] (${counts.length} counts, #${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)})`;
}

// ---- shared pieces ----

const INT_MAX = 2 ** 31 - 1;

/** "1 element", "3 float64 elements" */
function elements(n: number, dtype = ''): string {
  return `${n} ${dtype ? `${dtype} ` : ''}element${n === 1 ? '' : 's'}`;
}

function who(ranks: number[]): string {
  return ranks.length === 1 ? `rank ${ranks[0]}` : `ranks ${ranges(ranks)}`;
}

/** Thrown on the ranks whose value arrived, when another rank could not send its value. */
export function peersFailed(comm: { readonly name: string }, method: string, ranks: number[], messages: string[]): PeerFailedError {
  return new PeerFailedError(`${comm.name}.${method}: ${who(ranks)} could not send a value (${messages.join('; ')})`, ranks, messages);
}

/**
 * Counts (or displacements) for one call: `size` integers in [0, 2^31 - 1] (MPI's counts are int), from
 * an array or a typed array, as the Int32Array the binding takes.
 */
function checkCounts(v: unknown, name: string, size: number, where: string): Int32Array {
  if (!Array.isArray(v) && !(ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array))) {
    throw new TypeError(`${where}: ${name} must be an array of ${size} integers (one per rank), got ${describeValue(v)}`);
  }
  const a = v as ArrayLike<unknown>;
  if (a.length !== size) throw new RangeError(`${where}: ${name} has ${a.length} entries; expected ${size}, one per rank`);
  const out = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > INT_MAX) {
      throw new RangeError(`${where}: ${name}[${i}] is ${typeof x === 'number' ? x : describeValue(x)}; expected an integer in [0, ${INT_MAX}]`);
    }
    out[i] = x;
  }
  return out;
}

/** Displacements that lay counts end to end, or undefined when they pass 2^31 - 1 (MPI's int). */
function prefixSums(counts: ArrayLike<number>, align = 1): { displs: Int32Array; total: number } | undefined {
  const displs = new Int32Array(counts.length);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    total = Math.ceil(total / align) * align;
    if (total > INT_MAX) return undefined;
    displs[i] = total;
    total += counts[i];
  }
  return total > INT_MAX ? undefined : { displs, total };
}

function sumOf(counts: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < counts.length; i++) s += counts[i];
  return s;
}

/** A new array of `length` elements of the same type as `a` (a Buffer for a Buffer). */
function allocLike<A extends MPIBuffer>(a: A, length: number): A {
  if (Buffer.isBuffer(a)) return Buffer.alloc(length) as unknown as A;
  return new (a.constructor as new (n: number) => A)(length);
}

/** A view of `buffer` as MPI sees an array of `a`'s element type. */
function viewFor(a: ArrayBufferView, buffer: ArrayBuffer): NumericArray {
  return new ARRAY_TYPES[dtypeOfArray(a)!](buffer);
}

function checkTypedArg(a: unknown, name: string, where: string): asserts a is MPIBuffer {
  if (!ArrayBuffer.isView(a) || dtypeOfArray(a) === undefined) {
    throw new TypeError(`${where}: ${name} must be a typed array, got ${describeValue(a)}`);
  }
  if ((a as MPIBuffer).length > INT_MAX) throw new RangeError(`${where}: ${name} has more than 2^31-1 elements; send it in pieces`);
}

/** A rank failing on its own data: the error it throws, and the text the other ranks get. */
function failureOf(error: Error): { error: Error; text: Uint8Array } {
  return { error, text: Buffer.from(error.message) };
}

// ---- barrier, broadcasts ----

export function barrier(comm: CommLike): void {
  collective(comm, 'barrier', () => undefined, () => '', () => comm._call('barrier', (c) => c.barrier()));
}

export function bcast<T>(comm: CommLike, value: T, root: number): T {
  return collective(
    comm,
    'bcast',
    () => comm._rankArg('root', root, 'bcast'),
    () => `root ${root}`,
    () => {
      if (comm.rank === root) {
        const { kind, view, error } = encode(value, `${comm.name}.bcast`);
        comm._call('bcast', (c) => c.bcast(kind, view, root));
        if (error) throw error;
        return value;
      }
      const [kind, buffer] = comm._call('bcast', (c) => c.bcast(0, undefined, root))!;
      if (kind === KIND_FAILED) throw peersFailed(comm, 'bcast', [root], [Buffer.from(buffer).toString()]);
      return decode(kind, buffer) as T;
    },
  );
}

export function bcastInto<A extends MPIBuffer>(comm: CommLike, array: A, root: number): A {
  return collective(
    comm,
    'bcastInto',
    () => {
      requireTyped(array, `${comm.name}.bcastInto`);
      comm._rankArg('root', root, 'bcastInto');
    },
    () => `${arrayText(array)}, root ${root}`,
    () => {
      comm._call('bcastInto', (c) => c.bcastInto(array, root));
      return array;
    },
  );
}

// ---- gathers ----

export function gather<T>(comm: CommLike, value: T, root: number): T[] | undefined {
  return gathered(comm, 'gather', value, root);
}

export function allgather<T>(comm: CommLike, value: T): T[] {
  return gathered(comm, 'allgather', value, -1)!;
}

/** gather (to `root`) and allgather (root -1): every rank's value, indexed by rank, where it arrives. */
function gathered<T>(comm: CommLike, method: 'gather' | 'allgather', value: T, root: number): T[] | undefined {
  return collective(
    comm,
    method,
    () => (root < 0 ? undefined : comm._rankArg('root', root, method)),
    () => (root < 0 ? '' : `root ${root}`),
    () => {
      const { kind, view, error } = encode(value, `${comm.name}.${method}`);
      const out = comm._call(method, (c) => (root < 0 ? c.allgather(kind, view) : c.gather(kind, view, root)));
      if (error) throw error;
      return out && unpackGathered<T>(comm, out, method);
    },
  );
}

function unpackGathered<T>(comm: CommLike, [kinds, buffer, offsets, lengths]: [number[], ArrayBuffer, number[], number[]], method: string): T[] {
  const failed = kinds.flatMap((k, i) => (k === KIND_FAILED ? [i] : []));
  if (failed.length > 0) {
    throw peersFailed(comm, method, failed, failed.map((i) => Buffer.from(buffer, offsets[i], lengths[i]).toString()));
  }
  return kinds.map((k, i) => decode(k, buffer, offsets[i], lengths[i]) as T);
}

/**
 * gatherv and allgatherv (root -1): every rank's elements end to end in one array of the caller's type.
 * Without counts the ranks exchange their element type and length first, so a rank with another type
 * makes every rank throw.
 */
export function gatherv<A extends MPIBuffer>(comm: CommLike, method: 'gatherv' | 'allgatherv', array: A, counts: readonly number[] | undefined, root: number): A | undefined {
  const where = `${comm.name}.${method}`;
  return collective(
    comm,
    method,
    () => {
      checkTypedArg(array, 'the array', where);
      if (root >= 0) comm._rankArg('root', root, method);
      if (counts === undefined) return undefined;
      const c = checkCounts(counts, 'counts', comm.size, where);
      if (c[comm.rank] !== array.length) {
        throw new RangeError(`${where}: counts[${comm.rank}] is ${c[comm.rank]}, but this rank's array has ${array.length} elements`);
      }
      const laid = prefixSums(c);
      if (!laid) throw new RangeError(`${where}: the counts add up to more than 2^31-1 elements; gather in pieces`);
      return { counts: c, ...laid };
    },
    (given) => `${dtypeOfArray(array)}${given ? `, counts ${countsText(given.counts)}` : ''}${root >= 0 ? `, root ${root}` : ''}`,
    (given) => {
      const layout = given ?? exchangeLengths(comm, method, array);
      const receives = root < 0 || comm.rank === root;
      const out = receives ? allocLike(array, layout.total) : undefined;
      comm._call(method, (c) => c.mpiGatherv(array, out, layout.counts, layout.displs, root));
      return out;
    },
  );
}

/** Every rank's element type and length, by allgather: throws on every rank alike when they differ. */
function exchangeLengths(comm: CommLike, method: string, array: MPIBuffer): { counts: Int32Array; displs: Int32Array; total: number } {
  const where = `${comm.name}.${method}`;
  const headers = new Float64Array(2 * comm.size);
  comm._call(method, (c) => c.mpiAllgather(new Float64Array([DTYPE_CODES[dtypeOfArray(array)!], array.length]), headers));
  const types = Array.from({ length: comm.size }, (_, r) => dtypeOfCode(headers[2 * r]));
  if (types.some((t) => t !== types[0])) {
    throw new CollectiveMismatchError(
      `${where}: the ranks passed arrays of different element types, so nothing was gathered: ${groupByCall(types)}. ` +
        `Every rank must pass the same type (MPI moves elements, not values: it would not convert them).`,
      types.map((t) => `${method}(${t})`),
    );
  }
  const counts = Int32Array.from({ length: comm.size }, (_, r) => headers[2 * r + 1]);
  const laid = prefixSums(counts);
  if (!laid) throw new RangeError(`${where}: the ranks' arrays together have more than 2^31-1 elements; gather in pieces`);
  return { counts, ...laid };
}

// ---- scatters ----

/** The root's values, one per rank, each to its rank. */
export function scatter<T>(comm: CommLike, values: readonly T[] | undefined, root: number): T {
  const where = `${comm.name}.scatter`;
  return collective(
    comm,
    'scatter',
    () => comm._rankArg('root', root, 'scatter'),
    () => `root ${root}`,
    () => {
      const header = new Float64Array(2);
      if (comm.rank !== root) {
        comm._call('scatter', (c) => c.mpiScatter(undefined, header, root));
        const got = new Uint8Array(header[1]);
        comm._call('scatter', (c) => c.mpiScatterv(undefined, undefined, undefined, got, root));
        if (header[0] === KIND_FAILED) throw peersFailed(comm, 'scatter', [root], [Buffer.from(got).toString()]);
        return decode(header[0], got.buffer) as T;
      }
      const packed = packValues(comm, where, values);
      const failed = 'error' in packed;
      const { kinds, data, counts, displs } = failed ? failureMessages(comm.size, packed.text) : packed;
      const headers = new Float64Array(2 * comm.size);
      for (let r = 0; r < comm.size; r++) headers.set([kinds[r], counts[r]], 2 * r);
      comm._call('scatter', (c) => c.mpiScatter(headers, header, root));
      const got = new Uint8Array(header[1]);
      comm._call('scatter', (c) => c.mpiScatterv(data, counts, displs, got, root));
      if (failed) throw packed.error;
      return decode(header[0], got.buffer) as T;
    },
  );
}

interface Packed {
  kinds: number[];
  data: Uint8Array;
  counts: Int32Array;
  displs: Int32Array;
}

/**
 * One value per rank, encoded and laid end to end, each on an 8-byte boundary so that it can be received
 * and viewed in place as any typed array. Or the error that stops it, for every rank to hear about.
 */
function packValues(comm: CommLike, where: string, values: unknown): Packed | { error: Error; text: Uint8Array } {
  if (!Array.isArray(values) || values.length !== comm.size) {
    const got = Array.isArray(values) ? `an array of ${values.length}` : describeValue(values);
    return failureOf(new TypeError(`${where}: values must be an array of ${comm.size} values (one per rank), got ${got}`));
  }
  // The largest value each rank may receive, so that no rank's receive buffer passes 2 GiB (MPI's int).
  const limit = Math.floor(INT_MAX / comm.size) - 8;
  const encoded = (values as unknown[]).map((v) => encode(v, where));
  for (const e of encoded) {
    if (e.error) return failureOf(e.error);
    if (e.view.byteLength > limit) {
      return failureOf(new RangeError(`${where}: a value of ${e.view.byteLength} bytes is more than the ${limit} a rank can receive here; send it in pieces`));
    }
  }
  const laid = prefixSums(encoded.map((e) => e.view.byteLength), 8)!;
  const data = new Uint8Array(laid.total);
  encoded.forEach((e, r) => data.set(new Uint8Array(e.view.buffer, e.view.byteOffset, e.view.byteLength), laid.displs[r]));
  return { kinds: encoded.map((e) => e.kind), data, counts: Int32Array.from(encoded, (e) => e.view.byteLength), displs: laid.displs };
}

/** The same failure message for every rank. */
function failureMessages(size: number, text: Uint8Array): Packed {
  const data = new Uint8Array(text.length * size);
  for (let r = 0; r < size; r++) data.set(text, r * text.length);
  return {
    kinds: new Array<number>(size).fill(KIND_FAILED),
    data,
    counts: new Int32Array(size).fill(text.length),
    displs: Int32Array.from({ length: size }, (_, r) => r * text.length),
  };
}

/**
 * The root's sendArray, counts[r] elements from displs[r] (default: end to end) to rank r. The root
 * tells each rank what comes (type and count), so that the other ranks need neither; a rank that passes
 * counts or a recvArray that does not match what the root sends takes its part, then throws.
 */
export function scatterv<A extends MPIBuffer>(
  comm: CommLike,
  sendArray: A | undefined,
  counts: readonly number[] | undefined,
  displs: readonly number[] | undefined,
  recvArray: A | undefined,
  root: number,
): A {
  const where = `${comm.name}.scatterv`;
  return collective(
    comm,
    'scatterv',
    () => {
      comm._rankArg('root', root, 'scatterv');
      if (recvArray !== undefined) checkTypedArg(recvArray, 'recvArray', where);
      return comm.rank === root || counts === undefined ? undefined : checkCounts(counts, 'counts', comm.size, where);
    },
    () => `root ${root}`,
    (myCounts) => {
      // Each rank's header: the kind of array the root sends (lib/message.ts), its element count and dtype code.
      const header = new Float64Array(3);
      if (comm.rank !== root) {
        comm._call('scatterv', (c) => c.mpiScatter(undefined, header, root));
        if (header[0] === KIND_FAILED) {
          const got = new Uint8Array(header[1]);
          comm._call('scatterv', (c) => c.mpiScatterv(undefined, undefined, undefined, got, root));
          throw peersFailed(comm, 'scatterv', [root], [Buffer.from(got).toString()]);
        }
        const { target, error } = receiveTarget(where, header, recvArray, myCounts, comm.rank);
        comm._call('scatterv', (c) => c.mpiScatterv(undefined, undefined, undefined, target.view, root));
        if (error) throw error;
        return target.result as A;
      }
      const plan = planScatterv(comm, where, sendArray, counts, displs);
      const headers = new Float64Array(3 * comm.size);
      if ('error' in plan) {
        const f = failureMessages(comm.size, plan.text);
        for (let r = 0; r < comm.size; r++) headers.set([KIND_FAILED, f.counts[r], DTYPE_CODES.uint8], 3 * r);
        comm._call('scatterv', (c) => c.mpiScatter(headers, header, root));
        comm._call('scatterv', (c) => c.mpiScatterv(f.data, f.counts, f.displs, new Uint8Array(header[1]), root));
        throw plan.error;
      }
      const code = DTYPE_CODES[dtypeOfArray(sendArray!)!];
      for (let r = 0; r < comm.size; r++) headers.set([plan.kind, plan.counts[r], code], 3 * r);
      comm._call('scatterv', (c) => c.mpiScatter(headers, header, root));
      const { target, error } = receiveTarget(where, header, recvArray, undefined, comm.rank);
      comm._call('scatterv', (c) => c.mpiScatterv(sendArray, plan.counts, plan.displs, target.view, root));
      if (error) throw error;
      return target.result as A;
    },
  );
}

/** The root's checks of its own data, or the error that stops the call on every rank. */
function planScatterv(comm: CommLike, where: string, sendArray: unknown, counts: unknown, displs: unknown): { kind: number; counts: Int32Array; displs: Int32Array } | { error: Error; text: Uint8Array } {
  try {
    checkTypedArg(sendArray, 'sendArray (on the root)', where);
    const c = checkCounts(counts, 'counts', comm.size, where);
    let d: Int32Array;
    if (displs === undefined) {
      const laid = prefixSums(c);
      if (!laid || laid.total > sendArray.length) {
        throw new RangeError(`${where}: the counts add up to ${sumOf(c)} elements, more than sendArray's ${sendArray.length}`);
      }
      d = laid.displs;
    } else {
      d = checkCounts(displs, 'displs', comm.size, where);
      for (let r = 0; r < comm.size; r++) {
        if (d[r] + c[r] > sendArray.length) {
          throw new RangeError(`${where}: displs[${r}] + counts[${r}] is ${d[r] + c[r]}, past the end of sendArray (${sendArray.length} elements)`);
        }
      }
    }
    return { kind: encode(sendArray, where).kind, counts: c, displs: d };
  } catch (e) {
    return failureOf(e as Error);
  }
}

/**
 * Where a scattered block lands: the caller's recvArray when it matches what comes (type and count),
 * else a new array of the root's type; with the error to throw afterwards when recvArray or counts
 * did not match (the block is still received, so that the call completes on every rank).
 */
function receiveTarget(where: string, header: Float64Array, recvArray: MPIBuffer | undefined, myCounts: Int32Array | undefined, rank: number): { target: { view: ArrayBufferView; result: unknown }; error?: Error } {
  const [kind, count, code] = header;
  const dtype = dtypeOfCode(code) as NumericDType;
  const fresh = (): { view: ArrayBufferView; result: unknown } => {
    const buffer = new ArrayBuffer(count * ARRAY_TYPES[dtype].BYTES_PER_ELEMENT);
    return { view: new ARRAY_TYPES[dtype](buffer), result: decode(kind, buffer) };
  };
  if (myCounts && myCounts[rank] !== count) {
    return { target: fresh(), error: new RangeError(`${where}: counts[${rank}] is ${myCounts[rank]} here, but the root sends ${elements(count)} to rank ${rank}`) };
  }
  if (recvArray === undefined) return { target: fresh() };
  if (dtypeOfArray(recvArray) !== dtype || recvArray.length !== count) {
    const error = new RangeError(`${where}: the root sends ${elements(count, dtype)} to rank ${rank}, which do not fit recvArray (a ${recvArray.constructor.name} of ${recvArray.length})`);
    return { target: fresh(), error };
  }
  return { target: { view: recvArray, result: recvArray } };
}

// ---- all-to-all ----

/** Typed: equal blocks of `array`, block r to rank r; any values: values[r] to rank r. */
export function alltoall<T>(comm: CommLike, values: MPIBuffer | readonly T[]): MPIBuffer | T[] {
  const where = `${comm.name}.alltoall`;
  if (ArrayBuffer.isView(values)) {
    const array = values;
    return collective(
      comm,
      'alltoall',
      () => {
        checkTypedArg(array, 'the array', where);
        if (array.length % comm.size !== 0) {
          throw new RangeError(`${where}: the array has ${array.length} elements, not a multiple of the ${comm.size} ranks: it is cut into one equal block per rank`);
        }
      },
      () => arrayText(array),
      () => {
        const out = allocLike(array, array.length);
        comm._call('alltoall', (c) => c.mpiAlltoall(array, out, array.length / comm.size));
        return out;
      },
    );
  }
  return collective(comm, 'alltoall', () => undefined, () => 'values', () => alltoallValues<T>(comm, where, values));
}

function alltoallValues<T>(comm: CommLike, where: string, values: unknown): T[] {
  const packed = packValues(comm, where, values);
  const failed = 'error' in packed;
  const send = failed ? failureMessages(comm.size, packed.text) : packed;
  const sendHeaders = new Float64Array(2 * comm.size);
  for (let r = 0; r < comm.size; r++) sendHeaders.set([send.kinds[r], send.counts[r]], 2 * r);
  const headers = new Float64Array(2 * comm.size);
  comm._call('alltoall', (c) => c.mpiAlltoall(sendHeaders, headers, 2));
  const kinds = Array.from({ length: comm.size }, (_, r) => headers[2 * r]);
  const recvCounts = Int32Array.from({ length: comm.size }, (_, r) => headers[2 * r + 1]);
  // Every sender keeps each value under 2 GiB / size (packValues), so this fits.
  const { displs, total } = prefixSums(recvCounts, 8)!;
  const got = new Uint8Array(total);
  comm._call('alltoall', (c) => c.mpiAlltoallv(send.data, send.counts, send.displs, got, recvCounts, displs));
  if (failed) throw packed.error;
  // A failing rank sends its failure to every rank, so every rank sees the same failures.
  const failedRanks = kinds.flatMap((k, r) => (k === KIND_FAILED ? [r] : []));
  if (failedRanks.length > 0) {
    throw peersFailed(comm, 'alltoall', failedRanks, failedRanks.map((r) => Buffer.from(got.buffer, displs[r], recvCounts[r]).toString()));
  }
  return kinds.map((k, r) => decode(k, got.buffer, displs[r], recvCounts[r]) as T);
}

/**
 * sendCounts[r] elements of sendArray (end to end) to rank r; returns what every rank sent here, in rank
 * order. Without recvCounts (and always when checking) the ranks first tell each other their element type
 * and counts: a rank with another type makes every rank throw, and a rank whose recvCounts do not match
 * what is sent takes its part, then throws.
 */
export function alltoallv<A extends MPIBuffer>(comm: CommLike, sendArray: A, sendCounts: readonly number[], recvCounts: readonly number[] | undefined): A {
  const where = `${comm.name}.alltoallv`;
  return collective(
    comm,
    'alltoallv',
    () => {
      checkTypedArg(sendArray, 'sendArray', where);
      const sc = checkCounts(sendCounts, 'sendCounts', comm.size, where);
      const sent = prefixSums(sc);
      if (!sent || sent.total > sendArray.length) {
        throw new RangeError(`${where}: sendCounts add up to ${sumOf(sc)} elements, more than sendArray's ${sendArray.length}`);
      }
      const rc = recvCounts === undefined ? undefined : checkCounts(recvCounts, 'recvCounts', comm.size, where);
      if (rc && !prefixSums(rc)) throw new RangeError(`${where}: recvCounts add up to more than 2^31-1 elements; exchange in pieces`);
      return { sendCounts: sc, sendDispls: sent.displs, recvCounts: rc };
    },
    () => `${dtypeOfArray(sendArray)}`,
    ({ sendCounts: sc, sendDispls, recvCounts: given }) => {
      let rc = given;
      let error: Error | undefined;
      if (!rc || checking) {
        const mine = new Float64Array(2 * comm.size);
        const code = DTYPE_CODES[dtypeOfArray(sendArray)!];
        for (let r = 0; r < comm.size; r++) mine.set([code, sc[r]], 2 * r);
        const headers = new Float64Array(2 * comm.size);
        comm._call('alltoallv', (c) => c.mpiAlltoall(mine, headers, 2));
        const types = Array.from({ length: comm.size }, (_, r) => dtypeOfCode(headers[2 * r]));
        if (types.some((t) => t !== types[0])) {
          throw new CollectiveMismatchError(
            `${where}: the ranks passed arrays of different element types, so nothing was exchanged: ${groupByCall(types)}. ` +
              `Every rank must pass the same type (MPI moves elements, not values: it would not convert them).`,
            types.map((t) => `alltoallv(${t})`),
          );
        }
        const sent = Int32Array.from({ length: comm.size }, (_, r) => headers[2 * r + 1]);
        const wrong = rc ? sent.findIndex((n, r) => n !== rc![r]) : -1;
        if (wrong >= 0) error = new RangeError(`${where}: recvCounts[${wrong}] is ${rc![wrong]}, but rank ${wrong} sends ${elements(sent[wrong])} here`);
        rc = sent;
      }
      const laid = prefixSums(rc);
      if (!laid) throw new RangeError(`${where}: the ranks send more than 2^31-1 elements here; exchange in pieces`);
      const out = allocLike(sendArray, laid.total);
      comm._call('alltoallv', (c) => c.mpiAlltoallv(sendArray, sc, sendDispls, out, rc, laid.displs));
      if (error) throw error;
      return out;
    },
  );
}

// ---- reductions ----

export function reduce<T extends Reducible, O extends ReduceOp>(comm: CommLike, value: T, op: O, root: number): Reduced<T, O> | undefined {
  return collective(
    comm,
    'reduce',
    () => {
      const r = reducible(value, op, `${comm.name}.reduce`);
      comm._rankArg('root', root, 'reduce');
      return r;
    },
    () => `'${op}', ${valueText(value)}, root ${root}`,
    ({ array, unpack }) => {
      const out = comm._call('reduce', (c) => c.reduce(array, OP_CODES[op], root));
      return out === undefined ? undefined : (unpack(out) as Reduced<T, O>);
    },
  );
}

// Small reductions go through one scratch buffer, made once: the binding would otherwise allocate an
// ArrayBuffer (calloc'd, outside V8's heap) per call; `slice` then copies the result into a small array
// that V8 keeps on its own heap. bench/NOTES.md (2026-11-30, collectives) has the figures.
const SCRATCH_BYTES = 256;
interface Scratch {
  /** A number's send and receive slots. */
  numberIn: Float64Array;
  numberOut: Float64Array;
  /** The whole buffer as each array type (the binding takes the count from the send array). */
  views: Map<unknown, NumericArray>;
}
let scratch: Scratch | undefined;

function scratchBuffer(): Scratch {
  if (scratch === undefined) {
    const buffer = new ArrayBuffer(SCRATCH_BYTES);
    scratch = { numberIn: new Float64Array(buffer, 0, 1), numberOut: new Float64Array(buffer, 8, 1), views: new Map() };
  }
  return scratch;
}

function scratchAs(ctor: unknown): NumericArray {
  const s = scratchBuffer();
  let v = s.views.get(ctor);
  if (v === undefined) {
    v = new (ctor as new (b: ArrayBuffer) => NumericArray)(s.numberIn.buffer as ArrayBuffer);
    s.views.set(ctor, v);
  }
  return v;
}

/**
 * allreduce of a number, or of a small typed array (not a Buffer), unchecked: through the scratch buffer,
 * with no closures; undefined when the value needs the general path (which also reports its errors).
 */
function quickAllreduce(comm: CommLike, value: unknown, op: ReduceOp): { out: unknown } | undefined {
  const code = OP_CODES[op];
  if (typeof code !== 'number' || !Object.prototype.hasOwnProperty.call(OP_CODES, op)) return undefined;
  if (typeof value === 'number') {
    if (code > OP_CODES.max) return undefined; // the logical and bitwise ops take integers, as int64
    const { numberIn, numberOut } = scratchBuffer();
    numberIn[0] = value;
    const n = comm._native('allreduce');
    try {
      n.reduceInto(numberIn, numberOut, code, -1, false);
    } catch (e) {
      throw comm._failed('allreduce', e);
    }
    return { out: numberOut[0] };
  }
  if (!ArrayBuffer.isView(value) || value.byteLength > SCRATCH_BYTES || Buffer.isBuffer(value) || value instanceof Uint8ClampedArray || dtypeOfArray(value) === undefined) return undefined;
  const ctor = value.constructor;
  if (code > OP_CODES.max && (ctor === Float64Array || ctor === Float32Array)) return undefined;
  const into = scratchAs(ctor);
  const n = comm._native('allreduce');
  try {
    n.reduceInto(value, into, code, -1, false);
  } catch (e) {
    throw comm._failed('allreduce', e);
  }
  const out = into.slice(0, (value as NumericArray).length);
  return { out: op === 'land' || op === 'lor' ? truthValues(out) : out };
}

export function allreduce<T extends Reducible, O extends ReduceOp>(comm: CommLike, value: T, op: O): Reduced<T, O> {
  if (!checking && !watching) {
    const quick = quickAllreduce(comm, value, op);
    if (quick) return quick.out as Reduced<T, O>;
  }
  return collective(
    comm,
    'allreduce',
    () => reducible(value, op, `${comm.name}.allreduce`),
    () => `'${op}', ${valueText(value)}`,
    ({ array, unpack }) => unpack(comm._call('allreduce', (c) => c.allreduce(array, OP_CODES[op]))) as Reduced<T, O>,
  );
}

/** scan (inclusive: ranks 0..r) and exscan (exclusive: ranks 0..r-1; undefined on rank 0, as MPI leaves it). */
export function scan<T extends Reducible, O extends ReduceOp>(comm: CommLike, method: 'scan' | 'exscan', value: T, op: O): Reduced<T, O> | undefined {
  return collective(
    comm,
    method,
    () => reducible(value, op, `${comm.name}.${method}`),
    () => `'${op}', ${valueText(value)}`,
    ({ array, unpack }) => {
      const buffer = new ArrayBuffer(array.byteLength);
      comm._call(method, (c) => c.mpiScan(array, viewFor(array, buffer), OP_CODES[op], method === 'exscan'));
      return method === 'exscan' && comm.rank === 0 ? undefined : (unpack(buffer) as Reduced<T, O>);
    },
  );
}

/**
 * reduceScatter (counts[r] elements of the element-wise reduction to rank r, in order) and
 * reduceScatterBlock (counts undefined: equal blocks).
 */
export function reduceScatter<A extends NumericArray>(comm: CommLike, method: 'reduceScatter' | 'reduceScatterBlock', array: A, counts: readonly number[] | undefined, op: ReduceOp): A {
  const where = `${comm.name}.${method}`;
  return collective(
    comm,
    method,
    () => {
      checkTypedArg(array, 'the array', where);
      const { unpack } = reducible(array, op, where);
      if (method === 'reduceScatterBlock') {
        if (array.length % comm.size !== 0) {
          throw new RangeError(`${where}: the array has ${array.length} elements, not a multiple of the ${comm.size} ranks: each rank gets one equal block`);
        }
        return { unpack, counts: undefined, mine: array.length / comm.size };
      }
      const c = checkCounts(counts, 'counts', comm.size, where);
      if (sumOf(c) !== array.length) throw new RangeError(`${where}: the counts add up to ${sumOf(c)}, but the array has ${array.length} elements`);
      return { unpack, counts: c, mine: c[comm.rank] };
    },
    (p) => `'${op}', ${arrayText(array)}${p.counts ? `, counts ${countsText(p.counts)}` : ''}`,
    ({ unpack, counts: c, mine }) => {
      const buffer = new ArrayBuffer(mine * array.BYTES_PER_ELEMENT);
      comm._call(method, (n) => n.mpiReduceScatter(array, viewFor(array, buffer), c, OP_CODES[op]));
      return unpack(buffer) as A;
    },
  );
}
