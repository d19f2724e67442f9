// The error classes. The binding makes H5Error and MPIError (binding/errors.cc, through lib/native.ts);
// lib/ makes the rest. Codes are stable and documented (docs/errors.md); messages are not.

/** One frame of HDF5's error stack, innermost last. */
export interface H5StackFrame {
  major: string;
  minor: string;
  func: string;
  desc: string;
}

/**
 * What went wrong, as a stable code. From HDF5's major/minor error numbers for HDF5's failures, from
 * h5mpi's own checks otherwise:
 * - `NOT_HDF5`: the file is not an HDF5 file
 * - `NOT_FOUND`: no such file, object or attribute
 * - `EXISTS`: the file, object or attribute already exists
 * - `LOCKED`: another process has the file open in a conflicting way (FileLockedError)
 * - `LOCKING_UNSUPPORTED`: the file system cannot lock files
 * - `READ_ONLY`: a write to a file opened read-only
 * - `CLOSED`: the object or its file is closed (or was deleted)
 * - `IS_DIRECTORY`: a directory where a file was expected
 * - `UNSUPPORTED_TYPE`: a stored type h5mpi cannot read
 * - `DECODE`: stored strings are not valid in their charset (UTF-8); read them with `{ strings: 'bytes' }`
 * - `UNSUPPORTED`: HDF5 cannot do this here, e.g. read a virtual dataset through MPI-IO (HDF5 1.10)
 * - `IO`: the operating system failed a read or write
 * - `FILTER`: a filter (compression, plugin) failed or is missing
 * - `UNUSABLE`: an earlier failure left the file unusable (an I/O error in a file open for writing, or a
 *   collective call that failed on some ranks only): every call but `close()` throws this, and `close()`
 *   releases the file without writing anything more
 * - `FAILED`: any other HDF5 failure (the message and `h5stack` say more)
 * - `CRASHED`: untrusted mode: libhdf5 crashed on the file, in the child process that checked it (UntrustedFileError)
 * - `TIMEOUT`: untrusted mode: libhdf5 hung on the file past the time limit (UntrustedFileError)
 * - `TOO_LARGE`: untrusted mode: the file claims a size over the `maxBytes` limit (UntrustedFileError)
 * - `EXTERNAL_LINK`: untrusted mode: an external link leads where `externalLinks` does not allow (UntrustedFileError)
 * - `VIRTUAL_SOURCE`: untrusted mode: a virtual dataset's source file is where `virtualSources` does not allow (UntrustedFileError)
 * - `EXTERNAL_STORAGE`: untrusted mode: a dataset's raw data is in a file where `externalStorage` does not allow (UntrustedFileError)
 * - `CHANGED`: untrusted mode: the file HDF5 opened is not the file that was checked (replaced or modified in between; UntrustedFileError)
 */
export type H5ErrorCode =
  | 'NOT_HDF5'
  | 'NOT_FOUND'
  | 'EXISTS'
  | 'LOCKED'
  | 'LOCKING_UNSUPPORTED'
  | 'READ_ONLY'
  | 'CLOSED'
  | 'IS_DIRECTORY'
  | 'UNSUPPORTED_TYPE'
  | 'DECODE'
  | 'UNSUPPORTED'
  | 'IO'
  | 'FILTER'
  | 'UNUSABLE'
  | 'FAILED'
  | 'CRASHED'
  | 'TIMEOUT'
  | 'TOO_LARGE'
  | 'EXTERNAL_LINK'
  | 'VIRTUAL_SOURCE'
  | 'EXTERNAL_STORAGE'
  | 'CHANGED';

