// Direct chunk I/O, as h5py's dset.id.write_direct_chunk / read_direct_chunk / get_chunk_info: a chunk's
// bytes as stored (already compressed by the caller, as detector pipelines write them), bypassing HDF5's
// filters and type conversion, and the chunk index described.
//
// In parallel HDF5 1.10 does not support direct chunk writes: H5Dwrite_chunk on one rank records the chunk
// in that rank's copy of the chunk index only, and allocates file space the other ranks know nothing of, so
// two ranks writing different chunks corrupt the file (tested: h5py then fails to inflate them); with a
// collective transfer it fails outright. What stays consistent is every rank making the same calls: so in a
// parallel file writeChunk is collective with the same chunk on every rank, and writeChunks gathers each
// rank's chunks and has every rank write all of them. Reading a chunk and querying the index are local.
import { describeArgument, gatherCollective, runCollective } from './collective';
import type { FileContext } from './context';
import { CollectiveMismatchError, H5Error } from './errors';
import type { NativeChunkInfo, NativeDataset } from './native';
import { checkIntegers, checkOptions, describeValue } from './validate';

/** One chunk of a chunked dataset, as h5py's StoreInfo. */
export interface ChunkInfo {
  /** The logical position of the chunk's first element (h5py's chunk_offset). */
  offset: number[];
  /**
   * The filters that were skipped for this chunk: bit i set means the pipeline's i-th filter (in `filters`
   * order) was not applied. 0: all of them were.
   */
  filterMask: number;
  /** Where the chunk's bytes start in the file (h5py's byte_offset); null when the chunk is not stored. */
  byteOffset: number | null;
  /** The chunk's stored size in bytes (after its filters); 0 when it is not stored. */
  size: number;
}

/** A chunk's bytes as stored, and the filters skipped when it was written. */
export interface RawChunk {
  data: Uint8Array;
  /** As in ChunkInfo: bit i set means filter i was not applied. */
  filterMask: number;
}

/** Options of `writeChunk`. */
export interface WriteChunkOptions {
  /**
   * The filters the bytes have NOT been through: bit i set skips the pipeline's i-th filter when the chunk
   * is read. Default 0: the bytes went through every filter of the dataset's pipeline.
   */
  filterMask?: number;
}

/** One chunk for `writeChunks`. */
export interface ChunkWrite extends WriteChunkOptions {
  /** The chunk's first element; on the chunk grid, inside the dataset's current shape. */
  offset: readonly number[];
  /** The chunk's bytes as stored (any typed array, Buffer or DataView: its bytes are taken as they are). */
  data: ArrayBufferView;
}

/** @internal What the chunk calls need of a dataset (lib/dataset.ts gives it; this module cannot import it). */
export interface ChunkTarget {
  ctx: FileContext;
  name: string;
  description: string;
  shape: number[];
  chunks: readonly number[] | null;
  /** Bytes per element as stored. */
  itemSize: number;
  filtered: boolean;
  /** A variable-length type, which direct chunk I/O does not support. */
  vlen: boolean;
  isVirtual: boolean;
  native: NativeDataset;
  checkOpen(): void;
}

const WRITE_OPTIONS = ['filterMask'] as const;
const CHUNK_KEYS = ['offset', 'data', 'filterMask'] as const;
const MAX_CHUNK_BYTES = 2 ** 32 - 1;

function info(c: NativeChunkInfo): ChunkInfo {
  const stored = c.address >= 0 && c.size > 0;
  return { offset: c.offset, filterMask: c.filterMask, byteOffset: stored ? c.address : null, size: stored ? c.size : 0 };
}

/** Throws unless the dataset is open and chunked; returns its chunk shape. */
function chunked(d: ChunkTarget, where: string): readonly number[] {
  d.checkOpen();
  if (d.chunks === null) {
    const layout = d.isVirtual ? 'virtual' : 'not chunked (contiguous or compact)';
    throw new H5Error(`${where}: the dataset is ${layout}; direct chunk I/O needs a chunked dataset (create it with chunks)`, 'FAILED');
  }
  return d.chunks;
}

