#!/usr/bin/env node
// The course's parallel reader (h5py_read_demo.py: exercises 2 to 5) with h5mpi. Each rank reads its block
// of rows of a file that write.js (or the h5py peer) wrote with any number of ranks, in one collective
// call, then checks every value against the range of the rank that wrote its row.
'use strict';
const common = require('./common');

const USAGE = `usage: mpiexec -n NPROCS node demo/read.js [file] [--verbose] [--global] [--independent] [--json]

Reads the 2-D dataset 'test' of file (written by demo/write.js or the h5py peer, with any number of
ranks), rank r of p taking rows [r*nrows/p, (r+1)*nrows/p) in one collective call. Checks that every value
lies in the range its writer rank wrote, [1000(w+1), 1000(w+1)+1], and prints the size, the time from open
to close, the throughput and the file system type of the path (df -PT).

  file           the HDF5 file to read (default test.h5)
  --verbose      the process view (exercise 3): each rank's block shape and the first value of its block
  --global       the global view (exercise 3): the value at [0,0], read by every rank
  --independent  read with independent MPI-IO instead of one collective call
  --json         end with one JSON line: ranks, MB, open_s, read_s, close_s, total_s, MBps (as the peers)
  --help         this text
`;

const args = common.parseArgs({
  name: 'read.js',
  usage: USAGE,
  positional: [{ name: 'file', kind: 'path', default: 'test.h5' }],
  flags: ['verbose', 'global', 'independent', 'json'],
});

const { MPI, File, Dataset, zeros } = common.h5mpi('read.js');

/** Opens the file and its dataset 'test', turning "not what read.js reads" into one message for rank 0. */
function openDataset(file) {
  let f, d;
  try {
    f = File.open(file, 'r', common.fileOptions(MPI));
    d = f.get('test');
  } catch (e) {
    if (e.name === 'PeerFailedError') throw e;
    // Only on failure: asking first would add a metadata call (collective when checked) to every timed open.
    if (f && !f.has('test')) {
      throw new common.DemoError(`'${file}' has no dataset 'test' (it has: ${f.keys().join(', ') || 'nothing'}); write one with demo/write.js`);
    }
    throw new common.DemoError(e.message.split('\n')[0]);
  }
  if (!(d instanceof Dataset) || d.ndim !== 2 || d.dtype === 'string') {
    throw new common.DemoError(`'${file}': 'test' is not a 2-D numeric dataset; write one with demo/write.js`);
  }
  if (d.shape[0] === 0 || d.shape[1] === 0) throw new common.DemoError(`'${file}': dataset 'test' is empty (shape [${d.shape}])`);
  return { f, d };
}

/**
 * How many ranks wrote the file: rank P-1 of P always writes the last row (its block ends at nrows), with
 * values in [1000P, 1000P + 1]; this holds for write.js and for the h5py and C peers alike.
 */
function writerCount(comm, block, rows, ncols) {
  const last = rows > 0 ? block[(rows - 1) * ncols] : -Infinity;
  const top = comm.allreduce(last, 'max');
  const writers = Math.floor(top / 1000);
  if (!(writers >= 1)) {
    throw new common.DemoError(`cannot tell how many ranks wrote the file: its last row starts with ${top}, outside every writer's range`);
  }
  return writers;
}

/** Checks this rank's rows against the ranges of the ranks that wrote them; returns the count of bad values and the first. */
function check(block, lo, hi, ncols, nrows, writers) {
  let bad = 0;
  let first = null;
  for (let w = 0; w < writers; w++) {
    const [wlo, whi] = common.blockOf(nrows, w, writers);
    const from = Math.max(wlo, lo), to = Math.min(whi, hi);
    if (from >= to) continue;
    // The upper end is allowed: the h5py and C peers add a random [0,1) to 1000(w+1) in float32, which can
    // round up to it (write.js draws exact float32 values below it).
    const min = 1000 * (w + 1), max = min + 1;
    const end = (to - lo) * ncols;
    for (let i = (from - lo) * ncols; i < end; i++) {
      const v = block[i];
      if (!(v >= min && v <= max)) {
        if (bad === 0) first = `[${lo + Math.floor(i / ncols)}, ${i % ncols}] = ${v}, writer rank ${w} wrote [${min}, ${max}]`;
        bad++;
      }
    }
  }
  return { bad, first };
}

