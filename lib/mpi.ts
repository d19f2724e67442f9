// The MPI entry point: starting MPI, the world and self communicators, fail-fast, versions.
import { Comm } from './comm';
import { setCommChecking } from './collectives';
import { jobSetting, shareJobSettings } from './jobenv';
import { native } from './native';
import { ANY_SOURCE, ANY_TAG, Limits, limits, PROC_NULL, setLimits, ThreadLevel } from './mpistate';
export type { ThreadLevel } from './mpistate';
import { ensureExitHook } from './runtime';
import { testall, waitall, waitany, waitsome } from './request';
import { computeDims } from './topology';
import { startWatchdog } from './watchdog';
import { abortGraceMs, firstLine, identifyMPI, launchedByMPI, launcherJob, MPIImplementation, sizeMismatch } from './mpiimpl';
import { MPIError } from './errors';

export { Comm } from './comm';
export { Status } from './message';
export { Request } from './request';
export type { MPIBuffer } from './message';
export type { ReduceOp, Reducible, Reduced } from './reduce';
export type { MPIFamily, MPIImplementation } from './mpiimpl';

let world: Comm | undefined;
let self: Comm | undefined;
let failFast = process.env.H5MPI_FAIL_FAST !== '0';
// Set once the program assigns MPI.failFast: its choice outlives the job's H5MPI_FAIL_FAST.
let failFastChosen = false;
let failFastInstalled = false;

function start(): void {
  if (world) return;
  const init = native.mpiInit();
  // A launcher of another MPI starts every rank as a job of its own: stop before they all write alone.
  const mismatch = sizeMismatch(launcherJob(), init.world.size(), implementation());
  if (mismatch) {
    ensureExitHook(); // MPI did start (as a one-rank job): finalise it at a clean exit
    throw new MPIError(mismatch, 0, 'MPI_ERR_OTHER');
  }
  setLimits({ tagUpperBound: init.tagUpperBound, errComm: init.errComm, threadLevel: init.threadLevel });
  // Every rank takes rank 0's H5MPI_* switches (lib/jobenv.ts) before anything checks or watches.
  shareJobSettings(init.world);
  if (!failFastChosen) failFast = jobSetting('H5MPI_FAIL_FAST') !== '0';
  setCommChecking(jobSetting('H5MPI_CHECK_COLLECTIVE') === '1');
  world = Comm._wrap(init.world, 'MPI.COMM_WORLD', false);
  self = Comm._wrap(init.self, 'MPI.COMM_SELF', false);
  ensureExitHook();
  syncFailFast();
  startWatchdog(world.rank, world.size);
}

function startedLimits(): Limits {
  start();
  return limits();
}

// In a multi-rank job an uncaught error on one rank would leave the others waiting in their next
// collective forever; abort the whole job instead, as `python -m mpi4py` does. With fail-fast off (or in a
// one-rank job) the handlers are not there and Node does what it always does.
function onUncaughtException(err: unknown): void {
  abortJob('uncaught exception', err);
}
function onUnhandledRejection(err: unknown): void {
  abortJob('unhandled rejection', err);
}
function abortJob(kind: string, err: unknown): void {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(
    `[h5mpi] rank ${world!.rank} of ${world!.size}: ${kind}: ${text}\n` +
      `[h5mpi] rank ${world!.rank}: aborting the job (MPI_Abort) so that the other ranks do not wait forever; ` +
      `set H5MPI_FAIL_FAST=0 or MPI.failFast = false to turn this off\n`,
  );
  const grace = abortGraceMs(implementation());
  if (grace > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, grace);
  world!.native.abort(1);
  process.exit(1);
}

function syncFailFast(): void {
  const want = failFast && world !== undefined && world.size > 1;
  if (want === failFastInstalled) return;
  failFastInstalled = want;
  if (want) {
    process.on('uncaughtException', onUncaughtException);
    process.on('unhandledRejection', onUnhandledRejection);
  } else {
    process.off('uncaughtException', onUncaughtException);
    process.off('unhandledRejection', onUnhandledRejection);
  }
}

let detected: MPIImplementation | undefined;
function implementation(): MPIImplementation {
  return (detected ??= Object.freeze(identifyMPI(native.mpiVersion().library)));
}

/**
 * The MPI entry point: communicators, wildcards, clock, and job-level calls. MPI starts (MPI_Init_thread,
 * 'funneled') on first use of anything here but `version()`, `failFast` and `initialized`, and is
 * finalised when the process exits normally, after every open file is closed.
 */
