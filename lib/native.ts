// The compiled addon and the shape of what it exports. Nothing here is public API.
import * as path from 'node:path';
import { H5Error, H5ErrorCode, H5StackFrame, MPIError } from './errors';
import { loadAddon } from './loader';

export type SelectionCode = Float64Array | null;

export interface NativeComm {
  rank(): number;
  size(): number;
  barrier(): void;
  bcast(kind: number, data: ArrayBufferView | undefined, root: number): [number, ArrayBuffer] | undefined;
  bcastInto(data: ArrayBufferView, root: number): ArrayBufferView;
  // [kinds, buffer, byteOffsets, byteLengths] by rank
  gather(kind: number, data: ArrayBufferView, root: number): [number[], ArrayBuffer, number[], number[]] | undefined;
  allgather(kind: number, data: ArrayBufferView): [number[], ArrayBuffer, number[], number[]];
  reduce(data: ArrayBufferView, op: number, root: number): ArrayBuffer | undefined;
  allreduce(data: ArrayBufferView, op: number): ArrayBuffer;
  split(color: number | null, key: number): NativeComm | null;
  dup(): NativeComm;
  free(): void;
  abort(code: number): void;
  isFreed(): boolean;
}

export interface TypeInfo {
  dtype: number;
  size: number;
  className: string;
  order: 'little' | 'big' | 'none';
  vlen?: boolean;
  stringLength?: number;
  utf8?: boolean;
  /** Fixed-length strings: how the unused bytes are filled (nullterm keeps one byte for the NUL). */
  padding?: 'nullterm' | 'nullpad' | 'spacepad';
  /** Integers. */
  signed?: boolean;
  /** 2-byte floats laid out as IEEE half. */
  half?: boolean;
  /** Enums: h5py's bool (int8, FALSE = 0, TRUE = 1). */
  bool?: boolean;
  /** Enums, arrays, variable-length sequences: the element type. */
  base?: TypeInfo;
  /** Enums: values past 2^53 come as bigints. */
  members?: { name: string; value: number | bigint }[];
  /** Compounds. */
  fields?: { name: string; offset: number; type?: TypeInfo }[];
  /** Arrays. */
  dims?: number[];
  /** Opaque types. */
  tag?: string;
  /** References (binding/references.h). */
  reference?: 'object' | 'region';
}

/** A region reference's selection as the binding describes it (binding/references.h). */
export interface RegionDescription {
  kind: 'all' | 'none' | 'regular' | 'blocks' | 'points';
  rank: number;
  shape: number[];
  start?: number[];
  stride?: number[];
  count?: number[];
  block?: number[];
  /** Each block's start and end coordinates (inclusive), 2 * rank numbers. */
  blocks?: number[][];
  points?: number[][];
}

/**
 * What the binding reads from a type that holds references: the stored references, and the values with each
 * reference as null or [path, byte offset in raw, selection (regions)].
 */
export interface ReferenceValues {
  raw: ArrayBuffer;
  values: unknown[];
}

/**
 * A type as the binding builds it (binding/codec.h TypeNode): its file type when creating, its memory type
 * and codec for transfers. `size` and `bigEndian` are the stored type's, when it comes from a file (a
 * compound whose fields take as many bytes in memory as stored is then laid out as stored, so that HDF5
 * converts nothing); a compound's `size` and fields' `offset` are also a new type's explicit layout.
 */
export type NativeType = { size?: number; bigEndian?: boolean } & (
  | { kind: 'number' | 'complex'; dtype: number }
  | { kind: 'float16' | 'bool' }
  | { kind: 'bitfield' | 'opaque'; size: number; tag?: string }
  | { kind: 'string'; length: number; ascii: boolean; padding?: 'nullterm' | 'nullpad' | 'spacepad' }
  | { kind: 'enum'; dtype: number; names: string[]; values: (number | bigint)[] }
  | { kind: 'compound'; fields: { name: string; type: NativeType; offset?: number }[] }
  | { kind: 'array'; base: NativeType; dims: number[] }
  | { kind: 'vlen'; base: NativeType }
  // Stored and read through references.cc, not a codec (dtype: DTYPE_CODES.reference or .regionReference).
  | { kind: 'reference'; dtype: number }
);

/** A compiled type (binding/codec.h Codec): HDF5's memory type and the copy between its buffer and JS values. */
export type NativeCodec = { readonly __codec: unique symbol };

/** An attribute to write: its type, its shape (null: scalar), or no dataspace at all (h5py.Empty). */
export interface NativeAttrSpec {
  type: NativeType;
  shape: number[] | null;
  empty: boolean;
}

