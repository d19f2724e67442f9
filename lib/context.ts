// What a file's objects share: the per-file state (communicator, checking settings, mode, the open-object
// registry, the lock) and the operations every object runs through it (collective calls, metadata reads,
// writability and open checks). Groups, datasets and attributes depend on this, not on File.
import { runCollective } from './collective';
import { H5Error } from './errors';
import type { FileHold } from './filelock';
import type { Comm } from './mpi';
import type { NativeFile } from './native';
import type { UntrustedLimits } from './untrusted';

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
  private isClosed = false;
  private readonly objects = new Map<string, Registered>();

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
  ) {}

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

  /**
   * Runs a collective operation on this file: checked across ranks in parallel (all ranks make it or
   * none), plain otherwise. `prepare` validates and describes the call; `action` calls HDF5.
   */
  collective<T>(where: string, prepare: () => string, action: () => T): T {
    if (!this.comm) {
      prepare();
      return action();
    }
    // The object's own checks first (they name it), then the file's.
    return runCollective(this.comm, this.checkCollective, where, () => {
      const call = prepare();
      this.checkOpen();
      return call;
    }, action, true, `'${this.filename}'`);
  }

  /** A metadata read: collective when the file reads metadata collectively, local otherwise. */
  metadataRead<T>(where: string, prepare: () => string, action: () => T): T {
    if (this.collectiveMetadata) return this.collective(where, prepare, action);
    prepare();
    this.checkOpen();
    return action();
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

  /** Closes one group or dataset (collective in parallel). */
  closeObject(o: Registered, checkOpen: () => void): void {
    this.collective(`${o.description}.close`, () => {
      checkOpen();
      return `close('${o.name}')`;
    }, () => {
      o._invalidate();
      this.objects.delete(o.name);
      o._closeNative();
    });
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
}
