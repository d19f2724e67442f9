// What a file's objects share: the per-file state (communicator, checking settings, mode, the open-object
// registry, the lock) and the operations every object runs through it (collective calls, metadata reads,
// writability and open checks). Groups, datasets and attributes depend on this, not on File.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agreeOutcome, ranges, runCollective } from './collective';
import { H5Error, PeerFailedError } from './errors';
import type { FileHold } from './filelock';
import type { Comm } from './mpi';
import { native } from './native';
import type { NativeFile } from './native';
import type { FileIdentity, UntrustedLimits } from './untrusted';

/** In the message of every call refused after a failure: how other ranks recognize it in a PeerFailedError. */
const UNUSABLE = 'is unusable after an earlier failure';

/**
 * The first write failure (an I/O error) in a parallel file written through Open MPI's ROMIO 3.2.1
 * (OMPI_MCA_io=romio321) in this process: after one, a new file written in parallel in the same process
 * was seen with one rank's data lost or at another rank's offset (docs/errors.md), so parallel files are
 * then not opened for writing (File.open refuses; see `refuseWritesAfterRomioFailure`).
 */
let romioFailure: string | undefined;

/**
 * Throws (code UNUSABLE) when a write failure under Open MPI's ROMIO made parallel writes in this process
 * unsafe. `where` names the refused open.
 */
export function refuseWritesAfterRomioFailure(where: string): void {
  if (romioFailure === undefined) return;
  throw new H5Error(
    `${where}: refused: an earlier write failure under Open MPI's ROMIO in this process (${romioFailure}) can make ` +
      'later parallel writes land at wrong offsets; restart the job to write in parallel (or use OMPIO, Open MPI\'s default)',
    'UNUSABLE',
  );
}

/**
 * Whether parallel files are written through Open MPI's ROMIO: the MPI is Open MPI and its MCA parameter
 * `io` (which mpiexec's --mca passes to the ranks in the environment) chooses ROMIO. (HDF5 reports only the
 * hints it was given, not the component's.)
 */
function openMPIRomio(): boolean {
  return /romio/i.test(process.env.OMPI_MCA_io ?? '') && /Open MPI/.test(native.mpiVersion().library);
}

/** As h5py: 'r' read-only; 'r+' read/write, must exist; 'w' create, truncate; 'w-'/'x' create, fail if it exists; 'a' read/write, create if missing. */
export type FileMode = 'r' | 'r+' | 'w' | 'w-' | 'x' | 'a';

/** What the registry keeps of an open group or dataset. */
export interface Registered {
  readonly name: string;
  readonly description: string;
  /** Closes its native object (its HDF5 id and what it keeps). */
  _closeNative(): void;
  /** Marks it closed; `because` says why when it was not a plain close. */
  _invalidate(because?: string): void;
  /** Takes the path it is at after a move. */
  _rename(name: string): void;
}

export class FileContext {
  /** The File object (lib/file.ts), for `object.file`. */
  file: object | undefined;
  /** This process's share of the file's lock (lib/filelock.ts), released at close. */
  hold: FileHold | undefined;
  /** Untrusted mode's limits (lib/untrusted.ts); undefined for a file opened without it. */
  untrusted: UntrustedLimits | undefined;
  /** Untrusted mode: the file that was checked and then opened here, as this host sees it (isolated reads read that one only). */
  identity: FileIdentity | undefined;
  /** Untrusted mode: the real paths of files that passed the check (this one, those its external links lead to). */
  readonly checkedFiles = new Set<string>();
  private isClosed = false;
  private readonly objects = new Map<string, Registered>();
  /** The failure that left the file unusable, if one did (see `noteFailure`). */
  private failure: H5Error | undefined;
  /** Whether that failure was a call that failed on some ranks only, after which their HDF5 metadata differs (`agreed`). */
  private apart = false;
  /** Whether this parallel file is written through Open MPI's ROMIO (asked at open: close() may fail). */
  private readonly viaOpenMPIRomio: boolean;
  /**
   * Whether HDF5's failed writes to this file are held rather than returned to it (parallel, open for
   * writing, `collectiveMetadata: false`: binding/agreedio.h), and so are to be asked after each call that
   * may write (`takeHeldWriteFailure`).
   */
  private readonly holdsWriteFailures: boolean;
  /** Whether the collective call under way took the held failure itself (see `collective`). */
  private heldTaken = false;

