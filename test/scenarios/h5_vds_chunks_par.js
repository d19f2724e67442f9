// Virtual datasets and direct chunk I/O in a parallel file. Every rank: creates source datasets and a
// virtual dataset over them (collectively), has its reads and writes refused, opens an unlimited
// printf-named virtual dataset; writes gzip chunks compressed by node:zlib, each rank its own (writeChunks)
// and one the same everywhere (writeChunk); sees mismatched chunk writes refused on every rank with nothing
// written; reads chunks raw and lists them locally, on one rank only.
// Usage: h5_vds_chunks_par.js <dir>
'use strict';
const path = require('node:path');
const zlib = require('node:zlib');
const { MPI, File, VirtualLayout, VirtualSource } = require('../..');
const { report, attempt } = require('./report');

const [dir] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const deflate = (a) => zlib.deflateSync(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
const row = (r) => Int32Array.from({ length: 4 }, (_, c) => 100 * r + c);

// Source files of an unlimited printf-named mapping, made by rank 0 alone (files of its own).
if (rank === 0) {
  for (let k = 0; k < 2; k++) {
    const s = File.open(path.join(dir, `frames_${k}.h5`), 'w', { comm: MPI.COMM_SELF });
    s.createDataset('f', { shape: [3], dtype: 'int16', data: [10 * k, 10 * k + 1, 10 * k + 2] });
    s.close();
  }
}
comm.barrier();

const f = File.open(path.join(dir, 'par.h5'), 'w');
const sources = [];
for (let k = 0; k < size; k++) sources.push(f.createDataset(`src/${k}`, { shape: [4], dtype: 'int32' }));
sources[rank].write(row(rank));
const layout = new VirtualLayout({ shape: [size + 1, 4], dtype: 'int32' });
sources.forEach((s, k) => layout.set({ start: [k, 0], count: [1, 4] }, new VirtualSource(s)));
const v = f.createVirtualDataset('v', layout, { fillValue: -1 });
report({ label: 'vds', isVirtual: v.isVirtual, shape: v.shape, sources: v.virtualSources().map((m) => [m.file, m.path]) });
attempt('vds collective read', () => v.read(undefined, { collective: true }));
attempt('vds independent read', () => v.read({ start: [rank, 0], count: [1, 4] }));
attempt('vds collective write', () => v.write(row(rank), { start: [rank, 0], count: [1, 4] }, { collective: true }));

const frames = f.createVirtualDataset(
  'frames',
  new VirtualLayout({ shape: [0], dtype: 'int16', maxshape: [Infinity] }).set(
    { start: [0], stride: [3], count: [Infinity], block: [3] },
    new VirtualSource('frames_%b.h5', 'f', { shape: [3] }),
  ),
  { fillValue: -2 },
);
report({ label: 'frames', shape: frames.shape, maxshape: frames.maxshape });
attempt('frames read', () => frames.read(undefined, { collective: true }));

// Chunks: rows of a [2 * size, 4] gzip dataset in chunks of one row; each rank brings its own two.
const gz = f.createDataset('gz', { shape: [2 * size, 4], dtype: 'int32', chunks: [1, 4], compression: 'gzip' });
const mine = [2 * rank, 2 * rank + 1];
gz.writeChunks(mine.map((r) => ({ offset: [r, 0], data: deflate(row(r)) })));
const same = f.createDataset('same', { shape: [4], dtype: 'int32', chunks: [4], compression: 'gzip' });
same.writeChunk([0], deflate(Int32Array.of(7, 8, 9, 10)));

// Refused on every rank, nothing written: a different chunk per rank through writeChunk, and two ranks
// bringing different bytes for one offset through writeChunks.
attempt('writeChunk differs', () => same.writeChunk([0], deflate(Int32Array.of(rank, rank, rank, rank))));
attempt('writeChunks clash', () => gz.writeChunks([{ offset: [0, 0], data: deflate(Int32Array.of(rank, 0, 0, 0)) }]));
// Bytes the same everywhere: one write.
attempt('writeChunks agree', () => gz.writeChunks([{ offset: [1, 0], data: deflate(row(1)) }]));

// Local on one rank: the others go on to the collective read below and wait there.
if (rank === size - 1) {
  const chunk = gz.readChunk([0, 0]);
  report({
    label: 'local',
    numChunks: gz.numChunks,
    offsets: gz.storedChunks().map((c) => c.offset),
    first: Array.from(new Int32Array(new Uint8Array(zlib.inflateSync(chunk.data)).buffer)),
    mask: chunk.filterMask,
    same: Array.from(new Int32Array(new Uint8Array(zlib.inflateSync(same.readChunk([0]).data)).buffer)),
  });
}
report({ label: 'gz', values: Array.from(gz.read(undefined, { collective: true })), same: Array.from(same.read(undefined, { collective: true })) });
f.close();

// Checked even in a file whose collective calls are not: a mismatch would corrupt it silently.
const u = File.open(path.join(dir, 'unchecked.h5'), 'w', { checkCollective: false });
const ud = u.createDataset('d', { shape: [4], dtype: 'int32', chunks: [4], compression: 'gzip' });
attempt('unchecked writeChunk differs', () => ud.writeChunk([0], deflate(Int32Array.of(rank, 0, 0, 0))));
u.close();

// Opened again in parallel: the virtual datasets open on every rank (the printf mapping's extent from its files).
const g = File.open(path.join(dir, 'par.h5'), 'r');
const again = g.get('frames');
report({ label: 'reopened', shape: again.shape, virtual: again.isVirtual, v: g.get('v').isVirtual });
attempt('reopened read', () => g.get('v').read());
g.close();
