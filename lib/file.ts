// Files: serial (sec2) in a one-rank run, MPI-IO on a communicator in a parallel job.
import { checkingDefault, runCollective } from './collective';
import { FileContext, FileMode, refuseWritesAfterRomioFailure } from './context';
import { H5Error } from './errors';
import { collectiveMetadataReadsSafe } from './hdf5compat';
import { checkFreeToTruncate, createForJob, FileHold, fileLockedError, holdForJob, holdSerial, lockHolder, lockingUnsupportedAdvice, whyLockFailed } from './filelock';
import { Group } from './group';
import { Comm, MPI } from './mpi';
import { FileAccess, native, NativeFile } from './native';
import { H5Object } from './object';
import { trackOpen, untrack } from './runtime';
import {
  CheckReport,
  checkedKey,
  checkHost,
  checkUntrustedOptions,
  ExternalLinkPolicy,
  FileIdentity,
  identityChanges,
  runIsolated,
  sharedCheck,
  statIdentity,
  UntrustedLimits,
  untrustedLimits,
  UntrustedOptions,
} from './untrusted';
import { UntrustedFileError } from './errors';
import { checkOptions } from './validate';
import { namesFileInErrors } from './naming';

export type { FileMode } from './context';
const MODES: readonly FileMode[] = ['r', 'r+', 'w', 'w-', 'x', 'a'];

export interface FileOptions {
  /** Open with the MPI-IO driver on this communicator (collective on it). Default: COMM_WORLD in a multi-rank job, serial otherwise. */
  comm?: Comm;
  /** MPI-IO hints, e.g. { romio_cb_write: 'enable', striping_factor: 8 }. */
  info?: Record<string, string | number>;
  /**
   * HDF5's collective metadata reads and writes (parallel only; default true). Metadata reads (get, has, keys,
   * attrs) are then collective too. From HDF5 1.14 (and 1.10.9+, 1.12.2+) HDF5's collective metadata *reads*
   * stay off, since with them a read of variable-length data hangs; writes stay collective
   * (docs/clusters.md#hdf5-versions).
   */
  collectiveMetadata?: boolean;
  /** Check that every rank makes the same collective calls (parallel only; default true unless H5MPI_CHECK_COLLECTIVE=0). */
  checkCollective?: boolean;
  /**
   * When this call creates the file: its root group tracks the creation order of its members and attributes,
   * so that `keys()` and `attrs.keys()` list them in that order (h5py's `track_order`; default false). An
   * existing file keeps what it was created with.
   */
  trackOrder?: boolean;
  /**
   * The file comes from someone else (mode 'r' only): before HDF5 opens it in this process, a child process
   * walks its metadata (as `File.check`) and the open throws an UntrustedFileError instead of letting
   * libhdf5 crash or hang this process. Reads of variable-length or filtered data are made in a child
   * process too, and sizes the file claims are capped (`maxBytes`). See docs/untrusted-files.md. Default false.
   */
  untrusted?: boolean;
  /** Untrusted mode: the most bytes one read, attribute or chunk may claim (default 1 GiB). */
  maxBytes?: number;
  /** Untrusted mode: milliseconds the check, and each isolated read, may take (default 30000). */
  checkTimeout?: number;
  /**
   * Untrusted mode: where the file's external links may lead (default `'sameDirectory'`; also `'anywhere'`,
   * `'refuse'`). A file an external link leads to is checked in a child process before HDF5 opens it here.
   */
  externalLinks?: ExternalLinkPolicy;
  /**
   * Untrusted mode: where a virtual dataset's source files may be (default `'sameDirectory'`; also
   * `'anywhere'`, `'refuse'`); each is checked in a child process before a read of the dataset opens it.
   */
  virtualSources?: ExternalLinkPolicy;
  /**
   * Untrusted mode: where the files holding a dataset's external raw data (h5py's `external`) may be
   * (default `'sameDirectory'`; also `'anywhere'`, `'refuse'`), decided before a read of the dataset.
   */
  externalStorage?: ExternalLinkPolicy;
  /**
   * Untrusted mode: the report of an earlier `File.check` of this file, which then is not checked again; the
   * open verifies that it opened the very file that was checked (the same inode, size and modification
   * time), else throws an UntrustedFileError (code CHANGED). Its `maxBytes` must be at least this open's.
   */
  checked?: CheckReport;
}
const OPTION_NAMES = [
  'comm',
  'info',
  'collectiveMetadata',
  'checkCollective',
  'trackOrder',
  'untrusted',
  'maxBytes',
  'checkTimeout',
  'externalLinks',
  'virtualSources',
  'externalStorage',
  'checked',
] as const;

