#!/usr/bin/env node
// The course's parallel writer (h5py_write_demo.py: exercises 1, 4 and 5) with h5mpi. Each rank fills its
// block of rows with seeded values in [1000(r+1), 1000(r+1)+1) before the clock starts; then all ranks
// open the file on COMM_WORLD, create the dataset, write their blocks in one collective call and close.
'use strict';
const common = require('./common');

const USAGE = `usage: mpiexec -n NPROCS node demo/write.js [nrows ncols file] [--independent] [--json]

Writes an nrows x ncols float32 dataset 'test' into file, split by rows across the ranks: rank r of p
writes rows [r*nrows/p, (r+1)*nrows/p) with values in [1000(r+1), 1000(r+1)+1), in one collective call.
Rank 0 prints the size, the time from open to close, the throughput and the file system type of the path
(df -PT), for comparing local disk, GPFS and NFS.

  nrows          rows (default 128)
  ncols          columns (default 10000000; 128 x 10000000 float32 is about 4.8 GiB)
  file           the HDF5 file to create or overwrite (default test.h5)
  --independent  write with independent MPI-IO instead of one collective call
  --json         end with one JSON line: ranks, MB, open_s, write_s, close_s, total_s, MBps (as the peers)
  --help         this text
`;

const args = common.parseArgs({
  name: 'write.js',
  usage: USAGE,
  positional: [
    { name: 'nrows', kind: 'count', default: 128 },
    { name: 'ncols', kind: 'count', default: 10_000_000 },
    { name: 'file', kind: 'path', default: 'test.h5' },
  ],
  flags: ['independent', 'json'],
});

const { MPI, File, zeros } = common.h5mpi('write.js');

common.run('write.js', () => {
  const { nrows, ncols, file } = args;
  common.checkWritablePath('file', file);
  const comm = MPI.COMM_WORLD;
  const { rank, size } = comm;
  const mode = args.flags.independent ? 'independent' : 'collective';
  const [lo, hi] = common.blockOf(nrows, rank, size);
  const block = common.fillRange32(zeros('float32', [hi - lo, ncols]), common.SEED + rank, 1000 * (rank + 1));
  common.settleHeap();

  comm.barrier();
  const t0 = MPI.Wtime();
  const f = File.open(file, 'w', common.fileOptions(MPI));
  const d = f.createDataset('test', { shape: [nrows, ncols], dtype: 'float32' });
  const t1 = MPI.Wtime();
  d.write(block, { start: [lo, 0], count: [hi - lo, ncols] }, { collective: mode === 'collective' });
  const t2 = MPI.Wtime();
  const did = d.lastTransfer?.mode ?? 'serial';
  const driver = f.driver;
  f.close();
  const t3 = MPI.Wtime();

  const t = common.maxOverRanks(comm, { open_s: t1 - t0, write_s: t2 - t1, close_s: t3 - t2, total_s: t3 - t0 });
  if (rank !== 0) return;
  const fs = common.fsType(file);
  const mb = (nrows * ncols * 4) / common.MB;
  const how = driver === 'sec2' ? 'serial (no mpiexec)' : did === mode ? mode : `${mode} requested, HDF5 did it ${did}`;
  console.log(`write.js: ${size} rank${size > 1 ? 's' : ''} wrote ${nrows} x ${ncols} float32 (${common.mbText(mb)} MB) to ${file} on ${fs}, ${how}`);
  console.log(`  ${common.spanLine(t, 'write', mb)}`);
  if (args.flags.json) {
    common.printJson({ demo: 'write', ranks: size, mode, MB: mb, ...t, MBps: mb / t.total_s, io: did, driver, fs, file, nrows, ncols });
  }
});
