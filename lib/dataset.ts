// Datasets: typed n-dimensional arrays in a file, read and written by selection, serially or in parallel.
import {
  ARRAY_TYPES,
  ArrayOf,
  checkDType,
  describeValue,
  DType,
  dtypeOfArray,
  dtypeOfCode,
  DTYPE_CODES,
  itemSize,
  NumericArray,
  NumericDType,
  toNumericArray,
  TypedArrayOf,
} from './dtype';
import { H5Error } from './errors';
import { DatasetInfo, Hid, native, TransferMode, TypeInfo } from './native';
import { allocate, allocateResult } from './memory';
import { H5Object } from './object';
import { ResolvedSelection, resolveSelection, Selection, splitSelection, TransferPiece } from './selection';
import type { File } from './file';

/** Per-call transfer options. */
export interface TransferOptions {
  /** Collective MPI-IO transfer (every rank of the file's communicator calls, possibly with an empty selection). Default false. */
  collective?: boolean;
}

/** What HDF5 actually did in a dataset's last parallel transfer (H5Pget_mpio_actual_io_mode). */
export interface TransferReport {
  requested: 'collective' | 'independent';
  mode: 'collective' | 'independent' | 'mixed';
  /** Why HDF5 did not do all of it collectively (empty when it did). */
  causes: string[];
}

/** What `write` takes for a dataset of dtype D. */
export type WriteData<D extends DType> = D extends NumericDType
  ? NumericArray | readonly number[] | readonly bigint[] | number | bigint
  : readonly string[] | string;

/** What `read` returns: a typed array, or strings (one string for a scalar string dataset). */
export type ReadResult<D extends DType> = D extends NumericDType ? TypedArrayOf[D] : string[] | string;

/**
 * The most bytes a non-collective transfer moves in one HDF5 call. With the MPI-IO driver, HDF5 1.10 hands an
 * independent contiguous run to MPI with an int byte count and fails at 2 GiB ("can't convert from size to
 * size_i"); collective transfers describe the data with MPI derived types and have no such limit. So a larger
 * independent (or serial) transfer of one hyperslab is made as several HDF5 calls of at most this many bytes,
 * on consecutive views of the same array (no copy). 1 GiB pieces keep the extra calls negligible.
 */
let maxTransferBytes = 2 ** 30;

/** @internal For tests: sets the piece size (a tiny one sends small transfers down the split path); returns the old one. */
export function _setMaxTransferBytes(bytes: number): number {
  const old = maxTransferBytes;
  maxTransferBytes = bytes;
  return old;
}

const MODE_NAMES: Record<number, TransferReport['mode']> = { 0: 'independent', 1: 'independent', 2: 'collective', 3: 'mixed', 4: 'collective' };
const CAUSES: [number, string][] = [
  [0x01, 'independent I/O was requested'],
  [0x02, 'the data needed type conversion'],
  [0x04, 'a data transform was set'],
  [0x08, 'MPI derived datatypes are disabled (HDF5_MPI_OPT_TYPES=0)'],
  [0x10, 'a dataspace was neither simple nor scalar'],
  [0x20, 'the dataset is neither contiguous nor chunked (compact storage)'],
  [0x40, 'parallel writes to filtered datasets are disabled'],
  [0x80, 'an error occurred while checking whether collective I/O was possible'],
];

/** What HDF5 reported for a collective transfer ([ioMode, localCause, globalCause] of binding's transferReport). */
function decodeCollectiveReport(report: number[] | undefined): TransferReport | undefined {
  if (!report) return undefined;
  const [mode, local, global] = report;
  const bits = local | global;
  return { requested: 'collective', mode: MODE_NAMES[mode] ?? 'independent', causes: CAUSES.filter(([b]) => bits & b).map(([, t]) => t) };
}

/** A checked write: the selection, and the data as the binding takes it. */
type PreparedWrite = [sel: ResolvedSelection, payload: NumericArray | string[]];