// Every object knows its file: `dataset.file`. Declared here rather than in lib/object.ts so that the
// object module needs no import of this one (File is made of objects, not the other way round).
declare module './object' {
  interface H5Object {
    /** The file this object lives in (a File is its own). */
    readonly file: File;
  }
}
Object.defineProperty(H5Object.prototype, 'file', {
  get(this: H5Object) {
    return this.ctx.file;
  },
  configurable: true,
});

export class File extends Group implements Disposable {
  private constructor(ctx: FileContext) {
    super({ ctx, name: '/', location: ctx.native });
    ctx.file = this;
    trackOpen(this);
  }

  /** Opens or creates an HDF5 file. In a parallel job this is collective on the file's communicator. */
  static open(filename: string, mode: FileMode = 'r', options: FileOptions = {}): File {
    const where = `File.open('${filename}', '${mode}')`;
    const given: unknown = options !== null && typeof options === 'object' ? options.comm : undefined;
    // Without a communicator the ranks cannot agree on anything, so this one check stays local.
    if (given !== undefined && !(given instanceof Comm)) throw new TypeError(`${where}: options.comm must be a Comm (e.g. MPI.COMM_WORLD)`);
    const comm = (given) ?? (MPI.jobSize() > 1 ? MPI.COMM_WORLD : undefined);
    let access!: FileAccess;
    let collectiveMetadata = false;
    let trackOrder = false;
    let untrusted: UntrustedLimits | undefined;
    const check = (options as FileOptions | null)?.checkCollective ?? checkingDefault();
    // The rest is checked inside the ranks' agreement, so that bad input on one rank makes every rank throw
    // instead of leaving the others waiting in the collective open.
    const prepare = (): string => {
      if (typeof filename !== 'string' || filename.length === 0) throw new TypeError(`File.open: filename must be a non-empty string, got ${JSON.stringify(filename)}`);
      if (!MODES.includes(mode)) throw new TypeError(`${where}: unknown mode; expected one of ${MODES.map((m) => `'${m}'`).join(', ')}`);
      checkOptions(options, OPTION_NAMES, where);
      const info = options.info === undefined ? undefined : hints(options.info, where);
      collectiveMetadata = comm !== undefined && (options.collectiveMetadata ?? true);
      trackOrder = !!options.trackOrder;
      untrusted = untrustedOf(options, mode, where);
      checkGivenReport(options.checked, untrusted, filename, where);
      if (comm && mode !== 'r') refuseWritesAfterRomioFailure(where);
      // HDF5's own collective metadata reads only where they cannot hang a read (lib/hdf5compat.ts); h5mpi's
      // metadata calls stay collective either way.
      const collectiveMetadataReads = collectiveMetadata && collectiveMetadataReadsSafe();
      access = comm ? { comm: comm.native, collectiveMetadata, collectiveMetadataReads, ...(info ? { info } : {}) } : {};
      const settings = [
        ...(comm && !collectiveMetadata ? ['collectiveMetadata: false'] : []),
        ...(check ? [] : ['checkCollective: false']),
        ...(info ? [`info ${JSON.stringify(info)}`] : []),
        ...(trackOrder ? ['trackOrder: true'] : []),
        ...(untrusted
          ? [
              `untrusted: true, maxBytes: ${untrusted.maxBytes}, checkTimeout: ${untrusted.checkTimeout}, externalLinks: '${untrusted.externalLinks}', ` +
                `virtualSources: '${untrusted.virtualSources}', externalStorage: '${untrusted.externalStorage}'${options.checked ? ', checked' : ''}`,
            ]
          : []),
      ];
      return `File.open('${filename}', '${mode}'${settings.map((x) => `, ${x}`).join('')})`;
    };
    const opened = (nativeFile: NativeFile, hold: FileHold | undefined, parallel: boolean, identity?: FileIdentity): File => {
      const ctx = new FileContext(filename, mode, nativeFile, comm, parallel && check, parallel && collectiveMetadata);
      ctx.hold = hold;
      ctx.untrusted = untrusted;
      ctx.identity = identity;
      // The file passed its check: an external link back to it (a cycle) needs no other.
      if (untrusted) ctx.checkedFiles.add(checkedKey(filename));
      return new File(ctx);
    };
    if (!comm) {
      prepare();
      const checked = untrusted && checkBeforeOpen(filename, untrusted, options.checked, where);
      const { file, hold } = openNative(filename, mode, access, trackOrder, comm, where);
      const identity = checked && verifyOpened(filename, file, hold, checked, where);
      return opened(file, hold, false, identity);
    }
    // Always checked, even with checkCollective: false: this is where the ranks agree on that setting.
    return runCollective(comm, true, where, prepare, () => {
      const checked = untrusted && checkBeforeOpen(filename, untrusted, options.checked, where, comm);
      const { file, hold } = openNative(filename, mode, access, trackOrder, comm, where);
      const identity = checked && verifyOpened(filename, file, hold, checked, where, comm);
      return opened(file, hold, true, identity);
    });
  }

