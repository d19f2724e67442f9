// Groups: the file's tree. A File is the root group. Links, moves, copies and walks follow h5py's Group.
import type { FileContext } from './context';
import { Dataset } from './dataset';
import { Datatype } from './datatype';
import { type DType, type DTypeSpec, isReferenceDType, nativeType, resolveDType, typeText } from './dtype';
import { H5Error } from './errors';
import { checkRequired, copyOptions, CopyOptions, danglingText, groupOptions, GroupOptions, linkInfo, LinkInfo, RequireDatasetOptions } from './links';
import type { DatasetSpec, NativeDataset, NativeDatatype, NativeGroup, NativeLocation, NativeType } from './native';
import { H5Object } from './object';
import { createDatasetsPerRank, PerRankDatasets } from './perrank';
import { fileIdentity, packReferences, parallelReferenceError, parallelReferenceWrites, Reference, referenceList, RegionReference } from './references';
import { checkInitialData, createNative, datasetSpec, DatasetOptions, describeCreate, emptyWrite, writesVlen } from './spec';
import { checkName, checkNoNul, describeValue, parallelVlenError, resolvePath } from './validate';
import { checkOtherFile, sharedCheck } from './untrusted';
import { createVirtualDataset, VirtualDatasetOptions, VirtualLayout } from './virtual';
import { namesFileInErrors } from './naming';

/** `/a/b` -> `/a`; `/a` -> `/`. */
function parentOf(full: string): string {
  const i = full.lastIndexOf('/');
  return i <= 0 ? '/' : full.slice(0, i);
}

/** A member's absolute path: `name` under the group at `base`. */
function under(base: string, name: string): string {
  return base === '/' ? `/${name}` : `${base}/${name}`;
}

/** What is stored in a link (a soft link's path, an external link's file or object path): any non-empty text. */
function checkLinkText(v: unknown, what: string, where: string): string {
  const s = checkName(v, what, where);
  checkNoNul([s], where, what);
  return s;
}

function checkCallback(v: unknown, where: string): void {
  if (typeof v !== 'function') throw new TypeError(`${where}: the callback must be a function, got ${describeValue(v)}`);
}

/** The error for nothing at `full` in `ctx`'s file. A dangling link says where it leads (an external one also why HDF5 could not follow it). */
function missingError(ctx: FileContext, full: string, where: string): H5Error {
  const link = ctx.native.linkInfo(full);
  if (link && (link.type === 'soft' || link.type === 'external')) {
    let why = '';
    if (link.type === 'external') {
      try {
        (ctx.native.open(full) as NativeGroup).close();
      } catch (e) {
        if (e instanceof H5Error) why = ` (${e.message})`;
      }
    }
    return new H5Error(`${where}: '${full}' in '${ctx.filename}' is ${danglingText(link)}${why}`, 'NOT_FOUND');
  }
  return new H5Error(`${where}: nothing at '${full}' in '${ctx.filename}'`, 'NOT_FOUND');
}

/** An object of a file's tree: what `get` opens. */
export type TreeObject = Group | Dataset | Datatype;

/** Whether `kind` (the binding's) is an object h5mpi opens. */
function opens(kind: string): boolean {
  return kind === 'group' || kind === 'dataset' || kind === 'datatype';
}

