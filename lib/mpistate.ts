// What MPI reported when it started (lib/mpi.ts sets it; a Comm exists only after that), and lib/'s
// values for MPI's wildcards and null process (the binding maps them to the MPI library's own).

/** Pass as `source` to receive from any rank. */
export const ANY_SOURCE = -1 as const;
/** Pass as `tag` to receive any tag. */
export const ANY_TAG = -1 as const;
/** The null process: a send to it or a receive from it completes at once and moves nothing. */
export const PROC_NULL = -2 as const;

/** MPI's thread support level (MPI_Query_thread): h5mpi asks for 'funneled'. */
export type ThreadLevel = 'single' | 'funneled' | 'serialized' | 'multiple';

export interface Limits {
  tagUpperBound: number;
  errComm: number;
  threadLevel: ThreadLevel;
}

let current: Limits | undefined;

export function setLimits(l: Limits): void {
  current = l;
}

/** The limits; MPI has started by the time anything asks (every Comm comes from its start). */
export function limits(): Limits {
  if (!current) throw new Error('h5mpi: MPI has not started');
  return current;
}
