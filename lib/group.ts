// Groups: the file's tree. A File is the root group.
import { checkInitialData, Dataset, DatasetOptions, datasetSpec, parallelVlenError, WriteData } from './dataset';
import { ARRAY_TYPES, DType, NumericDType } from './dtype';
import { H5Error } from './errors';
import { native } from './native';
import { H5Object, joinPath } from './object';
import { describeArgument } from './collective';
import { createDatasetsPerRank, PerRankDatasets } from './perrank';

export class Group extends H5Object {
  get description(): string {
    return `Group '${this.name}'`;
  }

  private where(call: string, path?: string): string {
    return `${this.description}.${call}${path === undefined ? '' : `('${path}')`}`;
  }

  /** Creates a group (and any missing groups above it). Collective in parallel. */
  createGroup(path: string): Group {
    const where = this.where('createGroup', path);
    let full!: string;
    return this.file._collective(where, () => {
      void this.id;
      full = joinPath(this.name, path, where);
      this.file._checkWritable(where);
      return `createGroup('${full}')`;
    }, () => {
      this.checkFree(full, where);
      return this.file._register(new Group(this.file, full, native.groupCreate(this.file.id, full)));
    });
  }

  /** Creates a dataset (and any missing groups above it). Collective in parallel: same arguments on every rank. */
  createDataset<D extends DType>(path: string, options: DatasetOptions<D>): Dataset<D> {
    const where = this.where('createDataset', path);
    let full!: string;
    let spec!: ReturnType<typeof datasetSpec>;
    const ds = this.file._collective(where, () => {
      void this.id;
      full = joinPath(this.name, path, where);
      this.file._checkWritable(where);
      spec = datasetSpec(options, where);
      // Refused before the dataset exists, rather than leaving it created and empty.
      if (options.data !== undefined && this.file.parallel && options.dtype === 'string' && !spec.stringLength) {
        throw parallelVlenError(where);
      }
      if (options.data !== undefined) checkInitialData(options, spec, where);
      return describeCreate(full, options, spec, this.file.checkCollective);
    }, () => {
      this.checkFree(full, where);
      return this.file._register(new Dataset<D>(this.file, full, native.datasetCreate(this.file.id, full, spec)));
    });
    if (options.data !== undefined) {
      const parallel = this.file.parallel;
      // In parallel rank 0 writes everything; the others take part with an empty selection and no data (a
      // scalar cannot be selected empty: every rank writes its one value, the same everywhere).
      if (parallel && this.file.comm!.rank !== 0 && ds.ndim > 0) {
        const nothing = ds.dtype === 'string' ? [] : new ARRAY_TYPES[ds.dtype as NumericDType](0);
        ds.write(nothing as WriteData<D>, { start: ds.shape.map(() => 0), count: ds.shape.map(() => 0) }, { collective: true });
      } else {
        ds.write(options.data, undefined, { collective: parallel });
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
    return createDatasetsPerRank(this, specs);
  }

  /** The group or dataset at `path`; throws H5Error naming the path when there is none. */
  get(path: string): Group | Dataset {
    const where = this.where('get', path);
    let full!: string;
    return this.file._metadataRead(where, () => {
      full = joinPath(this.name, path, where);
      void this.id;
      return `get('${full}')`;
    }, () => {
      const open = this.file._lookup(full) as Group | Dataset | undefined;
      if (open) return open;
      const kind = native.objectKind(this.file.id, full);
      if (kind === 'missing') throw new H5Error(`${where}: nothing at '${full}' in '${this.file.filename}'`);
      if (kind !== 'group' && kind !== 'dataset') throw new H5Error(`${where}: '${full}' is a ${kind}, not a group or dataset`);
      const id = native.objectOpen(this.file.id, full);
      return this.file._register(kind === 'group' ? new Group(this.file, full, id) : new Dataset(this.file, full, id));
    });
  }

  /** Whether something (a group or dataset) is at `path`. */
  has(path: string): boolean {
    const where = this.where('has', path);
    let full!: string;
    return this.file._metadataRead(where, () => {
      full = joinPath(this.name, path, where);
      void this.id;
      return `has('${full}')`;
    }, () => native.objectKind(this.file.id, full) !== 'missing');
  }

  /** Names of this group's members, in name order. */
  keys(): string[] {
    return this.file._metadataRead(this.where('keys'), () => {
      void this.id;
      return `keys('${this.name}')`;
    }, () => native.linkNames(this.id));
  }

  /** Unlinks `path` (its space is not reclaimed, as in HDF5). Collective in parallel. */
  delete(path: string): void {
    const where = this.where('delete', path);
    let full!: string;
    this.file._collective(where, () => {
      void this.id;
      full = joinPath(this.name, path, where);
      this.file._checkWritable(where);
      if (full === '/') throw new H5Error(`${where}: the root group cannot be deleted`);
      return `delete('${full}')`;
    }, () => {
      if (native.objectKind(this.file.id, full) === 'missing') throw new H5Error(`${where}: nothing at '${full}'`);
      this.file._forgetUnder(full);
      native.linkDelete(this.file.id, full);
    });
  }

  /** Closes this group (collective in parallel). Closing its file closes it too. */
  close(): void {
    if (this.closed) return;
    this.file._closeObject(this);
  }

  /** @internal Throws when `full` already names something. Runs after the ranks agreed: it reads metadata. */
  protected checkFree(full: string, where: string): void {
    if (native.objectKind(this.file.id, full) !== 'missing') {
      throw new H5Error(`${where}: '${full}' already exists in '${this.file.filename}'`);
    }
  }
}

/** The text ranks compare before creating a dataset: everything that shapes it (and its initial data, `withData`). */
export function describeCreate(full: string, o: DatasetOptions, spec: ReturnType<typeof datasetSpec>, withData = false): string {
  const parts = [`'${full}'`, `[${o.shape.join(', ')}]`, o.dtype];
  if (spec.stringLength) parts.push(`stringLength ${spec.stringLength}`);
  if (spec.maxshape) parts.push(`maxshape [${spec.maxshape.map((d) => (d < 0 ? 'Infinity' : d)).join(', ')}]`);
  if (spec.chunks) parts.push(`chunks [${spec.chunks.join(', ')}]`);
  if (spec.gzip !== undefined) parts.push(`gzip ${spec.gzip}`);
  if (spec.shuffle) parts.push('shuffle');
  if (spec.fletcher32) parts.push('fletcher32');
  if (o.fillValue !== undefined) parts.push(`fill ${describeArgument(o.fillValue)}`);
  if (withData && o.data !== undefined) parts.push(`data ${describeArgument(o.data)}`);
  return `createDataset(${parts.join(', ')})`;
}