  /**
   * Checks a file from someone else without opening it in this process: a child process opens it read-only
   * and walks its metadata (every group's members and links, every dataset's type, shape, chunks and
   * filters, every attribute read) under a time limit. Returns what it walked, or throws an
   * UntrustedFileError: libhdf5 crashed (code CRASHED, with the signal) or hung (TIMEOUT) on it, or an HDF5
   * error stopped the walk (that error's code); `path` says where. Attributes that claim more than
   * `maxBytes` are not read. External links are reported (`external`: link, file, object), not followed.
   * Local to this process, not collective. `File.open(path, 'r', { untrusted: true })` runs it.
   */
  static check(filename: string, options?: UntrustedOptions): CheckReport {
    const where = `File.check('${filename}')`;
    if (typeof filename !== 'string' || filename.length === 0) throw new TypeError(`File.check: filename must be a non-empty string, got ${JSON.stringify(filename)}`);
    const limits = checkUntrustedOptions(options, where);
    const kind = native.pathKind(filename);
    if (kind === 'missing') throw new H5Error(`${where}: no such file`, 'NOT_FOUND');
    if (kind === 'directory') throw new H5Error(`${where}: '${filename}' is a directory, not an HDF5 file`, 'IS_DIRECTORY');
    return runIsolated(filename, { kind: 'file' }, limits, where);
  }

  /** @internal What identifies the file HDF5 has open (lib/untrusted.ts FileIdentity): its descriptor's fstat, or under MPI-IO a stat of its name. */
  _identity(): FileIdentity {
    return this.ctx.native.identity() ?? statIdentity(this.ctx.filename);
  }

  /** Whether the file was opened in untrusted mode (`{ untrusted: true }`). */
  get untrusted(): boolean {
    return this.ctx.untrusted !== undefined;
  }

  override get description(): string {
    return this.ctx.description;
  }