/** One filter of a pipeline as the binding describes it (binding/filters.h). */
export interface FilterDescription {
  id: number;
  flags: number;
  cdValues: number[];
  /** HDF5's name of the filter, '' when it has none. */
  description: string;
}

export interface DatasetInfo {
  type: TypeInfo;
  layout: 'contiguous' | 'chunked' | 'compact' | 'virtual';
  shape: number[] | null;
  maxshape: number[] | null;
  chunks: number[] | null;
  filters: FilterDescription[];
  fill?: ArrayBuffer;
  /** External raw-data storage (H5Pget_external): each file's name as stored, offset, and size (-1: unlimited). */
  external?: { name: string; offset: number; size: number }[];
}

export interface DatasetSpec {
  type: NativeType;
  shape: number[] | null;
  maxshape?: number[];
  chunks?: number[];
  /** The pipeline, in order (HDF5's own setters are used for its built-in filters). */
  filters?: { id: number; flags: number; cdValues: number[] }[];
  fill?: ArrayBufferView;
  /** A virtual dataset's mappings (binding/virtual.h). */
  virtual?: NativeVirtualMapping[];
  /** Track the creation order of the dataset's attributes. */
  trackOrder?: boolean;
}

/**
 * A selection as binding/virtual.cc takes and gives it: [nslabs, then per slab start[r], stride[r],
 * count[r], block[r]], -1 for H5S_UNLIMITED; null selects everything.
 */
export type NativeSlabs = number[] | null;

/** One mapping of a virtual dataset: elements `target` of it come from elements `source` of `path` in `file`. */
export interface NativeVirtualMapping {
  file: string;
  path: string;
  target: NativeSlabs;
  /** As given on creation; read back, the extent HDF5 decodes (the bounds of the source selection). */
  sourceShape: number[];
  /** -1: unlimited. */
  sourceMaxshape: number[];
  source: NativeSlabs;
}

/** One chunk as the binding describes it; address -1 and size 0 when it is not stored. */
export interface NativeChunkInfo {
  offset: number[];
  filterMask: number;
  address: number;
  size: number;
}

export interface FileAccess {
  comm?: NativeComm;
  info?: Record<string, string>;
  collectiveMetadata?: boolean;
  /** HDF5's collective metadata reads, with collectiveMetadata (default: as collectiveMetadata). */
  collectiveMetadataReads?: boolean;
}

/** What a file, group or dataset holds: attributes. */
export interface NativeLocation {
  /** Writes (or replaces, keeping the old value when the write fails) an attribute; strings may be given as bytes. */
  /** data: a typed array, the values a type's codec encodes, or references for makeReferences (references.cc). */
  attrWrite(name: string, spec: NativeAttrSpec, data: unknown): void;
  /**
   * mode: a STRING_MODES code, or 2 for the type and shape only. Shape null: scalar; []: a null dataspace.
   * A type that holds references reads as ReferenceValues; otherwise with a type, the data is read through
   * its codec and decoded; without one only numbers (an ArrayBuffer) and strings are read.
   */
  attrRead(name: string, mode: number, type?: NativeType): { type: TypeInfo; shape: number[] | null; data?: unknown };
  attrNames(): string[];
  attrExists(name: string): boolean;
  attrDelete(name: string): void;
  /** The stored references for paths, regions ([path, selection code, rank]), stored bytes or null (references.cc). */
  makeReferences(elements: readonly (null | Uint8Array | string | [string, Float64Array | null, number])[], region: boolean): ArrayBuffer;
  /** The path a stored reference points at now, or null. */
  resolveReference(bytes: Uint8Array, region: boolean): string | null;
  /** Dimension scales of the dataset at `path` (binding/dimscales.cc). */
  dimScales(op: 'makeScale', path: string, name: string): void;
  dimScales(op: 'isScale', path: string): boolean;
  dimScales(op: 'scaleName', path: string): string;
  dimScales(op: 'attach' | 'detach', path: string, scalePath: string, dim: number): void;
  dimScales(op: 'isAttached', path: string, scalePath: string, dim: number): boolean;
  dimScales(op: 'scales', path: string, dim: number): { path: string | null; name: string }[];
  dimScales(op: 'label', path: string, dim: number): string;
  dimScales(op: 'setLabel', path: string, dim: number, label: string): void;
}

/** An open group; close() is collective in parallel. */
export interface NativeGroup extends NativeLocation {
  close(): void;
  /** The names of its links, in name order. */
  names(): string[];
}

