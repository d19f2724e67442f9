/** One frame of HDF5's error stack, innermost last. */
export interface H5StackFrame {
  major: string;
  minor: string;
  func: string;
  desc: string;
}

/** An HDF5 call failed, or an HDF5 object was misused (closed, missing). `h5stack` holds HDF5's own account. */
export class H5Error extends Error {
  override name = 'H5Error';
  readonly h5stack: H5StackFrame[];
  constructor(message: string, h5stack: H5StackFrame[] = []) {
    super(message);
    this.h5stack = h5stack;
  }
}

/** An MPI call failed; `errorClass` is MPI's error class (MPI_ERR_*). */
export class MPIError extends Error {
  override name = 'MPIError';
  readonly errorClass: number;
  constructor(message: string, errorClass = 0) {
    super(message);
    this.errorClass = errorClass;
  }
}

/**
 * The ranks of a communicator did not make the same collective call (or one of them failed before it).
 * Thrown on every rank, before anything reached HDF5: the file stays open and usable.
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
