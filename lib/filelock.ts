// Writers outside MPI: two processes that open one file for writing without sharing a communicator would
// corrupt it. HDF5 locks files it opens serially (flock: shared for readers, exclusive for writers) and
// refuses a conflicting open, which File.open reports as FileLockedError. The gaps are filled here:
// - mode 'w' on a file open elsewhere: HDF5 truncates the file *before* it tries the lock, destroying the
//   other process's file; so the lock is tried first;
// - parallel files: HDF5's MPI-IO driver takes no lock at all; so rank 0 holds one for the job while the
//   file is open, and a conflicting open on either side fails;
// - new files: two creators that both found no file would both create it, and both write it. A job's rank 0
//   makes the file already locked (binding/filelock.cc fileCreateLocked), a serial open creates it with
//   HDF5's O_EXCL; whoever finds it made by someone else opens it as an existing file, lock first. So of
//   any number of jobs and processes creating one file at once, exactly one gets it.
// HDF5_USE_FILE_LOCKING=FALSE (or 0) turns HDF5's locking off, and these locks with it: nothing then stops
// a second writer. Where the file system has no flock (some NFS mounts), HDF5 refuses serial opens unless
// HDF5_USE_FILE_LOCKING is FALSE or BEST_EFFORT, and the job lock is skipped; on NFS mounts whose locks are
// local to each client, processes on different machines do not see each other's locks.
import { FileLockedError } from './errors';
import { native } from './native';

/** As HDF5 reads the variable: FALSE or 0 turns its file locking off. */
export function fileLockingDisabled(): boolean {
  const v = process.env.HDF5_USE_FILE_LOCKING;
  return v === 'FALSE' || v === '0';
}

/**
 * This process's share of a file it has open: for a parallel file on rank 0, the lock held for the job.
 * Files open more than once in this process share one entry (HDF5 shares the open file too).
 */
export class FileHold {
  private released = false;
  /** @internal */
  constructor(private readonly entry: HeldEntry, private readonly key: string) {
    entry.count++;
  }
  /** Gives up this share; the lock goes with the last one. */
  release(): void {
    this.let(go => native.fileUnlock(go));
  }
  /** The file this hold came with was created for an open that then failed: removes it (still locked), lets go. */
  discard(): void {
    this.let(go => native.fileDiscard(this.key, go));
  }
  private let(go: (fd: number) => void): void {
    if (this.released) return;
    this.released = true;
    if (--this.entry.count > 0) return;
    if (this.entry.fd >= 0) go(this.entry.fd);
    held.delete(this.key);
  }
}

interface HeldEntry {
  fd: number;
  count: number;
}

/** Files open in this process, by real path, with the descriptor holding a job lock (or -1). */
const held = new Map<string, HeldEntry>();

function keyOf(filename: string): string | undefined {
  // The C library's realpath: Node's JavaScript one resolves each component with path.resolve, enough
  // calls in a job's first open to have V8 optimize path's normalizeString right there, inside the open.
  return native.realPath(filename);
}

/** Records a file opened serially (HDF5 holds its lock), so that opens of it here are known to be ours. */
export function holdSerial(filename: string): FileHold | undefined {
  const key = keyOf(filename);
  if (key === undefined) return undefined;
  const entry = held.get(key) ?? { fd: -1, count: 0 };
  held.set(key, entry);
  return new FileHold(entry, key);
}

/**
 * Rank 0 of a parallel open: takes the lock for the job (shared for readers, exclusive for writers).
 * 'busy' when another process has the file open in a conflicting way; undefined when there is nothing to
 * lock (no file, locking off or not supported by the file system: best effort, as HDF5's BEST_EFFORT).
 */
export function holdForJob(filename: string, writer: boolean): FileHold | 'busy' | undefined {
  const key = keyOf(filename);
  if (key === undefined) return undefined;
  const mine = held.get(key);
  if (mine) return new FileHold(mine, key);
  if (fileLockingDisabled()) return undefined;
  const fd = native.fileTryLock(filename, writer);
  if (typeof fd !== 'number') return fd === 'busy' ? 'busy' : undefined;
  const entry = { fd, count: 0 };
  held.set(key, entry);
  return new FileHold(entry, key);
}

