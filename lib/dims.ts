// Dimension scales, as h5py's `dset.dims` (HDF5's H5DS conventions, as netCDF-4 stores its coordinate
// variables): a dataset made a scale (`makeScale`) is attached to a dimension of another (`dims[i].attachScale`),
// and each dimension lists its scales and has a label. The binding calls HDF5's high-level library
// (binding/dimscales.cc). Calls that change attributes are collective in a parallel file; reads are metadata
// reads (collective when the file reads metadata collectively).
import { Dataset } from './dataset';
import type { DTypeSpec } from './dtype';
import { H5Error } from './errors';
import { fileIdentity, named } from './references';
import { describeValue } from './validate';
import { namesFileInErrors } from './naming';

declare module './dataset' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the class's own type parameter, as declared there
  interface Dataset<D extends DTypeSpec = DTypeSpec> {
    /**
     * One Dimension per dimension of the dataset (none for a scalar), as h5py's `dset.dims`: each has a
     * label and the dimension scales attached to it.
     */
    readonly dims: readonly Dimension[];
    /** Whether this dataset is a dimension scale (h5py's `is_scale`). A metadata read. */
    readonly isScale: boolean;
    /**
     * Makes this dataset a dimension scale, named `name` (h5py's `make_scale(name='')`); then attach it to
     * dimensions of other datasets with `dims[i].attachScale`. Collective in parallel.
     */
    makeScale(name?: string): void;
  }
}

/** The native dataset and path of a dataset, checked open. */
function located(ds: Dataset): { path: string; native: ReturnType<Dataset['_location']> } {
  ds._checkOpen();
  return { path: ds.name, native: ds._location() };
}

/** A label or scale name HDF5 can store (a C string). */
function checkText(v: unknown, what: string, where: string): string {
  if (typeof v !== 'string') throw new TypeError(`${where}: ${what} must be a string, got ${describeValue(v)}`);
  if (v.includes('\0')) throw new TypeError(`${where}: ${what} contains a NUL character, which HDF5 cannot store`);
  return v;
}

/** One dimension of a dataset: its label and its dimension scales (h5py's `DimensionProxy`). */
export class Dimension {
  /** The dataset. */
  readonly dataset: Dataset;
  /** The dimension's index, 0 for the first (slowest-varying). */
  readonly index: number;

  private constructor(dataset: Dataset, index: number) {
    this.dataset = dataset;
    this.index = index;
  }

  /** @internal */
  static _make(dataset: Dataset, index: number): Dimension {
    return new Dimension(dataset, index);
  }

  private where(call: string): string {
    return `${this.dataset.description}.dims[${this.index}].${call}`;
  }

  /**
   * The dimension's label, '' when it has none (h5py's `dims[i].label`). Reading it is a metadata read;
   * setting it is collective in parallel (every rank sets the same label).
   */
  get label(): string {
    const where = this.where('label');
    const ctx = this.dataset.ctx;
    return ctx.metadataRead(where, () => `dims[${this.index}].label('${this.dataset.name}')`, () => {
      const { path, native } = located(this.dataset);
      return named(where, () => native.dimScales('label', path, this.index));
    });
  }

  set label(label: string) {
    const where = this.where('label');
    const ctx = this.dataset.ctx;
    ctx.collective(where, () => {
      checkText(label, 'the label', where);
      this.dataset._checkOpen();
      ctx.checkWritable(where);
      return `dims[${this.index}].label('${this.dataset.name}') = ${JSON.stringify(label)}`;
    }, () => {
      const { path, native } = located(this.dataset);
      named(where, () => native.dimScales('setLabel', path, this.index, label));
    });
  }

  /** Checks a scale passed to attach or detach: an open dataset of the same file. */
  private checkScale(scale: unknown, where: string): Dataset {
    if (!(scale instanceof Dataset)) throw new TypeError(`${where}: the scale must be a Dataset, got ${describeValue(scale)}`);
    scale._checkOpen();
    if (scale.ctx !== this.dataset.ctx && fileIdentity(scale.ctx) !== fileIdentity(this.dataset.ctx)) {
      throw new TypeError(`${where}: ${scale.description} is in '${scale.ctx.filename}', and a dimension scale must be in the file of its dataset ('${this.dataset.ctx.filename}')`);
    }
    return scale as Dataset;
  }

  /**
   * Attaches dataset `scale` to this dimension (h5py's `dims[i].attach_scale`), making it a scale if it is not
   * one. Attaching one already attached does nothing. Collective in parallel.
   */
  attachScale(scale: Dataset): void {
    this.changeScale('attachScale', 'attach', scale);
  }

  /** Detaches dataset `scale` from this dimension (h5py's `dims[i].detach_scale`). Collective in parallel. */
  detachScale(scale: Dataset): void {
    this.changeScale('detachScale', 'detach', scale);
  }

