// A file whose writes start failing while it is open: a full disk (a small tmpfs), a file system that turns
// read-only (ext4 after an error, errors=remount-ro), a directory removed under the file. Every rank runs
// the case's steps and reports each one's outcome; the test checks that the first failure names the file
// and the errno on every rank, that every later call throws at once (code UNUSABLE), that close() ends on
// every rank, and that the job goes on: a file elsewhere is written and read back after it.
// With H5MPI_FAULT_COLLECTIVE_METADATA=0 the file is opened with collectiveMetadata: false (h5py's default:
// HDF5 writes its metadata independently).
// Usage: h5_faults.js <case> <dir on the failing file system> <healthy dir>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { MPI, File } = require('../..');
const { report } = require('./report');

const [which, dir, healthyDir] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const file = path.join(dir, 'f.h5');
const MiB = 1024 * 1024;

/** Runs a step and reports its outcome, with what an error says. */
function step(label, fn) {
  const t0 = Date.now();
  try {
    fn();
    report({ label, ok: true, ms: Date.now() - t0 });
    return true;
  } catch (e) {
    report({ label, ok: false, ms: Date.now() - t0, name: e.name, code: e.code, errno: e.errno, message: e.message, messages: e.messages });
    return false;
  }
}

/** This rank's rows of an n-row float64 dataset: [start, count]. */
function rows(n) {
  const per = Math.floor(n / size);
  return { start: [rank * per], count: [rank === size - 1 ? n - rank * per : per] };
}
const fill = (n, v) => new Float64Array(n).fill(v);

/** Fills the disk but for about `leftMiB`: a dataset written and flushed while there is room. */
function fillDisk(f, leftMiB) {
  const { bavail, bsize } = fs.statfsSync(dir);
  const n = Math.max(0, Math.floor((bavail * bsize - leftMiB * MiB) / 8));
  const d = f.createDataset('filler', { shape: [n], dtype: 'float64' });
  const mine = rows(n);
  d.write(fill(mine.count[0], 1), mine, { collective: true });
  f.flush();
}

