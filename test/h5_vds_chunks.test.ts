// Virtual datasets and direct chunk I/O, serially, against h5py both ways: virtual datasets h5mpi maps
// (sources in other files by relative name, in the same file, missing, with strided and union selections)
// read the same in h5py, and h5py's (including an unlimited printf-named mapping) in h5mpi; chunks
// compressed by node:zlib and written directly read as numbers in h5py, h5py's chunks read raw in h5mpi
// are its read_direct_chunk bytes, bitshuffle/LZ4 chunks made by the bitshuffle package go through, and the
// chunk index matches h5py's get_chunk_info. And 2 ranks (test/scenarios/h5_vds_chunks_par.js): virtual
// datasets created in a parallel file, their reads and writes refused on every rank; chunks written by every
// rank, each its own or the same, read by h5py; mismatched chunk writes refused on every rank.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { Dataset, File, H5Error, Hyperslab, versions, VirtualLayout, VirtualSource } from '../lib';
import { hasH5py, PYTHON, python } from './helpers/h5tools';
import { describeRun, mpirun, reportsLabelled, tmpdir } from './helpers/mpirun';

const dir = tmpdir('h5mpi-vds-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const at = (name: string): string => path.join(dir, name);
const HAVE_H5PY = hasH5py();
const peer = HAVE_H5PY ? describe : describe.skip;
const HAVE_BITSHUFFLE = HAVE_H5PY && spawnSync(PYTHON, ['-c', 'import hdf5plugin, bitshuffle'], { stdio: 'ignore' }).status === 0;

function iota<T = number>(n: number, f: (i: number) => T = (i) => i as T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** A Python function describing a selection of an h5py SpaceID: null (all), or its blocks / regular hyperslab (-1: unlimited). */
const SPACE_PY = `
UNL = h5py.h5s.UNLIMITED
def sel(space):
    t = space.get_select_type()
    if t == h5py.h5s.SEL_ALL: return None
    if space.is_regular_hyperslab():
        return {'regular': [[(-1 if x == UNL else int(x)) for x in v] for v in space.get_regular_hyperslab()]}
    return {'blocks': [[list(map(int, b[0])), list(map(int, b[1]))] for b in space.get_select_hyper_blocklist()]}
def mapping(m):
    return {'file': m.file_name, 'path': m.dset_name, 'target': sel(m.vspace), 'source': sel(m.src_space)}
`;

/** h5mpi's mapping in the form SPACE_PY gives (regular hyperslabs as [start, stride, count, block]). */
function plainMapping(m: ReturnType<Dataset['virtualSources']>[number]): unknown {
  const sel = (h: Hyperslab | null): unknown => {
    if (h === null) return null;
    const unl = (v: readonly number[]): number[] => v.map((x) => (x === Infinity ? -1 : x));
    if (h.slabs.length === 1) {
      const s = h.slabs[0];
      return { regular: [unl(s.start), unl(s.stride), unl(s.count), unl(s.block)] };
    }
    return { blocks: h.slabs.map((s) => [[...s.start], s.start.map((x, i) => x + s.block[i] - 1)]) };
  };
  return { file: m.file, path: m.path, target: sel(m.target), source: sel(m.source) };
}

describe('virtual datasets made by h5mpi', () => {
  const file = at('vds.h5');
  // a.h5:/data int32 [4, 6] = i; b.h5:/data int16 [4, 6] = 1000 + i; vds.h5:/local int32 [6] = -(i + 1).
  const A = iota(24);
  const B = iota(24, (i) => 1000 + i);
  const LOCAL = iota(6, (i) => -(i + 1));
  const FILL = -7;
  /** /v [4, 6]: row 0 <- a row 2; row 1 even columns <- b row 0 even columns; row 2 <- local; row 3 <- a missing file. */
  const V = [...A.slice(12, 18), ...iota(6, (c) => (c % 2 === 0 ? B[c] : FILL)), ...LOCAL, ...iota(6, () => FILL)];
  /** /u [6]: elements 0-1 and 3-5 (a union) <- a row 0 columns 0-4; 2 unmapped. */
  const U = [A[0], A[1], 0, A[2], A[3], A[4]];

  beforeAll(() => {
    for (const [name, dtype, values] of [['a.h5', 'int32', A], ['b.h5', 'int16', B]] as const) {
      using f = File.open(at(name), 'w');
      f.createDataset('data', { shape: [4, 6], dtype, data: values });
    }
    using f = File.open(file, 'w');
    const local = f.createDataset('local', { shape: [6], dtype: 'int32', data: LOCAL });
    // Relative names: HDF5 looks them up beside vds.h5 (this process's working directory is elsewhere).
    const a = new VirtualSource('a.h5', '/data', { shape: [4, 6], dtype: 'int32' });
    const b = new VirtualSource('b.h5', 'data', { shape: [4, 6] });
    const layout = new VirtualLayout({ shape: [4, 6], dtype: 'int32' })
      .set({ start: [0, 0], count: [1, 6] }, a.select({ start: [2, 0], count: [1, 6] }))
      .set({ start: [1, 0], stride: [1, 2], count: [1, 3] }, b.select({ start: [0, 0], stride: [1, 2], count: [1, 3] }))
      .set({ start: [2, 0], count: [1, 6] }, new VirtualSource(local))
      .set({ start: [3, 0], count: [1, 6] }, new VirtualSource('missing.h5', '/data', { shape: [6] }));
    const v = f.createVirtualDataset('g/v', layout, { fillValue: FILL });
    expect(v.isVirtual).toBe(true);
    const union = new Hyperslab({ start: [0], count: [2] }).union({ start: [3], count: [3] });
    f.createVirtualDataset('u', new VirtualLayout({ shape: [6], dtype: 'float64' }).set(union, a.select({ start: [0, 0], count: [1, 5] })));
  });

  test('h5mpi reads each element from its source, the fill value where there is none', () => {
    using f = File.open(file, 'r');
    const v = f.get('g/v') as Dataset<'int32'>;
    expect([v.isVirtual, v.shape, v.dtype, v.chunks, v.fillValue]).toEqual([true, [4, 6], 'int32', null, FILL]);
    expect(Array.from(v.read())).toEqual(V);
    expect(Array.from(v.read({ start: [1, 1], count: [2, 3] }))).toEqual([FILL, B[2], FILL, LOCAL[1], LOCAL[2], LOCAL[3]]);
    expect(Array.from((f.get('u') as Dataset<'float64'>).read())).toEqual(U);
    expect((f.get('local') as Dataset).isVirtual).toBe(false);
    expect((f.get('local') as Dataset).virtualSources()).toEqual([]);
  });

  test('virtualSources lists the mappings as given, the same file as "."', () => {
    using f = File.open(file, 'r');
    const m = (f.get('g/v') as Dataset).virtualSources();
    expect(m.map((x) => [x.file, x.path])).toEqual([
      ['a.h5', '/data'],
      ['b.h5', 'data'],
      ['.', '/local'],
      ['missing.h5', '/data'],
    ]);
    expect(m[1].target?.slabs).toEqual([{ start: [1, 0], stride: [1, 2], count: [1, 3], block: [1, 1] }]);
    expect(m[1].source?.slabs).toEqual([{ start: [0, 0], stride: [1, 2], count: [1, 3], block: [1, 1] }]);
    expect(m[2].source).toBeNull();
    const u = (f.get('u') as Dataset).virtualSources()[0];
    // An irregular union comes back as its blocks.
    expect(u.target?.slabs.map((s) => [s.start, s.block])).toEqual([[[0], [2]], [[3], [3]]]);
  });

  test('a write through the virtual dataset lands in its source (serially)', () => {
    fs.copyFileSync(file, at('vds-w.h5'));
    using f = File.open(at('vds-w.h5'), 'r+');
    const v = f.get('g/v') as Dataset<'int32'>;
    v.write(Int32Array.of(7, 8, 9), { start: [2, 0], count: [1, 3] });
    expect(Array.from((f.get('local') as Dataset<'int32'>).read())).toEqual([7, 8, 9, ...LOCAL.slice(3)]);
  });

  peer('h5py', () => {
    test('reads the same values and mappings', () => {
      const out = python(`${SPACE_PY}
f = h5py.File(sys.argv[1], 'r')
v = f['g/v']; u = f['u']
emit({'virtual': v.is_virtual, 'v': v[()].reshape(-1).tolist(), 'u': u[()].tolist(), 'fill': int(v.fillvalue),
      'maps': [mapping(m) for m in v.virtual_sources()], 'umaps': [mapping(m) for m in u.virtual_sources()]})`, [file]) as Record<string, unknown>;
      expect(out.virtual).toBe(true);
      expect(out.v).toEqual(V);
      expect(out.u).toEqual(U);
      expect(out.fill).toBe(FILL);
      using f = File.open(file, 'r');
      expect(out.maps).toEqual((f.get('g/v') as Dataset).virtualSources().map(plainMapping));
      expect(out.umaps).toEqual((f.get('u') as Dataset).virtualSources().map(plainMapping));
    });
  });

  describe('errors', () => {
    test('a layout checks its selections and sources when they are set', () => {
      const layout = new VirtualLayout({ shape: [4, 6], dtype: 'int32' });
      const src = new VirtualSource('a.h5', '/data', { shape: [4, 6] });
      expect(() => layout.set({ start: [0, 0], count: [1, 5] }, src.select({ start: [0, 0], count: [1, 6] }))).toThrow(
        /VirtualLayout.set: the layout's selection has 5 elements and the source's \('\/data' in 'a.h5'\) 6; they must match/,
      );
      expect(() => layout.set({ start: [3, 0], count: [2, 6] }, src)).toThrow(/reaches index 4 in dimension 0, beyond the shape \[4, 6\]/);
      expect(() => layout.set({ start: [0], count: [1] }, src)).toThrow(/'start' must be an array of 2 integers/);
      expect(() => layout.set({ start: [0, 0], count: [Infinity, 6] }, src)).toThrow(/dimension 0 is selected without limit, so its maxshape must be Infinity/);
      expect(() => layout.set(null, { file: 'a.h5' } as unknown as VirtualSource)).toThrow(/the source must be a VirtualSource/);
      expect(() => new VirtualSource('a.h5', '/data', { shape: [4], fillvalue: 1 } as never)).toThrow(/unknown option 'fillvalue'; accepted: shape, maxshape, dtype/);
      expect(() => new VirtualSource('a.h5', '/data', undefined as never)).toThrow(/options \{ shape, maxshape\?, dtype\? \} are required/);
      expect(() => new VirtualLayout({ shape: [], dtype: 'int32' })).toThrow(/at least one dimension/);
      expect(() => new VirtualLayout({ shape: [2], dtype: 'int33' as never })).toThrow(/unknown dtype "int33"/);
    });

    test('creating checks its options, refuses an empty layout, an existing path and a read-only file', () => {
      using f = File.open(at('errs.h5'), 'w');
      const layout = new VirtualLayout({ shape: [6], dtype: 'int32' }).set(null, new VirtualSource('x.h5', '/d', { shape: [6] }));
      expect(() => f.createVirtualDataset('v', layout, { fillvalue: 0 } as never)).toThrow(/unknown option 'fillvalue' \(did you mean 'fillValue'\?\); accepted: fillValue/);
      expect(() => f.createVirtualDataset('v', new VirtualLayout({ shape: [6], dtype: 'int32' }))).toThrow(/the layout maps no source/);
      f.createDataset('taken', { shape: [1], dtype: 'int8' });
      expect(() => f.createVirtualDataset('taken', layout)).toThrow(expect.objectContaining({ code: 'EXISTS' }) as Error);
      expect(f.keys()).toEqual(['taken']);
      f.createVirtualDataset('v', layout);
      f.close();
      using r = File.open(at('errs.h5'), 'r');
      expect(() => r.createVirtualDataset('w', layout)).toThrow(expect.objectContaining({ code: 'READ_ONLY' }) as Error);
      // A source that does not exist reads as the fill value (0 by default), as in h5py.
      expect(Array.from((r.get('v') as Dataset<'int32'>).read())).toEqual([0, 0, 0, 0, 0, 0]);
    });
  });
});

peer('virtual datasets made by h5py', () => {
  const file = at('pyvds.h5');
  let py: { eiger: number[]; frames: number[]; same: number[]; eigerMaps: unknown[]; framesMaps: unknown[] };
  beforeAll(() => {
    py = python(`${SPACE_PY}
import os
d = sys.argv[1]
for k in range(3):
    with h5py.File(os.path.join(d, 'p%d.h5' % k), 'w') as f:
        f['data'] = (np.arange(6, dtype='i4') + 10 * k).reshape(2, 3)
for k in range(2):
    with h5py.File(os.path.join(d, 'frames_%d.h5' % k), 'w') as f:
        f['f'] = np.arange(4, dtype='i2') + 100 * k
with h5py.File(os.path.join(d, 'pyvds.h5'), 'w', libver='latest') as f:
    layout = h5py.VirtualLayout(shape=(6, 3), dtype='i4')
    for k in range(3):
        layout[2 * k:2 * k + 2] = h5py.VirtualSource('p%d.h5' % k, 'data', shape=(2, 3))
    f.create_virtual_dataset('eiger', layout, fillvalue=-1)
    # An unlimited mapping of printf-named files: frames_0.h5, frames_1.h5, ... as far as they exist.
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    vs = h5py.h5s.create_simple((0,), (h5py.h5s.UNLIMITED,))
    vs.select_hyperslab((0,), (h5py.h5s.UNLIMITED,), (4,), (4,))
    dcpl.set_virtual(vs, b'frames_%b.h5', b'f', h5py.h5s.create_simple((4,)))
    dcpl.set_fill_value(np.array([-2], 'i2'))
    h5py.h5d.create(f.id, b'frames', h5py.h5t.STD_I16LE, vs, dcpl=dcpl)
    f['plain'] = np.arange(5, dtype='f8')
    same = h5py.VirtualLayout(shape=(3,), dtype='f8', filename=f.filename)
    same[:] = h5py.VirtualSource(f['plain'])[1:4]
    f.create_virtual_dataset('same', same)
with h5py.File(os.path.join(d, 'pyvds.h5'), 'r') as f:
    emit({'eiger': f['eiger'][()].reshape(-1).tolist(), 'frames': f['frames'][()].tolist(), 'same': f['same'][()].tolist(),
          'eigerMaps': [mapping(m) for m in f['eiger'].virtual_sources()], 'framesMaps': [mapping(m) for m in f['frames'].virtual_sources()]})`, [dir]) as typeof py;
  });

  test('h5mpi reads what h5py reads', () => {
    expect(py.eiger).toEqual(iota(18, (i) => i + 4 * Math.floor(i / 6)));
    expect(py.frames).toEqual([0, 1, 2, 3, 100, 101, 102, 103]);
    using f = File.open(file, 'r');
    const eiger = f.get('eiger') as Dataset<'int32'>;
    expect([eiger.isVirtual, eiger.shape, eiger.fillValue]).toEqual([true, [6, 3], -1]);
    expect(Array.from(eiger.read())).toEqual(py.eiger);
    const frames = f.get('frames') as Dataset<'int16'>;
    // The extent comes from the source files found: two of them.
    expect([frames.shape, frames.maxshape]).toEqual([[8], [Infinity]]);
    expect(Array.from(frames.read())).toEqual(py.frames);
    expect(Array.from((f.get('same') as Dataset<'float64'>).read())).toEqual([1, 2, 3]);
  });

  test('virtualSources describes the mappings as h5py does, unlimited counts as Infinity', () => {
    using f = File.open(file, 'r');
    const frames = (f.get('frames') as Dataset).virtualSources();
    expect(frames.map(plainMapping)).toEqual(py.framesMaps);
    expect(frames[0]).toMatchObject({ file: 'frames_%b.h5', path: 'f', source: null });
    expect(frames[0].target?.slabs).toEqual([{ start: [0], stride: [4], count: [Infinity], block: [4] }]);
    expect((f.get('eiger') as Dataset).virtualSources().map(plainMapping)).toEqual(py.eigerMaps);
    expect((f.get('same') as Dataset).virtualSources()[0]).toMatchObject({ file: '.', path: '/plain' });
  });

  test('a third source file appears as the virtual dataset grows', () => {
    const third = at('frames_2.h5');
    {
      using s = File.open(third, 'w');
      s.createDataset('f', { shape: [4], dtype: 'int16', data: [200, 201, 202, 203] });
    }
    using f = File.open(file, 'r');
    const frames = f.get('frames') as Dataset<'int16'>;
    expect(frames.shape).toEqual([12]);
    expect(Array.from(frames.read()).slice(8)).toEqual([200, 201, 202, 203]);
    fs.rmSync(third);
  });
});

describe('an unlimited printf-named mapping made by h5mpi', () => {
  test('grows with its source files, in h5mpi and h5py', () => {
    for (let k = 0; k < 2; k++) {
      using s = File.open(at(`run_${k}.h5`), 'w');
      s.createDataset('img', { shape: [2, 3], dtype: 'uint16', data: iota(6, (i) => 10 * k + i) });
    }
    const layout = new VirtualLayout({ shape: [0, 3], dtype: 'uint16', maxshape: [Infinity, 3] }).set(
      { start: [0, 0], stride: [2, 1], count: [Infinity, 1], block: [2, 3] },
      new VirtualSource('run_%b.h5', '/img', { shape: [2, 3] }),
    );
    {
      using f = File.open(at('runs.h5'), 'w');
      const v = f.createVirtualDataset('all', layout, { fillValue: 9 });
      expect(v.maxshape).toEqual([Infinity, 3]);
    }
    const want = [...iota(6), ...iota(6, (i) => 10 + i)];
    using f = File.open(at('runs.h5'), 'r');
    const v = f.get('all') as Dataset<'uint16'>;
    expect(v.shape).toEqual([4, 3]);
    expect(Array.from(v.read())).toEqual(want);
    expect(v.virtualSources()[0].target?.slabs[0].count).toEqual([Infinity, 1]);
    if (HAVE_H5PY) {
      expect(python(`f = h5py.File(sys.argv[1], 'r'); emit(f['all'][()].reshape(-1).tolist())`, [at('runs.h5')])).toEqual(want);
    }
  });
});

describe('direct chunk I/O', () => {
  // [10, 8] int32 in chunks of [4, 4]: a 3 x 2 grid whose last row of chunks reaches past the extent.
  const SHAPE = [10, 8];
  const CHUNKS = [4, 4];
  const value = (r: number, c: number): number => r * 100 + c;
  /** The chunk at `offset` as its elements, row-major (parts past the extent included, as HDF5 stores them). */
  const chunkValues = ([r0, c0]: number[]): Int32Array => Int32Array.from({ length: 16 }, (_, i) => value(r0 + Math.floor(i / 4), c0 + (i % 4)));
  const deflate = (a: Int32Array): Buffer => zlib.deflateSync(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  const OFFSETS = [[0, 0], [0, 4], [4, 0], [8, 0], [8, 4]]; // [4, 4] stays unwritten
  const FILL = -1;
  const expected = iota(80, (i) => {
    const [r, c] = [Math.floor(i / 8), i % 8];
    return r >= 4 && r < 8 && c >= 4 ? FILL : value(r, c);
  });
  const file = at('chunks.h5');

  beforeAll(() => {
    using f = File.open(file, 'w');
    const d = f.createDataset('gz', { shape: SHAPE, dtype: 'int32', chunks: CHUNKS, compression: 'gzip', fillValue: FILL });
    d.writeChunks(OFFSETS.slice(1).map((offset) => ({ offset, data: deflate(chunkValues(offset)) })));
    d.writeChunk([0, 0], deflate(chunkValues([0, 0])));
    // Stored raw: gzip (filter 0 of the pipeline) skipped.
    const raw = f.createDataset('masked', { shape: [8], dtype: 'int16', chunks: [4], compression: 'gzip', shuffle: true });
    raw.writeChunk([0], zlib.deflateSync(Buffer.from(Int16Array.of(1, 2, 3, 4).buffer)), { filterMask: 0b01 });
    raw.writeChunk([4], Int16Array.of(5, 6, 7, 8), { filterMask: 0b11 });
    const plain = f.createDataset('plain', { shape: [6], dtype: 'float64', chunks: [3] });
    plain.writeChunk([3], Float64Array.of(0.5, -1, 1e300));
  });

  test('chunks compressed by node:zlib read back as numbers', () => {
    using f = File.open(file, 'r');
    const d = f.get('gz') as Dataset<'int32'>;
    expect(Array.from(d.read())).toEqual(expected);
    expect(d.numChunks).toBe(5);
    const chunks = d.storedChunks();
    expect(chunks.map((c) => c.offset)).toEqual(OFFSETS);
    for (const c of chunks) {
      expect(c.filterMask).toBe(0);
      expect(c.size).toBe(deflate(chunkValues(c.offset)).length);
      expect(c.byteOffset).toBeGreaterThan(0);
    }
    expect(d.chunkInfoAt([4, 4])).toEqual({ offset: [4, 4], filterMask: 0, byteOffset: null, size: 0 });
    expect(d.chunkInfoAt([8, 4])).toEqual(chunks[4]);
    expect(OFFSETS.map((_, i) => d.chunkInfo(i)).sort((a, b) => a.offset[0] - b.offset[0] || a.offset[1] - b.offset[1])).toEqual(chunks);
    const raw = d.readChunk([8, 4]);
    expect(raw.filterMask).toBe(0);
    expect(Array.from(new Int32Array(new Uint8Array(zlib.inflateSync(raw.data)).buffer))).toEqual(Array.from(chunkValues([8, 4])));
  });

  test('a filter mask skips filters on read, chunk by chunk', () => {
    using f = File.open(file, 'r');
    const d = f.get('masked') as Dataset<'int16'>;
    expect(Array.from(d.read())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(d.storedChunks().map((c) => [c.offset[0], c.filterMask, c.size])).toEqual([[0, 1, zlib.deflateSync(Buffer.from(Int16Array.of(1, 2, 3, 4).buffer)).length], [4, 3, 8]]);
    expect(d.readChunk([4])).toEqual({ data: new Uint8Array(Int16Array.of(5, 6, 7, 8).buffer), filterMask: 3 });
    const plain = f.get('plain') as Dataset<'float64'>;
    expect(Array.from(plain.read())).toEqual([0, 0, 0, 0.5, -1, 1e300]);
    expect(plain.readChunk([3]).data).toEqual(new Uint8Array(Float64Array.of(0.5, -1, 1e300).buffer));
  });

  test('a chunk written by read/write is there to read raw before the file is closed', () => {
    using f = File.open(at('cached.h5'), 'w');
    const d = f.createDataset('d', { shape: [6], dtype: 'uint8', chunks: [2] });
    d.write(Uint8Array.of(3, 4, 5, 6), { start: [2], count: [4] });
    expect(d.storedChunks().map((c) => c.offset)).toEqual([[2], [4]]);
    expect(Array.from(d.readChunk([4]).data)).toEqual([5, 6]);
    expect(() => d.readChunk([0])).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining("no chunk is stored at offset [0] of '/d'") as string }) as Error);
  });

  test('storedChunks lists a dense grid and a sparse one in offset order', () => {
    using f = File.open(at('grid.h5'), 'w');
    const dense = f.createDataset('dense', { shape: [12, 12], dtype: 'uint8', chunks: [2, 3] });
    dense.write(new Uint8Array(144).fill(1));
    const list = dense.storedChunks();
    expect(list).toHaveLength(24);
    expect(list.map((c) => c.offset)).toEqual(iota(24, (i) => [2 * Math.floor(i / 4), 3 * (i % 4)]));
    expect(list.every((c) => c.size === 6)).toBe(true);
    const sparse = f.createDataset('sparse', { shape: [100000, 100000], dtype: 'uint8', chunks: [10, 10] });
    const spots = [[99990, 0], [0, 50000], [12340, 99990]];
    for (const offset of spots) sparse.writeChunk(offset, new Uint8Array(100).fill(7));
    expect(sparse.storedChunks().map((c) => c.offset)).toEqual([[0, 50000], [12340, 99990], [99990, 0]]);
  });

  describe('errors', () => {
    let f: File;
    let d: Dataset;
    beforeAll(() => {
      f = File.open(at('chunk-errs.h5'), 'w');
      d = f.createDataset('d', { shape: [8, 8], dtype: 'int32', chunks: [4, 4], compression: 'gzip', maxshape: [16, 8] });
      f.createDataset('contig', { shape: [4], dtype: 'int32' });
      f.createDataset('vlen', { shape: [4], dtype: 'string', chunks: [2] });
    });
    afterAll(() => f.close());
    const bytes = zlib.deflateSync(Buffer.alloc(64));

    test('offsets are checked against the chunk grid, the rank and the current shape', () => {
      expect(() => d.writeChunk([2, 0], bytes)).toThrow(/Dataset '\/d'.writeChunk: offset \[2, 0\] is not on the chunk grid: dimension 0 \(2\) is not a multiple of the chunk size 4/);
      expect(() => d.writeChunk([8, 0], bytes)).toThrow(/offset \[8, 0\] is outside the dataset's shape \[8, 8\] in dimension 0/);
      expect(() => d.readChunk([0])).toThrow(/the offset has 1 dimensions, the dataset has 2/);
      expect(() => d.chunkInfoAt([0, -4])).toThrow(/the offset\[1\] is -4; expected an integer >= 0/);
      expect(() => d.chunkInfo(0)).toThrow(/index must be an integer in \[0, 0\)/);
      expect(d.numChunks).toBe(0);
    });

    test('data, masks and options are checked; nothing is written when they are wrong', () => {
      expect(() => d.writeChunk([0, 0], [1, 2] as never)).toThrow(/the chunk's data must be a Uint8Array .*, got an array/);
      expect(() => d.writeChunk([0, 0], new Uint8Array(0))).toThrow(/a stored chunk is 1 byte to 4 GiB - 1, got 0 bytes/);
      expect(() => d.writeChunk([0, 0], bytes, { filterMask: -1 })).toThrow(/filterMask must be an unsigned 32-bit integer/);
      expect(() => d.writeChunk([0, 0], bytes, { filter_mask: 1 } as never)).toThrow(/unknown option 'filter_mask' \(did you mean 'filterMask'\?\); accepted: filterMask/);
      expect(() => d.writeChunks([{ offset: [0, 0], data: bytes }, { offset: [0, 1], data: bytes }])).toThrow(/chunk 1: offset \[0, 1\] is not on the chunk grid/);
      expect(() => d.writeChunks({} as never)).toThrow(/expected an array of \{ offset, data, filterMask\? \}/);
      expect(d.numChunks).toBe(0);
      const plain = f.createDataset('plain', { shape: [4], dtype: 'int32', chunks: [2] });
      expect(() => plain.writeChunk([0], new Uint8Array(7))).toThrow(/the dataset has no filters, so a chunk is its 2 elements of 4 bytes as stored: 8 bytes, not 7/);
    });

    test('only chunked datasets of fixed-size types; not in a read-only file', () => {
      const contig = f.get('contig') as Dataset;
      expect(() => contig.readChunk([0])).toThrow(expect.objectContaining({ message: expect.stringMatching(/the dataset is not chunked \(contiguous or compact\); direct chunk I\/O needs a chunked dataset/) as string }) as Error);
      expect(() => contig.numChunks).toThrow(H5Error);
      expect(() => (f.get('vlen') as Dataset).writeChunk([0], new Uint8Array(32))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_TYPE' }) as Error);
      f.flush();
      using r = File.open(file, 'r');
      expect(() => (r.get('gz') as Dataset).writeChunk([0, 0], bytes)).toThrow(expect.objectContaining({ code: 'READ_ONLY' }) as Error);
    });

    test('a closed dataset says so', () => {
      const x = f.createDataset('x', { shape: [4], dtype: 'int8', chunks: [2] });
      x.close();
      expect(() => x.storedChunks()).toThrow(expect.objectContaining({ code: 'CLOSED' }) as Error);
    });
  });

  peer('h5py', () => {
    test('reads h5mpi\'s chunks as numbers, with the same index and masks', () => {
      const out = python(`
f = h5py.File(sys.argv[1], 'r')
def infos(d):
    return [[list(map(int, s.chunk_offset)), int(s.filter_mask), int(s.byte_offset), int(s.size)] for s in (d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks()))]
m = f['masked']
emit({'gz': f['gz'][()].reshape(-1).tolist(), 'gzInfo': infos(f['gz']), 'masked': m[()].tolist(), 'maskedRaw': [m.id.read_direct_chunk((4,))[0], m.id.read_direct_chunk((4,))[1].hex()],
      'plain': f['plain'][()].tolist()})`, [file]) as { gz: number[]; gzInfo: [number[], number, number, number][]; masked: number[]; maskedRaw: [number, string]; plain: number[] };
      expect(out.gz).toEqual(expected);
      expect(out.masked).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(out.maskedRaw).toEqual([3, Buffer.from(Int16Array.of(5, 6, 7, 8).buffer).toString('hex')]);
      expect(out.plain).toEqual([0, 0, 0, 0.5, -1, 1e300]);
      using f = File.open(file, 'r');
      const mine = (f.get('gz') as Dataset).storedChunks().map((c) => [c.offset, c.filterMask, c.byteOffset, c.size]);
      expect([...out.gzInfo].sort((a, b) => a[0][0] - b[0][0] || a[0][1] - b[0][1])).toEqual(mine);
    });

    test('h5py\'s compressed chunks read raw are read_direct_chunk\'s bytes, and inflate to its numbers', () => {
      const py = python(`
with h5py.File(sys.argv[1], 'w') as f:
    d = f.create_dataset('d', data=np.arange(60, dtype='<i4').reshape(6, 10) * 3, chunks=(4, 5), compression='gzip', compression_opts=7)
    emit({'raw': {','.join(map(str, s.chunk_offset)): d.id.read_direct_chunk(s.chunk_offset)[1].hex() for s in (d.id.get_chunk_info(i) for i in range(d.id.get_num_chunks()))}})`, [at('pychunks.h5')]) as { raw: Record<string, string> };
      using f = File.open(at('pychunks.h5'), 'r');
      const d = f.get('d') as Dataset<'int32'>;
      expect(Object.keys(py.raw).sort()).toEqual(['0,0', '0,5', '4,0', '4,5']);
      for (const [key, hex] of Object.entries(py.raw)) {
        const [r0, c0] = key.split(',').map(Number);
        const chunk = d.readChunk([r0, c0]);
        expect(Buffer.from(chunk.data).toString('hex')).toBe(hex);
        const values = new Int32Array(new Uint8Array(zlib.inflateSync(chunk.data)).buffer);
        // Rows past the extent (6..7) hold the fill value 0.
        expect(Array.from(values)).toEqual(iota(20, (i) => (r0 + Math.floor(i / 5) < 6 ? ((r0 + Math.floor(i / 5)) * 10 + c0 + (i % 5)) * 3 : 0)));
      }
    });
  });

  (HAVE_BITSHUFFLE ? test : test.skip)('bitshuffle/LZ4 chunks made by the bitshuffle package, and copied raw from h5py\'s dataset, read back in h5py', () => {
    // h5py (with hdf5plugin) makes an empty bitshuffle/LZ4 dataset, a dataset it compressed itself, and the
    // chunks of the same values compressed by the bitshuffle package (the filter's header: total bytes as a
    // big-endian uint64, block bytes as a big-endian uint32, then the LZ4 blocks).
    const py = python(`
import hdf5plugin, bitshuffle, struct
values = (np.arange(2000, dtype='<u2') * 7).reshape(40, 50)
with h5py.File(sys.argv[1], 'w') as f:
    for name in ('empty', 'copy'):
        f.create_dataset(name, shape=(40, 50), dtype='<u2', chunks=(20, 50), **hdf5plugin.Bitshuffle(nelems=0, cname='lz4'))
    f.create_dataset('theirs', data=values, chunks=(20, 50), **hdf5plugin.Bitshuffle(nelems=0, cname='lz4'))
    pipeline = [int(f['empty'].id.get_create_plist().get_filter(i)[0]) for i in range(f['empty'].id.get_create_plist().get_nfilters())]
chunks = []
for r in (0, 20):
    block = values[r:r + 20]
    bs = 8192 // 2
    chunks.append((struct.pack('>QI', block.nbytes, bs * 2) + bitshuffle.compress_lz4(block.reshape(-1), bs).tobytes()).hex())
emit({'chunks': chunks, 'pipeline': pipeline})`, [at('bshuf.h5')]) as { chunks: string[]; pipeline: number[] };
    expect(py.pipeline).toEqual([32008]);
    {
      using f = File.open(at('bshuf.h5'), 'r+');
      const empty = f.get('empty') as Dataset;
      expect(empty.filters.map((x) => x.id)).toEqual([32008]);
      empty.writeChunks(py.chunks.map((hex, i) => ({ offset: [20 * i, 0], data: Buffer.from(hex, 'hex') })));
      // The chunks of h5py's own dataset, copied without decompressing (h5mpi needs no plugin for that).
      const theirs = f.get('theirs') as Dataset;
      const copy = f.get('copy') as Dataset;
      for (const c of theirs.storedChunks()) {
        const raw = theirs.readChunk(c.offset);
        copy.writeChunk(c.offset, raw.data, { filterMask: raw.filterMask });
      }
    }
    const back = python(`import hdf5plugin
f = h5py.File(sys.argv[1], 'r')
emit({k: f[k][()].reshape(-1).tolist() for k in ('empty', 'copy')})`, [at('bshuf.h5')]) as Record<string, number[]>;
    const want = iota(2000, (i) => (i * 7) & 0xffff);
    expect(back.empty).toEqual(want);
    expect(back.copy).toEqual(want);
  });
});

describe('2 ranks', () => {
  const pdir = path.join(dir, 'par');
  let results: Record<string, unknown>[][];
  let stderr = '';
  beforeAll(async () => {
    fs.mkdirSync(pdir);
    const r = await mpirun(2, 'h5_vds_chunks_par.js', [pdir], { timeoutMs: 120_000 });
    if (r.code !== 0 || r.timedOut || r.results.length !== 2) throw new Error(`the 2-rank run failed: ${describeRun(r)}`);
    results = r.results;
    stderr = r.stderr;
  }, 150_000);
  const each = (label: string): Record<string, unknown>[] => reportsLabelled(results, label);

  test('a virtual dataset is created on every rank; its reads and writes are refused on every rank, saying why', () => {
    for (const r of each('vds')) expect(r).toMatchObject({ isVirtual: true, shape: [3, 4], sources: [['.', '/src/0'], ['.', '/src/1']] });
    for (const label of ['vds collective read', 'vds independent read', 'frames read', 'reopened read']) {
      for (const r of each(label)) {
        expect(r).toMatchObject({ ok: false, name: 'H5Error' });
        expect(r.message).toMatch(new RegExp(`^Dataset '/(v|frames)'.read: HDF5 ${versions.hdf5.replace(/\./g, '\\.')} cannot read virtual datasets through MPI-IO \\("parallel reads not supported on virtual datasets"\\)\\. Close '.*par\\.h5' and open it serially`));
      }
    }
    for (const r of each('vds collective write')) expect(r.message).toMatch(/cannot write virtual datasets through MPI-IO/);
    // h5mpi said it, not HDF5's error stack.
    expect(stderr).not.toMatch(/HDF5-DIAG|Error detected/);
    // The printf-named mapping's extent comes from its two source files, on every rank, also when reopened.
    for (const r of each('frames')) expect(r).toMatchObject({ shape: [6] });
    for (const r of each('reopened')) expect(r).toMatchObject({ shape: [6], virtual: true, v: true });
  });

  test('chunk writes: each rank its own, or the same everywhere; mismatches refused on every rank, nothing written', () => {
    const rows = iota(16, (i) => 100 * Math.floor(i / 4) + (i % 4));
    for (const r of each('gz')) expect(r).toMatchObject({ values: rows, same: [7, 8, 9, 10] });
    for (const r of [...each('writeChunk differs'), ...each('unchecked writeChunk differs')]) {
      expect(r).toMatchObject({ ok: false, name: 'CollectiveMismatchError' });
      expect(r.message).toMatch(/writeChunk\('\/(same|d)', \[0\], Uint8Array.*records a chunk written directly in the chunk index of the rank that wrote it only.*dataset\.writeChunks/);
    }
    for (const r of each('writeChunks clash')) {
      expect(r).toMatchObject({ ok: false, name: 'CollectiveMismatchError' });
      expect(r.message).toContain("Dataset '/gz'.writeChunks: ranks 0 and 1 both bring a chunk at offset [0, 0], with different bytes or filter masks");
    }
    for (const r of each('writeChunks agree')) expect(r).toMatchObject({ ok: true });
    // Read raw and listed on the last rank alone, while the other waited in the next collective call.
    expect(reportsLabelled(results.slice(1), 'local')).toEqual([
      expect.objectContaining({ numChunks: 4, offsets: [[0, 0], [1, 0], [2, 0], [3, 0]], first: [0, 1, 2, 3], mask: 0, same: [7, 8, 9, 10] }),
    ]);
  });

  test('the file reads serially in h5mpi and h5py: the virtual datasets, and the chunks as numbers', () => {
    const file = path.join(pdir, 'par.h5');
    const want = { v: [0, 1, 2, 3, 100, 101, 102, 103, -1, -1, -1, -1], frames: [0, 1, 2, 10, 11, 12], gz: iota(16, (i) => 100 * Math.floor(i / 4) + (i % 4)), same: [7, 8, 9, 10] };
    {
      using f = File.open(file, 'r');
      const read = (name: string): number[] => Array.from((f.get(name) as Dataset<'int32'>).read());
      expect({ v: read('v'), frames: read('frames'), gz: read('gz'), same: read('same') }).toEqual(want);
    }
    if (HAVE_H5PY) {
      expect(python(`f = h5py.File(sys.argv[1], 'r'); emit({k: f[k][()].reshape(-1).tolist() for k in ('v', 'frames', 'gz', 'same')})`, [file])).toEqual(want);
    }
  });
});