/** Checks a chunk offset: an integer per dimension, on the chunk grid, inside the current shape. */
function checkOffset(d: ChunkTarget, chunks: readonly number[], offset: unknown, where: string): number[] {
  checkIntegers(offset, 'the offset', 0, where, d.shape.length);
  offset.forEach((o, i) => {
    if (o % chunks[i] !== 0) {
      throw new RangeError(`${where}: offset [${offset.join(', ')}] is not on the chunk grid: dimension ${i} (${o}) is not a multiple of the chunk size ${chunks[i]}`);
    }
    if (o >= d.shape[i]) {
      throw new RangeError(`${where}: offset [${offset.join(', ')}] is outside the dataset's shape [${d.shape.join(', ')}] in dimension ${i}`);
    }
  });
  return [...offset];
}

function checkMask(mask: unknown, where: string): number {
  if (mask === undefined) return 0;
  if (typeof mask !== 'number' || !Number.isInteger(mask) || mask < 0 || mask > 0xffffffff) {
    throw new RangeError(`${where}: filterMask must be an unsigned 32-bit integer (bit i set: filter i skipped), got ${describeValue(mask)}`);
  }
  return mask;
}

/** The chunk's bytes, checked against what the dataset stores; a view of exactly them. */
function checkBytes(d: ChunkTarget, chunks: readonly number[], data: unknown, where: string): Uint8Array {
  if (!ArrayBuffer.isView(data)) {
    throw new TypeError(`${where}: the chunk's data must be a Uint8Array (or any typed array, Buffer or DataView), got ${describeValue(data)}`);
  }
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (!d.filtered) {
    // Without filters HDF5 reads a whole chunk's bytes back whatever was written: fewer would read what
    // follows in the file, more would overwrite it.
    const full = chunks.reduce((a, b) => a * b, 1) * d.itemSize;
    if (bytes.length !== full) {
      throw new RangeError(`${where}: the dataset has no filters, so a chunk is its ${chunks.join(' x ')} elements of ${d.itemSize} bytes as stored: ${full} bytes, not ${bytes.length}`);
    }
  } else if (bytes.length === 0 || bytes.length > MAX_CHUNK_BYTES) {
    throw new RangeError(`${where}: a stored chunk is 1 byte to 4 GiB - 1, got ${bytes.length} bytes`);
  }
  return bytes;
}

interface PreparedChunk {
  offset: number[];
  bytes: Uint8Array;
  filterMask: number;
}

function prepareWrite(d: ChunkTarget, offset: unknown, data: unknown, mask: unknown, where: string): PreparedChunk {
  const chunks = chunked(d, where);
  d.ctx.checkWritable(where);
  if (d.vlen) throw new H5Error(`${where}: direct chunk I/O does not support variable-length types (HDF5 stores their data outside the chunks)`, 'UNSUPPORTED_TYPE');
  return { offset: checkOffset(d, chunks, offset, where), bytes: checkBytes(d, chunks, data, where), filterMask: checkMask(mask, where) };
}

/** @internal Dataset.writeChunk. */
export function writeChunk(d: ChunkTarget, offset: readonly number[], data: ArrayBufferView, options: WriteChunkOptions | undefined, where: string): void {
  let c!: PreparedChunk;
  const prepare = (): string => {
    const o = checkOptions<WriteChunkOptions>(options, WRITE_OPTIONS, where, '{ filterMask: 0 }');
    c = prepareWrite(d, offset, data, o.filterMask, where);
    d.ctx.checkOpen();
    return `writeChunk('${d.name}', [${c.offset.join(', ')}], ${describeArgument(c.bytes)}, mask ${c.filterMask})`;
  };
  const write = (): void => d.native.writeChunk(c.offset, c.bytes, c.filterMask);
  if (d.ctx.comm === undefined) {
    prepare();
    write();
    return;
  }
  // Checked even with checkCollective off: ranks writing different chunks here would corrupt the file silently.
  runCollective(d.ctx.comm, true, where, prepare, () => d.ctx.runWrites(where, write), true, `'${d.ctx.filename}'`);
}

/** A chunk as it travels to the other ranks: its own copy of its bytes (a view would take its whole buffer along). */
type Travelling = [offset: number[], bytes: Uint8Array, filterMask: number];