  get filename(): string {
    return this.ctx.filename;
  }
  get mode(): FileMode {
    return this.ctx.mode;
  }
  /** The communicator of a parallel file; undefined for a serial one. */
  get comm(): Comm | undefined {
    return this.ctx.comm;
  }
  /** Whether collective calls are checked across ranks (parallel files). */
  get checkCollective(): boolean {
    return this.ctx.checkCollective;
  }
  /** Whether metadata reads are collective (parallel files with collectiveMetadata). */
  get collectiveMetadata(): boolean {
    return this.ctx.collectiveMetadata;
  }
  /** True for a file opened with MPI-IO on a communicator. */
  get parallel(): boolean {
    return this.ctx.parallel;
  }
  get driver(): 'mpio' | 'sec2' {
    return this.parallel ? 'mpio' : 'sec2';
  }
  /** The file's size in bytes. */
  get sizeBytes(): number {
    this._checkOpen();
    return this.ctx.native.size();
  }
  /**
   * The MPI-IO hints in effect for this file, as the MPI library reports them for the open file
   * (MPI_File_get_info): the `info` given to `File.open` plus the library's own defaults. Undefined for a
   * serial file. Local: no communication.
   */
  get mpiHints(): Record<string, string> | undefined {
    this._checkOpen();
    return this.ctx.native.accessInfo().hints;
  }

  /** Writes buffered data and metadata to disk. Collective in parallel. */
  flush(): void {
    this.ctx.collective(`${this.description}.flush`, () => {
      this._checkOpen();
      return 'flush()';
    }, () => this.ctx.native.flush());
  }

  /**
   * Closes every object still open in this file, then the file. Collective in parallel; closing twice is a
   * no-op. A file open for writing is flushed first, so that a write that fails (a full disk) fails there,
   * alike on every rank, rather than inside HDF5's close. After a failure left the file unusable (code
   * UNUSABLE), close releases it without writing anything more, and throws to say so.
   */
  override close(): void {
    if (this.closed) return;
    const where = `${this.description}.close`;
    this.ctx.closing(where, () => 'close()', () => {
      if (this.ctx.mode !== 'r') {
        // The held failure is taken (collectively) whether or not the flush threw, before the close.
        let flushError: Error | undefined;
        try {
          this.ctx.native.flush();
        } catch (e) {
          flushError = e instanceof Error ? e : new Error(String(e));
        }
        this.ctx.takeHeldWriteFailure(where, true);
        if (flushError) throw flushError;
      }
      this._invalidate();
      untrack(this);
      this.ctx.closeFile();
    }, () => {
      this._invalidate();
      untrack(this);
      this.ctx.closeAfterFailure(where);
    });
  }

  /** @internal At process exit: a parallel file is closed only when every rank is exiting cleanly. */
  closeAtExit(collectiveOk: boolean): void {
    if (this.closed) return;
    if (this.parallel && !collectiveOk) return;
    this.close();
  }
}

/** Untrusted mode's limits from File.open's options, or undefined without `untrusted: true`. */
// What they throw names the file (lib/naming.ts).
namesFileInErrors(File.prototype, (f: File) => f.ctx.filename, ['untrusted', 'description', 'filename', 'mode', 'comm', 'checkCollective', 'collectiveMetadata', 'parallel', 'driver', 'sizeBytes', 'mpiHints', 'flush', 'close']);

function untrustedOf(options: FileOptions, mode: FileMode, where: string): UntrustedLimits | undefined {
  if (options.untrusted !== undefined && typeof options.untrusted !== 'boolean') throw new TypeError(`${where}: untrusted must be a boolean, got ${JSON.stringify(options.untrusted)}`);
  if (!options.untrusted) {
    const stray = (['maxBytes', 'checkTimeout', 'externalLinks', 'virtualSources', 'externalStorage', 'checked'] as const).find((k) => options[k] !== undefined);
    if (stray) throw new TypeError(`${where}: ${stray} is an option of untrusted mode; add untrusted: true`);
    return undefined;
  }
  if (mode !== 'r') throw new TypeError(`${where}: untrusted files open read-only (mode 'r'), not '${mode}'`);
  return untrustedLimits(options, where);
}

/** What an untrusted open verifies the opened file against: the checked file's identity, and the host it was checked on. */
interface Checked {
  identity: FileIdentity;
  host: string;
}

/**
 * Untrusted mode's check, before HDF5 opens the file here (or, with `given`, an earlier File.check's
 * report). In parallel, rank 0 checks and every rank throws the same error or none (the open is
 * collective), and gets what rank 0 checked. A missing file or a directory is left to the open, which says
 * so as usual (undefined: nothing to verify).
 */
