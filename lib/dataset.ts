// Datasets: typed n-dimensional arrays in a file, read and written by selection, serially or in parallel.
import { Empty } from './attrs';
import { chunkInfo, ChunkInfo, chunkInfoAt, ChunkTarget, ChunkWrite, numChunks, RawChunk, readChunk, storedChunks, writeChunk, writeChunks, WriteChunkOptions } from './chunks';
import type { FileContext } from './context';
import { checkClaimedSize, checkOtherFile, checkStorage, NOT_ISOLATED, readIsolated, readsHeap, runIsolated } from './untrusted';
import {
  ARRAY_TYPES,
  arrayTypeOf,
  checkDecoded,
  checkStringMode,
  DTypeSpec,
  dtypeOfArray,
  dtypeOfCode,
  DTYPE_CODES,
  ElementsOf,
  FieldDType,
  hasVlen,
  holderOf,
  isDirect,
  itemSize,
  nativeType,
  NumericArray,
  NumericDType,
  ReadResult,
  ResolvedType,
  resolvedOfInfo,
  specOf,
  StoredType,
  storedTypeOf,
  STRING_MODES,
  StringDTypeSpec,
  TypedArrayOf,
  StringMode,
  typeText,
  ValueOf,
  WriteData,
  WriteElements,
  WriteValue,
} from './dtype';
import { checkStrings, finishRead, toRecords } from './elements';
import { fromHalves } from './half';
import { H5Error } from './errors';
import { checkDecoders, describePipeline, explainFilterFailure, Filter, h5pyView, loadForWrite } from './filters';
import { allocateResult } from './memory';
import { native, NativeCodec, NativeDataset, ReferenceValues } from './native';
import { H5Object } from './object';
import { packElements, packNumbers, packStrings } from './pack';
import {
  checkIndependentReferences,
  decodeReferences,
  fileIdentity,
  makeReferences,
  named,
  PackedReference,
  packReferences,
  parallelReferenceError,
  parallelReferenceWrites,
  referenceList,
} from './references';
import { ResolvedSelection, resolveSelection, Selection, splitSelection, TransferPiece } from './selection';
import { checkOptions, checkShape, describeValue, parallelFilteredError, parallelVlenError } from './validate';
import { describeMapping, parallelVirtualError, VirtualMapping } from './virtual';
import { namesFileInErrors } from './naming';

export type { ReadResult, WriteData, StoredType, ElementsOf, ValueOf } from './dtype';

/** Per-call transfer options. */
/** One file of a dataset's external raw-data storage (h5py's `Dataset.external` entries: name, offset, size). */
export interface ExternalFile {
  /** The file name as stored: HDF5 resolves a relative one against the working directory, or HDF5_EXTFILE_PREFIX when that is set. */
  name: string;
  /** Where in that file the dataset's bytes start. */
  offset: number;
  /** How many bytes of it the dataset may use (Infinity: unlimited). */
  size: number;
}

export interface TransferOptions {
  /** Collective MPI-IO transfer (every rank of the file's communicator calls, possibly with an empty selection). Default false. */
  collective?: boolean;
}

/** Options of `read`: the transfer's, how strings come back, and a compound's fields and form. */
export interface ReadOptions extends TransferOptions {
  /**
   * 'text' (the default): strings as JS strings. 'bytes': each string as a `Uint8Array` of its bytes as
   * stored (without the padding of fixed-length strings), as h5py gives `bytes`. Numbers ignore it.
   */
  strings?: StringMode;
  /** A compound's fields to read (HDF5 reads only these, as h5py's `dset.fields([...])`); default all. */
  fields?: readonly string[];
  /** A compound's elements as records (an array of objects, one per element) instead of one array per field. */
  records?: boolean;
}

/** Options of `write`: the transfer's, and a compound's fields to write. */
export interface WriteOptions extends TransferOptions {
  /** A compound's fields to write: the others keep what is stored (HDF5's partial compound write). Default all. */
  fields?: readonly string[];
}

/** The names of a compound dtype's fields. */
export type FieldName<D> = D extends { compound: infer F } ? keyof F & string : never;
/** Some fields of a compound's elements. */
export type FieldsOf<D, K extends string> = D extends { compound: infer F } ? { -readonly [P in K & keyof F]: ElementsOf<FieldDType<F[P]>> } : never;
/** Some fields of a compound's records. */
export type RecordFieldsOf<D, K extends string> = D extends { compound: infer F } ? { -readonly [P in K & keyof F]: ValueOf<FieldDType<F[P]>> } : never;

