// Collective-call checking: before a collective HDF5 operation the ranks agree that they are all making
// the same call and that none of them failed to prepare it. Otherwise HDF5 would corrupt the file or wait
// forever; here every rank throws instead, and nothing reaches HDF5.
//
// Cost: one MPI_Allreduce of five int32 per operation when the ranks agree (a flag and a 64-bit digest of
// the call, with its complement so that one MIN reduction gives both the minimum and the maximum). Only
// when they disagree, or one failed, do they gather the full texts to say who asked for what.
import { createHash } from 'node:crypto';
import { ballot, digest64, groupByCall, ranges, unanimous } from './agreement';
import { CollectiveMismatchError, PeerFailedError } from './errors';
import { jobSetting } from './jobenv';
import type { Comm } from './mpi';
import { OP_CODES } from './reduce';
import { watched, watching } from './watchdog';

export { digest64, groupByCall, ranges };

/**
 * The environment switch: H5MPI_CHECK_COLLECTIVE=0 turns checking off for files that do not say otherwise
 * (rank 0's value in a parallel job, so that every rank takes part in the same exchanges).
 */
export function checkingDefault(): boolean {
  return jobSetting('H5MPI_CHECK_COLLECTIVE') !== '0';
}

/** How a rank describes its part: the call (e.g. "createDataset('/x', [4], float64)") and where it is made, or its failure. */
type Vote = [ok: 1, call: string, scope: string] | [ok: 0, error: string, scope: string];

/**
 * Runs a collective operation: `prepare` validates (and may throw) and describes the call, `action` calls
 * HDF5. With `check`, the ranks of `comm` first agree on the call; `same` says whether the descriptions
 * must match (false: only success matters). `scope` names what the call acts on beyond its text (the
 * file): it must match too, and messages show it only where it differs.
 */
export function runCollective<T>(
  comm: Comm,
  check: boolean,
  where: string,
  prepare: () => string,
  action: () => T,
  same = true,
  scope = '',
): T {
  if (watching) return watched(where, () => checkedRun(comm, check, where, prepare, action, same, scope));
  return checkedRun(comm, check, where, prepare, action, same, scope);
}

function checkedRun<T>(comm: Comm, check: boolean, where: string, prepare: () => string, action: () => T, same: boolean, scope: string): T {
  if (!check || comm.size === 1) {
    prepare();
    return action();
  }
  let failure: unknown;
  let call = '';
  try {
    call = prepare();
  } catch (e) {
    failure = e;
  }
  const mine: Vote = failure === undefined ? [1, call, scope] : [0, errorText(failure), scope];
  const votes = watching ? watched('collective-call check', () => agree(comm, mine, same)) : agree(comm, mine, same);
  if (votes) judge(votes, where, failure, same);
  return action();
}

/**
 * Runs a collective operation whose ranks each bring their own part (`payload`, different on every rank):
 * one allgather carries every rank's call, payload or failure, and `action` gets the payloads by rank.
 * The exchange is the operation's own, so it is always checked.
 */
export function gatherCollective<P, T>(
  comm: Comm,
  where: string,
  prepare: () => { call: string; payload: P },
  action: (payloads: P[]) => T,
  scope = '',
): T {
  const run = (): T => {
    let failure: unknown;
    let mine: [Vote, P | null];
    try {
      const { call, payload } = prepare();
      mine = [[1, call, scope], payload];
    } catch (e) {
      failure = e;
      mine = [[0, errorText(failure), scope], null];
    }
    const all = watching ? watched('collective-call check', () => comm.allgather(mine)) : comm.allgather(mine);
    judge(all.map(([v]) => v), where, failure, true);
    return action(all.map(([, p]) => p as P));
  };
  return watching ? watched(where, run) : run();
}

/** A rank whose part of a collective call failed, and its error. */
export interface FailedPart {
  readonly rank: number;
  readonly message: string;
}

/**
 * After a collective operation: the ranks agree on whether it succeeded everywhere (one MPI_Allreduce of
 * an int32), so that a call HDF5 refused on some ranks only is known on every rank before it returns.
 * Returns undefined when it succeeded on every rank, otherwise the ranks that failed with their errors
 * (gathered on that path only). `failure` is this rank's error, if its part failed.
 */
export function agreeOutcome(comm: Comm, failure: unknown): FailedPart[] | undefined {
  const ok = failure === undefined ? 1 : 0;
  const exchange = (): Int32Array => new Int32Array(comm._call('allreduce', (c) => c.allreduce(new Int32Array([ok]), OP_CODES.min)));
  const r = watching ? watched('outcome agreement', exchange) : exchange();
  if (r[0] === 1) return undefined;
  const mine = ok ? null : errorText(failure);
  const all = watching ? watched('outcome agreement', () => comm.allgather(mine)) : comm.allgather(mine);
  return all.flatMap((message, rank) => (message === null ? [] : [{ rank, message }]));
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * The exchange: undefined when every rank prepared the same call, otherwise every rank's vote (all ranks
 * take the same branch, since they all see the same reduction).
 */
function agree(comm: Comm, mine: Vote, same: boolean): Vote[] | undefined {
  const r = comm.allreduce(ballot(mine[0] === 1, same ? `${mine[1]}\u0000${mine[2]}` : ''), 'min');
  if (unanimous(r)) return undefined;
  return comm.allgather(mine);
}