function checkBeforeOpen(filename: string, limits: UntrustedLimits, given: CheckReport | undefined, where: string, comm?: Comm): Checked | undefined {
  return sharedCheck(comm, () => {
    if (given !== undefined) return { identity: given.identity, host: checkHost() };
    if (native.pathKind(filename) !== 'file') return undefined;
    return { identity: runIsolated(filename, { kind: 'file' }, limits, where).identity, host: checkHost() };
  });
}

/** File.open's `checked`, checked (in the ranks' agreement): a File.check report made under no smaller maxBytes. */
function checkGivenReport(report: Partial<CheckReport> | null | undefined, limits: UntrustedLimits | undefined, filename: string, where: string): void {
  if (report === undefined) return;
  if (!limits) throw new TypeError(`${where}: checked is an option of untrusted mode; add untrusted: true`);
  if (typeof report?.identity?.ino !== 'string' || typeof report.maxBytes !== 'number') throw new TypeError(`${where}: checked must be the report of File.check('${filename}')`);
  if (report.maxBytes < limits.maxBytes) {
    throw new TypeError(`${where}: checked was made with maxBytes ${report.maxBytes}, less than this open's ${limits.maxBytes}: check again with the larger limit`);
  }
}

/**
 * Untrusted mode, right after HDF5 opened the file: is it the file that was checked? A file replaced in
 * between (renamed over, rewritten) has another inode, size or modification time: the file is closed and
 * an UntrustedFileError (code CHANGED) thrown, before anything in it was read here but its superblock and
 * root group. Serially the identity comes from the descriptor HDF5 opened; under MPI-IO, which has none to
 * ask, each rank stats the name, and the ranks agree (one allgather) so that all throw or none. Returns
 * the identity as this rank sees it (its device number is its host's), which isolated reads compare with.
 */