/** Data for some fields of a compound: their arrays, or records of them. */
export type FieldsWriteData<D, K extends string> = D extends { compound: infer F }
  ?
      | { readonly [P in K & keyof F]: WriteElements<FieldDType<F[P]>> }
      | readonly { readonly [P in K & keyof F]: WriteValue<FieldDType<F[P]>> }[]
  : never;

/** What `read` returns with `{ strings: 'bytes' }`: strings as their bytes. */
export type BytesReadResult<D extends DTypeSpec> = D extends 'string' | StringDTypeSpec ? Uint8Array[] | Uint8Array : ReadResult<D>;

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
  // HDF5 1.14: it would have done it collectively through selection I/O (as it does type conversion), which
  // was off; why follows, from NO_SELECTION_IO.
  [0x100, 'HDF5 needed selection I/O to do it collectively, and selection I/O was off'],
];
/** Why HDF5 1.14 made no selection I/O (H5Pget_no_selection_io_cause), for cause 0x100. */
const NO_SELECTION_IO: [number, string][] = [
  [0x01, 'selection I/O was turned off (HDF5_USE_SELECTION_IO=0?)'],
  [0x02, 'the dataset is neither contiguous nor chunked'],
  [0x04, 'a contiguous dataset used the sieve buffer'],
  [0x08, 'the file driver has no selection or vector I/O'],
  [0x10, 'the page buffer was on'],
  [0x20, 'the dataset has filters'],
  [0x40, 'the chunks went through the chunk cache'],
  [0x80, 'the type conversion buffer was too small'],
  [0x100, 'the type conversion background buffer was too small'],
  [0x200, 'HDF5 chose not to use it for this transfer'],
];

/** Cause bits as text; bits this list does not know are named by value, so a later HDF5's causes still show. */
function causeTexts(bits: number, known: [number, string][], label: string): string[] {
  const out = known.filter(([b]) => bits & b).map(([, t]) => t);
  const rest = known.reduce((r, [b]) => r & ~b, bits);
  if (rest) out.push(`${label} 0x${rest.toString(16)}`);
  return out;
}

/**
 * What HDF5 reported for a collective transfer ([ioMode, localCause, globalCause, noSelectionIoCause] of
 * binding's transferReport).
 */
function decodeCollectiveReport(report: number[] | undefined): TransferReport | undefined {
  if (!report) return undefined;
  const [mode, local, global, noSelection = 0] = report;
  const bits = local | global;
  const causes = causeTexts(bits, CAUSES, 'HDF5 no-collective cause');
  if (bits & 0x100 && noSelection) causes.push(...causeTexts(noSelection, NO_SELECTION_IO, 'HDF5 no-selection-I/O cause'));
  return { requested: 'collective', mode: MODE_NAMES[mode] ?? 'independent', causes };
}

/** Transfer modes: a serial file, MPI-IO independent, MPI-IO collective. */
const enum TransferMode {
  Serial = 0,
  Independent = 1,
  Collective = 2,
}

const TRANSFER_OPTIONS = ['collective'] as const;
const READ_OPTIONS = ['collective', 'strings', 'fields', 'records'] as const;
const WRITE_OPTIONS = ['collective', 'fields'] as const;

/** A checked write: the selection, the data as the binding takes it, and the codec of a type that needs one. */
type PreparedWrite = [sel: ResolvedSelection, payload: unknown, codec: NativeCodec | undefined];

/** A read's options, checked: strings' form, and a compound's fields (undefined: all) and form. */
interface ReadForm {
  strings: StringMode;
  fields: readonly string[] | undefined;
  records: boolean;
}
const PLAIN_READ: ReadForm = Object.freeze({ strings: 'text', fields: undefined, records: false });

/** A stored fill value (read by the binding as its dtype code's native type) as `fillValue` gives it. */
function fillValueOf(t: ResolvedType | undefined, fill: ArrayBuffer, code: number): number | bigint | boolean | null {
  if (t === undefined) return null;
  if (t.kind === 'float16') return new Float32Array(fill)[0];
  if (t.kind !== 'number' && t.kind !== 'enum' && t.kind !== 'bool') return null;
  const v = new (arrayTypeOf(dtypeOfCode(code)))(fill)[0];
  return t.kind === 'bool' ? v !== 0 : v;
}