/** An open dataset, with its file dataspace and collective transfer list kept between transfers. */
export interface NativeDataset extends NativeLocation {
  close(): void;
  info(): DatasetInfo;
  /**
   * Writes a typed array (converted by HDF5 from its element type), strings, or stored references (a
   * DataView) into `selection`; with a codec, a typed array of its elements or the values it encodes.
   */
  write(selection: SelectionCode, data: unknown, collective: boolean, codec?: NativeCodec): void;
  /**
   * Reads `selection` into `target` (any numeric typed array); with no target, strings come back (stringMode:
   * STRING_MODES), or references (ReferenceValues) from a reference dataset. With a codec, into a target for
   * a direct type, else the decoded values come back.
   */
  read(selection: SelectionCode, target: ArrayBufferView | undefined, collective: boolean, stringMode?: number, codec?: NativeCodec): unknown;
  setExtent(shape: number[]): void;
  /** What HDF5 did in the last collective transfer: [ioMode, localCause, globalCause]. */
  transferReport(): number[] | undefined;
  /** Direct chunk I/O (binding/chunks.h): bytes as stored, bypassing filters and conversion. */
  writeChunk(offset: number[], bytes: ArrayBufferView, filterMask: number): void;
  /** [bytes, filterMask], or undefined when no chunk is stored at `offset`. */
  readChunk(offset: number[]): [ArrayBuffer, number] | undefined;
  chunkCount(): number;
  chunkInfo(index: number): NativeChunkInfo;
  chunkInfoAt(offset: number[]): NativeChunkInfo;
  chunkList(): NativeChunkInfo[];
  /** A virtual dataset's mappings ([] for other layouts). */
  virtualSources(): NativeVirtualMapping[];
}

/** An open named datatype; close() is collective in parallel. */
export interface NativeDatatype extends NativeLocation {
  close(): void;
  /** The stored type, described as a dataset's. */
  info(): TypeInfo;
}

export type ObjectKind = 'group' | 'dataset' | 'datatype' | 'missing' | 'unknown';

/** A link as the binding describes it ('user': a user-defined link class). */
export interface NativeLinkInfo {
  type: 'hard' | 'soft' | 'external' | 'user';
  target?: string;
  file?: string;
}

/** HDF5's object copy flags (H5Pset_copy_object), by h5py's names in camelCase. */
export interface CopyFlags {
  shallow: boolean;
  expandSoft: boolean;
  expandExternal: boolean;
  expandRefs: boolean;
  withoutAttrs: boolean;
}

/** An open file; its tree is addressed by absolute paths. close() closes everything opened in it. */
export interface NativeFile extends NativeLocation {
  close(): void;
  /** Closes without writing what HDF5 still caches (its writes go to a memory file); collective on `comm` in parallel. */
  /** `apart`: the ranks' HDF5 metadata differs (a call failed on some ranks only; binding/file.cc). */
  closeAfterFailure(comm: NativeComm | undefined, apart?: boolean): void;
  flush(): void;
  /**
   * A write HDF5 made since the last call that failed and was held (files whose metadata HDF5 writes
   * independently: binding/agreedio.h), cleared; `collective`: agreed on every rank, which must all call.
   */
  takeWriteFailure(collective: boolean): { message: string; errno?: number; rank?: number } | undefined;
  size(): number;
  accessInfo(): { driver: 'mpio' | 'other'; hints?: Record<string, string>; collectiveMetadataReads: boolean; collectiveMetadataWrites: boolean };
  /** fstat of the descriptor the sec2 driver holds (decimal strings where 2^53 may not do); null under MPI-IO. */
  identity(): { dev: string; ino: string; size: number; mtimeNs: string } | null;
  /** With `trackOrder`, the group tracks (and indexes) the creation order of its links and attributes. */
  createGroup(path: string, trackOrder: boolean): NativeGroup;
  createDataset(path: string, spec: DatasetSpec): NativeDataset;
  /** Commits `type` at `path` (with any missing groups above it) as a named datatype. */
  commitDatatype(path: string, type: NativeType): NativeDatatype;
  open(path: string): NativeGroup | NativeDataset | NativeDatatype;
  kind(path: string): ObjectKind;
  delete(path: string): void;
  /** The names of the root group's links: in creation order where tracked, else name order. */
  names(): string[];
  /** Whether a link is at `path` (dangling or not), every component before it resolving. */
  linkExists(path: string): boolean;
  /** Whether opening `path` goes through an external link (opens another file). Follows no external link. */
  crossesExternal(path: string): boolean;
  /** The path of the first external link that opening `path` goes through, or null. */
  externalOn(path: string): string | null;
  /** The link at `path`, or null when there is none. */
  linkInfo(path: string): NativeLinkInfo | null;
  createSoftLink(path: string, target: string): void;
  createHardLink(path: string, existing: string): void;
  createExternalLink(path: string, file: string, objectPath: string): void;
  move(from: string, to: string): void;
  /** Copies `from` in `source` (this file or another) to `to` in this file. */
  copy(source: NativeFile, from: string, to: string, flags: CopyFlags): void;
  /** Every object under `path` once (names relative to it, in name order), and their kinds. */
  visit(path: string): [string[], ObjectKind[]];
}

