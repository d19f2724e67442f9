// Groups: the file's tree. A File is the root group.
import type { FileContext } from './context';
import { Dataset } from './dataset';
import type { DTypeSpec } from './dtype';
import { H5Error } from './errors';
import type { NativeDataset, NativeGroup, NativeLocation } from './native';
import { H5Object } from './object';
import { createDatasetsPerRank, PerRankDatasets } from './perrank';
import { checkInitialData, createNative, datasetSpec, DatasetOptions, describeCreate, emptyWrite, writesVlen } from './spec';
import { parallelVlenError, resolvePath } from './validate';

export class Group extends H5Object {
  /** Objects come from `File.open`, `get` and `createGroup`, not from `new`. */
  protected constructor(init: unknown) {
    super(init);
  }

  /** @internal A Group over `native`, opened at `name`. */
  static _open(ctx: FileContext, name: string, native: NativeGroup): Group {
    return new Group({ ctx, name, location: native });
  }

  get description(): string {
    return `Group '${this.name}'`;
  }

  private where(call: string, path?: string): string {
    return `${this.description}.${call}${path === undefined ? '' : `('${path}')`}`;
  }

  /** Creates a group (and any missing groups above it). Collective in parallel. */
  createGroup(path: string): Group {
    const where = this.where('createGroup', path);
    const ctx = this.ctx;
    let full!: string;
    return ctx.collective(where, () => {
      this._checkOpen();
      full = resolvePath(this.name, path, where);
      ctx.checkWritable(where);
      return `createGroup('${full}')`;
    }, () => {
      this.checkFree(full, where);
      return ctx.register(Group._open(ctx, full, ctx.native.createGroup(full)));
    });
  }

  /** Creates a dataset (and any missing groups above it). Collective in parallel: same arguments on every rank. */
  createDataset<D extends DTypeSpec>(path: string, options: DatasetOptions<D>): Dataset<D> {
    const where = this.where('createDataset', path);
    const ctx = this.ctx;
    let full!: string;
    let spec!: ReturnType<typeof datasetSpec>;
    const ds = ctx.collective(where, () => {
      this._checkOpen();
      full = resolvePath(this.name, path, where);
      ctx.checkWritable(where);
      spec = datasetSpec(options, where);
      // Refused before the dataset exists, rather than leaving it created and empty.
      if (options.data !== undefined && ctx.parallel && writesVlen(spec)) {
        throw parallelVlenError(where);
      }
      if (options.data !== undefined) checkInitialData(options, spec, where);
      return describeCreate(full, options, spec, ctx.checkCollective);
    }, () => {
      this.checkFree(full, where);
      return ctx.register(Dataset._open(ctx, full, createNative(ctx.native, full, spec, where))) as unknown as Dataset<D>;
    });
    if (options.data !== undefined) {
      // In parallel rank 0 writes everything; the others take part with an empty selection and no data (a
      // scalar cannot be selected empty: every rank writes its one value, the same everywhere).
      if (ctx.comm !== undefined && ctx.comm.rank !== 0 && ds.ndim > 0) {
        const nothing = emptyWrite(options, where);
        ds.write(nothing, { start: ds.shape.map(() => 0), count: ds.shape.map(() => 0) }, { collective: true });
      } else {
        ds.write(options.data, undefined, { collective: ctx.parallel });
      }
    }
    return ds;
  }

  /**
   * Creates datasets that differ from rank to rank, in one collective call. Every rank passes its own
   * `{ path: options }` (its own paths, possibly none); the ranks exchange them once and every rank creates
   * the union, in path order, so HDF5 sees the same calls everywhere. Returns every rank's datasets on every
   * rank; each rank then writes its own independently (`ds[path].write(data)`), and initial `data` given
   * here is written that way by the rank that brought it. Ranks may share a path only with the same options
   * (otherwise every rank throws CollectiveMismatchError); existing paths are refused. Serially, it creates
   * this process's datasets.
   */
  createDatasetsPerRank<S extends Record<string, DatasetOptions>>(specs: S): PerRankDatasets<S> {
    return createDatasetsPerRank(this.ctx, this.name, this.description, () => this._checkOpen(), specs);
  }

  /** The group or dataset at `path`; throws H5Error naming the path when there is none. */
  get(path: string): Group | Dataset {
    const where = this.where('get', path);
    const ctx = this.ctx;
    let full!: string;
    return ctx.metadataRead(where, () => {
      full = resolvePath(this.name, path, where);
      this._checkOpen();
      return `get('${full}')`;
    }, () => {
      if (full === '/') return ctx.file as Group;
      const open = ctx.lookup(full) as Group | Dataset | undefined;
      if (open) return open;
      const kind = ctx.native.kind(full);
      if (kind === 'missing') throw new H5Error(`${where}: nothing at '${full}' in '${ctx.filename}'`, 'NOT_FOUND');
      if (kind !== 'group' && kind !== 'dataset') throw new H5Error(`${where}: '${full}' is a ${kind}, not a group or dataset`, 'UNSUPPORTED_TYPE');
      const native = ctx.native.open(full);
      return ctx.register(kind === 'group' ? Group._open(ctx, full, native as NativeGroup) : Dataset._open(ctx, full, native as NativeDataset));
    });
  }

  /** Whether something (a group or dataset) is at `path`. */
  has(path: string): boolean {
    const where = this.where('has', path);
    let full!: string;
    return this.ctx.metadataRead(where, () => {
      full = resolvePath(this.name, path, where);
      this._checkOpen();
      return `has('${full}')`;
    }, () => this.ctx.native.kind(full) !== 'missing');
  }

  /** Names of this group's members, in name order. */
  keys(): string[] {
    return this.ctx.metadataRead(this.where('keys'), () => {
      this._checkOpen();
      return `keys('${this.name}')`;
    }, () => (this._location() as NativeLocation & { names(): string[] }).names());
  }

  /** Unlinks `path` (its space is not reclaimed, as in HDF5). Collective in parallel. */
  delete(path: string): void {
    const where = this.where('delete', path);
    const ctx = this.ctx;
    let full!: string;
    ctx.collective(where, () => {
      this._checkOpen();
      full = resolvePath(this.name, path, where);
      ctx.checkWritable(where);
      if (full === '/') throw new H5Error(`${where}: the root group cannot be deleted`);
      return `delete('${full}')`;
    }, () => {
      if (ctx.native.kind(full) === 'missing') throw new H5Error(`${where}: nothing at '${full}'`, 'NOT_FOUND');
      ctx.forgetUnder(full);
      ctx.native.delete(full);
    });
  }

  /** Closes this group (collective in parallel). Closing its file closes it too. */
  close(): void {
    if (this.closed) return;
    this.ctx.closeObject(this, () => this._checkOpen());
  }

  /** @internal Closes the native group. */
  _closeNative(): void {
    (this._handle() as NativeGroup).close();
  }

  /** Throws when `full` already names something. Runs after the ranks agreed: it reads metadata. */
  private checkFree(full: string, where: string): void {
    if (this.ctx.native.kind(full) !== 'missing') {
      throw new H5Error(`${where}: '${full}' already exists in '${this.ctx.filename}'`, 'EXISTS');
    }
  }
}
