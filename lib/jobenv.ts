// Job-wide settings: the H5MPI_* variables whose value must be the same on every rank. mpiexec passes its
// environment to the ranks on its own host only (a remote host's ranks get what the remote shell gives
// them, unless the user forwards each variable with `mpiexec -x`), and a job whose ranks disagree on these
// breaks: with collective checking on some ranks only, the checking ranks wait in an exchange the others
// never join. So rank 0 reads them and every rank takes rank 0's values, in one broadcast as MPI starts
// (lib/mpi.ts). Settings read before MPI starts (H5MPI_EAGER_COMPILE) stay per rank.
import * as v8 from 'node:v8';
import type { NativeComm } from './native';

/** The variables rank 0 decides for the whole job. */
export const JOB_WIDE = ['H5MPI_CHECK_COLLECTIVE', 'H5MPI_FAIL_FAST', 'H5MPI_HANG_TIMEOUT'] as const;
export type JobWideName = (typeof JOB_WIDE)[number];

// The object encoding of lib/message.ts (KIND_OBJECT), without importing the codec layer into MPI's start.
const KIND_OBJECT = -1;

let shared: Partial<Record<JobWideName, string>> | undefined;

/** A job-wide setting: rank 0's value once MPI has started (undefined: unset there), this process's before. */
export function jobSetting(name: JobWideName): string | undefined {
  return shared ? shared[name] : process.env[name];
}

/**
 * Takes rank 0's job-wide settings on every rank of `world` (collective; a plain broadcast, unchecked and
 * unwatched, since the checking and watchdog switches are what it carries).
 */
export function shareJobSettings(world: NativeComm): void {
  const mine: Partial<Record<JobWideName, string>> = {};
  for (const name of JOB_WIDE) {
    const v = process.env[name];
    if (v !== undefined) mine[name] = v;
  }
  if (world.size() === 1) {
    shared = mine;
    return;
  }
  if (world.rank() === 0) {
    world.bcast(KIND_OBJECT, v8.serialize(mine), 0);
    shared = mine;
  } else {
    const [, buffer] = world.bcast(0, undefined, 0)!;
    shared = v8.deserialize(Buffer.from(buffer)) as Partial<Record<JobWideName, string>>;
  }
}