export interface Native {
  setErrorClasses(h5: unknown, mpi: unknown): void;
  /** Where point-to-point calls and requests report statuses: [source, tag, bytes, flag]. */
  setStatusArray(slots: Float64Array, receive: Uint8Array): void;
  mpiInit(): {
    world: NativeComm;
    self: NativeComm;
    threadLevel: 'single' | 'funneled' | 'serialized' | 'multiple';
    tagUpperBound: number;
    errComm: number;
  };
  mpiState(): { initialized: boolean; finalized: boolean };
  mpiVersion(): { library: string; standard: string };
  wtime(): number;
  processorName(): string;
  shutdown(): void;

  hdf5Version(): string;
  /** How many HDF5 ids of each kind are open in this process (a diagnostic for the leak soak: test/soak.test.ts). */
  openIds(): { files: number; datasets: number; groups: number; datatypes: number; attributes: number };
  /** Bytes malloc has handed out and not had back (glibc's mallinfo2; a diagnostic for the leak soak). */
  mallocInUse(): number;
  /** With `trackOrder`, the root group tracks the creation order of its links and attributes. */
  fileCreate(path: string, exclusive: boolean, access: FileAccess, trackOrder: boolean): NativeFile;
  fileOpen(path: string, writable: boolean, access: FileAccess): NativeFile;
  selectionSize(shape: number[], selection: Float64Array): number;
  /** Whether HDF5 has filter `id` (searching its plugin path when it has not loaded it yet), and what for. */
  filterInfo(id: number): { available: boolean; encode: boolean; decode: boolean };
  /** Compiles a type for transfers (binding/codec.h): `forWrite` for writes, else for reads. */
  compileType(type: NativeType, forWrite: boolean): NativeCodec;
  /** The directories HDF5 searches for filter plugins, in order. */
  pluginPaths(): string[];
  /** The libhdf5 h5mpi calls, and other ones plugins loaded (whose error printing this turns off). */
  hdf5Libraries(): { own: string; others: string[] };

  /** Starts the hang watchdog's thread (once): a call marked longer than `seconds` prints and ends the process. */
  watchdogStart(seconds: number, header: string, footer: string, exitCode: number): void;
  watchdogEnter(label: string): void;
  watchdogLeave(): void;

  /**
   * The offset of the buffer's first page boundary: of a 2 MiB page when `huge` (from which on its memory is
   * advised onto huge pages), else of an ordinary page.
   */
  pageStart(buffer: ArrayBuffer, huge: boolean): number;
  /** What is at `path` (stat(2)): 'file' also when stat fails other than with ENOENT. */
  pathKind(path: string): 'missing' | 'file' | 'directory';
  /** Why a write to `path` failed: [errno, strerror, true] as a rank's failed call got it, [errno, strerror] as its file system tells now, or undefined. */
  ioErrno(path: string): [number, string, true?] | undefined;
  /** realpath(3): the absolute path with symbolic links resolved, or undefined when it cannot be resolved. */
  realPath(path: string): string | undefined;
  /** A descriptor holding a flock on `path` (shared, or exclusive), or why there is none. */
  fileTryLock(path: string, exclusive: boolean): number | 'busy' | 'missing' | 'unsupported';
  /**
   * Creates `path` (which must not exist) already locked: its descriptor, holding its exclusive lock unless
   * the file system cannot lock; or why nothing was created.
   */
  fileCreateLocked(path: string): { fd: number; locked: boolean } | 'exists' | 'busy' | 'failed';
  /** Removes `path` if it still names the file locked at `fd` (a creation that failed), then unlocks. */
  fileDiscard(path: string, fd: number): void;
  fileUnlock(fd: number): void;
  /** The processes on this machine holding a lock on `path` (/proc/locks). */
  fileLockHolders(path: string): { pid: number; command: string }[];
}

// build/Release first, then a prebuild made for this machine's MPI (lib/loader.ts); when neither is
// there, requiring h5mpi throws an Error that says what is missing and how to build it.
export const native: Native = loadAddon<Native>(path.join(__dirname, '..'));
native.setErrorClasses(
  function makeH5Error(message: string, stack: H5StackFrame[], code: H5ErrorCode, errno?: number) {
    return new H5Error(message, code, stack, errno);
  },
  function makeMPIError(message: string, errorClass: number, code: string, detail?: string) {
    return new MPIError(message, errorClass, code, detail);
  },
);
