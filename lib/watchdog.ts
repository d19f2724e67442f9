// The hang watchdog: with H5MPI_HANG_TIMEOUT=seconds, a rank that has been inside one collective call or
// point-to-point wait that long (an HDF5 collective operation, the collective-call check, a Comm
// collective, a receive, probe, sendrecv or wait on a request) prints which call (and peer) and
// since when, then ends its process, which makes mpiexec end the job. It catches what checking cannot: a
// rank that never makes the call. Unset (the default), nothing is marked and nothing runs.
import * as os from 'node:os';
import { jobSetting } from './jobenv';
import { native } from './native';

/** Exit status of a process the watchdog ended (as timeout(1) uses). */
export const HANG_EXIT_CODE = 124;

/**
 * The timeout in seconds from H5MPI_HANG_TIMEOUT (rank 0's, once MPI has started: lib/jobenv.ts), or
 * undefined when unset, empty or 0.
 */
export function hangTimeout(text = jobSetting('H5MPI_HANG_TIMEOUT')): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`H5MPI_HANG_TIMEOUT must be a number of seconds (0 turns the watchdog off), got '${text}'`);
  }
  return seconds > 0 ? seconds : undefined;
}

function asksToWatch(text: string | undefined): boolean {
  return !/^\s*0*\s*$/.test(text ?? '');
}

/**
 * Whether collective calls are marked: a plain flag, so that the marks cost one branch when the watchdog
 * is off. Set from this process's environment at load, and from rank 0's when MPI starts.
 */
export let watching = asksToWatch(process.env.H5MPI_HANG_TIMEOUT);

/**
 * Starts the watchdog's thread once MPI runs and the job's settings are shared (the report names the
 * rank); throws on a malformed H5MPI_HANG_TIMEOUT. A no-op when it is off.
 */
export function startWatchdog(rank: number, size: number): void {
  watching = asksToWatch(jobSetting('H5MPI_HANG_TIMEOUT'));
  if (!watching) return;
  const seconds = hangTimeout();
  if (seconds === undefined) return;
  native.watchdogStart(
    seconds,
    `[h5mpi] rank ${rank} of ${size} (${os.hostname()}, pid ${process.pid})`,
    `. The other ranks did not all make this call, or its message never came. Ending the job ` +
      `(H5MPI_HANG_TIMEOUT=${seconds}); look for a collective call made on some ranks only (inside ` +
      `'if (rank ...)', or a loop that runs a different number of times per rank), or a send that never ` +
      `matches this receive (rank, tag, communicator).`,
    HANG_EXIT_CODE,
  );
}

/** Runs `fn` marked as being inside the collective call `label` (calls nest; the outermost is timed). */
export function watched<T>(label: string, fn: () => T): T {
  native.watchdogEnter(label);
  try {
    return fn();
  } finally {
    native.watchdogLeave();
  }
}