const f = File.open(file, 'w', process.env.H5MPI_FAULT_COLLECTIVE_METADATA === '0' ? { collectiveMetadata: false } : {});
report({ label: 'opened', collectiveMetadataWrites: f.parallel ? f.ctx.native.accessInfo().collectiveMetadataWrites : undefined });
const big = 50 * MiB / 8; // more than the 20 MiB file system holds
let d;
switch (which) {
  case 'collective-write':
    d = f.createDataset('x', { shape: [big], dtype: 'float64' });
    step('write', () => d.write(fill(rows(big).count[0], 2), rows(big), { collective: true }));
    break;
  case 'independent-write':
    // Only the last rank writes (independently): the others learn of its failure at the next collective call.
    d = f.createDataset('x', { shape: [big], dtype: 'float64' });
    step('write', () => {
      if (rank === size - 1) d.write(fill(big, 3), undefined, { collective: false });
    });
    break;
  case 'create':
    // Datasets are allocated when created in parallel (HDF5's rule for MPI-IO) and when written serially.
    fillDisk(f, 1);
    step('create', () => {
      d = f.createDataset('x', { shape: [big], dtype: 'float64', chunks: [65536], fillValue: 7 });
      d.write(fill(rows(big).count[0], 4), rows(big), { collective: true });
    });
    break;
  case 'create-filled':
    // A contiguous dataset with a fill value, too large for what is left: in parallel refused before HDF5
    // (whose fill write would hang the job when it fails), so the file stays usable.
    fillDisk(f, 1);
    step('create', () => (d = f.createDataset('x', { shape: [big], dtype: 'float64', fillValue: 7 })));
    break;
  case 'attrs':
    // Attributes live in HDF5's metadata cache: the disk is found full when they are written out.
    fillDisk(f, 0.1);
    step('attrs', () => {
      for (let i = 0; i < 64; i++) f.attrs.set(`a${i}`, fill(2000, i));
      f.flush();
    });
    break;
  case 'flush':
    fillDisk(f, 0.1);
    for (let i = 0; i < 100; i++) f.createGroup(`g${i}`).attrs.set('v', fill(512, i));
    step('flush', () => f.flush());
    break;
  case 'close':
    fillDisk(f, 0.1);
    for (let i = 0; i < 100; i++) f.createGroup(`g${i}`).attrs.set('v', fill(512, i));
    break;
  case 'read-only': {
    // The file system turns read-only under the open file, as ext4 does after an error (errors=remount-ro).
    d = f.createDataset('x', { shape: [1024], dtype: 'float64' });
    d.write(fill(rows(1024).count[0], 5), rows(1024), { collective: true });
    f.flush();
    comm.barrier(); // every rank out of the flush (whose fsync may come after its barrier) first
    if (rank === 0) fs.writeFileSync(process.env.H5MPI_FAULT_TRIGGER, '1');
    comm.barrier();
    step('write', () => {
      d.write(fill(rows(1024).count[0], 6), rows(1024), { collective: true });
      f.flush();
    });
    break;
  }
  case 'read-only-large': {
    // As 'read-only', with a collective write large enough for Open MPI's vulcan to write in several
    // cycles (each aggregator writes 32 MiB a cycle while exchanging the next), where a failed write
    // would leave the other ranks waiting for the aggregator's part of the next exchange.
    const n = (96 * MiB) / 8;
    d = f.createDataset('x', { shape: [n], dtype: 'float64' });
    f.flush();
    comm.barrier();
    if (rank === 0) fs.writeFileSync(process.env.H5MPI_FAULT_TRIGGER, '1');
    comm.barrier();
    step('write', () => {
      d.write(fill(rows(n).count[0], 6), rows(n), { collective: true });
      f.flush();
    });
    break;
  }
  case 'thin': {
    // The storage under the file system runs out (ext4 on a loop device whose image lives on a smaller
    // file system: thin provisioning): statvfs shows room, the write goes into the page cache, and the
    // failure comes at the flush's fsync (after which ext4 aborts its journal and turns read-only).
    const n = (16 * MiB) / 8;
    d = f.createDataset('x', { shape: [n], dtype: 'float64' });
    step('write', () => {
      d.write(fill(rows(n).count[0], 9), rows(n), { collective: true });
      f.flush();
    });
    break;
  }
  case 'removed-directory': {
    // POSIX keeps an open file that lost its name: writes go on into it, and it is gone at close.
    d = f.createDataset('x', { shape: [1024], dtype: 'float64' });
    comm.barrier();
    if (rank === 0) fs.rmSync(dir, { recursive: true });
    comm.barrier();
    step('write', () => d.write(fill(rows(1024).count[0], 8), rows(1024), { collective: true }));
    step('flush', () => f.flush());
    break;
  }
  default:
    throw new Error(`unknown case ${which}`);
}
// Every later call: flush, a new group, an attribute, a read, a dataset's close, and the file's close (in
// 'close', the close is the first call that writes).
if (which !== 'removed-directory' && which !== 'close') {
  step('after.flush', () => f.flush());
  step('after.group', () => f.createGroup('later'));
  step('after.attr', () => f.attrs.set('later', 1));
  step('after.keys', () => f.keys());
  if (d && !d.closed) step('after.closeDataset', () => d.close());
}
step('close', () => f.close());
step('closeAgain', () => f.close());
report({ label: 'closed', closed: f.closed });
// The job goes on: another file, on a healthy file system, written and read back by every rank (under
// Open MPI's ROMIO, refused after a failure: docs/errors.md).
let g;
try {
  g = File.open(path.join(healthyDir, 'after.h5'), 'w');
} catch (e) {
  report({ label: 'afterwards', ok: false, name: e.name, code: e.code, message: e.message });
}
if (g) {
  const e = g.createDataset('y', { shape: [size], dtype: 'int32' });
  e.write(Int32Array.of(rank + 1), { start: [rank], count: [1] }, { collective: true });
  report({ label: 'afterwards', values: Array.from(e.read()) });
  g.close();
}
if (which === 'removed-directory') report({ label: 'gone', exists: fs.existsSync(file) });