/**
 * Rank 0 of a parallel open that creates a file it found missing: makes the file, locked for the job from
 * the moment it appears. 'exists' when another process made it first (open it as an existing file, lock
 * first); 'busy' when another process got its lock first (only where the file system cannot create a file
 * already locked); undefined when nothing was made: locking is off (HDF5 creates it), or the file cannot be
 * created here (HDF5 then says why).
 */
export function createForJob(filename: string): FileHold | 'exists' | 'busy' | undefined {
  if (fileLockingDisabled()) return undefined;
  const made = native.fileCreateLocked(filename);
  if (typeof made !== 'object') return made === 'failed' ? undefined : made;
  const key = keyOf(filename);
  if (key === undefined) {
    native.fileUnlock(made.fd);
    return undefined;
  }
  // Kept without a lock where the file system has none: the descriptor still says which file to discard.
  const entry = { fd: made.fd, count: 0 };
  held.set(key, entry);
  return new FileHold(entry, key);
}

/**
 * Serial mode 'w' on an existing file: refuses before HDF5 truncates a file another process has open.
 * A file open in this process is left to HDF5, which says so.
 */
export function checkFreeToTruncate(filename: string, where: string): void {
  if (fileLockingDisabled()) return;
  const key = keyOf(filename);
  if (key === undefined || held.has(key)) return;
  const fd = native.fileTryLock(filename, true);
  if (typeof fd === 'number') native.fileUnlock(fd);
  else if (fd === 'busy') throw fileLockedError(where, filename, true, false, lockHolder(filename));
}

/**
 * After HDF5 failed to lock a file (code LOCKED): whether another process holds it ('busy'), or this file
 * system cannot lock at all ('unsupported'). Asked of the file system rather than read from HDF5's text.
 */
export function whyLockFailed(filename: string, writer: boolean): 'busy' | 'unsupported' {
  const fd = native.fileTryLock(filename, writer);
  if (fd === 'unsupported') return 'unsupported';
  if (typeof fd === 'number') native.fileUnlock(fd);
  // Free now (or gone): it was held a moment ago.
  return 'busy';
}

/**
 * Who holds a lock on the file, as far as this machine can tell: "process 4242 (node app.js)". Undefined
 * when no holder is seen (it let go meanwhile, or holds it from another machine of a network file system).
 */
export function lockHolder(filename: string): string | undefined {
  let holders: { pid: number; command: string }[];
  try {
    holders = native.fileLockHolders(filename).filter((h) => h.pid !== process.pid);
  } catch {
    return undefined;
  }
  if (holders.length === 0) return undefined;
  const one = (h: { pid: number; command: string }) => {
    const cmd = h.command.length > 120 ? `${h.command.slice(0, 117)}...` : h.command;
    return `process ${h.pid}${cmd ? ` (${cmd})` : ''}`;
  };
  const named = holders.slice(0, 3).map(one).join(', ');
  return holders.length > 3 ? `${named} and ${holders.length - 3} more` : named;
}

/**
 * The error for a file another process has open in a way that conflicts with this open; `holder` (from
 * lockHolder) names that process when it is known.
 */
export function fileLockedError(where: string, filename: string, writer: boolean, parallel: boolean, holder?: string, h5stack = [] as FileLockedError['h5stack']): FileLockedError {
  const other = parallel ? "another process outside this file's communicator" : 'another process';
  const what = writer
    ? `'${filename}' is open in ${other} (for writing, or for reading: a writer needs the file to itself). ` +
      'Two processes writing one HDF5 file without MPI would corrupt it, so it was not opened (and not ' +
      'truncated).'
    : `'${filename}' is open for writing in ${other}, so it cannot be read consistently now; wait until that ` +
      'process closes it.';
  const who = holder ? ` It is held by ${holder}.` : '';
  return new FileLockedError(
    `${where}: ${what}${who} To write one file from many processes, run them as one MPI job (mpiexec -n 4 node ` +
      'app.js) and open the file in every rank with File.open(path, mode), which uses MPI.COMM_WORLD (or pass ' +
      '{ comm }); otherwise let one process write at a time.',
    h5stack,
  );
}

/** What to do when the file system does not support locks. */
export function lockingUnsupportedAdvice(): string {
  return 'file locking is not supported on this file system (some NFS mounts). Set HDF5_USE_FILE_LOCKING=BEST_EFFORT ' +
    'to open files without a lock where none can be taken (or FALSE to never lock); then nothing stops two ' +
    'processes from writing the file at once, so make sure only one job writes it.';
}