export class Dataset<D extends DType = DType> extends H5Object {
  readonly dtype: D;
  /** Fixed string length in bytes, or null for variable-length strings (string datasets only). */
  readonly stringLength: number | null;
  /** The stored type as HDF5 describes it (class, size in bytes, byte order). */
  readonly fileType: Readonly<Pick<TypeInfo, 'className' | 'size' | 'order'>>;
  /** The largest shape `resize` may reach; Infinity for an unlimited dimension (null for a scalar). */
  readonly maxshape: readonly number[] | null;
  readonly chunks: readonly number[] | null;
  readonly compression: 'gzip' | null;
  readonly compressionLevel: number | null;
  readonly shuffle: boolean;
  readonly fletcher32: boolean;
  /** The fill value given at creation, or null. */
  readonly fillValue: number | bigint | null;
  private _shape: number[] | null;
  // Kept between transfers so that a small read or write makes no HDF5 objects: the file dataspace (until
  // the extent changes) and the collective transfer plist, which also remembers what HDF5 did in this
  // dataset's last collective transfer. Both are closed with the dataset (_invalidate). Independent
  // transfers use HDF5's default plist (independent MPI-IO): HDF5 reads its properties from a cache instead
  // of looking each one up by name, about 0.5 us of a 4 us small read.
  private _fileSpace: Hid | undefined;
  private _collectivePlist: Hid | undefined;
  private _lastMode: TransferMode | undefined;
  private _closedReport: TransferReport | undefined;
  private _where: Record<'read' | 'readInto' | 'write', string> | undefined;
  private readonly maxStringBytes: number;
  private readonly asciiStrings: boolean;

  /** @internal Takes ownership of `id`: it is closed here when the dataset cannot be opened. */
  constructor(file: File, name: string, id: Hid) {
    super(file, name, id);
    let info: DatasetInfo;
    try {
      info = native.datasetInfo(id, name);
    } catch (e) {
      native.objectClose(id, name);
      throw e;
    }
    if (info.type.dtype < 0) {
      native.objectClose(id, name);
      throw new H5Error(
        `Dataset '${name}' has an HDF5 ${info.type.className} type of ${info.type.size} bytes, which h5mpi cannot read ` +
          `(it reads 1-, 2-, 4- and 8-byte integers and enums, 4- and 8-byte floats, and strings)`,
      );
    }
    // A simple dataspace has at least one dimension and a scalar's shape is null: [] is a null dataspace.
    if (info.shape !== null && info.shape.length === 0) {
      native.objectClose(id, name);
      throw new H5Error(`Dataset '${name}' has a null dataspace (no elements and no shape, as h5py.Empty writes), which h5mpi cannot read`);
    }
    this.dtype = dtypeOfCode(info.type.dtype) as D;
    this.stringLength = this.dtype === 'string' ? (info.type.vlen ? null : info.type.stringLength!) : null;
    // A NUL-terminated fixed-length type keeps its last byte for the NUL (h5py and h5mpi write NUL-padded ones).
    this.maxStringBytes = this.stringLength === null ? Infinity : this.stringLength - (info.type.padding === 'nullterm' ? 1 : 0);
    this.asciiStrings = this.dtype === 'string' && info.type.utf8 === false;
    this.fileType = { className: info.type.className, size: info.type.size, order: info.type.order };
    this._shape = info.shape;
    this.maxshape = info.maxshape && info.maxshape.map((m) => (m < 0 ? Infinity : m));
    this.chunks = info.chunks;
    const gzip = info.filters.find((f) => f.name === 'gzip');
    this.compression = gzip ? 'gzip' : null;
    this.compressionLevel = gzip ? (gzip.level ?? null) : null;
    this.shuffle = info.filters.some((f) => f.name === 'shuffle');
    this.fletcher32 = info.filters.some((f) => f.name === 'fletcher32');
    this.fillValue = info.fill && this.dtype !== 'string' ? new ARRAY_TYPES[this.dtype as NumericDType](info.fill)[0] : null;
  }

