// Datasets: typed n-dimensional arrays in a file, read and written by selection, serially or in parallel.
import { Empty } from './attrs';
import { chunkInfo, ChunkInfo, chunkInfoAt, ChunkTarget, ChunkWrite, numChunks, RawChunk, readChunk, storedChunks, writeChunk, writeChunks, WriteChunkOptions } from './chunks';
import type { FileContext } from './context';
import {
  ARRAY_TYPES,
  arrayTypeOf,
  checkDecoded,
  checkStringMode,
  DType,
  dtypeOfArray,
  dtypeOfCode,
  DTYPE_CODES,
  isReferenceDType,
  itemSize,
  NumericArray,
  NumericDType,
  ReadResult,
  ResolvedType,
  resolvedOfInfo,
  specOf,
  StoredType,
  storedTypeOf,
  STRING_MODES,
  StringMode,
  WriteData,
} from './dtype';
import { H5Error } from './errors';
import { checkDecoders, describePipeline, explainFilterFailure, Filter, h5pyView, loadForWrite } from './filters';
import { allocateResult } from './memory';
import type { NativeDataset, ReferenceValues } from './native';
import { H5Object } from './object';
import { packNumbers, packStrings } from './pack';
import {
  checkIndependentReferences,
  decodeReferences,
  fileIdentity,
  makeReferences,
  named,
  PackedReference,
  packReferences,
  parallelRegionError,
  referenceList,
} from './references';
import { ResolvedSelection, resolveSelection, Selection, splitSelection, TransferPiece } from './selection';
import { checkOptions, checkShape, describeValue, parallelFilteredError, parallelVlenError } from './validate';
import { describeMapping, parallelVirtualError, VirtualMapping } from './virtual';

export type { ReadResult, WriteData, StoredType } from './dtype';

/** Per-call transfer options. */
export interface TransferOptions {
  /** Collective MPI-IO transfer (every rank of the file's communicator calls, possibly with an empty selection). Default false. */
  collective?: boolean;
}

/** Options of `read`: the transfer's, and how strings come back. */
export interface ReadOptions extends TransferOptions {
  /**
   * 'text' (the default): strings as JS strings. 'bytes': each string as a `Uint8Array` of its bytes as
   * stored (without the padding of fixed-length strings), as h5py gives `bytes`. Numbers ignore it.
   */
  strings?: StringMode;
}

/** What `read` returns with `{ strings: 'bytes' }`: strings as their bytes. */
export type BytesReadResult<D extends DType> = D extends 'string' ? Uint8Array[] | Uint8Array : ReadResult<D>;

/** What HDF5 actually did in a dataset's last parallel transfer (H5Pget_mpio_actual_io_mode). */
export interface TransferReport {
  requested: 'collective' | 'independent';
  mode: 'collective' | 'independent' | 'mixed';
  /** Why HDF5 did not do all of it collectively (empty when it did). */
  causes: string[];
}

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

/** Transfer modes: a serial file, MPI-IO independent, MPI-IO collective. */
const enum TransferMode {
  Serial = 0,
  Independent = 1,
  Collective = 2,
}

const TRANSFER_OPTIONS = ['collective'] as const;
const READ_OPTIONS = ['collective', 'strings'] as const;

/** A checked write: the selection, and the data as the binding takes it. */
type PreparedWrite = [sel: ResolvedSelection, payload: NumericArray | string[]];
/** What the binding writes: numbers, strings, or stored references (lib/references.ts). */
type Payload = NumericArray | string[] | DataView;