/** Checks that a typed array can hold a direct type's elements (HDF5 converts numbers to and from any numeric type). */
function checkHolder(t: ResolvedType, array: NumericArray, where: string, what: string): void {
  const leaf = t.kind === 'array' ? t.base : t;
  const dt = dtypeOfArray(array);
  const ok =
    leaf.kind === 'complex' || leaf.kind === 'float16' ? dt === 'float32' || dt === 'float64'
    : leaf.kind === 'bitfield' ? dt === leaf.dtype
    : leaf.kind === 'opaque' ? dt === 'uint8' || dt === 'int8'
    : true;
  if (!ok) {
    const want =
      leaf.kind === 'complex' ? 'a Float32Array or Float64Array (re, im interleaved)'
      : leaf.kind === 'float16' ? 'a Float32Array or Float64Array'
      : leaf.kind === 'bitfield' ? `a ${arrayTypeOf(leaf.dtype).name}`
      : 'a Uint8Array';
    throw new TypeError(`${where}: the ${what} must be ${want} for ${typeText(t)}, not a ${array.constructor.name}`);
  }
}

/** Whether HDF5 writes `t` from the memory layout h5mpi gives it without converting anything. */
function storedAsInMemory(t: ResolvedType): boolean {
  if (t.bigEndian) return false;
  switch (t.kind) {
    case 'number': return t.size === undefined || t.size === itemSize(t.dtype);
    case 'complex': return t.size === undefined || t.size === 2 * itemSize(t.dtype);
    case 'bool': case 'enum': case 'bitfield': case 'opaque': case 'float16': return true;
    case 'string': return t.length !== null;
    case 'array': return storedAsInMemory(t.base);
    case 'compound': return t.fields.every((f) => f.offset !== undefined && storedAsInMemory(f.type));
    default: return false;
  }
}

export class Dataset<D extends DTypeSpec = DTypeSpec> extends H5Object {
  /**
   * The dtype elements read as: a dtype name (`'float32'`, `'bool'`, `'complex64'`...) or a structured
   * spec (`{ compound: {...} }`, `{ enum: 'int16', members: {...} }`...), which also creates a dataset of
   * the same type. null for a stored type h5mpi cannot read (times, compounds, arrays or sequences holding references:
   * `fileType` describes it): such a dataset opens, with its shape, attributes and filters, and only
   * `read`, `readInto` and `write` throw.
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
  /** The fill value given at creation (an enum's as its integer, a bool's as a boolean), or null. */
  readonly fillValue: number | bigint | boolean | null;
  /** Whether this is a virtual dataset, mapped from others (h5py's is_virtual): see `virtualSources()`. */
  readonly isVirtual: boolean;
  /**
   * The files this dataset's raw data is stored in (external storage, h5py's `external`), in order, or null
   * when it is stored in the HDF5 file itself.
   */
  readonly external: readonly ExternalFile[] | null;
  /** Untrusted mode: whether the other files it reads (virtual sources, external storage) passed their checks. */
  #otherFilesChecked = false;
  private _shape: number[] | null;
  /** The native dataset; kept after close, for the last transfer's report. */
  readonly #native: NativeDataset;
  /** How h5mpi reads the stored type; undefined when it cannot. */
  readonly #type: ResolvedType | undefined;
  /** The compiled types of transfers that need one (binding/codec.h), by direction and fields. */
  readonly #codecs = new Map<string, NativeCodec>();
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
    const t = resolvedOfInfo(info.type);
    this.#type = t;
    // Every string type is dtype 'string' (stringLength and fileType tell which), as before structured dtypes.
    this.dtype = (t === undefined ? null : t.kind === 'string' ? 'string' : specOf(t)) as D | null;
    this.stringLength = t?.kind === 'string' ? t.length : null;
    // A NUL-terminated fixed-length type keeps its last byte for the NUL (h5py and h5mpi write NUL-padded ones).
    this.maxStringBytes = this.stringLength === null ? Infinity : this.stringLength - (info.type.padding === 'nullterm' ? 1 : 0);
    this.asciiStrings = t?.kind === 'string' && info.type.utf8 === false;
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
    this.external = info.external ? Object.freeze(info.external.map((e) => Object.freeze({ name: e.name, offset: e.offset, size: e.size < 0 ? Infinity : e.size }))) : null;
    this.fillValue = info.fill ? fillValueOf(t, info.fill, info.type.dtype) : null;
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
  /**
   * Bytes the elements take in memory, as numpy counts them: size × item size, where a variable-length
   * string or sequence counts as its 8-byte pointer and a compound as its stored size.
   */
  get nbytes(): number {
    const t = this.#type;
    if (t === undefined) return this.size * this.fileType.size;
    if (t.kind === 'number') return this.size * itemSize(t.dtype);
    if (t.kind === 'string' || t.kind === 'vlen') return this.size * (this.stringLength ?? 8);
    return this.size * this.fileType.size;
  }

