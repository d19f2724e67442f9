// The compiled addon and the shape of what it exports. Nothing here is public API.
import * as path from 'node:path';
import { H5Error, H5StackFrame, MPIError } from './errors';

export type Hid = bigint;
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
  send(kind: number, data: ArrayBufferView, dest: number, tag: number): void;
  recv(source: number, tag: number): { source: number; tag: number; kind: number; buffer: ArrayBuffer };
  recvInto(data: ArrayBufferView, source: number, tag: number): { source: number; tag: number; kind: number; length: number; bytes?: number };
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
}

export interface DatasetInfo {
  type: TypeInfo;
  shape: number[] | null;
  maxshape: number[] | null;
  layout: 'contiguous' | 'chunked' | 'compact';
  chunks: number[] | null;
  filters: { name: string; id: number; level?: number }[];
  fill?: ArrayBuffer;
}

export interface DatasetSpec {
  dtype: number;
  stringLength: number;
  shape: number[] | null;
  maxshape?: number[];
  chunks?: number[];
  gzip?: number;
  shuffle?: boolean;
  fletcher32?: boolean;
  fill?: ArrayBufferView;
}

export interface FileAccess {
  comm?: NativeComm;
  info?: Record<string, string>;
  collectiveMetadata?: boolean;
}

/** Transfer modes: a serial file, MPI-IO independent, MPI-IO collective. */
export const enum TransferMode {
  Serial = 0,
  Independent = 1,
  Collective = 2,
}

export interface Native {
  setErrorClasses(h5: unknown, mpi: unknown): void;
  NativeComm: unknown;
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
  fileCreate(path: string, exclusive: boolean, access: FileAccess): Hid;
  fileOpen(path: string, writable: boolean, access: FileAccess): Hid;
  fileClose(id: Hid, name: string): void;
  fileFlush(id: Hid, name: string): void;
  fileSize(id: Hid): number;
  fileAccessInfo(id: Hid): { driver: 'mpio' | 'other'; hints?: Record<string, string>; collectiveMetadataReads: boolean; collectiveMetadataWrites: boolean };

  groupCreate(loc: Hid, path: string): Hid;
  objectOpen(loc: Hid, path: string): Hid;
  objectKind(loc: Hid, path: string): 'group' | 'dataset' | 'datatype' | 'missing' | 'unknown';
  linkNames(loc: Hid): string[];
  linkDelete(loc: Hid, path: string): void;
  objectClose(id: Hid, path: string): void;

  datasetCreate(loc: Hid, path: string, spec: DatasetSpec): Hid;
  datasetInfo(id: Hid, path: string): DatasetInfo;
  /**
   * Writes `data` (a typed array, converted by HDF5 from its element type, or strings) into `selection` of
   * the dataset; dxpl 0n: serial. Six arguments at most: node-addon-api puts more on the heap.
   */
  datasetWrite(
    id: Hid,
    path: string,
    fileSpace: Hid,
    dxpl: Hid,
    selection: SelectionCode,
    data: ArrayBufferView | string[],
  ): void;
  /** Reads `selection` into `target` (a typed array, of any numeric type); with no target, strings come back as string[]. */
  datasetRead(
    id: Hid,
    path: string,
    fileSpace: Hid,
    dxpl: Hid,
    selection: SelectionCode,
    target: ArrayBufferView | undefined,
  ): string[] | undefined;
  /** A copy of the dataset's file dataspace, for the Dataset to keep (closed with spaceClose). */
  datasetSpace(id: Hid, path: string): Hid;
  spaceClose(id: Hid): void;
  /** A new transfer property list for collective MPI-IO (closed with plistClose). */
  collectiveTransferPlist(): Hid;
  /** What HDF5 did in the last transfer made with `dxpl`: [ioMode, localCause, globalCause]. */
  transferReport(dxpl: Hid): number[] | undefined;
  plistClose(id: Hid): void;
  datasetSetExtent(id: Hid, path: string, shape: number[]): void;
  selectionSize(shape: number[], selection: Float64Array): number;

  attrWrite(
    loc: Hid,
    name: string,
    dtype: number,
    stringLength: number,
    shape: number[] | null,
    data: ArrayBufferView | string[],
  ): void;
  attrRead(loc: Hid, name: string): { type: TypeInfo; shape: number[] | null; data?: ArrayBuffer | string[] };
  attrNames(loc: Hid): string[];
  attrExists(loc: Hid, name: string): boolean;
  attrDelete(loc: Hid, name: string): void;

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
  /** A descriptor holding a flock on `path` (shared, or exclusive), or -errno (see fileLockErrors). */
  fileTryLock(path: string, exclusive: boolean): number;
  fileUnlock(fd: number): void;
  fileLockErrors(): { ENOENT: number; EWOULDBLOCK: number; ENOSYS: number; ENOLCK: number; EOPNOTSUPP: number };
}

// node-gyp-build picks prebuilds/<platform>-<arch>/ first, then build/Release.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as (dir: string) => Native;

export const native: Native = load(path.join(__dirname, '..'));
native.setErrorClasses(
  function makeH5Error(message: string, stack: H5StackFrame[]) {
    return new H5Error(message, stack);
  },
  function makeMPIError(message: string, errorClass: number) {
    return new MPIError(message, errorClass);
  },
);
