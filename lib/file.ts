// Files: serial (sec2) in a one-rank run, MPI-IO on a communicator in a parallel job.
import { checkingDefault, runCollective } from './collective';
import { H5Error } from './errors';
import { checkFreeToTruncate, FileHold, fileLockedError, holdForJob, holdSerial, lockingUnsupportedAdvice } from './filelock';
import { Group } from './group';
import { Comm, MPI } from './mpi';
import { FileAccess, Hid, native } from './native';
import type { H5Object } from './object';
import { Closable, trackOpen, untrack } from './runtime';

/** As h5py: 'r' read-only; 'r+' read/write, must exist; 'w' create, truncate; 'w-'/'x' create, fail if it exists; 'a' read/write, create if missing. */
export type FileMode = 'r' | 'r+' | 'w' | 'w-' | 'x' | 'a';
const MODES: readonly FileMode[] = ['r', 'r+', 'w', 'w-', 'x', 'a'];

export interface FileOptions {
  /** Open with the MPI-IO driver on this communicator (collective on it). Default: COMM_WORLD in a multi-rank job, serial otherwise. */
  comm?: Comm;
  /** MPI-IO hints, e.g. { romio_cb_write: 'enable', striping_factor: 8 }. */
  info?: Record<string, string | number>;
  /** HDF5's collective metadata reads and writes (parallel only; default true). Metadata reads (get, has, keys, attrs) are then collective too. */
  collectiveMetadata?: boolean;
  /** Check that every rank makes the same collective calls (parallel only; default true unless H5MPI_CHECK_COLLECTIVE=0). */
  checkCollective?: boolean;
}

export class File extends Group implements Closable, Disposable {
  readonly filename: string;
  readonly mode: FileMode;
  /** The communicator of a parallel file; undefined for a serial one. */
  readonly comm: Comm | undefined;
  /** Whether collective calls are checked across ranks (parallel files). */
  readonly checkCollective: boolean;
  /** Whether metadata reads are collective (parallel files with collectiveMetadata). */
  readonly collectiveMetadata: boolean;
  private readonly objects = new Map<string, H5Object>();
  /** This process's share of the file's lock (see lib/filelock.ts), released at close. */
  private hold: FileHold | undefined;

  private constructor(filename: string, mode: FileMode, id: Hid, comm: Comm | undefined, check: boolean, collectiveMetadata: boolean) {
    super(undefined, '/', id);
    this.filename = filename;
    this.mode = mode;
    this.comm = comm;
    this.checkCollective = check;
    this.collectiveMetadata = collectiveMetadata;
    trackOpen(this);
  }

