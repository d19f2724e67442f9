#!/usr/bin/env node
// The course's chunking demo (h5py_serial_chunking_demo.py: exercise 6) with h5mpi. The same stack of
// images goes into three files: contiguous, chunked (1, k, k), and chunked with gzip; then every image's
// top-left k x k tile is read back from each, one read per tile, as an image-processing program would.
// Serial under plain `node`; under mpiexec the ranks split the images.
'use strict';
const fs = require('node:fs');
const common = require('./common');

const USAGE = `usage: node demo/chunking.js [nimgs nrows ncols ksize] [--independent] [--keep] [--json]
       mpiexec -n NPROCS node demo/chunking.js [...]

Writes a stack of nimgs random float64 images of nrows x ncols three times, into chunking_contig.h5
(contiguous), chunking_chunked.h5 (chunks of 1 x ksize x ksize) and chunking_gzip.h5 (the same chunks,
gzip level 4), in the current directory. Then reads the top-left ksize x ksize tile of every image from
each file, one read per tile, and prints per layout the write time, the tile-read time and the file size.
Under mpiexec, rank r of p takes images [r*nimgs/p, (r+1)*nimgs/p); transfers are collective (a rank with
nothing left to do takes part with an empty selection).

  nimgs          images (default 500)
  nrows ncols    image size (default 768 x 1366; 500 of them are about 3.9 GiB per file)
  ksize          tile and chunk edge (default 200; at most nrows and ncols)
  --independent  independent MPI-IO transfers (gzip data is still written collectively: parallel
                 HDF5 writes compressed datasets only that way)
  --keep         keep the three files (e.g. to try h5repack on them); by default each is deleted
  --json         end with one JSON line: ranks, MB, open_s, write_s, close_s, total_s, MBps, read_s summed
                 over the layouts (as the peers' keys), and each layout's figures under "layouts"
  --help         this text
`;

const args = common.parseArgs({
  name: 'chunking.js',
  usage: USAGE,
  positional: [
    { name: 'nimgs', kind: 'count', default: 500 },
    { name: 'nrows', kind: 'count', default: 768 },
    { name: 'ncols', kind: 'count', default: 1366 },
    { name: 'ksize', kind: 'count', default: 200 },
  ],
  flags: ['independent', 'keep', 'json'],
});

const { MPI, File, zeros } = common.h5mpi('chunking.js');

/** Images generated at once per rank: enough for one large write, bounded so that big stacks fit in memory. */
const BATCH_BYTES = 512 * common.MB;