  get description(): string {
    return `Dataset '${this.name}'`;
  }

  /** The current shape ([] for a scalar). */
  get shape(): number[] {
    return this._shape ? [...this._shape] : [];
  }
  get ndim(): number {
    return this._shape ? this._shape.length : 0;
  }
  /** Number of elements. */
  get size(): number {
    return this._shape ? this._shape.reduce((a, b) => a * b, 1) : 1;
  }
  /** Bytes the elements take in memory (variable-length strings: the size of their pointers). */
  get nbytes(): number {
    return this.size * (this.dtype === 'string' ? (this.stringLength ?? 8) : itemSize(this.dtype as NumericDType));
  }

  /** Checks a transfer's options and picks its mode. */
  private transferMode(call: 'read' | 'readInto' | 'write', options: TransferOptions | undefined): TransferMode {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw new TypeError(`${this.where(call)}: options must be an object like { collective: true }`);
    }
    if (!this.file.parallel) return TransferMode.Serial;
    return options?.collective ? TransferMode.Collective : TransferMode.Independent;
  }

  /** "Dataset '/x'.read" and the like, for error messages: made once, not per call. */
  private where(call: 'read' | 'readInto' | 'write'): string {
    const d = this.description;
    return (this._where ??= { read: `${d}.read`, readInto: `${d}.readInto`, write: `${d}.write` })[call];
  }

  /**
   * Runs a collective transfer through the file's collective check (all ranks or none): `prepare` validates
   * (it may throw), then `io` transfers. Independent and serial transfers call the same steps directly, in
   * read/readInto/write, so that a small transfer allocates no closures (see bench/small.js).
   */
  private collectively<T>(call: 'read' | 'write', prepare: () => void, io: () => T): T {
    return this.file._collective(
      `${this.description}.${call} (collective)`,
      () => {
        prepare();
        return `${call}('${this.name}', collective)`;
      },
      io,
    );
  }

  /** What HDF5 did in this rank's last parallel transfer of this dataset; undefined for serial files. */
  get lastTransfer(): TransferReport | undefined {
    const mode = this._lastMode;
    // What HDF5 reports for every independent transfer (H5D_MPIO_NO_COLLECTIVE, because it was asked for).
    if (mode === TransferMode.Independent) return { requested: 'independent', mode: 'independent', causes: [CAUSES[0][1]] };
    const plist = mode === TransferMode.Collective ? this._collectivePlist : undefined;
    if (plist === undefined) return this._closedReport;
    // Read from the plist only when asked: it holds the report until this dataset's next collective transfer.
    return decodeCollectiveReport(native.transferReport(plist));
  }

  private fileSpace(): Hid {
    return (this._fileSpace ??= native.datasetSpace(this.id, this.name));
  }

  /** The transfer plist of a mode: 0n stands for HDF5's default (serial files, independent MPI-IO). */
  private plist(mode: TransferMode): Hid {
    if (mode !== TransferMode.Collective) return 0n;
    return (this._collectivePlist ??= native.collectiveTransferPlist());
  }

  /** The one native call of a read: into `target` (numbers, converted by HDF5 to its type), or returning strings. */
  private readNative(sel: ResolvedSelection, target: NumericArray | undefined, mode: TransferMode): string[] | undefined {
    const pieces = target && this.pieces(sel, target, mode);
    let r: string[] | undefined;
    if (pieces) {
      for (const p of pieces) {
        const part = resolveSelection(p.slab, this._shape, this.where('read'));
        native.datasetRead(this.id, this.name, this.fileSpace(), this.plist(mode), part.code, target!.subarray(p.offset, p.offset + p.length));
      }
    } else {
      r = native.datasetRead(this.id, this.name, this.fileSpace(), this.plist(mode), sel.code, target);
    }
    if (mode !== TransferMode.Serial) this._lastMode = mode;
    return r;
  }

  /** The pieces a non-collective transfer over maxTransferBytes is made in, or undefined to make it in one call. */
  private pieces(sel: ResolvedSelection, array: NumericArray, mode: TransferMode): TransferPiece[] | undefined {
    if (mode === TransferMode.Collective || this._shape === null) return undefined;
    const itemBytes = Math.max(array.BYTES_PER_ELEMENT, this.fileType.size);
    if (sel.size * itemBytes <= maxTransferBytes) return undefined;
    return splitSelection(sel.code, this._shape, Math.floor(maxTransferBytes / itemBytes));
  }

  /** @internal Closes what the dataset kept, keeping the last transfer's report readable. */
  override _invalidate(because?: string): void {
    if (this._id !== undefined) {
      this._closedReport = this.lastTransfer;
      if (this._fileSpace !== undefined) native.spaceClose(this._fileSpace);
      if (this._collectivePlist !== undefined) native.plistClose(this._collectivePlist);
      this._fileSpace = undefined;
      this._collectivePlist = undefined;
    }
    super._invalidate(because);
  }

  /**
   * Reads the selection (default: everything) into a new array, in row-major order. Small results (up to
   * 2 KiB) are views on a shared pool and large ones start inside a larger buffer: use the array, not its
   * `.buffer`.
   */
  read(selection?: Selection, options?: TransferOptions): ReadResult<D> {
    const mode = this.transferMode('read', options);
    if (mode === TransferMode.Collective) return this.readCollectively(selection);
    return this.readSelected(this.select(selection, 'read'), mode);
  }

  private readCollectively(selection: Selection): ReadResult<D> {
    let sel!: ResolvedSelection;
    return this.collectively('read', () => (sel = this.select(selection, 'read')), () => this.readSelected(sel, TransferMode.Collective));
  }

  /** Checks that the dataset is open and resolves `selection` against its shape. */
  private select(selection: Selection, call: 'read' | 'readInto' | 'write'): ResolvedSelection {
    void this.id;
    return resolveSelection(selection, this._shape, this.where(call));
  }

  private readSelected(sel: ResolvedSelection, mode: TransferMode): ReadResult<D> {
    if (this.dtype === 'string') {
      const strings = this.readNative(sel, undefined, mode)!;
      return (this._shape === null ? strings[0] : strings) as ReadResult<D>;
    }
    const out = allocateResult(this.dtype as NumericDType, sel.size);
    this.readNative(sel, out, mode);
    return out as ReadResult<D>;
  }

  /** Reads the selection into `target` (any numeric typed array of exactly the selection's size; HDF5 converts). */
  readInto<A extends NumericArray>(target: A, selection?: Selection, options?: TransferOptions): A {
    const mode = this.transferMode('readInto', options);
    if (mode === TransferMode.Collective) return this.readIntoCollectively(target, selection);
    return this.readIntoSelected(target, this.selectInto(target, selection), mode);
  }

  private readIntoCollectively<A extends NumericArray>(target: A, selection: Selection): A {
    let sel!: ResolvedSelection;
    return this.collectively('read', () => (sel = this.selectInto(target, selection)),
      () => this.readIntoSelected(target, sel, TransferMode.Collective));
  }

  private selectInto(target: NumericArray, selection: Selection): ResolvedSelection {
    const where = this.where('readInto');
    void this.id;
    if (this.dtype === 'string') throw new TypeError(`${where}: a string dataset reads into string[]: use read()`);
    if (!ArrayBuffer.isView(target) || dtypeOfArray(target) === undefined) {
      throw new TypeError(`${where}: the target must be a typed array, got ${describeValue(target)}`);
    }
    const sel = resolveSelection(selection, this._shape, where);
    if (target.length !== sel.size) {
      throw new RangeError(`${where}: the target holds ${target.length} elements, the selection ${sel.size}`);
    }
    return sel;
  }

  private readIntoSelected<A extends NumericArray>(target: A, sel: ResolvedSelection, mode: TransferMode): A {
    this.readNative(sel, target, mode);
    return target;
  }

  /**
   * Writes `data` (row-major, exactly the selection's size; a single value fills the selection) into the
   * selection (default: everything). Typed arrays of another numeric type are converted by HDF5.
   */
  write(data: WriteData<D>, selection?: Selection, options?: TransferOptions): void {
    const mode = this.transferMode('write', options);
    if (mode === TransferMode.Collective) return this.writeCollectively(data, selection);
    const [sel, payload] = this.prepareWrite(data, selection, false);
    this.writeSelected(sel, payload, mode);
  }

  private writeCollectively(data: WriteData<D>, selection: Selection): void {
    let prepared!: PreparedWrite;
    this.collectively('write', () => (prepared = this.prepareWrite(data, selection, true)),
      () => this.writeSelected(prepared[0], prepared[1], TransferMode.Collective));
  }

  /** Validates a write: the selection, and the data packed for the binding. */
  private prepareWrite(data: WriteData<D>, selection: Selection, collective: boolean): PreparedWrite {
    const where = this.where('write');
    void this.id;
    this.file._checkWritable(where);
    const sel = resolveSelection(selection, this._shape, where);
    const payload = this.dtype === 'string' ? this.packStrings(data, sel.size, where) : this.packNumbers(data, sel.size, where);
    if (this.file.parallel && (this.compression !== null || this.shuffle || this.fletcher32)) {
      const code = Array.isArray(payload) ? DTYPE_CODES.string : DTYPE_CODES[dtypeOfArray(payload)!];
      this.checkParallelFilteredWrite(collective, code, where);
    }
    return [sel, payload];
  }

  /** The one native call of a write. */
  private writeSelected(sel: ResolvedSelection, payload: NumericArray | string[], mode: TransferMode): void {
    const pieces = Array.isArray(payload) ? undefined : this.pieces(sel, payload, mode);
    if (pieces) {
      for (const p of pieces) {
        const part = resolveSelection(p.slab, this._shape, this.where('write'));
        native.datasetWrite(this.id, this.name, this.fileSpace(), this.plist(mode), part.code, (payload as NumericArray).subarray(p.offset, p.offset + p.length));
      }
    } else {
      native.datasetWrite(this.id, this.name, this.fileSpace(), this.plist(mode), sel.code, payload);
    }
    if (mode !== TransferMode.Serial) this._lastMode = mode;
  }

  /**
   * In parallel HDF5 writes a filtered (compressed, shuffled or checksummed) dataset only collectively, and
   * only without type conversion: a conversion makes it fall back to independent I/O, which it then refuses.
   * Said here, before HDF5 fails with its own text.
   */
  private checkParallelFilteredWrite(collective: boolean, code: number, where: string): void {
    const filtered = `in parallel, a filtered (compressed, shuffled or checksummed) dataset`;
    if (!collective) {
      throw new H5Error(
        `${where}: ${filtered} is written collectively: pass { collective: true } or use .collective.write() ` +
          `on every rank (an empty selection where a rank has nothing to write)`,
      );
    }
    if (this.dtype === 'string') return;
    if (this.fileType.order === 'big') {
      throw new H5Error(`${where}: ${filtered} is written without type conversion, and this one is stored big-endian; write it from a serial file`);
    }
    if (code !== DTYPE_CODES[this.dtype]) {
      throw new TypeError(
        `${where}: ${filtered} is written without type conversion: pass a ${ARRAY_TYPES[this.dtype as NumericDType].name} ` +
          `(the dataset's ${this.dtype}), not a ${ARRAY_TYPES[dtypeOfCode(code) as NumericDType].name}`,
      );
    }
  }

  private packNumbers(data: unknown, n: number, where: string): NumericArray {
    return packNumbers(data, this.dtype as NumericDType, n, where);
  }

  private packStrings(data: unknown, n: number, where: string): string[] {
    const strings = packStrings(data, n, { maxBytes: this.maxStringBytes, stringLength: this.stringLength, ascii: this.asciiStrings }, where);
    if (this.stringLength === null && this.file.parallel) throw parallelVlenError(where);
    return strings;
  }

  /** The same transfers, collective: every rank of the file's communicator must call (an empty selection is fine). */
  get collective(): {
    read(selection?: Selection): ReadResult<D>;
    readInto<A extends NumericArray>(target: A, selection?: Selection): A;
    write(data: WriteData<D>, selection?: Selection): void;
  } {
    return {
      read: (selection) => this.read(selection, { collective: true }),
      readInto: (target, selection) => this.readInto(target, selection, { collective: true }),
      write: (data, selection) => this.write(data, selection, { collective: true }),
    };
  }

  /** Changes the shape within `maxshape` (chunked datasets only). Collective in parallel. */
  resize(shape: readonly number[]): void {
    const where = `${this.description}.resize`;
    this.file._collective(where, () => {
      void this.id;
      this.file._checkWritable(where);
      checkShape(shape, where);
      const max = this.maxshape;
      if (max === null || shape.length !== max.length) {
        throw new RangeError(`${where}: the new shape [${shape.join(', ')}] has ${shape.length} dimensions, the dataset ${this.ndim}`);
      }
      if (this.chunks === null) {
        throw new H5Error(`${where}: only chunked datasets can be resized; create it with chunks and a maxshape`);
      }
      shape.forEach((d, i) => {
        if (d > max[i]) throw new RangeError(`${where}: dimension ${i} cannot grow to ${d}; its maxshape is ${max[i]}`);
      });
      return `resize('${this.name}', [${shape.join(', ')}])`;
    }, () => {
      native.datasetSetExtent(this.id, this.name, [...shape]);
      this._shape = [...shape];
      // The kept file dataspace has the old extent.
      if (this._fileSpace !== undefined) native.spaceClose(this._fileSpace);
      this._fileSpace = undefined;
    });
  }

  /** Closes this dataset (collective in parallel). Closing its file closes it too. */
  close(): void {
    if (this.closed) return;
    this.file._closeObject(this);
  }
}