common.run('read.js', () => {
  const { file } = args;
  common.checkReadablePath('file', file);
  const comm = MPI.COMM_WORLD;
  const { rank, size } = comm;
  const mode = args.flags.independent ? 'independent' : 'collective';

  comm.barrier();
  const t0 = MPI.Wtime();
  const { f, d } = openDataset(file);
  const t1 = MPI.Wtime();
  const [nrows, ncols] = d.shape;
  const [lo, hi] = common.blockOf(nrows, rank, size);
  // The destination is on huge pages (zeros), as numpy's arrays are, and touched off the clock as the peers
  // touch theirs: its page faults would be counted as reading otherwise.
  const block = zeros('float32', [hi - lo, ncols]).fill(0);
  common.settleHeap();
  comm.barrier();
  const t1b = MPI.Wtime();
  d.readInto(block, { start: [lo, 0], count: [hi - lo, ncols] }, { collective: mode === 'collective' });
  const t2 = MPI.Wtime();
  const did = d.lastTransfer?.mode ?? 'serial';
  const driver = f.driver;
  const dtype = d.dtype;
  const writers = writerCount(comm, block, hi - lo, ncols);
  // Exercise 3's global view: every rank reads the same element, whoever's rows it is in (untimed).
  const globalValue = args.flags.global ? d.read({ start: [0, 0], count: [1, 1] })[0] : undefined;
  const t3 = MPI.Wtime();
  f.close();
  const t4 = MPI.Wtime();

  const t = common.maxOverRanks(comm, { open_s: t1 - t0, read_s: t2 - t1b, close_s: t4 - t3, total_s: t1 - t0 + (t2 - t1b) + (t4 - t3) });
  const { bad, first } = check(block, lo, hi, ncols, nrows, writers);
  const totalBad = comm.allreduce(bad, 'sum');
  const firsts = comm.gather(first === null ? null : `rank ${rank} read ${first}`, 0);
  const views = [];
  if (args.flags.verbose) views.push(`rank ${rank}: shape [${hi - lo}, ${ncols}], block[0,0] = ${hi > lo ? block[0] : '(no rows)'}`);
  if (args.flags.global) views.push(`rank ${rank}: dataset[0,0] = ${globalValue}`);
  const allViews = comm.gather(views, 0);
  // Rank 0 alone reports and sets the job's status: had the others exited 1 too, the launcher could end the
  // job before rank 0's report was out (Open MPI 5's does, and drops it).
  if (rank !== 0) return;

  const fs = common.fsType(file);
  const mb = (nrows * ncols * 4) / common.MB;
  const how = driver === 'sec2' ? 'serial (no mpiexec)' : did === mode ? mode : `${mode} requested, HDF5 did it ${did}`;
  console.log(`read.js: ${size} rank${size > 1 ? 's' : ''} read ${nrows} x ${ncols} ${dtype} (${common.mbText(mb)} MB) from ${file} on ${fs}, ${how}`);
  console.log(`  ${common.spanLine(t, 'read', mb)}`);
  if (args.flags.verbose) {
    console.log('  process view: each rank\'s own block');
    for (const v of allViews) console.log(`    ${v[0]}`);
  }
  if (args.flags.global) {
    console.log('  global view: the element [0,0] of the whole dataset, read by every rank');
    for (const v of allViews) console.log(`    ${v[v.length - 1]}`);
  }
  const checked = nrows * ncols;
  if (totalBad === 0) {
    console.log(`  check: all ${checked} values lie in their writer rank's range (${writers} writer rank${writers > 1 ? 's' : ''}, from the last row's values)`);
  } else {
    console.log(`  check FAILED: ${totalBad} of ${checked} values lie outside their writer rank's range (${writers} writer ranks, from the last row's values)`);
    for (const line of firsts.filter((x) => x !== null).slice(0, 8)) console.log(`    ${line}`);
    process.exitCode = 1;
  }
  if (args.flags.json) {
    common.printJson({
      demo: 'read', ranks: size, mode, MB: mb, ...t, MBps: mb / t.total_s, io: did, driver, fs, file, nrows, ncols,
      writer_ranks: writers, checked, out_of_range: totalBad,
    });
  }
});