export const MPI = {
  /** Pass as `source` to `recv`/`recvInto` to take a message from any rank. */
  get ANY_SOURCE(): -1 {
    return ANY_SOURCE;
  },
  /** Pass as `tag` to `recv`/`recvInto` to take a message with any tag. */
  get ANY_TAG(): -1 {
    return ANY_TAG;
  },
  /** The null process: pass it wherever a rank goes; a send to it or a receive from it completes at once and moves nothing. */
  get PROC_NULL(): -2 {
    return PROC_NULL;
  },
  /** Waits for every request; returns what each produced, in order (receives: what arrived). */
  waitall,
  /** Waits for one request not reported before: [its index, what it produced]; [-1, undefined] when none is left. */
  waitany,
  /** Waits for at least one request not reported before: [their indices, what each produced]. */
  waitsome,
  /** [true, what each produced] when every request has completed, else [false, undefined]; never waits. */
  testall,
  /** The largest tag `send` accepts (MPI_TAG_UB). */
  get TAG_UB(): number {
    return startedLimits().tagUpperBound;
  },

  /** Every process of the job. */
  get COMM_WORLD(): Comm {
    start();
    return world!;
  },
  /** This process alone. */
  get COMM_SELF(): Comm {
    start();
    return self!;
  },
  /** Seconds since an arbitrary time in the past (MPI_Wtime). */
  Wtime(): number {
    start();
    return native.wtime();
  },
  /** This node's name (MPI_Get_processor_name). */
  processorName(): string {
    start();
    return native.processorName();
  },
  /**
   * Grid extents for `n` processes in `ndims` dimensions, as balanced as they can be and largest first
   * (MPI_Dims_create): `computeDims(12, 2)` is [4, 3]. In `dims`, a positive entry fixes that dimension and
   * 0 leaves it free: `computeDims(12, 2, [0, 2])` is [6, 2].
   */
  computeDims(n: number, ndims: number, dims?: readonly number[]): number[] {
    start();
    return computeDims(n, ndims, dims);
  },
  /** The thread support MPI_Init_thread granted. */
  get threadLevel(): ThreadLevel {
    return startedLimits().threadLevel;
  },
  /** Ends the whole job with exit status `code` (MPI_Abort on COMM_WORLD). */
  abort(code = 1): never {
    return MPI.COMM_WORLD.abort(code);
  },
  /**
   * The MPI library's version, its first line (MPI_Get_library_version's): "Open MPI v4.1.4, package:
   * Debian OpenMPI, ...", "MPICH Version:      4.0.2". `libraryVersion()` has the whole text.
   */
  version(): string {
    return firstLine(native.mpiVersion().library);
  },
  /**
   * The MPI library's whole version text (mpi4py's `MPI.Get_library_version()`): MPICH's runs to 1.5 KB of
   * configure options.
   */
  libraryVersion(): string {
    return native.mpiVersion().library;
  },
  /**
   * Which MPI implementation h5mpi runs on, found at run time from its version text: `{ name, version,
   * family }`, e.g. `{ name: 'MPICH', version: '4.0.2', family: 'mpich' }`. Names: 'Open MPI', 'MPICH',
   * 'Intel MPI', 'MVAPICH', 'Cray MPICH', 'IBM Spectrum MPI', else 'unknown'; the family is the ABI and
   * launcher it shares ('openmpi', 'mpich' or 'unknown'). Does not start MPI.
   */
  get implementation(): MPIImplementation {
    return implementation();
  },
  /** The MPI standard the library implements, e.g. "3.1". */
  standardVersion(): string {
    return native.mpiVersion().standard;
  },
  /**
   * Whether an uncaught exception or unhandled rejection on any rank aborts the whole job (default true;
   * H5MPI_FAIL_FAST=0 sets it false; in a parallel job, rank 0's value holds on every rank).
   */
  get failFast(): boolean {
    return failFast;
  },
  set failFast(on: boolean) {
    failFast = !!on;
    failFastChosen = true;
    syncFailFast();
  },
  /** True once MPI has been started in this process. */
  get initialized(): boolean {
    return world !== undefined;
  },
  /** @internal The size of the job this process belongs to, without starting MPI for a plain `node` run. */
  jobSize(): number {
    if (world) return world.size;
    if (!launchedByMPI()) return 1;
    start();
    return world!.size;
  },
};