  /** Opens or creates an HDF5 file. In a parallel job this is collective on the file's communicator. */
  static open(filename: string, mode: FileMode = 'r', options: FileOptions = {}): File {
    const where = `File.open('${filename}', '${mode}')`;
    const given: unknown = options !== null && typeof options === 'object' ? options.comm : undefined;
    // Without a communicator the ranks cannot agree on anything, so this one check stays local.
    if (given !== undefined && !(given instanceof Comm)) throw new TypeError(`${where}: options.comm must be a Comm (e.g. MPI.COMM_WORLD)`);
    const comm = (given as Comm | undefined) ?? (MPI.jobSize() > 1 ? MPI.COMM_WORLD : undefined);
    let access!: FileAccess;
    let collectiveMetadata = false;
    const check = (options as FileOptions | null)?.checkCollective ?? checkingDefault();
    // The rest is checked inside the ranks' agreement, so that bad input on one rank makes every rank throw
    // instead of leaving the others waiting in the collective open.
    const prepare = (): string => {
      if (typeof filename !== 'string' || filename.length === 0) throw new TypeError(`File.open: filename must be a non-empty string, got ${JSON.stringify(filename)}`);
      if (!MODES.includes(mode)) throw new TypeError(`${where}: unknown mode; expected one of ${MODES.map((m) => `'${m}'`).join(', ')}`);
      if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object`);
      const info = options.info === undefined ? undefined : hints(options.info, where);
      collectiveMetadata = comm !== undefined && (options.collectiveMetadata ?? true);
      access = comm ? { comm: comm.native, collectiveMetadata, ...(info ? { info } : {}) } : {};
      const settings = [
        ...(comm && !collectiveMetadata ? ['collectiveMetadata: false'] : []),
        ...(check ? [] : ['checkCollective: false']),
        ...(info ? [`info ${JSON.stringify(info)}`] : []),
      ];
      return `File.open('${filename}', '${mode}'${settings.map((x) => `, ${x}`).join('')})`;
    };
    const opened = (id: Hid, hold: FileHold | undefined, parallel: boolean): File => {
      const f = new File(filename, mode, id, comm, parallel && check, parallel && collectiveMetadata);
      f.hold = hold;
      return f;
    };
    if (!comm) {
      prepare();
      const { id, hold } = openId(filename, mode, access, comm, where);
      return opened(id, hold, false);
    }
    // Always checked, even with checkCollective: false: this is where the ranks agree on that setting.
    return runCollective(comm, true, where, prepare, () => {
      const { id, hold } = openId(filename, mode, access, comm, where);
      return opened(id, hold, true);
    });
  }

  override get description(): string {
    return `File '${this.filename}'`;
  }

  /** True for a file opened with MPI-IO on a communicator. */
  get parallel(): boolean {
    return this.comm !== undefined;
  }
  get driver(): 'mpio' | 'sec2' {
    return this.parallel ? 'mpio' : 'sec2';
  }
  /** The file's size in bytes. */
  get sizeBytes(): number {
    return native.fileSize(this.id);
  }
  /**
   * The MPI-IO hints in effect for this file, as the MPI library reports them for the open file
   * (MPI_File_get_info): the `info` given to `File.open` plus the library's own defaults. Undefined for a
   * serial file. Local: no communication.
   */
  get mpiHints(): Record<string, string> | undefined {
    return native.fileAccessInfo(this.id).hints;
  }

  /** Writes buffered data and metadata to disk. Collective in parallel. */
  flush(): void {
    this._collective(`${this.description}.flush`, () => {
      void this.id;
      return 'flush()';
    }, () => native.fileFlush(this.id, this.filename));
  }

  /** Closes every object still open in this file, then the file. Collective in parallel; closing twice is a no-op. */
  override close(): void {
    if (this.closed) return;
    this._collective(`${this.description}.close`, () => 'close()', () => this.closeNow());
  }

  private closeNow(): void {
    const id = this.id;
    for (const o of this.objects.values()) o._invalidate();
    this.objects.clear();
    this._invalidate();
    untrack(this);
    try {
      native.fileClose(id, this.filename);
    } finally {
      this.hold?.release();
      this.hold = undefined;
    }
  }

  /** @internal At process exit: a parallel file is closed only when every rank is exiting cleanly. */
  closeAtExit(collectiveOk: boolean): void {
    if (this.closed) return;
    if (this.parallel && !collectiveOk) return;
    this.close();
  }

  // ---- internal bookkeeping shared by groups, datasets and attributes ----

  /** @internal Runs a collective operation on this file: checked across ranks in parallel, plain otherwise. */
  _collective<T>(where: string, prepare: () => string, action: () => T): T {
    if (!this.comm) {
      prepare();
      return action();
    }
    const comm = this.comm;
    // The object's own checks first (they name it), then the file's.
    return runCollective(comm, this.checkCollective, where, () => {
      const call = prepare();
      void this.id;
      return call;
    }, action, true, `'${this.filename}'`);
  }

  /** @internal A metadata read: collective when the file reads metadata collectively, local otherwise. */
  _metadataRead<T>(where: string, prepare: () => string, action: () => T): T {
    if (this.collectiveMetadata) return this._collective(where, prepare, action);
    prepare();
    void this.id;
    return action();
  }

  /** @internal */
  _checkWritable(where: string): void {
    if (this.mode === 'r') {
      throw new H5Error(`${where}: '${this.filename}' is open read-only (mode 'r'); open it with 'r+' or 'a' to write`);
    }
  }

  /** @internal Remembers an open object so that get() returns it and close() closes it. */
  _register<T extends H5Object>(o: T): T {
    this.objects.set(o.name, o);
    return o;
  }

  /** @internal The open object at an absolute path, if any. */
  _lookup(full: string): H5Object | undefined {
    if (full === '/') return this;
    return this.objects.get(full);
  }

  /** @internal Closes the open objects at or under `full` (before it is unlinked). */
  _forgetUnder(full: string): void {
    for (const [path, o] of this.objects) {
      if (path === full || path.startsWith(`${full}/`)) {
        native.objectClose(o.id, path);
        o._invalidate(`'${full}' was deleted from '${this.filename}'`);
        this.objects.delete(path);
      }
    }
  }

  /** @internal Closes one group or dataset (collective in parallel). */
  _closeObject(o: H5Object): void {
    this._collective(`${o.description}.close`, () => {
      void o.id;
      return `close('${o.name}')`;
    }, () => {
      const id = o.id;
      o._invalidate();
      this.objects.delete(o.name);
      native.objectClose(id, o.name);
    });
  }
}

function hints(info: Record<string, string | number>, where: string): Record<string, string> {
  if (info === null || typeof info !== 'object') throw new TypeError(`${where}: info must be an object of MPI-IO hints`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(info)) {
    if (typeof v !== 'string' && typeof v !== 'number') throw new TypeError(`${where}: MPI-IO hint '${k}' must be a string or number`);
    out[k] = String(v);
  }
  return out;
}

const FILE_KINDS = ['missing', 'file', 'directory', 'locked'] as const;
type FileKind = (typeof FILE_KINDS)[number];

function openId(filename: string, mode: FileMode, access: FileAccess, comm: Comm | undefined, where: string): { id: Hid; hold: FileHold | undefined } {
  const writer = mode !== 'r';
  let hold: FileHold | undefined;
  // Rank 0 decides what exists, so that every rank takes the same branch even on a lagging file system; in
  // parallel it also takes the job's lock (HDF5's MPI-IO driver takes none, see lib/filelock.ts).
  // Never throws (rank 0 must reach the bcast): what stat cannot tell, HDF5 reports when it opens the file.
  const look = (): FileKind => {
    try {
      const kind = native.pathKind(filename);
      if (kind !== 'file') return kind;
      if (comm) {
        const h = holdForJob(filename, writer);
        if (h === 'busy') return 'locked';
        hold = h;
      }
      return 'file';
    } catch {
      return 'file';
    }
  };
  // An int32, not comm.bcast's structured clone, whose serializer costs ~0.6 ms on its first use in a process.
  const kind = comm ? FILE_KINDS[comm.bcastInto(Int32Array.of(comm.rank === 0 ? FILE_KINDS.indexOf(look()) : 0), 0)[0]] : look();
  const exists = kind !== 'missing';
  if (kind === 'directory') throw new H5Error(`${where}: '${filename}' is a directory, not an HDF5 file`);
  if (kind === 'locked') throw fileLockedError(where, filename, writer, true);
  try {
    // HDF5 truncates for 'w' before it tries its lock: make sure no other process has the file open first.
    if (!comm && mode === 'w' && exists) checkFreeToTruncate(filename, where);
    const id = openOrCreate(filename, mode, exists, access, where);
    if (!comm) hold = holdSerial(filename);
    else if (comm.rank === 0 && !exists) {
      const h = holdForJob(filename, writer); // a new file: lock it for the job now that it exists
      hold = h === 'busy' ? undefined : h;
    }
    return { id, hold };
  } catch (e) {
    hold?.release();
    if (e instanceof H5Error && e.h5stack.some((f) => /file signature not found/.test(f.desc))) {
      throw new H5Error(`${where}: '${filename}' is not an HDF5 file (no HDF5 signature found in it)`, e.h5stack);
    }
    const lockFailure = e instanceof H5Error ? /unable to lock file, errno = (\d+)/.exec(e.message + e.h5stack.map((f) => f.desc).join('\n')) : null;
    if (lockFailure) {
      // EAGAIN/EWOULDBLOCK (11): another process holds the lock; anything else: no locking on this file system.
      if (lockFailure[1] === '11') throw fileLockedError(where, filename, writer, false, (e as H5Error).h5stack);
      throw new H5Error(`${where}: ${lockingUnsupportedAdvice()}`, (e as H5Error).h5stack);
    }
    throw e;
  }
}

function openOrCreate(filename: string, mode: FileMode, exists: boolean, access: FileAccess, where: string): Hid {
  switch (mode) {
    case 'r':
    case 'r+':
      if (!exists) throw new H5Error(`${where}: no such file`);
      return native.fileOpen(filename, mode === 'r+', access);
    case 'w':
      return native.fileCreate(filename, false, access);
    case 'w-':
    case 'x':
      if (exists) throw new H5Error(`${where}: the file exists (mode '${mode}' only creates new files)`);
      return native.fileCreate(filename, true, access);
    case 'a':
      return exists ? native.fileOpen(filename, true, access) : native.fileCreate(filename, true, access);
  }
}