export class Dataset<D extends DType = DType> extends H5Object {
  /**
   * The dtype elements read as. null for a stored type h5mpi cannot read (compound, float16, opaque,
   * references...: `fileType` describes it): such a dataset opens, with its shape, attributes and filters,
   * and only `read`, `readInto` and `write` throw.
   */
  readonly dtype: D | null;
  /** Fixed string length in bytes, or null for variable-length strings (string datasets only). */
  readonly stringLength: number | null;
  /** The stored type as HDF5 describes it (class, size in bytes, byte order, and what its class adds). */
  readonly fileType: Readonly<StoredType>;
  /** The largest shape `resize` may reach; Infinity for an unlimited dimension (null for a scalar or an Empty dataset). */
  readonly maxshape: readonly number[] | null;
  /**
   * Whether the dataset has no dataspace, as h5py's `Empty` writes it (h5py's `shape` is None): `shape` is
   * `[]`, `size` 0, and `read()` returns an `Empty` of its dtype; it has no elements to select or write.
   */
  readonly isEmpty: boolean;
  readonly chunks: readonly number[] | null;
  /**
   * The compression filter as h5py reports it: `'gzip'`, `'lzf'`, `'szip'`, or null, also for plugins
   * (bitshuffle, LZ4, Blosc...): `filters` lists every filter.
   */
  readonly compression: 'gzip' | 'lzf' | 'szip' | null;
  /** h5py's `compression_opts`: gzip's level, szip's `['ec' | 'nn', pixelsPerBlock]`, else null. */
  readonly compressionOpts: number | readonly ['ec' | 'nn', number] | null;
  /** gzip's level, or null. */
  readonly compressionLevel: number | null;
  readonly shuffle: boolean;
  readonly fletcher32: boolean;
  /** The scale-offset filter's setting (bits kept for integers, decimal digits for floats), or null without it. */
  readonly scaleoffset: number | null;
  /** Whether the N-bit filter is in the pipeline. */
  readonly nbit: boolean;
  /** Every filter of the pipeline, in the order they run on write: id, name, flags and parameters. */
  readonly filters: readonly Readonly<Filter>[];
  /** The fill value given at creation, or null. */
  readonly fillValue: number | bigint | null;
  /** Whether this is a virtual dataset, mapped from others (h5py's is_virtual): see `virtualSources()`. */
  readonly isVirtual: boolean;
  private _shape: number[] | null;
  /** The native dataset; kept after close, for the last transfer's report. */
  readonly #native: NativeDataset;
  private _lastMode: TransferMode | undefined;
  /** Whether the filters were loaded for writing (lib/filters.ts loadForWrite). */
  private _filtersLoaded = false;
  /** Whether the filters were found available for a collective read. */
  private _filtersReadable = false;
  private _where: Record<'read' | 'readInto' | 'write', string> | undefined;
  private readonly maxStringBytes: number;
  private readonly asciiStrings: boolean;
  /** An Empty dataset's type, for the Empty its read returns (undefined when h5mpi cannot read the type). */
  readonly #emptyType: ResolvedType | undefined;

  private constructor(init: unknown, native: NativeDataset) {
    super(init);
    this.#native = native;
    const info = native.info();
    // A simple dataspace has at least one dimension and a scalar's shape is null: [] is a null dataspace.
    this.isEmpty = info.shape !== null && info.shape.length === 0;
    this.#emptyType = this.isEmpty ? resolvedOfInfo(info.type) : undefined;
    // A type h5mpi cannot read still opens (its attributes, shape and filters are there): only transfers throw.
    this.dtype = (info.type.dtype < 0 ? null : dtypeOfCode(info.type.dtype)) as D;
    this.stringLength = this.dtype === 'string' ? (info.type.vlen ? null : info.type.stringLength!) : null;
    // A NUL-terminated fixed-length type keeps its last byte for the NUL (h5py and h5mpi write NUL-padded ones).
    this.maxStringBytes = this.stringLength === null ? Infinity : this.stringLength - (info.type.padding === 'nullterm' ? 1 : 0);
    this.asciiStrings = this.dtype === 'string' && info.type.utf8 === false;
    this.fileType = storedTypeOf(info.type);
    this._shape = info.shape;
    this.maxshape = this.isEmpty ? null : info.maxshape && info.maxshape.map((m) => (m < 0 ? Infinity : m));
    this.chunks = info.chunks;
    this.filters = Object.freeze(describePipeline(info.filters).map((f) => Object.freeze({ ...f, cdValues: Object.freeze(f.cdValues) as number[] })));
    const view = h5pyView(this.filters);
    this.compression = view.compression;
    this.compressionOpts = view.compressionOpts;
    this.compressionLevel = view.compression === 'gzip' ? (view.compressionOpts as number) : null;
    this.shuffle = view.shuffle;
    this.fletcher32 = view.fletcher32;
    this.scaleoffset = view.scaleoffset;
    this.nbit = view.nbit;
    this.isVirtual = info.layout === 'virtual';
    this.fillValue = info.fill && this.dtype !== null && this.dtype !== 'string' ? new (arrayTypeOf(this.dtype))(info.fill)[0] : null;
  }

  /**
   * @internal A Dataset over `native`, opened at `name`; the native dataset is closed here when the dataset
   * cannot be read by h5mpi.
   */
  static _open(ctx: FileContext, name: string, native: NativeDataset): Dataset {
    try {
      return new Dataset({ ctx, name, location: native }, native);
    } catch (e) {
      native.close();
      throw e;
    }
  }