  constructor(
    readonly filename: string,
    readonly mode: FileMode,
    readonly native: NativeFile,
    /** The communicator of a parallel file; undefined for a serial one. */
    readonly comm: Comm | undefined,
    /** Whether collective calls are checked across ranks. */
    readonly checkCollective: boolean,
    /** Whether metadata reads are collective. */
    readonly collectiveMetadata: boolean,
  ) {
    this.viaOpenMPIRomio = comm !== undefined && mode !== 'r' && openMPIRomio();
    this.holdsWriteFailures = comm !== undefined && mode !== 'r' && !collectiveMetadata;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get parallel(): boolean {
    return this.comm !== undefined;
  }

  /** "File 'x.h5'": how messages name the file. */
  get description(): string {
    return `File '${this.filename}'`;
  }

  /** Throws when the file is closed. */
  checkOpen(): void {
    if (this.isClosed) throw new H5Error(`${this.description} is closed`, 'CLOSED');
  }

  /** Throws unless the file was opened for writing. */
  checkWritable(where: string): void {
    if (this.mode === 'r') {
      throw new H5Error(`${where}: '${this.filename}' is open read-only (mode 'r'); open it with 'r+' or 'a' to write`, 'READ_ONLY');
    }
  }

  /** Whether an earlier failure left the file unusable: every call but close() then throws (code UNUSABLE). */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Throws (code UNUSABLE) when an earlier failure left the file unusable. */
  checkUsable(where: string): void {
    if (this.failure) {
      throw new H5Error(
        `${where}: ${where.includes(`'${this.filename}'`) ? 'the file' : `file '${this.filename}'`} ${UNUSABLE} (${this.failure.message}), so nothing more is sent to HDF5; close() releases it without writing anything more`,
        'UNUSABLE',
        [],
        this.failure.errno,
      );
    }
  }

  /**
   * Throws (code IO, errno 28) when the file system has less room than `bytes`, which HDF5 is about to
   * write in a way that hangs a parallel job when the write fails: parallel HDF5 1.10 allocates a contiguous
   * dataset when it creates it and writes its fill value from rank 0 alone, then waits in a barrier, which
   * rank 0 skips when its write fails. Checked in a collective call's preparation, so every rank refuses;
   * nothing is sent to HDF5 and the file stays usable. (A quota is not seen here.)
   */
  checkRoom(bytes: number, where: string, what: string): void {
    let free: number;
    try {
      const st = fs.statfsSync(path.dirname(path.resolve(this.filename)));
      free = (process.getuid?.() === 0 ? st.bfree : st.bavail) * st.bsize;
    } catch {
      return; // what cannot be asked is left to HDF5
    }
    if (free >= bytes) return;
    throw new H5Error(
      `${where}: not created: ${what} needs ${bytes} bytes now, and the file system of '${this.filename}' has ${free} free: ` +
        'No space left on device (errno 28). Nothing was sent to HDF5; the file is still open',
      'IO',
      [],
      28,
    );
  }

  /**
   * An error a call on this file threw, as it is to be thrown: an I/O error (code IO) says why it failed
   * where HDF5 did not (MPI-IO reports no errno; the file system is asked). A call that writes (`writes`)
   * and fails with an I/O error leaves a file open for writing unusable: HDF5's metadata cache may then
   * hold what is not on disk, and its next flush (close flushes) would fail again, in parallel perhaps on
   * some ranks only, which would then wait for each other forever. A failed read (a damaged chunk) leaves
   * the file as it was.
   */
  noteFailure(e: unknown, writes: boolean): unknown {
    let out = e;
    if (e instanceof H5Error && e.code === 'IO' && e.errno === undefined) {
      const found = native.ioErrno(this.filename);
      if (found) {
        const how = found[2] ? '' : ', as the file system reports it now';
        out = new H5Error(`${e.message}: ${found[1]} (errno ${found[0]}${how})`, 'IO', e.h5stack, found[0]);
      }
    }
    const io = e instanceof H5Error && e.code === 'IO' && this.mode !== 'r';
    if (writes && io && !this.failure) {
      this.failure = out instanceof H5Error ? out : new H5Error(out instanceof Error ? out.message : String(out), 'FAILED');
      if (this.viaOpenMPIRomio && romioFailure === undefined) romioFailure = this.failure.message;
    }
    return out;
  }

  /**
   * Throws (code IO) when a write HDF5 made in the call just made (`where`) failed and was held (in a file
   * whose metadata HDF5 writes independently, binding/agreedio.h): HDF5 was told it succeeded, so that every
   * rank went on alike and its metadata cache was not left mid-flush; the file is then unusable (the caller
   * passes the error through `noteFailure`). `collective`: the ranks agree (every rank must call), so that it
   * throws on every rank, naming a rank where it failed; else on this rank only.
   */
  takeHeldWriteFailure(where: string, collective: boolean): void {
    if (!this.holdsWriteFailures) return;
    if (collective) this.heldTaken = true;
    const held = this.native.takeWriteFailure(collective);
    if (held) throw new H5Error(`${where} failed: ${held.message}`, 'IO', [], held.errno);
  }

  /**
   * Runs `action`, a call that may write, on every rank of a parallel file (or serially), then takes the
   * failure HDF5's writes in it may have held (`takeHeldWriteFailure`, collectively in parallel), also
   * where the action threw (on some ranks only, say: the take is collective), unless the action took it
   * itself (File.close, between its flush and the close). What it throws goes through `noteFailure`.
   */
  runWrites<T>(where: string, action: () => T): T {
    this.heldTaken = false;
    let result: T | undefined;
    let error: unknown;
    let threw = false;
    try {
      result = action();
    } catch (e) {
      threw = true;
      error = e;
    }
    if (!this.heldTaken) {
      try {
        this.takeHeldWriteFailure(where, this.comm !== undefined);
      } catch (e) {
        if (!threw) {
          threw = true;
          error = e;
        }
      }
    }
    if (threw) throw this.noteFailure(error, true);
    return result as T;
  }

  /**
   * Runs a collective operation on this file: checked across ranks in parallel (all ranks make it or
   * none), plain otherwise. `prepare` validates and describes the call; `action` calls HDF5 (`writes`: it
   * may write). In parallel the ranks always agree first, even with checkCollective false, that none of
   * them refuses the call, and so that none has found the file unusable: a rank that refused to call HDF5
   * would leave the others waiting in it. A call that may write is agreed on after it too (`agreeAfter`,
   * see `agreed`). A collective write's outcome is agreed on inside HDF5 instead (binding/agreedio.h).
   */
  collective<T>(where: string, prepare: () => string, action: () => T, writes = true, agreeAfter = writes): T {
    const run = (): T => {
      if (writes) return this.runWrites(where, action);
      try {
        return action();
      } catch (e) {
        throw this.noteFailure(e, false);
      }
    };
    if (!this.comm) {
      prepare();
      this.checkUsable(where);
      return run();
    }
    const comm = this.comm;
    let call = '';
    // The object's own checks first (they name it), then the file's.
    try {
      return runCollective(comm, true, where, () => {
        call = prepare();
        this.checkOpen();
        this.checkUsable(where);
        return call;
      }, agreeAfter && comm.size > 1 ? () => this.agreed(comm, where, call, run) : run, this.checkCollective, `'${this.filename}'`);
    } catch (e) {
      // Another rank found the file unusable (after a call failed there): so is it here.
      if (e instanceof PeerFailedError && !this.failure) {
        const i = e.messages.findIndex((m) => m.includes(UNUSABLE));
        if (i >= 0) this.failure = new H5Error(`on rank ${e.ranks[i]}: ${e.messages[i]}`, 'UNUSABLE');
      }
      throw e;
    }
  }

  /**
   * Runs a collective call's HDF5 part, then has the ranks agree on its outcome (agreeOutcome: one
   * allreduce), so that one that failed on some ranks only fails on every rank before it returns: the
   * failed ranks throw their own error, the others a PeerFailedError naming them. The ranks' HDF5 metadata
   * then differs (what the call changed on some ranks only), and no undo makes it alike again: a created
   * group deleted again on the ranks that made it still left their metadata caches apart, and the next
   * flush waited forever (measured; test/h5_agree.test.ts). So the file becomes unusable on every rank, as
   * after an I/O error: close() then releases it without writing anything more, and what is on disk is
   * what the last flush wrote. A call that failed on every rank alike leaves them alike, and the file usable.
   */
  private agreed<T>(comm: Comm, where: string, call: string, run: () => T): T {
    let result: T | undefined;
    let failure: unknown;
    try {
      result = run();
    } catch (e) {
      failure = e;
    }
    const failed = agreeOutcome(comm, failure);
    if (!failed) return result as T;
    const ranks = failed.map((f) => f.rank);
    const some = ranks.length < comm.size;
    if (some) this.apart = true;
    if (some && !this.failure) {
      this.failure = failure instanceof H5Error ? failure : new H5Error(`on rank ${ranks[0]}: ${failed[0].message}`, 'FAILED');
    }
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- this rank's own error, rethrown as it was
    if (failure !== undefined) throw failure;
    const who = ranks.length === 1 ? `rank ${ranks[0]}` : `ranks ${ranges(ranks)}`;
    throw new PeerFailedError(
      `${where}: failed on ${who} of ${comm.size} in file '${this.filename}' (${call}; ` +
        `${failed.map((f) => `rank ${f.rank}: ${f.message}`).join('; ')}), so it fails on every rank. ` +
        `It succeeded on this rank, so the ranks' HDF5 metadata now differs: the file is unusable on every rank, ` +
        'and close() releases it without writing anything more (the file on disk keeps what the last flush() wrote)',
      ranks,
      failed.map((f) => f.message),
    );
  }

  /** A metadata read: collective when the file reads metadata collectively, local otherwise. */
  metadataRead<T>(where: string, prepare: () => string, action: () => T): T {
    if (this.collectiveMetadata) return this.collective(where, prepare, action, false);
    prepare();
    this.checkOpen();
    this.checkUsable(where);
    try {
      return action();
    } catch (e) {
      throw this.noteFailure(e, false);
    }
  }

  /** Remembers an open object so that get() returns it and close() closes it. */
  register<T extends Registered>(o: T): T {
    this.objects.set(o.name, o);
    return o;
  }

  /** The open object at an absolute path, if any. */
  lookup(full: string): Registered | undefined {
    return this.objects.get(full);
  }

  /** Closes the open objects at or under `full` (before it is unlinked). */
  forgetUnder(full: string): void {
    for (const [path, o] of this.objects) {
      if (path === full || path.startsWith(`${full}/`)) {
        o._closeNative();
        o._invalidate(`'${full}' was deleted from '${this.filename}'`);
        this.objects.delete(path);
      }
    }
  }

  /** After a move of `from` to `to`: the open objects at or under `from` take their new paths. */
  renameUnder(from: string, to: string): void {
    for (const [path, o] of [...this.objects]) {
      if (path === from || path.startsWith(`${from}/`)) {
        const moved = to + path.slice(from.length);
        this.objects.delete(path);
        o._rename(moved);
        this.objects.set(moved, o);
      }
    }
  }

  /** Closes one group or dataset (collective in parallel); in an unusable file, only marks it closed. */
  closeObject(o: Registered, checkOpen: () => void): void {
    this.closing(`${o.description}.close`, () => {
      checkOpen();
      return `close('${o.name}')`;
    }, () => {
      o._invalidate();
      this.objects.delete(o.name);
      o._closeNative();
    }, () => {
      // Its HDF5 id is closed with the file (closeAfterFailure), once the file can no longer write.
      o._invalidate();
      this.objects.delete(o.name);
    });
  }

  /**
   * Runs a close: collectively while the file is usable, and `whenUnusable` instead once it is not, on
   * every rank alike: a rank that found the file unusable (after an independent call failed there) still
   * takes part in the ranks' agreement, where it refuses, and every rank learns it there.
   */
  closing(where: string, prepare: () => string, action: () => void, whenUnusable: () => void): void {
    try {
      this.collective(where, prepare, action);
      return;
    } catch (e) {
      if (!this.failure) throw e;
    }
    whenUnusable();
  }

  /** Closes every object still open in the file, then the file, then releases the lock (not collective by itself). */
  closeFile(): void {
    this.checkOpen();
    const open = [...this.objects.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const o of open) o._invalidate();
    this.objects.clear();
    this.isClosed = true;
    try {
      // One by one in path order, the same on every rank: closing the last object opened through an external
      // link closes the other file, which in parallel is collective (the binding's own order is not fixed).
      for (const o of open) {
        try {
          o._closeNative();
        } catch {
          // As the binding does for what it closes with the file: the file is closed regardless.
        }
      }
      this.native.close();
    } finally {
      this.hold?.release();
      this.hold = undefined;
    }
  }

  /**
   * Closes an unusable file without writing anything more (binding: closeAfterFailure; collective in
   * parallel, where every rank has agreed that it is unusable), then throws: what HDF5 still held for the
   * file is lost, and the caller should know.
   */
  closeAfterFailure(where: string): never {
    for (const o of this.objects.values()) o._invalidate();
    this.objects.clear();
    const natively = !this.isClosed;
    this.isClosed = true;
    try {
      if (natively) this.native.closeAfterFailure(this.comm?.native, this.apart);
    } finally {
      this.hold?.release();
      this.hold = undefined;
    }
    const failure = this.failure!;
    throw new H5Error(
      `${where}: closed without writing what HDF5 still held for it, because an earlier failure left it unusable (${failure.message}); ` +
        'the file on disk may lack what was written since its last successful flush(), or be unreadable',
      'UNUSABLE',
      [],
      failure.errno,
    );
  }
}
