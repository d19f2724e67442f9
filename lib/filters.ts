// Filters: their ids and names, the pipeline a dataset reports (and h5py's view of it), what this HDF5 can
// apply, and the errors that name a missing filter with where HDF5 looked for it.
import { H5Error, H5StackFrame } from './errors';
import { native } from './native';
import type { FilterDescription } from './native';

/**
 * Filter ids by name: HDF5's built-in filters and the plugins registered with The HDF Group that h5py
 * users meet (hdf5plugin's names, spelled out: `bitshuffle` is hdf5plugin's `bshuf`).
 */
export const FILTER_IDS = {
  gzip: 1,
  shuffle: 2,
  fletcher32: 3,
  szip: 4,
  nbit: 5,
  scaleoffset: 6,
  lzo: 305,
  bzip2: 307,
  lzf: 32000,
  blosc: 32001,
  lz4: 32004,
  bitshuffle: 32008,
  zfp: 32013,
  fpzip: 32014,
  zstd: 32015,
  sz: 32017,
  fcidecomp: 32018,
  jpeg: 32019,
  sz3: 32024,
  blosc2: 32026,
} as const;

/** A filter's name as h5mpi knows it (see FILTER_IDS). */
export type FilterName = keyof typeof FILTER_IDS;

const NAMES = new Map<number, FilterName>(Object.entries(FILTER_IDS).map(([k, v]) => [v, k as FilterName]));

/** HDF5's H5Z_FLAG_OPTIONAL: the filter may leave a chunk it cannot reduce as it is. */
export const FLAG_OPTIONAL = 1;

/** One filter of a dataset's pipeline, as HDF5 stores it. */
export interface Filter {
  /** HDF5's filter id (1 gzip, 2 shuffle, ..., 32008 bitshuffle). */
  id: number;
  /** h5mpi's name for it (a FILTER_IDS key); for an id it does not know, HDF5's name of it, or `filter <id>`. */
  name: string;
  /** HDF5's own name of the filter (plugins store theirs in the file), '' when it has none. */
  description: string;
  /** HDF5's flags for it: 1 (H5Z_FLAG_OPTIONAL) when a chunk it cannot reduce may be stored as it is. */
  flags: number;
  /** Whether the optional flag is set. */
  optional: boolean;
  /** Its parameters (cd_values) as stored, after the filter completed them for the dataset. */
  cdValues: number[];
}

/** A filter to add to a new dataset's pipeline: `filters: [{ id, cdValues, optional }]` in `createDataset`. */
export interface FilterSpec {
  /** The filter's id (or its name in FILTER_IDS). */
  id: number | FilterName;
  /** Its parameters (cd_values): unsigned 32-bit integers, as the filter documents them. Default none. */
  cdValues?: readonly number[];
  /** Whether a chunk the filter cannot reduce may be stored unfiltered (H5Z_FLAG_OPTIONAL). Default false. */
  optional?: boolean;
}

/** What this HDF5 can do with a filter. */
export interface FilterAvailability {
  id: number;
  name: string;
  /** Whether HDF5 has the filter: built in, registered, or found as a plugin on its plugin path. */
  available: boolean;
  /** Whether it can write (compress) with it: szip may be built decode-only. */
  encode: boolean;
  /** Whether it can read (decompress) with it. */
  decode: boolean;
}

/** The name h5mpi gives filter `id` (HDF5's `description` of it for ids h5mpi does not know). */
export function filterName(id: number, description = ''): string {
  return NAMES.get(id) ?? (description || `filter ${id}`);
}