/** An HDF5 call failed, or an HDF5 object was misused (closed, missing). `h5stack` holds HDF5's own account. */
export class H5Error extends Error {
  override name = 'H5Error';
  /** What went wrong, stable across versions: match on this, not on the message. */
  readonly code: H5ErrorCode;
  /** HDF5's error stack, innermost frame last (empty when h5mpi detected the problem itself). */
  readonly h5stack: H5StackFrame[];
  /**
   * The operating system's error number (POSIX errno, positive: 28 is ENOSPC) where the failure came from
   * the OS and its number is known: from HDF5's report of a failed read or write, or, for MPI-IO files
   * (whose MPI library does not report it), from a look at the file system after the failure.
   */
  readonly errno: number | undefined;
  constructor(message: string, code: H5ErrorCode = 'FAILED', h5stack: H5StackFrame[] = [], errno?: number) {
    super(message);
    this.code = code;
    this.h5stack = h5stack;
    this.errno = errno;
  }
}

/** An MPI call failed; `errorClass` is MPI's error class (MPI_ERR_*), `code` its name. */
export class MPIError extends Error {
  override name = 'MPIError';
  /** MPI's error class, as a number (MPI_Error_class). */
  readonly errorClass: number;
  /** The error class's name, e.g. 'MPI_ERR_RANK'. */
  readonly code: string;
  /**
   * The MPI library's whole error text when it runs to more lines than the message's one (MPICH's error
   * stack: a line per function, with the arguments); undefined otherwise.
   */
  readonly detail?: string;
  constructor(message: string, errorClass = 0, code = 'MPI_ERR_OTHER', detail?: string) {
    super(message);
    this.errorClass = errorClass;
    this.code = code;
    if (detail !== undefined) this.detail = detail;
  }
}

/**
 * The ranks of a communicator did not make the same collective call: an HDF5 operation, or a Comm
 * collective (with H5MPI_CHECK_COLLECTIVE=1; element types that allgatherv and alltoallv exchange anyway
 * are always compared). Thrown on every rank before the call is made: the file stays open and usable, and
 * the communicator's ranks stay in step.
 */
export class CollectiveMismatchError extends Error {
  override name = 'CollectiveMismatchError';
  /** What each rank asked for, by rank. */
  readonly calls: string[];
  constructor(message: string, calls: string[]) {
    super(message);
    this.calls = calls;
  }
}

/** The file is open for writing in another process that does not share this one's communicator. */
export class FileLockedError extends H5Error {
  override name = 'FileLockedError';
  constructor(message: string, h5stack: H5StackFrame[] = []) {
    super(message, 'LOCKED', h5stack);
  }
}

/**
 * Untrusted mode (`File.open(path, 'r', { untrusted: true })`, `File.check`) found the file unsafe: libhdf5
 * crashed or hung on it in the child process that checked it, an HDF5 error stopped the check, or the file
 * claims a size over `maxBytes`, or another file it names (an external link's, a virtual dataset's source,
 * external raw data) is where its policy does not allow, or the file changed between its check and its open.
 * `code` is CRASHED, TIMEOUT, TOO_LARGE, EXTERNAL_LINK, VIRTUAL_SOURCE, EXTERNAL_STORAGE, CHANGED, or the
 * HDF5 error's code.
 */
export class UntrustedFileError extends H5Error {
  override name = 'UntrustedFileError';
  /**
   * What happened: libhdf5 crashed, hung, reported an error, a claimed size was over the limit, another file
   * the file names was refused (`external`), or the file opened is not the one checked (`changed`).
   */
  readonly failure: 'crash' | 'hang' | 'error' | 'too-large' | 'external' | 'changed';
  /** The object (or `object@attribute`) the check was at when it failed, when known. */
  readonly path: string | undefined;
  /** The signal the child process died of, for a crash: 'SIGSEGV', 'SIGABRT'... */
  readonly signal: string | undefined;
  constructor(message: string, code: H5ErrorCode, failure: UntrustedFileError['failure'], path?: string, signal?: string) {
    super(message, code);
    this.failure = failure;
    this.path = path;
    this.signal = signal;
  }
}

/**
 * Another rank failed while preparing a collective call, so no rank made it. The failing rank throws its
 * own error; the others throw this one, which names it.
 */
export class PeerFailedError extends Error {
  override name = 'PeerFailedError';
  readonly ranks: number[];
  readonly messages: string[];
  constructor(message: string, ranks: number[], messages: string[]) {
    super(message);
    this.ranks = ranks;
    this.messages = messages;
  }
}
