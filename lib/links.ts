// Links and the tree: what `getLink` says about a link, the options of `copy`, `createGroup` and
// `requireDataset`, and the checks `requireDataset` makes of an existing dataset (h5py's rules: shape or
// maxshape, and numpy's safe casting of the dtype).
import type { Dataset } from './dataset';
import type { DType, DTypeSpec } from './dtype';
import { H5Error } from './errors';
import type { CopyFlags, NativeLinkInfo } from './native';
import type { DatasetOptions } from './spec';
import { checkOptions, describeValue } from './validate';

/** A hard link: a name of an object in this file (every group and dataset has at least one). */
export interface HardLink {
  type: 'hard';
}

/** A soft link: a path in the same file, followed when the link is opened. It may lead nowhere (dangling). */
export interface SoftLink {
  type: 'soft';
  /** The path, as stored: absolute, or relative to the group holding the link. */
  target: string;
}

/** An external link: an object in another file, opened through the link. The file may be missing (dangling). */
export interface ExternalLink {
  type: 'external';
  /** The object's path in `file`. */
  target: string;
  /** The other file's name, as stored (a relative name is looked for next to this file, then from the working directory). */
  file: string;
}

/** What `getLink` says about a link (h5py's `group.get(name, getlink=True)`). */
export type LinkInfo = HardLink | SoftLink | ExternalLink;

/** Options of `createGroup` and `requireGroup`. */
export interface GroupOptions {
  /** Track the creation order of the group's members and attributes, so that `keys()` lists them in it (h5py's `track_order`; default false). */
  trackOrder?: boolean;
}

/** Options of `copy`, h5py's in camelCase. Each defaults to false. */
export interface CopyOptions {
  /** The copy's name when `dest` is a group (relative to it); default: the source's own name. */
  name?: string;
  /** Copy only the immediate members of a group (h5py's `shallow`). */
  shallow?: boolean;
  /** Copy the objects soft links lead to, instead of the links (h5py's `expand_soft`). */
  expandSoft?: boolean;
  /** Copy the objects external links lead to, instead of the links (h5py's `expand_external`). */
  expandExternal?: boolean;
  /** Copy the objects references point at too (h5py's `expand_refs`). */
  expandRefs?: boolean;
  /** Leave the attributes behind (h5py's `without_attrs`). */
  withoutAttrs?: boolean;
}

/** Options of `requireDataset`: those of `createDataset`, and `exact`. */
export type RequireDatasetOptions<D extends DType = DType> = DatasetOptions<D> & {
  /** An existing dataset must have exactly `dtype` (default false: `dtype` must cast to it safely, as in numpy). */
  exact?: boolean;
};

const GROUP_OPTIONS = ['trackOrder'] as const;
const COPY_OPTIONS = ['name', 'shallow', 'expandSoft', 'expandExternal', 'expandRefs', 'withoutAttrs'] as const;

/** copy's options, checked, as the binding takes them; `flags` describes them for the ranks' comparison. */
export function copyOptions(options: unknown, where: string): { name: string | undefined; flags: CopyFlags; text: string } {
  const o = checkOptions<CopyOptions>(options, COPY_OPTIONS, where, '{ shallow: true }');
  for (const k of COPY_OPTIONS) {
    const v: unknown = o[k];
    if (k === 'name') {
      if (v !== undefined && (typeof v !== 'string' || v.length === 0)) throw new TypeError(`${where}: options.name must be a non-empty string, got ${JSON.stringify(v)}`);
    } else if (v !== undefined && typeof v !== 'boolean') {
      throw new TypeError(`${where}: options.${k} must be a boolean, got ${JSON.stringify(v)}`);
    }
  }
  const flags: CopyFlags = {
    shallow: !!o.shallow,
    expandSoft: !!o.expandSoft,
    expandExternal: !!o.expandExternal,
    expandRefs: !!o.expandRefs,
    withoutAttrs: !!o.withoutAttrs,
  };
  const text = Object.entries(flags).filter(([, on]) => on).map(([k]) => k).join(', ');
  return { name: o.name, flags, text };
}

/** The binding's description of a link as the public type (user-defined links are refused by name). */
export function linkInfo(info: NativeLinkInfo, full: string, where: string): LinkInfo {
  switch (info.type) {
    case 'hard':
      return { type: 'hard' };
    case 'soft':
      return { type: 'soft', target: info.target! };
    case 'external':
      return { type: 'external', target: info.target!, file: info.file! };
    default:
      throw new H5Error(`${where}: '${full}' is a user-defined link, which h5mpi cannot describe`, 'UNSUPPORTED_TYPE');
  }
}