/** A filter id or name, checked: an integer 1-65535 or a FILTER_IDS name. */
export function filterId(v: unknown, what: string, where: string): number {
  if (typeof v === 'string') {
    const id = (FILTER_IDS as Record<string, number>)[v];
    if (id === undefined) throw new TypeError(`${where}: ${what} ${JSON.stringify(v)} is not a filter h5mpi knows by name; known: ${Object.keys(FILTER_IDS).join(', ')} (or give its numeric id)`);
    return id;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw new RangeError(`${where}: ${what} must be a filter id (an integer 1-65535) or name, got ${typeof v === 'number' ? v : JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Whether this HDF5 can apply a filter (`h5py.h5z.filter_avail` and `get_filter_info`). Asking for a filter
 * HDF5 does not have makes it search its plugin path, loading the plugins there.
 */
export function filterAvailable(filter: number | FilterName): FilterAvailability {
  const id = filterId(filter, 'filter', 'filterAvailable');
  return { id, name: filterName(id), ...native.filterInfo(id) };
}

/** The directories HDF5 searches for filter plugins, in order: HDF5_PLUGIN_PATH's, or its built-in default. */
export function pluginPaths(): string[] {
  return native.pluginPaths();
}

/** The pipeline as the Dataset reports it. */
export function describePipeline(raw: readonly FilterDescription[]): Filter[] {
  return raw.map((f) => ({
    id: f.id,
    name: filterName(f.id, f.description),
    description: f.description,
    flags: f.flags,
    optional: (f.flags & FLAG_OPTIONAL) !== 0,
    cdValues: [...f.cdValues],
  }));
}

const SZIP_EC = 4;
const SZIP_NN = 32;

/** What h5py's Dataset reports of a pipeline: compression, compression_opts, shuffle, fletcher32, scaleoffset. */
export interface H5pyView {
  compression: 'gzip' | 'lzf' | 'szip' | null;
  compressionOpts: number | readonly ['ec' | 'nn', number] | null;
  shuffle: boolean;
  fletcher32: boolean;
  scaleoffset: number | null;
  nbit: boolean;
}

/** h5py's reading of a pipeline (h5py.filters.get_filters and the Dataset properties built on it). */
export function h5pyView(filters: readonly Filter[]): H5pyView {
  const byId = (id: number): Filter | undefined => filters.find((f) => f.id === id);
  const gzip = byId(FILTER_IDS.gzip), lzf = byId(FILTER_IDS.lzf), szip = byId(FILTER_IDS.szip);
  let compression: H5pyView['compression'] = null;
  let compressionOpts: H5pyView['compressionOpts'] = null;
  // h5py looks for gzip, then lzf, then szip.
  if (gzip) {
    compression = 'gzip';
    compressionOpts = gzip.cdValues[0] ?? null;
  } else if (lzf) {
    compression = 'lzf';
  } else if (szip) {
    compression = 'szip';
    const mask = szip.cdValues[0] ?? 0;
    const method = mask & SZIP_EC ? 'ec' : mask & SZIP_NN ? 'nn' : null;
    compressionOpts = method ? ([method, szip.cdValues[1] ?? 0] as const) : null;
  }
  const so = byId(FILTER_IDS.scaleoffset);
  return {
    compression,
    compressionOpts,
    shuffle: !!byId(FILTER_IDS.shuffle),
    fletcher32: !!byId(FILTER_IDS.fletcher32),
    scaleoffset: so ? (so.cdValues[1] ?? null) : null,
    nbit: !!byId(FILTER_IDS.nbit),
  };
}

/** "filter 32008 (bitshuffle)"; "filter 40000" for an id with no name. */
export function filterLabel(id: number, description = ''): string {
  const name = NAMES.get(id) ?? description;
  return name ? `filter ${id} (${name})` : `filter ${id}`;
}

/** Where HDF5 looks for plugins, for messages: "HDF5_PLUGIN_PATH=/a:/b" or "HDF5_PLUGIN_PATH is unset; HDF5 looks in /x". */
export function pluginPathText(): string {
  const env = process.env.HDF5_PLUGIN_PATH;
  let paths: string[] = [];
  try {
    paths = native.pluginPaths();
  } catch {
    /* only for the message */
  }
  const where = paths.length > 0 ? paths.join(':') : '(nowhere)';
  return env === undefined ? `HDF5_PLUGIN_PATH is unset, so HDF5 looks in its default ${where}` : `HDF5_PLUGIN_PATH is ${JSON.stringify(env)}`;
}

/** The error for filters HDF5 does not have (`ids`, with their stored descriptions), naming where it looked. */
export function missingFilterError(where: string, missing: readonly { id: number; description?: string }[], h5stack: H5StackFrame[] = []): H5Error {
  const list = missing.map((f) => filterLabel(f.id, f.description)).join(', ');
  const one = missing.length === 1;
  return new H5Error(
    `${where}: ${list} ${one ? 'is' : 'are'} not available: HDF5 has ${one ? 'it' : 'them'} neither built in nor as a plugin on its ` +
      `plugin path (${pluginPathText()}). Install the plugin built for this HDF5 (${native.hdf5Version()}, parallel) and add its ` +
      `directory to HDF5_PLUGIN_PATH (docs/troubleshooting.md#filter-plugins).`,
    'FILTER',
    h5stack,
  );
}

/**
 * Checks that HDF5 can write with `ids` (before a dataset is created with them): a missing filter, or one
 * this HDF5 can only decode (szip without its encoder), throws an H5Error naming it.
 */
export function checkEncoders(filters: readonly { id: number; description?: string }[], where: string): void {
  const missing: { id: number; description?: string }[] = [];
  for (const f of filters) {
    const info = native.filterInfo(f.id);
    if (!info.available) missing.push(f);
    else if (!info.encode) {
      throw new H5Error(
        `${where}: this HDF5 (${native.hdf5Version()}) was built without the ${filterLabel(f.id, f.description)} encoder: it reads such data but cannot write it`,
        'FILTER',
      );
    }
  }
  if (missing.length > 0) throw missingFilterError(where, missing);
  // Asking loaded the plugins: turn off the error printing of any other HDF5 one of them brought along.
  native.hdf5Libraries();
}

/** Checks that HDF5 can read data through `filters` (whose plugins this loads): a missing one throws. */
export function checkDecoders(filters: readonly Filter[], where: string): void {
  const missing = filters.filter((f) => !native.filterInfo(f.id).decode);
  if (missing.length > 0) throw missingFilterError(where, missing);
}

/** HDF5's built-in filters have ids below 256; plugins and registered filters above. */
const isPlugin = (id: number): boolean => id >= 256;

/**
 * Before the first write into an existing dataset: loads its plugin filters. HDF5 1.10 looks for a plugin
 * when it creates a dataset or reads a chunk, not when it writes one: a chunk written before the plugin was
 * loaded is stored unfiltered when the filter is optional (as h5py adds plugins), silently. A filter that
 * cannot be loaded is an error here, for the same reason.
 */
export function loadForWrite(filters: readonly Filter[], where: string): void {
  checkEncoders(filters.filter((f) => isPlugin(f.id) || f.id === FILTER_IDS.szip), where);
}

/**
 * A failed dataset creation, explained when a plugin filter failed to set it up because the plugin was
 * built for another HDF5 library (which it loaded into this process); otherwise `e` as it is.
 */
export function explainCreateFailure(e: unknown, ids: readonly number[], where: string): unknown {
  if (!(e instanceof H5Error) || e.code !== 'FILTER') return e;
  const plugins = ids.filter(isPlugin);
  if (plugins.length === 0) return e;
  const libs = native.hdf5Libraries();
  if (libs.others.length === 0) return e;
  const which = plugins.map((id) => filterLabel(id)).join(' or ');
  return new H5Error(
    `${where}: ${which} failed to set up the dataset (${e.message}). A plugin loaded another HDF5 library into ` +
      `this process (${libs.others.join(', ')}): a plugin built for that one may read data here but cannot set up new ` +
      `datasets in h5mpi's HDF5 (${libs.own}). Put a plugin built for h5mpi's HDF5 first on HDF5_PLUGIN_PATH ` +
      `(docs/troubleshooting.md#filter-plugins).`,
    'FILTER',
    e.h5stack,
  );
}

/**
 * A filter failure in a transfer, explained: when some of the dataset's filters are missing, an error
 * naming them and HDF5's plugin path; otherwise `e` as it is.
 */
export function explainFilterFailure(e: unknown, filters: readonly Filter[], where: string): unknown {
  if (!(e instanceof H5Error) || e.code !== 'FILTER') return e;
  const missing = filters.filter((f) => !native.filterInfo(f.id).available);
  return missing.length > 0 ? missingFilterError(where, missing, e.h5stack) : e;
}
