// What files, groups and datasets share: a native object that is closed explicitly (never by the garbage
// collector: in parallel a close is collective), a path, attributes, and the file's context.
import { Attributes } from './attrs';
import type { FileContext } from './context';
import { H5Error } from './errors';
import type { NativeLocation } from './native';

/** @internal What lib/ gives a new object. */
export interface ObjectInit {
  ctx: FileContext;
  name: string;
  location: NativeLocation;
}

export abstract class H5Object {
  /** @internal The file's shared state. */
  readonly ctx: FileContext;
  #name: string;
  /** The native object, kept after close (a dataset's last transfer report outlives it). */
  readonly #handle: NativeLocation;
  #open = true;
  #attrs: Attributes | undefined;
  /** Why it went away when it was not a plain close (e.g. the object was deleted). */
  #closedBecause: string | undefined;

  /** Objects come from `File.open`, `get` and `create*`, not from `new`. */
  protected constructor(init: unknown) {
    const { ctx, name, location } = init as ObjectInit;
    this.ctx = ctx;
    this.#name = name;
    this.#handle = location;
  }

  /** The absolute path inside the file ("/" for the file itself); after a `move`, the new path. */
  get name(): string {
    return this.#name;
  }

  /** @internal After a `move`: the path it is now at. */
  _rename(name: string): void {
    this.#name = name;
  }

  /** "Dataset '/x'" - how error messages name this object. */
  abstract get description(): string;

  get closed(): boolean {
    return !this.#open;
  }

  /** @internal The native object; throws an H5Error (code CLOSED) when this object or its file is closed. */
  _location(): NativeLocation {
    if (!this.#open) throw this.closedError();
    return this.#handle;
  }

  /** @internal The native object, open or not (to close it, or ask it what it kept). */
  _handle(): NativeLocation {
    return this.#handle;
  }

  /**
   * @internal Throws an H5Error when this object or its file is closed (code CLOSED), or when an earlier
   * failure left its file unusable (code UNUSABLE).
   */
  _checkOpen(): void {
    if (!this.#open) throw this.closedError();
    this.ctx.checkUsable(this.description);
  }

  private closedError(): H5Error {
    const fileClosed = this.ctx.closed && this.ctx.file !== this;
    const why = this.#closedBecause ?? (fileClosed ? `its file '${this.ctx.filename}' was closed` : undefined);
    return new H5Error(`${this.description} is closed${why ? ` (${why})` : ''}`, 'CLOSED');
  }

  /** Attributes of this object. */
  get attrs(): Attributes {
    return (this.#attrs ??= Attributes._for(this));
  }

  /** Closes this object (collective in parallel). Closing its file closes it too. */
  abstract close(): void;

  /** `using d = f.get('x')` closes it at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal Marks this object closed after its native object was closed (`because`: why, if not a plain close). */
  _invalidate(because?: string): void {
    this.#open = false;
    this.#closedBecause ??= because;
  }
}
