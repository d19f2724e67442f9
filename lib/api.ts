// h5mpi's public API (lib/index.ts loads it).
export { MPI, Comm, Status, Request } from './mpi';
export type { ReduceOp, Reducible, Reduced, MPIBuffer, ThreadLevel, MPIFamily, MPIImplementation } from './mpi';
export type { IrecvOptions } from './p2p';
export type { SameElements } from './into';
export { CartComm } from './comm';
export type { Shift, SplitType } from './topology';
export { File } from './file';
export type { FileMode, FileOptions } from './file';
export type { UntrustedOptions, CheckReport, ExternalLinkPolicy, ExternalLinkReport, FileIdentity, VirtualSourceReport, ExternalStorageReport } from './untrusted';
export { Group } from './group';
export type { TreeObject } from './group';
export type { PerRankDatasets } from './perrank';
export type { LinkInfo, HardLink, SoftLink, ExternalLink, CopyOptions, GroupOptions, RequireDatasetOptions } from './links';
export { Dataset } from './dataset';
export { Datatype } from './datatype';
export type {
  TransferOptions,
  ReadOptions,
  WriteOptions,
  TransferReport,
  StoredType,
  WriteData,
  ReadResult,
  BytesReadResult,
  FieldName,
  FieldsOf,
  RecordFieldsOf,
  FieldsWriteData,
  ExternalFile,
} from './dataset';
export type { DatasetOptions } from './spec';
export type { ChunkInfo, RawChunk, WriteChunkOptions, ChunkWrite } from './chunks';
export { VirtualLayout, VirtualSource } from './virtual';
export type { VirtualLayoutOptions, VirtualSourceOptions, VirtualSourceDataset, VirtualMapping, VirtualSelection, VirtualDatasetOptions } from './virtual';
export { FILTER_IDS, filterAvailable, pluginPaths } from './filters';
export type { Filter, FilterSpec, FilterName, FilterAvailability } from './filters';
export { Hyperslab, Points } from './selection';
export type { HyperslabSpec, Selection } from './selection';
export { Attributes, Empty } from './attrs';
export type {
  AttributeValue,
  AttributeRecord,
  AttributeOptions,
  AttributeReadOptions,
  AttributeInfo,
  AttributeData,
  ReferenceAttributeTarget,
  ReferenceAttributeValue,
} from './attrs';
export { Reference, RegionReference } from './references';
export type { ReferenceTarget, RegionTarget, Referenceable } from './references';
// Loaded for its additions to Dataset (dims, isScale, makeScale).
export { Dimension } from './dims';
export { H5Error, MPIError, CollectiveMismatchError, PeerFailedError, FileLockedError, UntrustedFileError } from './errors';
export type { H5ErrorCode, H5StackFrame } from './errors';
export type {
  DType,
  DTypeName,
  NumericDType,
  ReferenceDType,
  ReferencesOf,
  IntegerDType,
  BitfieldDType,
  NumericArray,
  TypedArrayOf,
  ArrayOf,
  DTypeSpec,
  StringDTypeSpec,
  CompoundDTypeSpec,
  CompoundField,
  EnumDTypeSpec,
  VlenDTypeSpec,
  ArrayDTypeSpec,
  OpaqueDTypeSpec,
  BitfieldDTypeSpec,
  ElementsOf,
  ValueOf,
  WriteElements,
  WriteValue,
  AnyElements,
  FieldDType,
  BigIntDType,
  IsAnyDType,
  StringMode,
} from './dtype';
export { DTYPES, DTYPE_NAMES } from './dtype';
export { zeros } from './memory';

import { native } from './native';
import { firstLine } from './mpiimpl';
/** Versions of the libraries underneath. */
export const versions = {
  get hdf5(): string {
    return native.hdf5Version();
  },
  /** The MPI library's version text, its first line (MPI.libraryVersion() has the whole text). */
  get mpi(): string {
    return firstLine(native.mpiVersion().library);
  },
};