function verifyOpened(filename: string, file: NativeFile, hold: FileHold | undefined, checked: Checked, where: string, comm?: Comm): FileIdentity {
  let changes: string[];
  let opened: FileIdentity | undefined;
  try {
    opened = file.identity() ?? statIdentity(filename);
    changes = identityChanges(checked.identity, opened, checked.host === checkHost());
  } catch (e) {
    changes = [`it cannot be identified: ${e instanceof Error ? e.message : String(e)}`];
  }
  const ranks = comm ? comm.allgather(changes.length > 0 ? comm.rank : -1).filter((r) => r >= 0) : [];
  if (changes.length === 0 && ranks.length === 0) return opened!;
  try {
    file.close();
  } finally {
    hold?.release();
  }
  const on = comm ? ` (as rank${ranks.length > 1 ? 's' : ''} ${ranks.join(', ')} opened it)` : '';
  const why = changes.length > 0 ? changes.join(', ') : `it changed on rank${ranks.length > 1 ? 's' : ''} ${ranks.join(', ')}`;
  throw new UntrustedFileError(
    `${where}: the file opened is not the one that was checked${on}: ${why}; it was replaced or modified after its check, and was closed unread`,
    'CHANGED',
    'changed',
    '/',
  );
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

const FILE_KINDS = ['missing', 'file', 'directory', 'locked', 'created'] as const;
type FileKind = (typeof FILE_KINDS)[number];

function openNative(filename: string, mode: FileMode, access: FileAccess, trackOrder: boolean, comm: Comm | undefined, where: string): { file: NativeFile; hold: FileHold | undefined } {
  const writer = mode !== 'r';
  const creates = mode !== 'r' && mode !== 'r+';
  let hold: FileHold | undefined;
  let holder: string | undefined;
  // Rank 0 decides what exists, so that every rank takes the same branch even on a lagging file system; in
  // parallel it also takes the job's lock (HDF5's MPI-IO driver takes none, see lib/filelock.ts), and makes
  // a missing file itself, locked from the moment it appears ('created'), so that of two jobs creating it
  // at once exactly one gets it. Never throws (rank 0 must reach the bcast): what stat cannot tell, HDF5
  // reports when it opens the file.
  const look = (): FileKind => {
    try {
      let kind: FileKind = native.pathKind(filename);
      if (!comm || kind === 'directory') return kind;
      if (kind === 'missing' && creates) {
        const made = createForJob(filename);
        if (made === 'busy') return lockedBy();
        if (made !== 'exists') {
          hold = made;
          return made ? 'created' : 'missing';
        }
        kind = 'file'; // made by another process meanwhile: an existing file, whose lock decides
      }
      if (kind === 'file' && mode !== 'w-' && mode !== 'x') {
        const h = holdForJob(filename, writer);
        if (h === 'busy') return lockedBy();
        hold = h;
      }
      return kind;
    } catch {
      return 'file';
    }
  };
  const lockedBy = (): FileKind => {
    holder = lockHolder(filename);
    return 'locked';
  };
  // An int32, not comm.bcast's structured clone, whose serializer is slow on its first use in a process.
  const kind = comm ? FILE_KINDS[comm.bcastInto(Int32Array.of(comm.rank === 0 ? FILE_KINDS.indexOf(look()) : 0), 0)[0]] : look();
  if (kind === 'directory') throw new H5Error(`${where}: '${filename}' is a directory, not an HDF5 file`, 'IS_DIRECTORY');
  if (kind === 'locked') {
    // Every rank says who holds the file, as rank 0 found it (the holder may be on rank 0's machine only).
    const who = comm!.bcast(comm!.rank === 0 ? (holder ?? '') : '', 0);
    throw fileLockedError(where, filename, writer, true, who || undefined);
  }
  const exists = kind !== 'missing';
  try {
    // HDF5 truncates for 'w' before it tries its lock: make sure no other process has the file open first.
    if (!comm && mode === 'w' && exists) checkFreeToTruncate(filename, where);
    // A file rank 0 made for this open is empty and locked for the job: HDF5 creates over it. A serial open
    // creates a missing file exclusively (O_EXCL) in every mode, 'w' included: of two creators, one fails.
    const file = kind === 'created' ? native.fileCreate(filename, false, access, trackOrder) : openOrCreate(filename, mode, exists, !comm, access, trackOrder, where);
    if (!comm) hold = holdSerial(filename);
    return { file, hold };
  } catch (e) {
    if (kind === 'created') hold?.discard(); // leaves no empty file behind
    else hold?.release();
    if (!(e instanceof H5Error)) throw e;
    if (e.code === 'NOT_HDF5') {
      throw new H5Error(`${where}: '${filename}' is not an HDF5 file (no HDF5 signature found in it)`, 'NOT_HDF5', e.h5stack);
    }
    if (e.code === 'LOCKED') {
      if (whyLockFailed(filename, writer) === 'busy') throw fileLockedError(where, filename, writer, false, lockHolder(filename), e.h5stack);
      throw new H5Error(`${where}: ${lockingUnsupportedAdvice()}`, 'LOCKING_UNSUPPORTED', e.h5stack);
    }
    // A serial open found no file, but another process made it before HDF5's exclusive create: it is an
    // existing file now, opened as one (lock first), or refused by 'w-'/'x'.
    if (!comm && !exists && creates && native.pathKind(filename) === 'file') return openNative(filename, mode, access, trackOrder, comm, where);
    throw e;
  }
}

function openOrCreate(filename: string, mode: FileMode, exists: boolean, exclusive: boolean, access: FileAccess, trackOrder: boolean, where: string): NativeFile {
  switch (mode) {
    case 'r':
    case 'r+':
      if (!exists) throw new H5Error(`${where}: no such file`, 'NOT_FOUND');
      return native.fileOpen(filename, mode === 'r+', access);
    case 'w':
      return native.fileCreate(filename, exclusive && !exists, access, trackOrder);
    case 'w-':
    case 'x':
      if (exists) throw new H5Error(`${where}: the file exists (mode '${mode}' only creates new files)`, 'EXISTS');
      return native.fileCreate(filename, true, access, trackOrder);
    case 'a':
      return exists ? native.fileOpen(filename, true, access) : native.fileCreate(filename, true, access, trackOrder);
  }
}