/** The group, dataset or named datatype at `full` in `ctx`'s file, opened (or the one already open). Called after the ranks agreed. */
function openAt(ctx: FileContext, full: string, where: string): TreeObject {
  if (full === '/') return ctx.file as Group;
  const open = ctx.lookup(full) as TreeObject | undefined;
  if (open) return open;
  const kind = ctx.native.kind(full);
  if (kind === 'missing') throw missingError(ctx, full, where);
  if (!opens(kind)) throw new H5Error(`${where}: '${full}' is a ${kind} object, not a group, dataset or named datatype`, 'UNSUPPORTED_TYPE');
  const native = ctx.native.open(full);
  if (kind === 'group') return ctx.register(Group._open(ctx, full, native as NativeGroup));
  if (kind === 'dataset') return ctx.register(Dataset._open(ctx, full, native as NativeDataset));
  return ctx.register(Datatype._open(ctx, full, native as NativeDatatype));
}

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

  private where(call: string, ...paths: unknown[]): string {
    return `${this.description}.${call}${paths.length === 0 ? '' : `(${paths.map((p) => (typeof p === 'string' ? `'${p}'` : describeValue(p))).join(', ')})`}`;
  }

  /**
   * Creates a group (and any missing groups above it). Collective in parallel. `trackOrder` makes it keep
   * its members' and attributes' creation order, as h5py's `track_order`.
   */
  createGroup(path: string, options?: GroupOptions): Group {
    const where = this.where('createGroup', path);
    const ctx = this.ctx;
    let full!: string;
    let trackOrder = false;
    return ctx.collective(where, () => {
      this._checkOpen();
      full = resolvePath(this.name, path, where);
      trackOrder = groupOptions(options, where);
      ctx.checkWritable(where);
      return `createGroup('${full}'${trackOrder ? ', trackOrder' : ''})`;
    }, () => this.makeGroup(full, trackOrder, where));
  }

  /** Creates a dataset (and any missing groups above it). Collective in parallel: same arguments on every rank. */
  createDataset<D extends DTypeSpec>(path: string, options: DatasetOptions<D>): Dataset<D> {
    const where = this.where('createDataset', path);
    const ctx = this.ctx;
    let full!: string;
    let spec!: DatasetSpec;
    const ds = ctx.collective(where, () => {
      this._checkOpen();
      full = resolvePath(this.name, path, where);
      ctx.checkWritable(where);
      spec = this.checkCreate(options, where);
      if (ctx.parallel && spec.fill && !spec.chunks && !spec.virtual && spec.shape) {
        ctx.checkRoom(spec.shape.reduce((a, b) => a * b, 1) * spec.fill.byteLength, where, 'its fill value, written over the whole dataset as parallel HDF5 allocates it,');
      }
      return describeCreate(full, options, spec, ctx.checkCollective);
    }, () => this.makeDataset(full, spec, where) as Dataset<D>);
    this.writeInitial(ds, options, where);
    return ds;
  }

  /**
   * Commits `dtype` (a dtype name or structured spec, as `createDataset` takes) to the file as a named
   * datatype at `path`, with any missing groups above it: h5py's `group[path] = np.dtype(...)`. Nothing may
   * be at `path` yet. Collective in parallel: same arguments on every rank.
   */
  commitDatatype(path: string, dtype: DTypeSpec): Datatype {
    const where = this.where('commitDatatype', path);
    const ctx = this.ctx;
    let full!: string;
    let type!: NativeType;
    return ctx.collective(where, () => {
      this._checkOpen();
      full = resolvePath(this.name, path, where);
      const t = resolveDType(dtype, where);
      type = nativeType(t);
      ctx.checkWritable(where);
      return `commitDatatype('${full}', ${typeText(t)})`;
    }, () => {
      this.checkFree(full, where);
      return ctx.register(Datatype._open(ctx, full, ctx.native.commitDatatype(full, type)));
    });
  }

  /**
   * Creates a virtual dataset from `layout`'s mappings (h5py's create_virtual_dataset), with any missing
   * groups above it. Collective in parallel: same arguments on every rank. Reading it is serial only in HDF5 1.10.
   */
  createVirtualDataset<D extends DType>(path: string, layout: VirtualLayout<D>, options?: VirtualDatasetOptions): Dataset<D> {
    const group = { name: this.name, description: this.description, checkOpen: () => this._checkOpen() };
    return createVirtualDataset(this.ctx, group, path, layout, options, (full, spec, where) => this.makeDataset(full, spec, where) as Dataset<D>);
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

  /**
   * The group at `path`, created (with any missing groups above it) when nothing is there: h5py's
   * `require_group`. Something else there (a dataset) is a TypeError, as in h5py. Collective in parallel.
   */
  requireGroup(path: string, options?: GroupOptions): Group {
    const where = this.where('requireGroup', path);
    const ctx = this.ctx;
    let full!: string;
    let trackOrder = false;
    return ctx.collective(where, () => {
      this._checkOpen();
      full = resolvePath(this.name, path, where);
      trackOrder = groupOptions(options, where);
      return `requireGroup('${full}'${trackOrder ? ', trackOrder' : ''})`;
    }, () => {
      if (!ctx.native.linkExists(full)) {
        ctx.checkWritable(where);
        return this.makeGroup(full, trackOrder, where);
      }
      const there = openAt(ctx, full, where);
      if (!(there instanceof Group)) throw new TypeError(`${where}: incompatible object already exists: ${there.description}, not a group`);
      return there;
    });
  }

  /**
   * The dataset at `path`, created from `options` when nothing is there: h5py's `require_dataset`. An
   * existing dataset must have the same shape (or, when `options.maxshape` is given, the same maxshape) and
   * a dtype that `options.dtype` casts to safely (with `exact`, the same dtype); otherwise, or when a group
   * is there, it throws a TypeError saying what differs, as h5py does. Initial `data` is written only when
   * the dataset is created. Collective in parallel: same arguments on every rank.
   */
  requireDataset<D extends DType>(path: string, options: RequireDatasetOptions<D>): Dataset<D> {
    const where = this.where('requireDataset', path);
    const ctx = this.ctx;
    let full!: string;
    let spec!: DatasetSpec;
    let exact = false;
    let created = false;
    const ds = ctx.collective(where, () => {
      this._checkOpen();
      full = resolvePath(this.name, path, where);
      let rest: DatasetOptions<D> = options;
      if (options !== null && typeof options === 'object' && 'exact' in options) {
        const { exact: e, ...others } = options as DatasetOptions<D> & { exact: unknown };
        if (e !== undefined && typeof e !== 'boolean') throw new TypeError(`${where}: options.exact must be a boolean, got ${describeValue(e)}`);
        exact = e === true;
        rest = others;
      }
      spec = this.checkCreate(rest, where);
      return `require${describeCreate(full, options, spec, ctx.checkCollective).replace(/^create/, '')}${exact ? ', exact' : ''}`;
    }, () => {
      if (!ctx.native.linkExists(full)) {
        ctx.checkWritable(where);
        created = true;
        return this.makeDataset(full, spec, where) as Dataset<D>;
      }
      const there = openAt(ctx, full, where);
      if (!(there instanceof Dataset)) throw new TypeError(`${where}: incompatible object already exists: ${there.description}, not a dataset`);
      checkRequired(there, options, exact, where);
      return there as Dataset<D>;
    });
    if (created) this.writeInitial(ds, options, where);
    return ds;
  }

  /**
   * The group, dataset or named datatype at `path`; throws H5Error naming the path when there is none (or a
   * link there leads nowhere). Given a Reference or RegionReference, the object it points at (as `deref`, h5py's `f[ref]`).
   */
  get(path: string | Reference | RegionReference): TreeObject {
    if (path instanceof Reference || path instanceof RegionReference) return this.deref(path);
    const where = this.where('get', path);
    let full!: string;
    return this.treeRead(where, () => {
      full = resolvePath(this.name, path, where);
      this._checkOpen();
      return `get('${full}')`;
    }, () => [full], () => openAt(this.ctx, full, where));
  }

  /**
   * The object a reference points at, where it is now (h5py: `f[ref]`): the group or dataset of an object
   * reference, the dataset of a region reference (read its region with `dataset.read(ref.selection)`). The
   * reference must have been read from this file; references are file-wide, so any group of the file
   * dereferences them. A metadata read.
   */
  deref(ref: Reference | RegionReference): TreeObject {
    const where = `${this.description}.deref`;
    const ctx = this.ctx;
    return ctx.metadataRead(where, () => {
      this._checkOpen();
      if (!(ref instanceof Reference) && !(ref instanceof RegionReference)) {
        throw new TypeError(`${where}: expected a Reference or RegionReference, got ${describeValue(ref)}`);
      }
      if (ref._file !== fileIdentity(ctx)) {
        throw new TypeError(`${where}: the reference to '${ref.path}' was read from '${ref._file}', and points into that file, not '${ctx.filename}'`);
      }
      return `deref(${Buffer.from(ref._bytes).toString('hex')})`;
    }, () => {
      const full = ctx.native.resolveReference(ref._bytes, ref instanceof RegionReference);
      if (full === null) {
        throw new H5Error(`${where}: the reference (read as '${ref.path}') points at no object with a path in '${ctx.filename}' (deleted or unlinked)`, 'NOT_FOUND');
      }
      return openAt(ctx, full, where);
    });
  }

  /**
   * Whether a link is at `path`, as h5py's `path in group`: true also for a soft or external link that
   * leads nowhere (it is listed by `keys()`, and its name is taken); false when a group along the path is
   * missing.
   */
  has(path: string): boolean {
    const where = this.where('has', path);
    let full!: string;
    return this.treeRead(where, () => {
      full = resolvePath(this.name, path, where);
      this._checkOpen();
      return `has('${full}')`;
    }, () => [parentOf(full)], () => this.ctx.native.linkExists(full));
  }

  /** The link at `path` itself, not followed (h5py's `get(path, getlink=True)`): hard, soft (with its target) or external (with its file and target). */
  getLink(path: string): LinkInfo {
    const where = this.where('getLink', path);
    const ctx = this.ctx;
    let full!: string;
    return this.treeRead(where, () => {
      full = resolvePath(this.name, path, where);
      this._checkOpen();
      return `getLink('${full}')`;
    }, () => [parentOf(full)], () => {
      if (full === '/') return { type: 'hard' };
      const info = ctx.native.linkInfo(full);
      if (!info) throw new H5Error(`${where}: nothing at '${full}' in '${ctx.filename}'`, 'NOT_FOUND');
      return linkInfo(info, full, where);
    });
  }

  /** Names of this group's members (links, dangling ones too): in creation order when the group tracks it (`trackOrder`), else in name order. */
  keys(): string[] {
    return this.ctx.metadataRead(this.where('keys'), () => {
      this._checkOpen();
      return `keys('${this.name}')`;
    }, () => this.names());
  }

  /**
   * `[name, member]` for each of `keys()`: the member opened, as h5py's `items()`. `undefined` where h5py
   * gives None: a link that leads nowhere.
   */
  items(): [string, TreeObject | undefined][] {
    return this.members(this.where('items'), 'items');
  }

  /** The members of `items()`, without their names (h5py's `values()`). */
  values(): (TreeObject | undefined)[] {
    return this.members(this.where('values'), 'values').map(([, m]) => m);
  }

  /**
   * Calls `callback(name)` for every object under this group, each once (an object with several hard links
   * under its first name), in name order at each level, with names relative to this group (`'a'`, `'a/b'`);
   * links are not followed. As in h5py, a callback that returns anything but `undefined` stops the walk,
   * and `visit` returns that value (`undefined` when it ran to the end): write `(n) => { names.push(n); }`,
   * since `push` returns a number.
   */
  visit<T>(callback: (name: string) => T | undefined): T | undefined {
    const where = this.where('visit');
    checkCallback(callback, where);
    for (const [name] of this.walk(where)) {
      const r = callback(name);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /**
   * `visit` with the object too: `callback(name, object)` for every group, dataset and named datatype under
   * this group. The objects are opened as `get` opens
   * them. In a parallel file reading metadata collectively, every rank must stop at the same object.
   */
  visitItems<T>(callback: (name: string, object: TreeObject) => T | undefined): T | undefined {
    const where = this.where('visitItems');
    checkCallback(callback, where);
    for (const [name, kind] of this.walk(where)) {
      if (!opens(kind)) continue;
      const full = under(this.name, name);
      const object = this.treeRead(where, () => {
        this._checkOpen();
        return `visitItems('${this.name}', '${name}')`;
      }, () => [full], () => openAt(this.ctx, full, where));
      const r = callback(name, object);
      if (r !== undefined) return r;
    }
    return undefined;
  }

  /** Unlinks `path` (a dangling link too; its space is not reclaimed, as in HDF5). Collective in parallel. */
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
      if (!ctx.native.linkExists(full)) throw new H5Error(`${where}: nothing at '${full}' in '${ctx.filename}'`, 'NOT_FOUND');
      ctx.forgetUnder(full);
      ctx.native.delete(full);
    });
  }

  /**
   * Makes a soft link at `path` to `target`: a path in this file, stored as given (absolute, or relative
   * to the group holding the link), followed when the link is opened; it may lead nowhere yet. h5py's
   * `group[path] = h5py.SoftLink(target)`. Collective in parallel.
   */
  createSoftLink(path: string, target: string): void {
    const where = this.where('createSoftLink', path, target);
    let full!: string;
    this.linkCall(where, () => {
      full = resolvePath(this.name, path, where);
      checkLinkText(target, 'target', where);
      return `createSoftLink('${full}', ${JSON.stringify(target)})`;
    }, () => {
      this.checkFree(full, where);
      this.ctx.native.createSoftLink(full, target);
    });
  }

  /**
   * Makes a hard link at `path` to an existing group, dataset or named datatype of this file (a path, relative to this group,
   * or the object): another name for the same object, as h5py's `group[path] = obj`. Collective in parallel.
   */
  createHardLink(path: string, existing: string | TreeObject): void {
    const where = this.where('createHardLink', path, existing instanceof H5Object ? existing.name : existing);
    let full!: string;
    let target!: string;
    this.linkCall(where, () => {
      full = resolvePath(this.name, path, where);
      if (existing instanceof H5Object) {
        if (existing.ctx !== this.ctx) {
          throw new H5Error(`${where}: ${existing.description} is in '${existing.ctx.filename}', not '${this.ctx.filename}': a hard link stays in its file (createExternalLink links to another file)`);
        }
        existing._checkOpen();
        target = existing.name;
      } else {
        target = resolvePath(this.name, existing, where);
      }
      return `createHardLink('${full}', '${target}')`;
    }, () => {
      this.checkFree(full, where);
      if (this.ctx.native.kind(target) === 'missing') throw missingError(this.ctx, target, where);
      this.ctx.native.createHardLink(full, target);
    });
  }

  /**
   * Makes an external link at `path` to `objectPath` in the file `fileName`, stored as given: h5py's
   * `group[path] = h5py.ExternalLink(fileName, objectPath)`. The file need not exist yet. A relative
   * `fileName` is looked for next to this file first, then from the working directory. Opened through the
   * link, the other file gets this file's access (in parallel: MPI-IO on the same communicator, so opening
   * through the link is collective). Collective in parallel.
   */
  createExternalLink(path: string, fileName: string, objectPath: string): void {
    const where = this.where('createExternalLink', path, fileName, objectPath);
    let full!: string;
    this.linkCall(where, () => {
      full = resolvePath(this.name, path, where);
      checkLinkText(fileName, 'fileName', where);
      checkLinkText(objectPath, 'objectPath', where);
      return `createExternalLink('${full}', ${JSON.stringify(fileName)}, ${JSON.stringify(objectPath)})`;
    }, () => {
      this.checkFree(full, where);
      this.ctx.native.createExternalLink(full, fileName, objectPath);
    });
  }

  /**
   * Moves the link at `source` to `dest` (both relative to this group; missing groups above `dest` are
   * created): a hard link renames its object, a soft or external link moves unchanged. Objects open at or
   * under `source` stay open, at their new paths. Within one file, as in HDF5; h5py's `move`. Collective
   * in parallel.
   */
  move(source: string, dest: string): void {
    const where = this.where('move', source, dest);
    const ctx = this.ctx;
    let from!: string;
    let to!: string;
    this.linkCall(where, () => {
      from = resolvePath(this.name, source, where);
      to = resolvePath(this.name, dest, where);
      if (from === '/') throw new H5Error(`${where}: the root group cannot be moved`);
      return `move('${from}', '${to}')`;
    }, () => {
      if (from === to) return;
      if (!ctx.native.linkExists(from)) throw new H5Error(`${where}: nothing at '${from}' in '${ctx.filename}'`, 'NOT_FOUND');
      this.checkFree(to, where);
      if (to.startsWith(`${from}/`)) throw new H5Error(`${where}: '${from}' cannot be moved into itself`);
      ctx.native.move(from, to);
      ctx.renameUnder(from, to);
    });
  }

  /**
   * Copies a group (with everything under it), a dataset or a named datatype, within a file or across files: h5py's `copy`.
   * `source` is a path relative to this group, or an open object of any file. `dest` is a path relative to
   * this group, or a group of any file, under which the copy takes `options.name` or the source's own name.
   * Nothing may be at the destination yet. Options, h5py's in camelCase: `shallow`, `expandSoft`,
   * `expandExternal`, `expandRefs`, `withoutAttrs`. Collective in parallel on the destination's file.
   */
  copy(source: string | TreeObject, dest: string | Group, options?: CopyOptions): void {
    const where = this.where('copy', source instanceof H5Object ? source.name : source, dest instanceof H5Object ? dest.name : dest);
    const dst = dest instanceof Group ? dest.ctx : this.ctx;
    const src = source instanceof H5Object ? source.ctx : this.ctx;
    let from!: string;
    let to!: string;
    let flags!: ReturnType<typeof copyOptions>['flags'];
    const prepare = (): string => {
      this._checkOpen();
      const o = copyOptions(options, where);
      flags = o.flags;
      if (source instanceof H5Object) {
        source._checkOpen();
        from = source.name;
      } else {
        from = resolvePath(this.name, source, where);
      }
      if (dest instanceof Group) {
        dest._checkOpen();
        const name = o.name ?? (from === '/' ? undefined : from.slice(from.lastIndexOf('/') + 1));
        if (name === undefined) throw new TypeError(`${where}: copying a root group into a group needs options.name`);
        to = resolvePath(dest.name, name, where);
      } else {
        const d: unknown = dest;
        if (d instanceof H5Object) throw new TypeError(`${where}: dest must be a path or a group, got ${d.description}`);
        if (o.name !== undefined) throw new TypeError(`${where}: options.name names the copy in a dest group; with a dest path, the path is its name`);
        to = resolvePath(this.name, dest, where);
      }
      dst.checkOpen();
      src.checkOpen();
      dst.checkWritable(where);
      const origin = src === dst ? `'${from}'` : `'${src.filename}:${from}'`;
      return `copy(${origin}, '${to}'${o.text ? `, ${o.text}` : ''})`;
    };
    const action = (): void => {
      if (src.native.kind(from) === 'missing') throw missingError(src, from, where);
      if (dst.native.linkExists(to)) {
        throw new H5Error(`${where}: '${to}' already exists in '${dst.filename}'; copy needs a free destination`, 'EXISTS');
      }
      dst.native.copy(src.native, from, to, flags);
    };
    // The source's metadata reads are collective on its own communicator when it reads them collectively:
    // its ranks take part too when that is not the destination's.
    const readsApart = src !== dst && src.collectiveMetadata && src.comm !== dst.comm;
    dst.collective(where, prepare, readsApart ? () => src.metadataRead(where, prepare, action) : action);
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

  /** This group's link names, as the binding lists them. */
  private names(): string[] {
    return (this._location() as NativeLocation & { names(): string[] }).names();
  }

  /**
   * A read of the tree: a metadata read (collective when the file reads metadata collectively). In a
   * parallel file that reads metadata independently, it is collective too when it goes through an external
   * link (on one of `paths`, asked after `prepare`): the other file is opened with MPI-IO on the file's
   * communicator, which every rank must do together. In untrusted mode the file such a link leads to is
   * checked first (rank 0 checks, every rank gets its verdict).
   */
  private treeRead<T>(where: string, prepare: () => string, paths: () => string[], action: () => T): T {
    const ctx = this.ctx;
    const guarded = ctx.untrusted === undefined ? action : (): T => {
      this.checkExternalLinks(paths(), where);
      return action();
    };
    if (ctx.parallel && !ctx.collectiveMetadata) {
      prepare();
      ctx.checkOpen();
      return paths().some((p) => ctx.native.crossesExternal(p)) ? ctx.collective(where, prepare, guarded) : action();
    }
    return ctx.metadataRead(where, prepare, guarded);
  }

  /** Untrusted mode: before HDF5 follows an external link on one of `paths`, the file it leads to is checked (lib/untrusted.ts checkOtherFile). */
  private checkExternalLinks(paths: string[], where: string): void {
    const ctx = this.ctx;
    const limits = ctx.untrusted!;
    for (const p of paths) {
      const at = ctx.native.externalOn(p);
      if (at === null) continue;
      const link = ctx.native.linkInfo(at);
      if (link?.type !== 'external' || link.file === undefined) continue;
      const file = link.file;
      sharedCheck(ctx.comm, () => checkOtherFile('link', ctx.filename, at, file, limits, ctx.checkedFiles, where));
    }
  }

  /** Every object under this group: [name relative to it, kind], as the binding's walk gives them. */
  private walk(where: string): [string, string][] {
    const [names, kinds] = this.treeRead(where, () => {
      this._checkOpen();
      return `visit('${this.name}')`;
    }, () => [this.name], () => this.ctx.native.visit(this.name));
    return names.map((n, i) => [n, kinds[i]]);
  }

  /** items() and values(): every member opened, or undefined where there is no object to open (a dangling link). */
  private members(where: string, call: string): [string, TreeObject | undefined][] {
    const ctx = this.ctx;
    const member = (full: string): TreeObject | undefined => {
      const kind = ctx.native.kind(full);
      return opens(kind) ? openAt(ctx, full, where) : undefined;
    };
    return this.treeRead(where, () => {
      this._checkOpen();
      return `${call}('${this.name}')`;
    }, () => this.names().map((n) => under(this.name, n)), () => this.names().map((n) => [n, member(under(this.name, n))]));
  }

  /** A collective link operation of this group's file: `prepare` checks and describes it, `action` makes it. */
  private linkCall(where: string, prepare: () => string, action: () => void): void {
    const ctx = this.ctx;
    ctx.collective(where, () => {
      this._checkOpen();
      const call = prepare();
      ctx.checkWritable(where);
      return call;
    }, action);
  }

  /** createDataset's options checked into the binding's spec, with what parallel HDF5 cannot do refused first. */
  private checkCreate<D extends DTypeSpec>(options: DatasetOptions<D>, where: string): DatasetSpec {
    const spec = datasetSpec(options, where);
    // Refused before the dataset exists, rather than leaving it created and empty.
    if (options.data !== undefined && this.ctx.parallel && writesVlen(spec)) {
      throw parallelVlenError(where);
    }
    if (options.data !== undefined && isReferenceDType(options.dtype)) {
      const at = `${where}: data`;
      // Refused before the dataset exists, as variable-length strings are.
      const region = options.dtype === 'regionReference';
      if (this.ctx.parallel && !parallelReferenceWrites(region)) throw parallelReferenceError(at, region);
      packReferences(referenceList(options.data, options.shape.reduce((a, b) => a * b, 1), at), options.dtype === 'regionReference', this.ctx, at);
    } else if (options.data !== undefined) {
      checkInitialData(options, spec, where);
    }
    return spec;
  }

  /** Creates and registers a group at `full` (after the ranks agreed). */
  private makeGroup(full: string, trackOrder: boolean, where: string): Group {
    this.checkFree(full, where);
    return this.ctx.register(Group._open(this.ctx, full, this.ctx.native.createGroup(full, trackOrder)));
  }

  /** Creates and registers a dataset at `full` (after the ranks agreed). */
  private makeDataset(full: string, spec: DatasetSpec, where: string): Dataset {
    this.checkFree(full, where);
    return this.ctx.register(Dataset._open(this.ctx, full, createNative(this.ctx.native, full, spec, where)));
  }

  /** Writes a new dataset's initial `data`, if any. */
  private writeInitial<D extends DTypeSpec>(ds: Dataset<D>, options: DatasetOptions<D>, where: string): void {
    if (options.data === undefined) return;
    const ctx = this.ctx;
    // In parallel rank 0 writes everything; the others take part with an empty selection and no data (a
    // scalar cannot be selected empty: every rank writes its one value, the same everywhere).
    if (ctx.comm !== undefined && ctx.comm.rank !== 0 && ds.ndim > 0) {
      const nothing = emptyWrite(options, where);
      ds.write(nothing, { start: ds.shape.map(() => 0), count: ds.shape.map(() => 0) }, { collective: true });
    } else {
      ds.write(options.data, undefined, { collective: ctx.parallel });
    }
  }

  /** Throws when a link (even a dangling one) is already at `full`. Runs after the ranks agreed: it reads metadata. */
  private checkFree(full: string, where: string): void {
    const link = this.ctx.native.linkInfo(full);
    if (!link) return;
    const dangling = link.type !== 'hard' && this.ctx.native.kind(full) === 'missing';
    throw new H5Error(`${where}: '${full}' already exists in '${this.ctx.filename}'${dangling ? ` (${danglingText(link)}; delete it first)` : ''}`, 'EXISTS');
  }
}

// What they throw names the file (lib/naming.ts).
namesFileInErrors(Group.prototype, (g: Group) => g.ctx.filename, ['description', 'createGroup', 'createDataset', 'commitDatatype', 'createVirtualDataset', 'createDatasetsPerRank', 'requireGroup', 'requireDataset', 'get', 'deref', 'has', 'getLink', 'keys', 'items', 'values', 'visit', 'visitItems', 'delete', 'createSoftLink', 'createHardLink', 'createExternalLink', 'move', 'copy', 'close']);