/** @internal Variable-length strings cannot be written through MPI-IO: the error says what to do instead. */
export function parallelVlenError(where: string): H5Error {
  return new H5Error(
    `${where}: parallel HDF5 cannot write variable-length strings (HDF5 does not support it with MPI-IO). ` +
      `Create the dataset with a fixed length, e.g. { dtype: 'string', stringLength: 64 }.`,
  );
}

/** Data for a numeric write of `n` elements: a single value fills them, an array must hold exactly `n`. */
function packNumbers(data: unknown, dtype: NumericDType, n: number, where: string): NumericArray {
  if (typeof data === 'number' || typeof data === 'bigint') {
    const one = toNumericArray(data, dtype, where);
    const filled = allocate(dtype, n);
    (filled as { fill(v: unknown): unknown }).fill(one[0]);
    return filled;
  }
  if (!ArrayBuffer.isView(data) && !Array.isArray(data)) {
    throw new TypeError(`${where}: expected a typed array, an array of numbers or a number for a ${dtype} dataset, got ${describeValue(data)}`);
  }
  const arr = toNumericArray(data, dtype, where);
  if (arr.length !== n) {
    throw new RangeError(`${where}: ${arr.length} values for a selection of ${n} elements`);
  }
  return arr;
}

/** What a string type holds: at most `maxBytes` of UTF-8 (Infinity: variable length), ASCII only or not. */
interface StringLimits {
  maxBytes: number;
  stringLength: number | null;
  ascii: boolean;
}