  /** Checks a transfer's options and picks its mode. */
  private transferMode(call: 'read' | 'readInto' | 'write', options: TransferOptions | undefined): TransferMode {
    if (options !== undefined) {
      const accepted = call === 'read' ? READ_OPTIONS : call === 'write' ? WRITE_OPTIONS : TRANSFER_OPTIONS;
      checkOptions(options, accepted, this.where(call), '{ collective: true }');
    }
    if (this.#type === undefined) this.unreadable(call);
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
      call === 'write',
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
        `(it reads numbers, strings, bools, enums, float16, complex, compounds, arrays, variable-length sequences, opaque data, bitfields and references; not times, nor references inside other types)`,
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

  /** The compiled type of a transfer of `t` (the stored type, or some of its fields). */
  private codec(t: ResolvedType, forWrite: boolean, fields: readonly string[] | undefined): NativeCodec {
    const key = `${forWrite ? 'w' : 'r'}${fields ? JSON.stringify(fields) : ''}`;
    let c = this.#codecs.get(key);
    if (c === undefined) {
      c = native.compileType(nativeType(t), forWrite);
      this.#codecs.set(key, c);
    }
    return c;
  }

  /**
   * The one native call of a read: into `target` (numbers, converted by HDF5 to its type; with a codec, the
   * elements of a direct type), or returning strings or a codec's decoded values.
   */
  private readNative(sel: ResolvedSelection, target: NumericArray | undefined, mode: TransferMode, strings: StringMode = 'text', codec?: NativeCodec, units = 1): unknown {
    const pieces = target && this.pieces(sel, target, mode, units);
    let r: unknown;
    try {
      if (pieces) {
        for (const p of pieces) {
          const part = resolveSelection(p.slab, this._shape, this.where('read'));
          this.#native.read(part.code, target.subarray(p.offset * units, (p.offset + p.length) * units), mode === TransferMode.Collective, STRING_MODES[strings], codec);
        }
      } else {
        r = this.live().read(sel.code, target, mode === TransferMode.Collective, STRING_MODES[strings], codec);
      }
    } catch (e) {
      throw this.ctx.noteFailure(this.filterFailure(e, 'read'), false);
    }
    if (mode !== TransferMode.Serial) this._lastMode = mode;
    return r;
  }

  /** A failed transfer's error, naming the filters HDF5 is missing when that is why it failed. */
  private filterFailure(e: unknown, call: 'read' | 'write'): unknown {
    return this.filters.length > 0 ? explainFilterFailure(e, this.filters, this.where(call)) : e;
  }

  /**
   * The pieces a non-collective transfer over maxTransferBytes is made in, or undefined to make it in one
   * call; `units` numbers of `array` make one element.
   */
  private pieces(sel: ResolvedSelection, array: NumericArray, mode: TransferMode, units = 1): TransferPiece[] | undefined {
    if (mode === TransferMode.Collective || this._shape === null) return undefined;
    const itemBytes = Math.max(array.BYTES_PER_ELEMENT * units, this.fileType.size);
    if (sel.size * itemBytes <= maxTransferBytes) return undefined;
    return splitSelection(sel.code, this._shape, Math.floor(maxTransferBytes / itemBytes));
  }

  /** @internal Closes the native dataset (its id and what it keeps; it keeps the last transfer's report). */
  _closeNative(): void {
    this.#native.close();
  }

  /**
   * Reads the selection (default: everything) into a new array, in row-major order: a typed array of the
   * dtype's (float16 as `Float32Array`, bool as `Uint8Array` of 0 and 1, complex as interleaved floats, an
   * array dtype's elements flat), `string[]`, or for a compound an object of one such array per field
   * (`{ fields }` reads some, `{ records: true }` gives an array of objects instead). Small results (up to
   * 2 KiB) are views on a shared pool and large ones start inside a larger buffer: use the array, not its
   * `.buffer`. Strings are decoded by their charset: UTF-8 that is not valid throws an H5Error (code
   * DECODE), and ASCII-typed bytes past 127 decode as UTF-8 when they are valid UTF-8, as Latin-1 otherwise;
   * `{ strings: 'bytes' }` gives the bytes as stored. An Empty dataset (`isEmpty`) reads as an `Empty`, as
   * h5py's `d[()]`: that is not in the declared type, so check `isEmpty` where such files may come in.
   */
  read(selection?: Selection, options?: ReadOptions & { strings?: 'text'; fields?: undefined; records?: false }): ReadResult<D>;
  read<K extends FieldName<D>>(selection: Selection | undefined, options: ReadOptions & { fields: readonly K[]; records?: false }): FieldsOf<D, K>;
  read<K extends FieldName<D>>(selection: Selection | undefined, options: ReadOptions & { fields: readonly K[]; records: true }): RecordFieldsOf<D, K>[];
  read(selection: Selection | undefined, options: ReadOptions & { records: true }): ValueOf<D>[];
  read(selection: Selection | undefined, options: ReadOptions): BytesReadResult<D> | ReadResult<D> | unknown[] | { [field: string]: unknown };
  read(selection?: Selection, options?: ReadOptions): unknown {
    const mode = this.transferMode('read', options);
    // Not in the declared type, which would make every read of a dataset from get() narrow it away: isEmpty says it.
    if (this.isEmpty) return this.readEmpty(selection, options?.strings);
    if (mode === TransferMode.Collective) return this.readCollectively(selection, options);
    const sel = this.select(selection, 'read');
    const form = this.readForm(options);
    if (this.ctx.untrusted) {
      const isolated = this.guardRead(sel, 'read', form);
      if (isolated !== NOT_ISOLATED) return isolated;
    }
    return this.readSelected(sel, mode, form);
  }

  /**
   * Untrusted mode, before a read: refuses a selection (or a chunk) that claims more than `maxBytes`; a read
   * of data whose decoding has crashed libhdf5 (variable-length data in the global heap, filtered chunks)
   * is made in a child process (lib/untrusted.ts), which hands back what it read: this process never runs
   * that decoder on the file, since the crash can depend on what happens to be in memory, and a child that
   * got through does not prove this process would. References (whose values are objects of this file) are
   * read here after the child read them. Returns what the child read, or NOT_ISOLATED.
   */
  private guardRead(sel: ResolvedSelection, call: 'read' | 'readInto', form: ReadForm, into?: NumericArray): unknown {
    const limits = this.ctx.untrusted!;
    const where = this.where(call);
    this.checkOtherFiles(where);
    checkClaimedSize(sel.size * this.fileType.size, limits, where, `reading ${sel.size} elements of ${this.fileType.size} bytes`, this.name);
    // HDF5 allocates a whole chunk to read any part of it.
    if (this.chunks) checkClaimedSize(this.chunks.reduce((a, b) => a * b, 1) * this.fileType.size, limits, where, `one chunk of [${this.chunks.join(', ')}]`, this.name);
    if (this.filters.length === 0 && !readsHeap(this.fileType)) return NOT_ISOLATED;
    const task = { path: this.name, code: sel.code && Array.from(sel.code), size: sel.size, form, into: into?.constructor.name, identity: this.ctx.identity };
    if (this.#type!.kind === 'reference') {
      runIsolated(this.ctx.filename, { kind: 'read', ...task }, limits, where);
      return NOT_ISOLATED;
    }
    return readIsolated(this.ctx.filename, task, limits, where);
  }

  /**
   * Untrusted mode, before the first read: the files HDF5 would open or read for it besides this one. A
   * virtual dataset's source files are checked like an external link's target (`virtualSources` policy,
   * each in a child process); external raw-data files are held to `externalStorage` (HDF5 reads their
   * bytes, never parses them). Once per dataset: the files that passed are remembered by the file too.
   */
  private checkOtherFiles(where: string): void {
    if (this.#otherFilesChecked) return;
    const ctx = this.ctx;
    const limits = ctx.untrusted!;
    for (const e of this.external ?? []) checkStorage(ctx.filename, this.name, e.name, limits, undefined, where);
    if (this.isVirtual) {
      const sources = [...new Set(this.virtualSources().map((m) => m.file))];
      for (const file of sources) checkOtherFile('virtual', ctx.filename, this.name, file, limits, ctx.checkedFiles, where);
    }
    this.#otherFilesChecked = true;
  }

  /** @internal In untrusted mode's child process: the read the parent asked for (a selection's encoding, or all). */
  _readIsolated(code: number[] | null, size: number, form: ReadForm, into: string | undefined): unknown {
    const sel = { code: code && Float64Array.from(code), size };
    if (into === undefined) return this.readSelected(sel, TransferMode.Serial, form);
    const Holder = Object.values(ARRAY_TYPES).find((c) => c.name === into)!;
    return this.readIntoSelected(new Holder(size * holderOf(this.#type!).units), sel, TransferMode.Serial);
  }

  private readCollectively(selection: Selection, options: ReadOptions | undefined): unknown {
    let sel!: ResolvedSelection;
    let form!: ReadForm;
    let isolated: unknown = NOT_ISOLATED;
    return this.collectively(
      'read',
      () => {
        sel = this.select(selection, 'read');
        form = this.readForm(options);
        this.checkFiltersForCollectiveRead('read');
        // Every rank decides alike (by the dataset's type and filters): all read in a child, or none.
        if (this.ctx.untrusted) isolated = this.guardRead(sel, 'read', form);
      },
      () => (isolated !== NOT_ISOLATED ? isolated : this.readSelected(sel, TransferMode.Collective, form)),
    );
  }

  /** A read's options, checked (on every rank, in a collective read). */
  private readForm(options: ReadOptions | undefined): ReadForm {
    // The usual read makes no object here (see bench/small.js).
    if (options === undefined || (options.strings === undefined && options.fields === undefined && options.records === undefined)) return PLAIN_READ;
    const where = this.where('read');
    const strings = checkStringMode(options?.strings, where);
    const fields = options?.fields === undefined ? undefined : this.checkFields(options.fields, where);
    const records = options?.records ?? false;
    if (typeof records !== 'boolean') throw new TypeError(`${where}: records must be a boolean, got ${describeValue(records)}`);
    if (records && this.#type?.kind !== 'compound') throw new TypeError(`${where}: records are a compound's elements; this dataset's dtype is ${typeText(this.#type!)}`);
    return { strings, fields, records };
  }

  /** A compound's fields to transfer, checked: some of its fields' names, each once. */
  private checkFields(fields: unknown, where: string): readonly string[] {
    const t = this.#type!;
    if (t.kind !== 'compound') throw new TypeError(`${where}: fields are a compound's; this dataset's dtype is ${typeText(t)}`);
    const names = t.fields.map((f) => f.name);
    if (!Array.isArray(fields) || fields.length === 0) throw new TypeError(`${where}: fields must be a non-empty array of field names (${names.join(', ')}), got ${describeValue(fields)}`);
    fields.forEach((f: unknown, i) => {
      if (typeof f !== 'string' || !names.includes(f)) throw new TypeError(`${where}: fields[${i}] is ${describeValue(f)}, not a field of the compound (${names.join(', ')})`);
      if (fields.indexOf(f) !== i) throw new TypeError(`${where}: field '${f}' is named twice`);
    });
    return fields as string[];
  }

  /** The type a transfer of some fields moves: the compound with only those (HDF5 converts the rest away). */
  private fieldsType(fields: readonly string[] | undefined): ResolvedType {
    const t = this.#type!;
    if (fields === undefined || t.kind !== 'compound') return t;
    return { ...t, fields: t.fields.filter((f) => fields.includes(f.name)) };
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

  /** The result array of a read; V8's bare "Array buffer allocation failed" becomes a RangeError that says what. */
  /** A read's result array; a size the file claims that cannot be allocated is an H5Error naming the dataset and file. */
  private allocateFor<T extends NumericDType>(dtype: T, length: number): TypedArrayOf[T] {
    try {
      return allocateResult(dtype, length);
    } catch (e) {
      // By name: V8 may make this error in another realm than the caller's (jest's, a vm context).
      if (typeof e !== 'object' || e === null || (e as Error).name !== 'RangeError') throw e;
      throw new H5Error(
        `${this.where('read')}: the result of ${length} ${dtype} elements from '${this.ctx.filename}' cannot be allocated (${(e as Error).message}); ` +
          'read a selection at a time, or readInto an array of your own (a damaged file can claim any size: see untrusted mode)',
        'TOO_LARGE',
      );
    }
  }

  private readSelected(sel: ResolvedSelection, mode: TransferMode, form: ReadForm = PLAIN_READ): unknown {
    const t = this.#type!;
    const strings = form.strings;
    if (t.kind === 'reference') {
      const refs = decodeReferences(this.readNative(sel, undefined, mode) as ReferenceValues, this.fileType, fileIdentity(this.ctx));
      return this._shape === null ? refs[0] : refs;
    }
    if (t.kind === 'string') {
      const read = this.readNative(sel, undefined, mode, strings) as (string | Uint8Array)[];
      const values = strings === 'bytes' ? read : checkDecoded(read, this.where('read'), `dataset '${this.name}'`);
      return this._shape === null ? values[0] : values;
    }
    if (t.kind === 'number') {
      const out = this.allocateFor(t.dtype, sel.size);
      this.readNative(sel, out, mode);
      return out;
    }
    const rt = this.fieldsType(form.fields);
    const codec = this.codec(rt, false, form.fields);
    let elements: unknown;
    if (isDirect(rt)) {
      const { dtype, units } = holderOf(rt);
      const out = this.allocateFor(dtype, sel.size * units);
      this.readNative(sel, out, mode, strings, codec, units);
      elements = finishRead(rt, out, sel.size);
    } else {
      elements = finishRead(rt, this.readNative(sel, undefined, mode, strings, codec), sel.size);
      if (strings === 'text') checkStrings(rt, elements, this.where('read'), `dataset '${this.name}'`);
    }
    return form.records ? toRecords(rt, elements, sel.size) : elements;
  }

  /**
   * Reads the selection into `target` and returns it: a typed array of exactly the selection's elements, of
   * any numeric type for numbers, float16, bools and enums (HDF5 converts), a `Float32Array` or
   * `Float64Array` of interleaved parts for complex numbers, an array dtype's elements flat; a compound,
   * string or sequence dataset reads with `read`.
   */
  readInto<A extends NumericArray>(target: A, selection?: Selection, options?: TransferOptions): A {
    const mode = this.transferMode('readInto', options);
    if (mode === TransferMode.Collective) return this.readIntoCollectively(target, selection);
    const sel = this.selectInto(target, selection);
    if (this.ctx.untrusted && this.readIntoIsolated(target, sel)) return target;
    return this.readIntoSelected(target, sel, mode);
  }

  /** Untrusted mode: guardRead for readInto; true when the child read the data (now in `target`). */
  private readIntoIsolated(target: NumericArray, sel: ResolvedSelection): boolean {
    const got = this.guardRead(sel, 'readInto', PLAIN_READ, target);
    if (got === NOT_ISOLATED) return false;
    (target as Float64Array).set(got as Float64Array);
    return true;
  }

  private readIntoCollectively<A extends NumericArray>(target: A, selection: Selection): A {
    let sel!: ResolvedSelection;
    let isolated = false;
    return this.collectively('read', () => {
      sel = this.selectInto(target, selection);
      this.checkFiltersForCollectiveRead('readInto');
      if (this.ctx.untrusted) isolated = this.readIntoIsolated(target, sel);
    }, () => (isolated ? target : this.readIntoSelected(target, sel, TransferMode.Collective)));
  }

  private selectInto(target: NumericArray, selection: Selection): ResolvedSelection {
    const where = this.where('readInto');
    this._checkOpen();
    const t = this.#type!;
    if (t.kind === 'string') throw new TypeError(`${where}: a string dataset reads into string[]: use read()`);
    if (t.kind === 'reference') throw new TypeError(`${where}: a reference dataset reads into an array of references: use read()`);
    if (!isDirect(t)) throw new TypeError(`${where}: a dataset of ${typeText(t)} reads into new arrays: use read()`);
    if (!ArrayBuffer.isView(target) || dtypeOfArray(target) === undefined) {
      throw new TypeError(`${where}: the target must be a typed array, got ${describeValue(target)}`);
    }
    checkHolder(t, target, where, 'target');
    const sel = resolveSelection(selection, this._shape, where);
    const units = holderOf(t).units;
    if (target.length !== sel.size * units) {
      if (units === 1) throw new RangeError(`${where}: the target holds ${target.length} elements, the selection ${sel.size}`);
      throw new RangeError(`${where}: the target holds ${target.length} numbers; the selection's ${sel.size} elements are ${sel.size * units} (${units} numbers each)`);
    }
    return sel;
  }

  private readIntoSelected<A extends NumericArray>(target: A, sel: ResolvedSelection, mode: TransferMode): A {
    const t = this.#type!;
    const { units } = holderOf(t);
    if (t.kind === 'number') {
      this.readNative(sel, target, mode);
    } else if (t.kind === 'float16' || (t.kind === 'array' && t.base.kind === 'float16')) {
      // Halves come as their bits and are converted here (lib/half.ts).
      const bits = new Uint16Array(target.length);
      this.readNative(sel, bits, mode, 'text', this.codec(t, false, undefined), units);
      (target as Float32Array | Float64Array).set(fromHalves(bits));
    } else {
      this.readNative(sel, target, mode, 'text', this.codec(t, false, undefined), units);
    }
    return target;
  }

  /**
   * Writes `data` (row-major, exactly the selection's elements) into the selection (default: everything).
   * Typed arrays of another numeric type are converted by HDF5 (numbers, float16); a single number, bool or
   * string fills the selection. A compound takes an object of one array per field or an array of records;
   * with `{ fields }` only those fields are written and the others keep what is stored.
   */
  write(data: WriteData<D>, selection?: Selection, options?: WriteOptions & { fields?: undefined }): void;
  write<K extends FieldName<D>>(data: FieldsWriteData<D, K>, selection: Selection | undefined, options: WriteOptions & { fields: readonly K[] }): void;
  write(data: unknown, selection?: Selection, options?: WriteOptions): void {
    const mode = this.transferMode('write', options);
    if (this.#type?.kind === 'reference') return this.writeReferences(data, selection, mode);
    if (mode === TransferMode.Collective) return this.writeCollectively(data, selection, options?.fields);
    const [sel, payload, codec] = this.prepareWrite(data, selection, false, options?.fields);
    this.writeSelected(sel, payload, mode, codec);
  }

  private writeCollectively(data: unknown, selection: Selection, fields: readonly string[] | undefined): void {
    let prepared!: PreparedWrite;
    this.collectively('write', () => (prepared = this.prepareWrite(data, selection, true, fields)),
      () => this.writeSelected(prepared[0], prepared[1], TransferMode.Collective, prepared[2]));
  }

  /** Validates a write: the selection, and the data packed for the binding. */
  private prepareWrite(data: unknown, selection: Selection, collective: boolean, fields: readonly string[] | undefined): PreparedWrite {
    const where = this.where('write');
    this._checkOpen();
    this.ctx.checkWritable(where);
    const sel = resolveSelection(selection, this._shape, where);
    const t = this.#type!;
    const only = fields === undefined ? undefined : this.checkFields(fields, where);
    let payload: unknown;
    let codec: NativeCodec | undefined;
    if (t.kind === 'string') {
      payload = this.packStrings(data, sel.size, where);
    } else if (t.kind === 'number') {
      payload = this.packNumbers(data, sel.size, where);
    } else {
      const wt = this.fieldsType(only);
      // Variable-length data cannot go through MPI-IO at all: refused on every rank, before HDF5 fails.
      if (this.ctx.parallel && hasVlen(wt)) throw parallelVlenError(where, typeText(wt));
      payload = packElements(wt, data, sel.size, where, true, only);
      codec = this.codec(wt, true, only);
    }
    if (!this._filtersLoaded && this.filters.length > 0) {
      loadForWrite(this.filters, where);
      this._filtersLoaded = true;
    }
    if (this.ctx.parallel && this.filters.length > 0) {
      if (codec === undefined) {
        const code = Array.isArray(payload) ? DTYPE_CODES.string : DTYPE_CODES[dtypeOfArray(payload as NumericArray)!];
        this.checkParallelFilteredWrite(collective, code, where);
      } else {
        this.checkParallelFilteredCodecWrite(collective, payload, only, where);
      }
    }
    return [sel, payload, codec];
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
      if (this.ctx.parallel && !parallelReferenceWrites(region)) throw parallelReferenceError(where, region);
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
    const io = (): void => this.writeSelected(sel, named(where, () => makeReferences(this.ctx, this.#native, packed, region, collective)), mode, undefined);
    if (!collective) {
      prepare();
      return io();
    }
    this.collectively('write', prepare, io);
  }

  /** The one native call of a write. */
  private writeSelected(sel: ResolvedSelection, payload: unknown, mode: TransferMode, codec: NativeCodec | undefined): void {
    // Typed arrays may go in pieces; strings, a codec's values and stored references (a DataView) go whole.
    const direct = ArrayBuffer.isView(payload) && !(payload instanceof DataView) ? (payload as NumericArray) : undefined;
    const units = codec && direct ? holderOf(this.#type!).units : 1;
    const pieces = direct && this.pieces(sel, direct, mode, units);
    try {
      if (pieces) {
        for (const p of pieces) {
          const part = resolveSelection(p.slab, this._shape, this.where('write'));
          this.#native.write(part.code, direct.subarray(p.offset * units, (p.offset + p.length) * units), mode === TransferMode.Collective, codec);
        }
      } else {
        this.live().write(sel.code, payload, mode === TransferMode.Collective, codec);
      }
    } catch (e) {
      throw this.ctx.noteFailure(this.filterFailure(e, 'write'), true);
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

  /** The same for the types written through a codec: those whose memory layout is not the stored one need a conversion. */
  private checkParallelFilteredCodecWrite(collective: boolean, payload: unknown, fields: readonly string[] | undefined, where: string): void {
    if (!collective) this.checkParallelFilteredWrite(false, 0, where);
    const t = this.#type!;
    const converts = !storedAsInMemory(t) || fields !== undefined || (t.kind === 'complex' && ArrayBuffer.isView(payload) && dtypeOfArray(payload) !== t.dtype);
    if (converts) {
      throw parallelFilteredError(
        where,
        `is written without type conversion, and writing ${typeText(t)}${fields ? ' (some of its fields)' : ''} from JS needs one` +
          `${t.kind === 'complex' ? ` unless its parts come as a ${arrayTypeOf(t.dtype).name}` : ''}; write it from a serial file`,
      );
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

// What they throw names the file (lib/naming.ts).
namesFileInErrors(Dataset.prototype, (d: Dataset) => d.ctx.filename, ['description', 'shape', 'ndim', 'size', 'nbytes', 'lastTransfer', 'read', 'readInto', 'write', 'collective', 'resize', 'virtualSources', 'writeChunk', 'writeChunks', 'readChunk', 'numChunks', 'chunkInfo', 'chunkInfoAt', 'storedChunks', 'close']);