common.run('chunking.js', () => {
  const { nimgs, nrows, ncols, ksize } = args;
  if (ksize > nrows || ksize > ncols) throw new common.UsageError(`ksize ${ksize} is larger than an image (${nrows} x ${ncols})`);
  const comm = MPI.COMM_WORLD;
  const { rank, size } = comm;
  const collective = !args.flags.independent;
  const pixels = nrows * ncols;
  const [ilo, ihi] = common.blockOf(nimgs, rank, size);
  const mine = ihi - ilo;
  const most = Math.ceil(nimgs / size); // the largest share: every rank makes this many collective calls
  const perBatch = Math.max(1, Math.floor(BATCH_BYTES / (pixels * 8)));
  const rounds = Math.ceil(most / perBatch);
  const empty = new Float64Array(0);
  const nothing = { start: [0, 0, 0], count: [0, nrows, ncols] };

  // Image i is always the same (seeded by i), whichever rank makes it, so every run and layout stores the same stack.
  let cached;
  function batch(round) {
    const from = ilo + round * perBatch, to = Math.min(ihi, from + perBatch);
    if (from >= to) return { data: empty, selection: nothing };
    if (cached && cached.from === from) return cached;
    const data = zeros('float64', [to - from, nrows, ncols]);
    for (let i = from; i < to; i++) common.fillUniform64(data.subarray((i - from) * pixels, (i + 1 - from) * pixels), common.SEED + i);
    const b = { from, data, selection: { start: [from, 0, 0], count: [to - from, nrows, ncols] } };
    if (rounds === 1) cached = b; // it fits: make it once for all three layouts
    return b;
  }

  const layouts = [
    { layout: 'contiguous', file: 'chunking_contig.h5', options: {} },
    { layout: 'chunked', file: 'chunking_chunked.h5', options: { chunks: [1, ksize, ksize] } },
    { layout: 'chunked+gzip', file: 'chunking_gzip.h5', options: { chunks: [1, ksize, ksize], compression: 'gzip', compressionLevel: 4 } },
  ];
  const tileSize = ksize * ksize;
  let reference; // this rank's tiles from the contiguous file
  let mismatched = 0;
  const results = [];
  for (const L of layouts) {
    // ---- write: generating the images is not timed ----
    common.settleHeap();
    comm.barrier();
    let t0 = MPI.Wtime();
    const f = File.open(L.file, 'w', common.fileOptions(MPI));
    const d = f.createDataset('test', { shape: [nimgs, nrows, ncols], dtype: 'float64', ...L.options });
    const open_s = MPI.Wtime() - t0;
    // Parallel HDF5 writes filtered (compressed) datasets only collectively.
    const writeCollective = collective || (L.options.compression !== undefined && f.parallel);
    const written = !f.parallel ? 'serial' : writeCollective ? 'collective' : 'independent';
    let write_s = 0;
    for (let r = 0; r < rounds; r++) {
      const b = batch(r);
      common.settleHeap();
      comm.barrier(); // no rank's clock runs while another is still generating
      if (b.data.length === 0 && !writeCollective) continue;
      t0 = MPI.Wtime();
      d.write(b.data, b.selection, { collective: writeCollective });
      write_s += MPI.Wtime() - t0;
    }
    t0 = MPI.Wtime();
    f.close();
    const close_s = MPI.Wtime() - t0;

    // ---- read every image's top-left tile, one read per tile ----
    const tiles = zeros('float64', mine * tileSize).fill(0); // touched off the clock, as read.js does
    const g = File.open(L.file, 'r', common.fileOptions(MPI));
    const e = g.get('test');
    common.settleHeap();
    comm.barrier();
    t0 = MPI.Wtime();
    for (let j = 0; j < (collective ? most : mine); j++) {
      if (j < mine) {
        e.readInto(tiles.subarray(j * tileSize, (j + 1) * tileSize), { start: [ilo + j, 0, 0], count: [1, ksize, ksize] }, { collective });
      } else {
        e.readInto(empty, { start: [0, 0, 0], count: [0, ksize, ksize] }, { collective });
      }
    }
    const read_s = MPI.Wtime() - t0;
    g.close();

    if (reference === undefined) {
      reference = tiles;
      mismatched += checkAgainstImages(tiles, ilo, mine, ncols, ksize);
    } else if (Buffer.compare(bytesOf(tiles), bytesOf(reference)) !== 0) {
      mismatched += mine;
    }
    const t = common.maxOverRanks(comm, { open_s, write_s, close_s, total_s: open_s + write_s + close_s, read_s });
    comm.barrier();
    const fileBytes = rank === 0 ? fs.statSync(L.file).size : 0;
    if (rank === 0 && !args.flags.keep) fs.rmSync(L.file, { force: true });
    results.push({ layout: L.layout, chunks: L.options.chunks ?? null, compression: L.options.compression ?? null, written, ...t, file_MB: fileBytes / common.MB });
  }
  const badTiles = comm.allreduce(mismatched, 'sum');
  if (badTiles > 0) process.exitCode = 1;
  if (rank !== 0) return;

  const fsType = common.fsType('.');
  const stackMB = (nimgs * pixels * 8) / common.MB;
  const tileMB = (nimgs * tileSize * 8) / common.MB;
  const mode = collective ? 'collective' : 'independent';
  const how = common.fileOptions(MPI).comm ? mode : 'serial (no mpiexec)';
  console.log(`chunking.js: ${size} rank${size > 1 ? 's' : ''}, ${nimgs} images of ${nrows} x ${ncols} float64 (${common.mbText(stackMB)} MB a file), ` +
    `${ksize} x ${ksize} tiles (${common.mbText(tileMB)} MB), ${how}, on ${fsType}`);
  console.log(`  ${'layout'.padEnd(28)}${'write'.padStart(10)}${'MB/s'.padStart(10)}${'tiles read'.padStart(12)}${'file MB'.padStart(10)}`);
  for (const r of results) {
    const name = r.chunks ? `${r.layout} (${r.chunks.join(',')})` : r.layout;
    console.log(`  ${name.padEnd(28)}${common.secs(r.total_s).padStart(10)}${common.mbText(stackMB / r.total_s).padStart(10)}` +
      `${common.secs(r.read_s).padStart(12)}${common.mbText(r.file_MB).padStart(10)}`);
  }
  if (badTiles === 0) console.log(`  tiles: all ${nimgs} equal the corners of the generated images, in every layout`);
  else console.log(`  tiles FAILED: ${badTiles} tile reads differ from the generated images`);
  if (args.flags.json) {
    const sum = (k) => results.reduce((a, r) => a + r[k], 0);
    const total = sum('total_s');
    common.printJson({
      demo: 'chunking', ranks: size, mode, MB: 3 * stackMB, open_s: sum('open_s'), write_s: sum('write_s'), close_s: sum('close_s'),
      total_s: total, MBps: (3 * stackMB) / total, read_s: sum('read_s'), tile_MB: tileMB, fs: fsType, nimgs, nrows, ncols, ksize,
      bad_tiles: badTiles, layouts: results.map((r) => ({ ...r, MB: stackMB, MBps: stackMB / r.total_s })),
    });
  }
});

/** The bytes of a typed array's own elements (an array from zeros() sits inside a larger buffer). */
function bytesOf(a) {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Counts the tiles that differ from the top-left corner of the image they were read from, regenerated. */
function checkAgainstImages(tiles, ilo, count, ncols, ksize) {
  const rows = new Float64Array(ksize * ncols);
  let bad = 0;
  for (let j = 0; j < count; j++) {
    common.fillUniform64(rows, common.SEED + ilo + j); // an image's first ksize rows are its first values
    let same = true;
    for (let y = 0; y < ksize && same; y++) {
      for (let x = 0; x < ksize; x++) {
        if (tiles[j * ksize * ksize + y * ksize + x] !== rows[y * ncols + x]) {
          same = false;
          break;
        }
      }
    }
    if (!same) bad++;
  }
  return bad;
}