/** Throws on every rank when a rank failed or the calls differ; returns when they all agree. */
function judge(votes: Vote[], where: string, failure: unknown, same: boolean): void {
  const failed = votes.flatMap((v, r) => (v[0] === 0 ? [r] : []));
  if (failed.length > 0) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- this rank's own error, rethrown as it was
    if (failure !== undefined) throw failure;
    const lines = failed.map((r) => `rank ${r}: ${votes[r][1]}`);
    throw new PeerFailedError(
      `${where}: not started on any rank because ${failed.length === 1 ? `rank ${failed[0]}` : `ranks ${ranges(failed)}`} ` +
        `failed to prepare it (${lines.join('; ')}). ${nothingSent(where)}`,
      failed,
      failed.map((r) => votes[r][1]),
    );
  }
  if (!same) return;
  const scopesDiffer = votes.some((v) => v[2] !== votes[0][2]);
  const calls = votes.map((v) => (scopesDiffer ? `${v[1]} in ${v[2]}` : v[1]));
  if (calls.some((c) => c !== calls[0])) {
    throw new CollectiveMismatchError(
      `${where}: the ranks made different collective calls, so none was made: ${groupByCall(calls)}. ` +
        `${advice(votes.map((v) => v[1]), scopesDiffer)} ${nothingSent(where)}`,
      calls,
    );
  }
}

function nothingSent(where: string): string {
  return where.startsWith('File.open(') ? 'Nothing was sent to HDF5; no file was opened.' : 'Nothing was sent to HDF5; the file is still open.';
}

/** "createDataset('/x', ...)" -> "createDataset" */
function operation(call: string): string {
  const i = call.indexOf('(');
  return i < 0 ? call : call.slice(0, i);
}

/** "createDataset('/x', ...)" -> "/x" (the first quoted argument) */
function firstArgument(call: string): string | undefined {
  return /^[^(]*\('((?:[^'\\]|\\.)*)'/.exec(call)?.[1];
}

/** What to do instead, for the kind of disagreement the calls show. */
function advice(calls: string[], scopesDiffer: boolean): string {
  if (scopesDiffer) {
    return 'The ranks were working on different files. A file opened on a communicator is used by every rank ' +
      'of it, in the same order; to give each rank a file of its own, open it with { comm: MPI.COMM_SELF }.';
  }
  const ops = new Set(calls.map(operation));
  if ([...ops].every((op) => op === 'read' || op === 'write')) {
    return 'A collective read or write is made by every rank of the file\'s communicator, the same call on the ' +
      'same dataset; a rank with nothing to transfer passes an empty selection (count 0).';
  }
  if (ops.size > 1) {
    return 'The ranks are at different points of the program: every rank must make the same collective calls ' +
      'in the same order. Look for a collective call made inside a rank-dependent branch (if (comm.rank === 0) ' +
      '...) or in a loop that runs a different number of times on different ranks.';
  }
  const op = [...ops][0];
  const samePath = new Set(calls.map(firstArgument)).size === 1;
  switch (op) {
    case 'createDataset':
      if (!samePath) {
        return 'In parallel HDF5 every rank must create every dataset with the same arguments. To give each rank ' +
          'datasets of its own, call file.createDatasetsPerRank({ [path]: options }) on every rank (each with its ' +
          'own paths), then write each rank\'s own dataset independently.';
      }
      return 'Every rank must pass the same shape, dtype, options and initial data: compute them once (on rank 0, ' +
        'say) and share them with comm.bcast(...) first, or use createDatasetsPerRank for per-rank datasets.';
    case 'createGroup':
      return 'Every rank must create every group: to have one group per rank, create all of them on every rank ' +
        '(a loop over comm.size), then use each rank\'s own.';
    case 'attrs.set':
      return 'Every rank must set the same value: compute it on one rank and share it with comm.bcast(value) first.';
    case 'writeChunk':
      return 'In parallel HDF5 1.10 records a chunk written directly in the chunk index of the rank that wrote it ' +
        'only, so every rank writes the same chunk (same offset, bytes and filterMask). To write each rank\'s own ' +
        'chunks, call dataset.writeChunks([...]) on every rank, each with its own.';
    case 'resize':
      return 'Every rank must pass the same new shape: agree on it first, e.g. with comm.allreduce(rows, \'sum\').';
    case 'File.open':
      return 'Every rank must open the same file with the same mode and options.';
    default:
      return 'Metadata operations (creating, resizing, deleting, attributes, closing) are collective in parallel ' +
        'HDF5: every rank must make the same call with the same arguments, in the same order.';
  }
}

const SHOWN_ELEMENTS = 8;

/**
 * An argument value as it goes into a call's description: exact for what is short ("1.5", "-0", "3n",
 * "Float64Array[1, 2, 3]"), and for long arrays or strings a preview with a digest of all of it, so that
 * any difference shows while the text stays short.
 */
export function describeArgument(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') {
    return value.length <= 64 ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, 32))}... (${value.length} chars, #${sha1(value)})`;
  }
  if (ArrayBuffer.isView(value) && 'length' in value) {
    const a = value as unknown as ArrayLike<number | bigint>;
    const name = value.constructor.name;
    if (a.length <= SHOWN_ELEMENTS) return `${name}[${Array.from(a, describeArgument).join(', ')}]`;
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return `${name}(${a.length})[${Array.from({ length: 4 }, (_, i) => describeArgument(a[i])).join(', ')}, ...] #${sha1(bytes)}`;
  }
  if (Array.isArray(value)) {
    if (value.length <= SHOWN_ELEMENTS) return `[${value.map(describeArgument).join(', ')}]`;
    const all = value.map(describeArgument);
    return `[${all.slice(0, 4).join(', ')}, ...] (${value.length} values, #${sha1(all.join('\u0000'))})`;
  }
  if (value === null || value === undefined) return String(value);
  return typeof value;
}

function sha1(data: string | Uint8Array): string {
  return createHash('sha1').update(data).digest('hex').slice(0, 12);
}