/** Data for a string write of `n` elements: a single string fills them, an array must hold exactly `n`. */
function packStrings(data: unknown, n: number, limits: StringLimits, where: string): string[] {
  const strings = typeof data === 'string' ? new Array<string>(n).fill(data) : data;
  if (!Array.isArray(strings)) {
    throw new TypeError(`${where}: a string dataset takes a string or string[], got ${describeValue(data)}`);
  }
  strings.forEach((s, i) => {
    if (typeof s !== 'string') throw new TypeError(`${where}: element ${i} is ${describeValue(s)}, not a string`);
    // Strings are never cut: a silently shortened string is lost data.
    if (Buffer.byteLength(s) > limits.maxBytes) {
      throw new RangeError(
        `${where}: element ${i} is ${Buffer.byteLength(s)} bytes of UTF-8, longer than the ${limits.maxBytes} bytes ` +
          `the dataset's fixed-length strings hold (stringLength ${limits.stringLength})`,
      );
    }
    if (s.includes('\0')) throw new TypeError(`${where}: element ${i} contains a NUL character, which HDF5 strings cannot hold`);
    if (limits.ascii && /[^\x00-\x7f]/.test(s)) {
      throw new TypeError(`${where}: element ${i} (${JSON.stringify(s)}) is not ASCII, and the dataset's strings are ASCII`);
    }
  });
  if (strings.length !== n) throw new RangeError(`${where}: ${strings.length} strings for a selection of ${n} elements`);
  return strings as string[];
}