/** How a link that leads nowhere is described in errors: "a dangling soft link to '/x'". */
export function danglingText(info: NativeLinkInfo): string {
  if (info.type === 'soft') return `a dangling soft link to '${info.target}'`;
  if (info.type === 'external') return `a dangling external link to '${info.target}' in '${info.file}'`;
  return 'a link that leads nowhere';
}

/** Which dtypes each dtype casts to without loss: numpy's `can_cast(from, to, 'safe')` over h5mpi's dtypes. */
const SAFE_CASTS: Partial<Record<DType, readonly DType[]>> = {
  int8: ['int8', 'int16', 'int32', 'int64', 'float32', 'float64'],
  uint8: ['uint8', 'uint16', 'uint32', 'uint64', 'int16', 'int32', 'int64', 'float32', 'float64'],
  int16: ['int16', 'int32', 'int64', 'float32', 'float64'],
  uint16: ['uint16', 'uint32', 'uint64', 'int32', 'int64', 'float32', 'float64'],
  int32: ['int32', 'int64', 'float64'],
  uint32: ['uint32', 'uint64', 'int64', 'float64'],
  int64: ['int64', 'float64'],
  uint64: ['uint64', 'float64'],
  float32: ['float32', 'float64'],
  float64: ['float64'],
  string: ['string'],
};

/** Whether values of `from` fit in `to` (h5py's require_dataset rule without `exact`). */
function castsSafely(from: DType, to: DTypeSpec): boolean {
  return from === to || (typeof to === 'string' && (SAFE_CASTS[from]?.includes(to as DType) ?? false));
}

/** A dtype in a message: its name, or its structured form as JSON. */
function dtypeText(d: DTypeSpec): string {
  return typeof d === 'string' ? d : JSON.stringify(d);
}

/** createGroup's and requireGroup's options: whether to track creation order. */
export function groupOptions(options: unknown, where: string): boolean {
  const o = checkOptions<GroupOptions>(options, GROUP_OPTIONS, where, '{ trackOrder: true }');
  const v: unknown = o.trackOrder;
  if (v !== undefined && typeof v !== 'boolean') throw new TypeError(`${where}: options.trackOrder must be a boolean, got ${describeValue(v)}`);
  return v === true;
}

/** requireDataset's checks of an existing dataset, with h5py's rules and words. */
export function checkRequired(ds: Dataset, options: RequireDatasetOptions, exact: boolean, where: string): void {
  const shape = `[${ds.shape.join(', ')}]`;
  const asked = `[${options.shape.join(', ')}]`;
  if (shape !== asked) {
    if (options.maxshape === undefined) throw new TypeError(`${where}: shapes do not match (existing ${shape} vs new ${asked})`);
    const max = (m: readonly number[] | null): string => (m === null ? 'none (a scalar)' : `[${m.join(', ')}]`);
    if (max(ds.maxshape) !== max(options.maxshape)) {
      throw new TypeError(`${where}: max shapes do not match (existing ${max(ds.maxshape)} vs new ${max(options.maxshape)})`);
    }
  }
  // A type h5mpi cannot read (compound, float16, ...) matches no dtype, as in h5py no such numpy dtype casts to it.
  if (ds.dtype === null) throw new TypeError(`${where}: dtypes do not match (existing ${ds.fileType.description} vs new ${options.dtype})`);
  if (exact) {
    const length = (n: number | null): string => (n === null ? 'variable-length' : `${n}-byte`);
    if (ds.dtype !== options.dtype) throw new TypeError(`${where}: dtypes do not exactly match (existing ${dtypeText(ds.dtype)} vs new ${options.dtype})`);
    if (ds.dtype === 'string' && (options.stringLength ?? null) !== ds.stringLength) {
      throw new TypeError(`${where}: dtypes do not exactly match (existing ${length(ds.stringLength)} strings vs new ${length(options.stringLength ?? null)} strings)`);
    }
  } else if (!castsSafely(options.dtype, ds.dtype)) {
    throw new TypeError(`${where}: dtypes cannot be safely cast (existing ${dtypeText(ds.dtype)} vs new ${options.dtype})`);
  }
}
