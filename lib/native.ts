// The compiled addon and the shape of what it exports. Nothing here is public API.
import * as path from 'node:path';
import { H5Error, H5ErrorCode, H5StackFrame, MPIError } from './errors';

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
  shape: number[] | null;
  maxshape: number[] | null;
  chunks: number[] | null;
  filters: FilterDescription[];
  fill?: ArrayBuffer;
}

export interface DatasetSpec {
  type: NativeType;
  shape: number[] | null;
  maxshape?: number[];
  chunks?: number[];
  /** The pipeline, in order (HDF5's own setters are used for its built-in filters). */
  filters?: { id: number; flags: number; cdValues: number[] }[];
  fill?: ArrayBufferView;
}

export interface FileAccess {
  comm?: NativeComm;
  info?: Record<string, string>;
  collectiveMetadata?: boolean;
}

/** What a file, group or dataset holds: attributes. */
export interface NativeLocation {
  /** Writes (or replaces, keeping the old value when the write fails) an attribute; strings may be given as bytes. */
  attrWrite(name: string, spec: NativeAttrSpec, data: unknown): void;
  /**
   * mode: a STRING_MODES code, or 2 for the type and shape only. Shape null: scalar; []: a null dataspace.
   * With a type, the data is read through its codec and decoded; without one only numbers (an ArrayBuffer)
   * and strings are read.
   */
  attrRead(name: string, mode: number, type?: NativeType): { type: TypeInfo; shape: number[] | null; data?: unknown };
  attrNames(): string[];
  attrExists(name: string): boolean;
  attrDelete(name: string): void;
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
   * Writes a typed array (converted by HDF5 from its element type) or strings into `selection`; with a
   * codec, a typed array of its elements or the values it encodes.
   */
  write(selection: SelectionCode, data: unknown, collective: boolean, codec?: NativeCodec): void;
  /**
   * Reads `selection` into `target` (any numeric typed array); with no target, strings come back (stringMode:
   * STRING_MODES). With a codec, into a target for a direct type, else the decoded values come back.
   */
  read(selection: SelectionCode, target: ArrayBufferView | undefined, collective: boolean, stringMode?: number, codec?: NativeCodec): unknown;
  setExtent(shape: number[]): void;
  /** What HDF5 did in the last collective transfer: [ioMode, localCause, globalCause]. */
  transferReport(): number[] | undefined;
}

export type ObjectKind = 'group' | 'dataset' | 'datatype' | 'missing' | 'unknown';

/** An open file; its tree is addressed by absolute paths. close() closes everything opened in it. */
export interface NativeFile extends NativeLocation {
  close(): void;
  flush(): void;
  size(): number;
  accessInfo(): { driver: 'mpio' | 'other'; hints?: Record<string, string>; collectiveMetadataReads: boolean; collectiveMetadataWrites: boolean };
  createGroup(path: string): NativeGroup;
  createDataset(path: string, spec: DatasetSpec): NativeDataset;
  open(path: string): NativeGroup | NativeDataset;
  kind(path: string): ObjectKind;
  delete(path: string): void;
  /** The names of the root group's links, in name order. */
  names(): string[];
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
  fileCreate(path: string, exclusive: boolean, access: FileAccess): NativeFile;
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

  /** The offset of the buffer's first 2 MiB boundary, from which on its memory is advised onto huge pages. */
  hugePageStart(buffer: ArrayBuffer): number;
  /** What is at `path` (stat(2)): 'file' also when stat fails other than with ENOENT. */
  pathKind(path: string): 'missing' | 'file' | 'directory';
  /** realpath(3): the absolute path with symbolic links resolved, or undefined when it cannot be resolved. */
  realPath(path: string): string | undefined;
  /** A descriptor holding a flock on `path` (shared, or exclusive), or why there is none. */
  fileTryLock(path: string, exclusive: boolean): number | 'busy' | 'missing' | 'unsupported';
  fileUnlock(fd: number): void;
}

// node-gyp-build picks prebuilds/<platform>-<arch>/ first, then build/Release.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as (dir: string) => Native;

export const native: Native = load(path.join(__dirname, '..'));
native.setErrorClasses(
  function makeH5Error(message: string, stack: H5StackFrame[], code: H5ErrorCode) {
    return new H5Error(message, code, stack);
  },
  function makeMPIError(message: string, errorClass: number, code: string) {
    return new MPIError(message, errorClass, code);
  },
);
