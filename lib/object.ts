// What files, groups and datasets share: an HDF5 id that is closed explicitly (never by the garbage
// collector: in parallel a close is collective), a path, attributes, and collective bookkeeping.
import { H5Error } from './errors';
import type { File } from './file';
import type { Hid } from './native';
import { Attributes } from './attrs';

export abstract class H5Object {
  /** The file this object lives in (a File is its own). */
  readonly file: File;
  /** The absolute path inside the file ("/" for the file itself). */
  readonly name: string;
  /** @internal */
  protected _id: Hid | undefined;
  private _attrs: Attributes | undefined;
  /** Why the id went away when it was not a plain close (e.g. the object was deleted). */
  private _closedBecause: string | undefined;

  /** @internal */
  constructor(file: File | undefined, name: string, id: Hid) {
    this.file = file ?? (this as unknown as File);
    this.name = name;
    this._id = id;
  }

  /** "Dataset '/x'" - how error messages name this object. */
  abstract get description(): string;

  get closed(): boolean {
    return this._id === undefined;
  }

  /** @internal The live HDF5 id; throws when this object or its file is closed. */
  get id(): Hid {
    if (this._id === undefined) {
      const why = this._closedBecause ?? (this.file !== (this as unknown) && this.file.closed ? `its file '${this.file.filename}' was closed` : undefined);
      throw new H5Error(`${this.description} is closed${why ? ` (${why})` : ''}`);
    }
    return this._id;
  }

  /** Attributes of this object. */
  get attrs(): Attributes {
    return (this._attrs ??= new Attributes(this));
  }

  /** Closes this object (collective in parallel). Closing its file closes it too. */
  abstract close(): void;

  /** `using d = f.get('x')` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Marks this object closed after its id was closed (by itself, with its file, or deleted: `because`). */
  _invalidate(because?: string): void {
    this._id = undefined;
    this._closedBecause ??= because;
  }
}

/** Joins a path relative to `base` and normalises it ("/a//b/" -> "/a/b"). */
export function joinPath(base: string, path: string, where: string): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`${where}: a path must be a non-empty string, got ${JSON.stringify(path)}`);
  }
  if (path.split('/').some((p) => p === '.' || p === '..')) {
    throw new TypeError(`${where}: HDF5 paths have no '.' or '..' components: '${path}'`);
  }
  const full = path.startsWith('/') ? path : `${base === '/' ? '' : base}/${path}`;
  const norm = '/' + full.split('/').filter((p) => p.length > 0).join('/');
  return norm;
}
