// Named (committed) datatypes: a type stored in the file as an object of its own, with a path and
// attributes (h5py's Datatype). netCDF-4 commits its compound, enum and variable-length user types; h5py
// commits one with `f['name'] = np.dtype(...)`.
import type { FileContext } from './context';
import { type DTypeSpec, resolvedOfInfo, specOf, type StoredType, storedTypeOf } from './dtype';
import type { NativeDatatype } from './native';
import { H5Object } from './object';
import { namesFileInErrors } from './naming';

export class Datatype extends H5Object {
  /**
   * The type as a dataset of it reads (lib/dtype.ts): a dtype name (`'float32'`, `'string'`...) or a
   * structured spec (compound, enum, vlen, array...); `null` when h5mpi cannot read the type (`fileType`
   * describes it).
   */
  readonly dtype: DTypeSpec | null;
  /** The type as stored in the file: its class, size, byte order and parts. */
  readonly fileType: Readonly<StoredType>;
  readonly #native: NativeDatatype;

  /** Objects come from `get` and `commitDatatype`, not from `new`. */
  private constructor(init: unknown, native: NativeDatatype) {
    super(init);
    this.#native = native;
    const info = native.info();
    const t = resolvedOfInfo(info);
    // Every string type is dtype 'string', as a dataset reports it (fileType tells which).
    this.dtype = t === undefined ? null : t.kind === 'string' ? 'string' : specOf(t);
    this.fileType = storedTypeOf(info);
  }

  /** @internal A Datatype over `native`, opened at `name`. */
  static _open(ctx: FileContext, name: string, native: NativeDatatype): Datatype {
    return new Datatype({ ctx, name, location: native }, native);
  }

  get description(): string {
    return `Datatype '${this.name}'`;
  }

  /** Closes this datatype (collective in parallel). Closing its file closes it too. */
  close(): void {
    if (this.closed) return;
    this.ctx.closeObject(this, () => this._checkOpen());
  }

  /** @internal Closes the native datatype. */
  _closeNative(): void {
    this.#native.close();
  }
}

// What they throw names the file (lib/naming.ts).
namesFileInErrors(Datatype.prototype, (t: Datatype) => t.ctx.filename, ['description', 'close']);