/** @internal Dataset.writeChunks. */
export function writeChunks(d: ChunkTarget, list: readonly ChunkWrite[], where: string): void {
  const prepare = (): PreparedChunk[] => {
    if (!Array.isArray(list)) throw new TypeError(`${where}: expected an array of { offset, data, filterMask? } (possibly empty), got ${describeValue(list)}`);
    chunked(d, where);
    d.ctx.checkWritable(where);
    return (list as unknown[]).map((c, i) => {
      const at = `${where}: chunk ${i}`;
      if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new TypeError(`${at} must be an object { offset, data, filterMask? }, got ${describeValue(c)}`);
      const w = checkOptions<ChunkWrite>(c, CHUNK_KEYS, at);
      return prepareWrite(d, w.offset, w.data, w.filterMask, at);
    });
  };
  const comm = d.ctx.comm;
  if (comm === undefined) {
    const mine = prepare();
    for (const c of mine) d.native.writeChunk(c.offset, c.bytes, c.filterMask);
    return;
  }
  gatherCollective(comm, where, () => {
    const mine = prepare();
    const payload: Travelling[] = mine.map((c) => [c.offset, c.bytes.byteLength === c.bytes.buffer.byteLength ? c.bytes : c.bytes.slice(), c.filterMask]);
    return { call: `writeChunks('${d.name}')`, payload };
  }, (all: Travelling[][]) => {
    // Every rank sees the same gathered list, so every rank takes the same decisions below.
    const byOffset = new Map<string, { chunk: Travelling; rank: number }>();
    all.forEach((chunks, rank) => {
      for (const chunk of chunks) {
        const key = chunk[0].join(',');
        const seen = byOffset.get(key);
        if (seen === undefined) byOffset.set(key, { chunk, rank });
        else if (seen.chunk[2] !== chunk[2] || !sameBytes(seen.chunk[1], chunk[1])) {
          throw new CollectiveMismatchError(
            `${where}: ranks ${seen.rank} and ${rank} both bring a chunk at offset [${chunk[0].join(', ')}], with different bytes or filter masks; ` +
              'each chunk must come from one rank (or be the same everywhere). Nothing was written.',
            all.map((cs, r) => `rank ${r}: ${cs.map((c) => `[${c[0].join(', ')}]`).join(' ')}`),
          );
        }
      }
    });
    const order = [...byOffset.values()].map((v) => v.chunk).sort((a, b) => compareOffsets(a[0], b[0]));
    d.ctx.runWrites(where, () => {
      for (const [offset, bytes, mask] of order) d.native.writeChunk(offset, bytes, mask);
    });
  }, `'${d.ctx.filename}'`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

function compareOffsets(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** @internal Dataset.readChunk. */
export function readChunk(d: ChunkTarget, offset: readonly number[], where: string): RawChunk {
  const chunks = chunked(d, where);
  const at = checkOffset(d, chunks, offset, where);
  const got = d.native.readChunk(at);
  if (got === undefined) throw new H5Error(`${where}: no chunk is stored at offset [${at.join(', ')}] of '${d.name}' in '${d.ctx.filename}'`, 'NOT_FOUND');
  return { data: new Uint8Array(got[0]), filterMask: got[1] };
}

/** @internal Dataset.numChunks. */
export function numChunks(d: ChunkTarget, where: string): number {
  chunked(d, where);
  return d.native.chunkCount();
}

/** @internal Dataset.chunkInfo. */
export function chunkInfo(d: ChunkTarget, index: number, where: string): ChunkInfo {
  chunked(d, where);
  const n = d.native.chunkCount();
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= n) {
    throw new RangeError(`${where}: index must be an integer in [0, ${n}) (the chunks stored), got ${describeValue(index)}`);
  }
  return info(d.native.chunkInfo(index));
}

/** @internal Dataset.chunkInfoAt. */
export function chunkInfoAt(d: ChunkTarget, offset: readonly number[], where: string): ChunkInfo {
  const chunks = chunked(d, where);
  return info(d.native.chunkInfoAt(checkOffset(d, chunks, offset, where)));
}

/** @internal Dataset.storedChunks: every stored chunk, ordered by offset (row-major). */
export function storedChunks(d: ChunkTarget, where: string): ChunkInfo[] {
  chunked(d, where);
  return d.native.chunkList().map(info).sort((a, b) => compareOffsets(a.offset, b.offset));
}