/**
 * @internal createDataset's `data`, checked before the dataset exists: a first write that failed would
 * leave the new dataset behind, empty.
 */
export function checkInitialData(options: DatasetOptions, spec: import('./native').DatasetSpec, where: string): void {
  const n = options.shape.reduce((a, b) => a * b, 1);
  const at = `${where}: data`;
  if (options.dtype === 'string') {
    packStrings(options.data, n, { maxBytes: spec.stringLength || Infinity, stringLength: spec.stringLength || null, ascii: false }, at);
  } else {
    packNumbers(options.data, options.dtype as NumericDType, n, at);
  }
}

/** Checks a shape: an array of non-negative integers. */
export function checkShape(shape: unknown, where: string, name = 'shape'): asserts shape is number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${where}: ${name} must be an array of integers, got ${describeValue(shape)}`);
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`${where}: ${name}[${i}] is ${String(d)}; extents are non-negative integers`);
    }
  });
}

/** Options of `createDataset`. */
export interface DatasetOptions<D extends DType = DType> {
  /** Extents per dimension; [] for a scalar. */
  shape: readonly number[];
  dtype: D;
  /** Largest extents `resize` may reach; Infinity for unlimited. Needs chunks (picked for you when omitted). */
  maxshape?: readonly number[];
  /** Chunk shape, or true to have one picked. */
  chunks?: readonly number[] | true;
  compression?: 'gzip';
  /** gzip level 0-9 (default 4). */
  compressionLevel?: number;
  shuffle?: boolean;
  fletcher32?: boolean;
  fillValue?: D extends NumericDType ? number | bigint : never;
  /** For dtype 'string': fixed length in bytes (UTF-8). Omit for variable-length strings. */
  stringLength?: D extends 'string' ? number : never;
  /** Initial contents (in parallel, rank 0's data is written; pass the same on every rank). */
  data?: WriteData<D>;
}

/** h5py's chunk guess: about 16 KiB to 1 MiB a chunk depending on the dataset's size, halving dims in turn. */
export function guessChunks(shape: readonly number[], typeSize: number): number[] {
  const BASE = 16 * 1024, MIN = 8 * 1024, MAX = 1024 * 1024;
  const chunks = shape.map((d) => (d > 0 ? d : 1024));
  const dsetBytes = chunks.reduce((a, b) => a * b, 1) * typeSize;
  let target = BASE * 2 ** Math.log10(dsetBytes / (1024 * 1024));
  target = Math.min(MAX, Math.max(MIN, target));
  for (let i = 0; ; i++) {
    const bytes = chunks.reduce((a, b) => a * b, 1) * typeSize;
    if ((bytes < target || Math.abs(bytes - target) / target < 0.5) && bytes < MAX) break;
    if (chunks.reduce((a, b) => a * b, 1) === 1) break;
    const k = i % chunks.length;
    chunks[k] = Math.ceil(chunks[k] / 2);
  }
  return chunks;
}

/** @internal Validates createDataset options into the binding's spec. */
export function datasetSpec(options: DatasetOptions, where: string): import('./native').DatasetSpec {
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object with shape and dtype`);
  const dtype = checkDType(options.dtype, where);
  checkShape(options.shape, where);
  const shape = [...options.shape];
  const rank = shape.length;
  const spec: import('./native').DatasetSpec = { dtype: DTYPE_CODES[dtype], stringLength: 0, shape: rank === 0 ? null : shape };
  if (dtype === 'string') {
    if (options.stringLength !== undefined) {
      const n = options.stringLength as unknown;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new RangeError(`${where}: stringLength must be a positive integer, got ${String(n)}`);
      spec.stringLength = n;
    }
  } else if (options.stringLength !== undefined) {
    throw new TypeError(`${where}: stringLength is for dtype 'string', not '${dtype}'`);
  }
  let needsChunks = false;
  if (options.maxshape !== undefined) {
    const m = options.maxshape;
    if (!Array.isArray(m) || m.length !== rank) throw new RangeError(`${where}: maxshape must have ${rank} dimensions like shape`);
    m.forEach((d, i) => {
      if (d !== Infinity && (typeof d !== 'number' || !Number.isInteger(d) || d < shape[i])) {
        throw new RangeError(`${where}: maxshape[${i}] is ${String(d)}; it must be Infinity or an integer >= shape[${i}] (${shape[i]})`);
      }
    });
    spec.maxshape = m.map((d) => (d === Infinity ? -1 : d));
    needsChunks = m.some((d, i) => d !== shape[i]);
  }
  const filtered = options.compression !== undefined || !!options.shuffle || !!options.fletcher32;
  if (options.compression !== undefined && options.compression !== 'gzip') {
    throw new TypeError(`${where}: compression ${JSON.stringify(options.compression)} is not available; use 'gzip'`);
  }
  if (options.compressionLevel !== undefined) {
    const l = options.compressionLevel;
    if (options.compression !== 'gzip') throw new TypeError(`${where}: compressionLevel needs compression: 'gzip'`);
    if (!Number.isInteger(l) || l < 0 || l > 9) throw new RangeError(`${where}: compressionLevel must be an integer 0-9, got ${l}`);
  }
  if (options.chunks !== undefined || needsChunks || filtered) {
    if (rank === 0) throw new TypeError(`${where}: a scalar dataset cannot be chunked, resized or compressed`);
    let chunks: number[];
    if (options.chunks === undefined || options.chunks === true) {
      // As h5py: a variable-length string counts as its 8-byte pointer (numpy's object itemsize).
      chunks = guessChunks(shape, dtype === 'string' ? (spec.stringLength || 8) : itemSize(dtype));
    } else {
      checkShape(options.chunks, where, 'chunks');
      chunks = [...options.chunks];
      if (chunks.length !== rank) throw new RangeError(`${where}: chunks has ${chunks.length} dimensions, the dataset ${rank}`);
      chunks.forEach((c, i) => {
        if (c < 1) throw new RangeError(`${where}: chunks[${i}] must be at least 1`);
        const max = spec.maxshape ? spec.maxshape[i] : shape[i];
        if (max >= 0 && c > max) throw new RangeError(`${where}: chunks[${i}] (${c}) is larger than the dataset can ever be (${max})`);
      });
    }
    spec.chunks = chunks;
    if (options.compression === 'gzip') spec.gzip = options.compressionLevel ?? 4;
    spec.shuffle = !!options.shuffle;
    spec.fletcher32 = !!options.fletcher32;
  }
  if (options.fillValue !== undefined && options.fillValue !== null) {
    if (dtype === 'string') throw new TypeError(`${where}: string datasets take no fillValue`);
    const v: unknown = options.fillValue;
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new TypeError(`${where}: fillValue must be a number or bigint, got ${describeValue(v)}`);
    spec.fill = toNumericArray(v, dtype as NumericDType, `${where}: fillValue`);
  }
  return spec;
}

export type { ArrayOf };