  get description(): string {
    return `Dataset '${this.name}'`;
  }

  /** @internal After a move: the messages name the new path. */
  override _rename(name: string): void {
    super._rename(name);
    this._where = undefined;
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
    if (this.isEmpty) return 0;
    return this._shape ? this._shape.reduce((a, b) => a * b, 1) : 1;
  }
  /** Bytes the elements take in memory (variable-length strings: the size of their pointers). */
  get nbytes(): number {
    if (this.dtype === null || isReferenceDType(this.dtype)) return this.size * this.fileType.size;
    return this.size * (this.dtype === 'string' ? (this.stringLength ?? 8) : itemSize(this.dtype));
  }

  /** Checks a transfer's options and picks its mode. */
  private transferMode(call: 'read' | 'readInto' | 'write', options: TransferOptions | undefined): TransferMode {
    if (options !== undefined) checkOptions(options, call === 'read' ? READ_OPTIONS : TRANSFER_OPTIONS, this.where(call), '{ collective: true }');
    if (this.dtype === null) this.unreadable(call);
    if (this.isEmpty && call !== 'read') this.emptyTransfer(call);
    if (this.ctx.comm === undefined) return TransferMode.Serial;
    // Every rank refuses alike (the same dataset is virtual everywhere), so a collective call cannot hang.
    if (this.isVirtual) throw parallelVirtualError(this.where(call), this.ctx.filename, call === 'write' ? 'write' : 'read');
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
    return this.ctx.collective(
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
    if (mode !== TransferMode.Collective) return undefined;
    // Asked of the native dataset only when wanted: it holds the report until the next collective transfer.
    return decodeCollectiveReport(this.#native.transferReport());
  }

  /** Throws for a transfer of a dataset whose stored type h5mpi cannot read. */
  private unreadable(call: 'read' | 'readInto' | 'write'): never {
    this._checkOpen();
    throw new H5Error(
      `${this.where(call)}: the dataset's stored type is ${this.fileType.description}, which h5mpi cannot ${call === 'write' ? 'write' : 'read'} ` +
        `(it reads 1-, 2-, 4- and 8-byte integers and enums, 4- and 8-byte floats, and strings)`,
      'UNSUPPORTED_TYPE',
    );
  }

  /** Throws for a transfer of elements of an Empty dataset, which has none. */
  private emptyTransfer(call: 'read' | 'readInto' | 'write'): never {
    this._checkOpen();
    const read = call === 'write' ? '' : '; read() without a selection gives its Empty';
    throw new TypeError(`${this.where(call)}: the dataset is Empty (no dataspace, as h5py.Empty writes): it has no elements to ${call === 'write' ? 'write' : 'select'}${read}`);
  }

  /** An Empty dataset's read: its Empty, as h5py's `d[()]`, for no selection only. */
  private readEmpty(selection: Selection | undefined, strings: unknown): Empty {
    if (selection !== undefined) this.emptyTransfer('read');
    checkStringMode(strings, this.where('read'));
    return new Empty(specOf(this.#emptyType!));
  }

  /** The native dataset, after checking this dataset is open. */
  private live(): NativeDataset {
    this._checkOpen();
    return this.#native;
  }

  /** The one native call of a read: into `target` (numbers, converted by HDF5 to its type), or returning strings. */
  private readNative(sel: ResolvedSelection, target: NumericArray | undefined, mode: TransferMode, strings: StringMode = 'text'): (string | Uint8Array)[] | ReferenceValues | undefined {
    const pieces = target && this.pieces(sel, target, mode);
    let r: (string | Uint8Array)[] | ReferenceValues | undefined;
    try {
      if (pieces) {
        for (const p of pieces) {
          const part = resolveSelection(p.slab, this._shape, this.where('read'));
          this.#native.read(part.code, target.subarray(p.offset, p.offset + p.length), mode === TransferMode.Collective);
        }
      } else {
        r = this.live().read(sel.code, target, mode === TransferMode.Collective, STRING_MODES[strings]);
      }
    } catch (e) {
      throw this.filterFailure(e, 'read');
    }
    if (mode !== TransferMode.Serial) this._lastMode = mode;
    return r;
  }

  /** A failed transfer's error, naming the filters HDF5 is missing when that is why it failed. */
  private filterFailure(e: unknown, call: 'read' | 'write'): unknown {
    return this.filters.length > 0 ? explainFilterFailure(e, this.filters, this.where(call)) : e;
  }

  /** The pieces a non-collective transfer over maxTransferBytes is made in, or undefined to make it in one call. */
  private pieces(sel: ResolvedSelection, array: NumericArray, mode: TransferMode): TransferPiece[] | undefined {
    if (mode === TransferMode.Collective || this._shape === null) return undefined;
    const itemBytes = Math.max(array.BYTES_PER_ELEMENT, this.fileType.size);
    if (sel.size * itemBytes <= maxTransferBytes) return undefined;
    return splitSelection(sel.code, this._shape, Math.floor(maxTransferBytes / itemBytes));
  }

  /** @internal Closes the native dataset (its id and what it keeps; it keeps the last transfer's report). */
  _closeNative(): void {
    this.#native.close();
  }

  /**
   * Reads the selection (default: everything) into a new array, in row-major order. Small results (up to
   * 2 KiB) are views on a shared pool and large ones start inside a larger buffer: use the array, not its
   * `.buffer`. Strings are decoded by their charset: UTF-8 that is not valid throws an H5Error (code
   * DECODE), and ASCII-typed bytes past 127 decode as UTF-8 when they are valid UTF-8, as Latin-1 otherwise;
   * `{ strings: 'bytes' }` gives the bytes as stored. An Empty dataset (`isEmpty`) reads as an `Empty`, as
   * h5py's `d[()]`: that is not in the declared type, so check `isEmpty` where such files may come in.
   */
  read(selection?: Selection, options?: ReadOptions & { strings?: 'text' }): ReadResult<D>;
  read(selection: Selection | undefined, options: ReadOptions): BytesReadResult<D> | ReadResult<D>;
  read(selection?: Selection, options?: ReadOptions): BytesReadResult<D> | ReadResult<D> {
    const mode = this.transferMode('read', options);
    // Not in the declared type, which would make every read of a dataset from get() narrow it away: isEmpty says it.
    if (this.isEmpty) return this.readEmpty(selection, options?.strings) as unknown as ReadResult<D>;
    if (mode === TransferMode.Collective) return this.readCollectively(selection, options?.strings);
    return this.readSelected(this.select(selection, 'read'), mode, checkStringMode(options?.strings, this.where('read')));
  }

  private readCollectively(selection: Selection, strings: unknown): ReadResult<D> {
    let sel!: ResolvedSelection;
    let mode!: StringMode;
    return this.collectively(
      'read',
      () => {
        sel = this.select(selection, 'read');
        mode = checkStringMode(strings, this.where('read'));
        this.checkFiltersForCollectiveRead('read');
      },
      () => this.readSelected(sel, TransferMode.Collective, mode),
    );
  }

  /**
   * A collective read fails on the ranks that lack a filter's plugin while the others wait for them in MPI:
   * checked before, inside the ranks' agreement, so that every rank throws instead.
   */
  private checkFiltersForCollectiveRead(call: 'read' | 'readInto'): void {
    if (this._filtersReadable || this.filters.length === 0) return;
    checkDecoders(this.filters, this.where(call));
    this._filtersReadable = true;
  }

  /** Checks that the dataset is open and resolves `selection` against its shape. */
  private select(selection: Selection, call: 'read' | 'readInto' | 'write'): ResolvedSelection {
    this._checkOpen();
    return resolveSelection(selection, this._shape, this.where(call));
  }

  private readSelected(sel: ResolvedSelection, mode: TransferMode, strings: StringMode = 'text'): ReadResult<D> {
    if (isReferenceDType(this.dtype)) {
      const refs = decodeReferences(this.readNative(sel, undefined, mode) as ReferenceValues, this.fileType, fileIdentity(this.ctx));
      return (this._shape === null ? refs[0] : refs) as ReadResult<D>;
    }
    if (this.dtype === 'string') {
      const read = this.readNative(sel, undefined, mode, strings) as (string | Uint8Array)[];
      const values = strings === 'bytes' ? read : checkDecoded(read, this.where('read'), `dataset '${this.name}'`);
      return (this._shape === null ? values[0] : values) as ReadResult<D>;
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
    return this.collectively('read', () => {
      sel = this.selectInto(target, selection);
      this.checkFiltersForCollectiveRead('readInto');
    }, () => this.readIntoSelected(target, sel, TransferMode.Collective));
  }

  private selectInto(target: NumericArray, selection: Selection): ResolvedSelection {
    const where = this.where('readInto');
    this._checkOpen();
    if (this.dtype === 'string') throw new TypeError(`${where}: a string dataset reads into string[]: use read()`);
    if (isReferenceDType(this.dtype)) throw new TypeError(`${where}: a reference dataset reads into an array of references: use read()`);
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
    if (isReferenceDType(this.dtype)) return this.writeReferences(data, selection, mode);
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
    this._checkOpen();
    this.ctx.checkWritable(where);
    const sel = resolveSelection(selection, this._shape, where);
    const payload = this.dtype === 'string' ? this.packStrings(data, sel.size, where) : this.packNumbers(data, sel.size, where);
    if (!this._filtersLoaded && this.filters.length > 0) {
      loadForWrite(this.filters, where);
      this._filtersLoaded = true;
    }
    if (this.ctx.parallel && this.filters.length > 0) {
      const code = Array.isArray(payload) ? DTYPE_CODES.string : DTYPE_CODES[dtypeOfArray(payload)!];
      this.checkParallelFilteredWrite(collective, code, where);
    }
    return [sel, payload];
  }

  /**
   * Writes references, made from paths and regions: in a parallel file by every rank together, so only
   * collectively (lib/references.ts); references read from this file are stored as they are.
   */
  private writeReferences(data: unknown, selection: Selection, mode: TransferMode): void {
    const where = this.where('write');
    const region = this.dtype === 'regionReference';
    const collective = mode === TransferMode.Collective;
    let sel!: ResolvedSelection;
    let packed!: PackedReference[];
    const prepare = (): void => {
      this._checkOpen();
      this.ctx.checkWritable(where);
      if (region && this.ctx.parallel) throw parallelRegionError(where);
      // Packing encodes the regions' selections in the shared encoding buffer: the dataset's selection after.
      const n = resolveSelection(selection, this._shape, where).size;
      packed = packReferences(referenceList(data, n, where), region, this.ctx, where);
      sel = resolveSelection(selection, this._shape, where);
      if (this.ctx.parallel && !collective) checkIndependentReferences(packed, where);
      if (this.filters.length > 0) {
        if (!this._filtersLoaded) loadForWrite(this.filters, where);
        this._filtersLoaded = true;
        if (this.ctx.parallel && !collective) this.checkParallelFilteredWrite(false, DTYPE_CODES[this.dtype as 'reference'], where);
      }
    };
    const io = (): void => this.writeSelected(sel, named(where, () => makeReferences(this.ctx, this.#native, packed, region, collective)), mode);
    if (!collective) {
      prepare();
      return io();
    }
    this.collectively('write', prepare, io);
  }

  /** The one native call of a write. */
  private writeSelected(sel: ResolvedSelection, payload: Payload, mode: TransferMode): void {
    const pieces = Array.isArray(payload) || payload instanceof DataView ? undefined : this.pieces(sel, payload, mode);
    try {
      if (pieces) {
        for (const p of pieces) {
          const part = resolveSelection(p.slab, this._shape, this.where('write'));
          this.#native.write(part.code, (payload as NumericArray).subarray(p.offset, p.offset + p.length), mode === TransferMode.Collective);
        }
      } else {
        this.live().write(sel.code, payload, mode === TransferMode.Collective);
      }
    } catch (e) {
      throw this.filterFailure(e, 'write');
    }
    if (mode !== TransferMode.Serial) this._lastMode = mode;
  }

  /**
   * In parallel HDF5 writes a filtered (compressed, shuffled or checksummed) dataset only collectively, and
   * only without type conversion: a conversion makes it fall back to independent I/O, which it then refuses.
   * Said here, before HDF5 fails with its own text.
   */
  private checkParallelFilteredWrite(collective: boolean, code: number, where: string): void {
    if (!collective) {
      throw parallelFilteredError(
        where,
        'is written collectively: pass { collective: true } or use .collective.write() on every rank (an empty ' +
          'selection where a rank has nothing to write)',
      );
    }
    if (this.dtype === 'string') return;
    const dtype = this.dtype as NumericDType;  // a transfer of an unreadable type stopped in transferMode
    if (this.fileType.order === 'big') {
      throw parallelFilteredError(where, 'is written without type conversion, and this one is stored big-endian; write it from a serial file');
    }
    if (code !== DTYPE_CODES[dtype]) {
      const e = parallelFilteredError(
        where,
        `is written without type conversion: pass a ${arrayTypeOf(dtype).name} (the dataset's ` +
          `${dtype}), not a ${ARRAY_TYPES[dtypeOfCode(code) as NumericDType].name}`,
      );
      throw new TypeError(e.message);
    }
  }

  private packNumbers(data: unknown, n: number, where: string): NumericArray {
    return packNumbers(data, this.dtype as NumericDType, n, where);
  }

  private packStrings(data: unknown, n: number, where: string): string[] {
    const strings = packStrings(data, n, { maxBytes: this.maxStringBytes, stringLength: this.stringLength, ascii: this.asciiStrings }, where);
    if (this.stringLength === null && this.ctx.parallel) throw parallelVlenError(where);
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
    this.ctx.collective(where, () => {
      this._checkOpen();
      this.ctx.checkWritable(where);
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
      this.live().setExtent([...shape]);
      this._shape = [...shape];
    });
  }

  /**
   * The mappings of a virtual dataset (h5py's virtual_sources()): which elements come from which source
   * dataset, in which file. [] for any other dataset.
   */
  virtualSources(): VirtualMapping[] {
    return this.live().virtualSources().map((m) => describeMapping(m, this.ndim));
  }

  /** What lib/chunks.ts needs of this dataset. */
  private chunkTarget(): ChunkTarget {
    const t = this.fileType;
    return {
      ctx: this.ctx, name: this.name, description: this.description, shape: this.shape, chunks: this.chunks, itemSize: t.size,
      filtered: this.filters.length > 0, vlen: t.className === 'vlen' || (t.string !== undefined && t.string.length === null),
      isVirtual: this.isVirtual, native: this.#native, checkOpen: () => this._checkOpen(),
    };
  }

  /**
   * Writes one chunk's bytes as they are stored (h5py's id.write_direct_chunk): already compressed by the
   * caller (gzip from node:zlib, bitshuffle/LZ4...) for the dataset's filters, which HDF5 skips. `offset` is the
   * chunk's first element. `filterMask` says which filters the bytes have not been through (bit i: filter i).
   * In parallel HDF5 1.10 cannot write a chunk from one rank alone: this call is collective, every rank
   * writing the same chunk (same offset, bytes and mask); to write each rank's own chunks, use `writeChunks`.
   */
  writeChunk(offset: readonly number[], data: ArrayBufferView, options?: WriteChunkOptions): void {
    writeChunk(this.chunkTarget(), offset, data, options, `${this.description}.writeChunk`);
  }

  /**
   * Writes several chunks' bytes as stored (see `writeChunk`). In parallel this is collective and each rank
   * passes its own chunks (possibly none): the ranks exchange them and every rank writes all of them, which
   * is how HDF5 1.10 keeps the file consistent (each chunk crosses the network to every rank and is written by
   * every rank). Two ranks may not bring different bytes for the same offset.
   */
  writeChunks(chunks: readonly ChunkWrite[]): void {
    writeChunks(this.chunkTarget(), chunks, `${this.description}.writeChunks`);
  }

  /**
   * One chunk's bytes as stored, and the filters skipped for it (h5py's id.read_direct_chunk). Throws an
   * H5Error (code NOT_FOUND) when no chunk is stored at `offset`. Local in parallel.
   */
  readChunk(offset: readonly number[]): RawChunk {
    return readChunk(this.chunkTarget(), offset, `${this.description}.readChunk`);
  }

  /** The number of chunks stored (h5py's id.get_num_chunks()). Local in parallel. */
  get numChunks(): number {
    return numChunks(this.chunkTarget(), `${this.description}.numChunks`);
  }

  /** The `index`-th stored chunk (h5py's id.get_chunk_info(index)), 0 <= index < numChunks, in HDF5's index order. */
  chunkInfo(index: number): ChunkInfo {
    return chunkInfo(this.chunkTarget(), index, `${this.description}.chunkInfo`);
  }

  /** The chunk whose first element is at `offset` (h5py's id.get_chunk_info_by_coord); byteOffset null when it is not stored. */
  chunkInfoAt(offset: readonly number[]): ChunkInfo {
    return chunkInfoAt(this.chunkTarget(), offset, `${this.description}.chunkInfoAt`);
  }

  /** Every stored chunk, in row-major order of their offsets. Local in parallel. */
  storedChunks(): ChunkInfo[] {
    return storedChunks(this.chunkTarget(), `${this.description}.storedChunks`);
  }

  /** Closes this dataset (collective in parallel). Closing its file closes it too. */
  close(): void {
    if (this.closed) return;
    this.ctx.closeObject(this, () => this._checkOpen());
  }
}