  private changeScale(call: string, op: 'attach' | 'detach', scale: Dataset): void {
    const where = this.where(call);
    const ctx = this.dataset.ctx;
    ctx.collective(where, () => {
      this.dataset._checkOpen();
      ctx.checkWritable(where);
      this.checkScale(scale, where);
      return `dims[${this.index}].${call}('${this.dataset.name}', '${scale.name}')`;
    }, () => {
      const { path, native } = located(this.dataset);
      named(where, () => native.dimScales(op, path, scale.name, this.index));
    });
  }

  /** Whether dataset `scale` is attached to this dimension. A metadata read. */
  isAttached(scale: Dataset): boolean {
    const where = this.where('isAttached');
    return this.dataset.ctx.metadataRead(where, () => {
      this.checkScale(scale, where);
      return `dims[${this.index}].isAttached('${this.dataset.name}', '${scale.name}')`;
    }, () => {
      const { path, native } = located(this.dataset);
      return named(where, () => native.dimScales('isAttached', path, scale.name, this.index));
    });
  }

  /** The attached scales' paths and names, in order. */
  private list(call: string): { path: string | null; name: string }[] {
    const where = this.where(call);
    return this.dataset.ctx.metadataRead(where, () => `dims[${this.index}].${call}('${this.dataset.name}')`, () => {
      const { path, native } = located(this.dataset);
      return named(where, () => native.dimScales('scales', path, this.index));
    });
  }

  /** The names of the attached scales, in order ('' for a scale without one): h5py's `dims[i].keys()`. */
  keys(): string[] {
    return this.list('keys').map((s) => s.name);
  }

  /** The attached scales, in order, opened (h5py's `dims[i].values()`). */
  scales(): Dataset[] {
    return this.list('scales').map((s) => this.open(s.path, 'scales'));
  }

  /** The attached scales with their names (h5py's `dims[i].items()`). */
  items(): [string, Dataset][] {
    return this.list('items').map((s) => [s.name, this.open(s.path, 'items')]);
  }

  /** The scale at position `key`, or the first one named `key` (h5py's `dims[i][key]`). */
  get(key: number | string): Dataset {
    const where = this.where('get');
    if (typeof key !== 'number' && typeof key !== 'string') throw new TypeError(`${where}: the key must be an index or a scale's name, got ${describeValue(key)}`);
    const list = this.list('get');
    const found = typeof key === 'number' ? list[key] : list.find((s) => s.name === key);
    if (found === undefined) {
      throw new H5Error(`${where}(${JSON.stringify(key)}): no such scale on dimension ${this.index} of '${this.dataset.name}' (it has ${list.length}: ${list.map((s) => JSON.stringify(s.name)).join(', ') || 'none'})`, 'NOT_FOUND');
    }
    return this.open(found.path, 'get');
  }

  private open(path: string | null, call: string): Dataset {
    if (path === null) throw new H5Error(`${this.where(call)}: a scale of dimension ${this.index} has no path in the file (it was unlinked)`, 'NOT_FOUND');
    return this.dataset.file.get(path) as Dataset;
  }
}

const dimensions = new WeakMap<Dataset, readonly Dimension[]>();

Object.defineProperties(Dataset.prototype, {
  dims: {
    get(this: Dataset): readonly Dimension[] {
      let dims = dimensions.get(this);
      if (dims === undefined) {
        dims = Object.freeze(Array.from({ length: this.ndim }, (_, i) => Dimension._make(this, i)));
        dimensions.set(this, dims);
      }
      return dims;
    },
    configurable: true,
  },
  isScale: {
    get(this: Dataset): boolean {
      const where = `${this.description}.isScale`;
      return this.ctx.metadataRead(where, () => `isScale('${this.name}')`, () => {
        const { path, native } = located(this);
        return named(where, () => native.dimScales('isScale', path));
      });
    },
    configurable: true,
  },
  makeScale: {
    value(this: Dataset, name = ''): void {
      const where = `${this.description}.makeScale`;
      const ctx = this.ctx;
      ctx.collective(where, () => {
        checkText(name, 'the name', where);
        this._checkOpen();
        ctx.checkWritable(where);
        return `makeScale('${this.name}', ${JSON.stringify(name)})`;
      }, () => {
        const { path, native } = located(this);
        named(where, () => native.dimScales('makeScale', path, name));
      });
    },
    configurable: true,
    writable: true,
  },
});

// What they throw names the file (lib/naming.ts).
namesFileInErrors(Dimension.prototype, (d: Dimension) => d.dataset.ctx.filename, ['label', 'attachScale', 'detachScale', 'isAttached', 'keys', 'scales', 'items', 'get']);
namesFileInErrors(Dataset.prototype, (d: Dataset) => d.ctx.filename, ['isScale', 'makeScale']);
