// Collective-call checking: before a collective HDF5 operation the ranks agree, in one small exchange, that
// they are all making the same call and that none of them failed to prepare it. Otherwise HDF5 would
// corrupt the file or wait forever; here every rank throws instead, and nothing reaches HDF5.
import { CollectiveMismatchError, PeerFailedError } from './errors';
import { Comm } from './mpi';

/** The environment switch: H5MPI_CHECK_COLLECTIVE=0 turns checking off for files that do not say otherwise. */
export function checkingDefault(): boolean {
  return process.env.H5MPI_CHECK_COLLECTIVE !== '0';
}

/** How a rank describes its part: the call (e.g. "createDataset('x', [4], float64)") or its failure. */
type Vote = [ok: 1, call: string] | [ok: 0, error: string];

/**
 * Runs a collective operation: `prepare` validates (and may throw) and describes the call, `action` calls
 * HDF5. With `check`, the ranks of `comm` first compare their calls; `same` says whether the descriptions
 * must match (metadata operations) or only success matters (data transfers, whose selections differ).
 */
export function runCollective<T>(
  comm: Comm,
  check: boolean,
  where: string,
  prepare: () => string,
  action: () => T,
  same = true,
): T {
  if (!check) {
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
  const mine: Vote = failure === undefined ? [1, call] : [0, failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure)];
  const votes = comm.allgather(mine);
  const failed = votes.map((v, r) => (v[0] === 0 ? r : -1)).filter((r) => r >= 0);
  if (failed.length > 0) {
    if (failure !== undefined) throw failure;
    const lines = failed.map((r) => `rank ${r}: ${votes[r][1]}`);
    throw new PeerFailedError(
      `${where}: not started on any rank because ${failed.length === 1 ? `rank ${failed[0]}` : `ranks ${ranges(failed)}`} ` +
        `failed to prepare it (${lines.join('; ')}). ${nothingSent(where)}`,
      failed,
      failed.map((r) => votes[r][1]),
    );
  }
  if (same && votes.some((v) => v[1] !== call)) {
    const calls = votes.map((v) => v[1]);
    throw new CollectiveMismatchError(
      `${where}: the ranks made different collective calls, so none was made: ${groupByCall(calls)}. ` +
        `${advice(calls)} ${nothingSent(where)}`,
      calls,
    );
  }
  return action();
}

function nothingSent(where: string): string {
  return where.startsWith('File.open(') ? 'Nothing was sent to HDF5; no file was opened.' : 'Nothing was sent to HDF5; the file is still open.';
}

/** "rank 0: a; ranks 1-3,5: b" */
export function groupByCall(calls: string[]): string {
  const byCall = new Map<string, number[]>();
  calls.forEach((c, r) => byCall.set(c, [...(byCall.get(c) ?? []), r]));
  return [...byCall]
    .map(([c, ranks]) => `${ranks.length === 1 ? 'rank' : 'ranks'} ${ranges(ranks)}: ${clip(c)}`)
    .join('; ');
}

/** [0,1,2,5] -> "0-2,5" */
export function ranges(ranks: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ranks.length; i++) {
    let j = i;
    while (j + 1 < ranks.length && ranks[j + 1] === ranks[j] + 1) j++;
    parts.push(i === j ? `${ranks[i]}` : `${ranks[i]}-${ranks[j]}`);
    i = j;
  }
  return parts.join(',');
}

function advice(calls: string[]): string {
  if (calls.every((c) => c.startsWith('createDataset('))) {
    return 'In parallel HDF5 every rank must create every dataset with the same arguments. To give each rank ' +
      'datasets of its own, call file.createDatasetsPerRank({ [path]: options }) on every rank, then write ' +
      'each rank\'s own dataset independently.';
  }
  if (calls.every((c) => /^(read|write)\(/.test(c))) {
    return 'A collective read or write is made by every rank of the file\'s communicator, the same call on the ' +
      'same dataset; a rank with nothing to transfer passes an empty selection (count 0).';
  }
  return 'Metadata operations (creating, resizing, deleting, attributes, closing) are collective in parallel ' +
    'HDF5: every rank must make the same call with the same arguments, in the same order.';
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
