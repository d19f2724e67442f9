// How files open in a job: without a comm (COMM_WORLD when size > 1, serial at one rank), on COMM_WORLD with
// MPI-IO hints and without collective metadata, on split communicators (one file per colour), on
// COMM_SELF (one file per rank), and h5py's modes. Every rank then opens every file on COMM_WORLD and
// reports what it reads, so that the test sees each file holds what its writers wrote.
// Usage: h5_par_open.js <dir>
'use strict';
const { join } = require('node:path');
const { MPI, File } = require('../..');
const { report } = require('./report');

const dir = process.argv[2];
const world = MPI.COMM_WORLD;
const { rank, size } = world;
const at = (name) => join(dir, name);
const rowOf = (r) => ({ start: [r, 0], count: [1, 4] });
// Row r of a file written by world rank w: distinct per file, writer and column.
const row = (fileNo, w) => Float64Array.from({ length: 4 }, (_, k) => fileNo * 1000 + w * 10 + k);

function describe(f) {
  // What HDF5's file access property list really holds, not what the File object remembers.
  const access = f.ctx.native.accessInfo();
  return {
    parallel: f.parallel,
    driver: f.driver,
    commSize: f.comm ? f.comm.size : null,
    commIsWorld: f.comm === world,
    collectiveMetadata: f.collectiveMetadata,
    h5: { driver: access.driver, reads: access.collectiveMetadataReads, writes: access.collectiveMetadataWrites },
  };
}

function failure(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return { name: e.name, message: e.message };
  }
}

// 1. No comm: the job's world (serial in a one-rank job).
{
  const f = File.open(at('default.h5'), 'w');
  const d = f.createDataset('rows', { shape: [size, 4], dtype: 'float64' });
  d.write(row(1, rank), rowOf(rank), { collective: true });
  report({ label: 'default', ...describe(f) });
  f.close();
}

// 2. COMM_WORLD given, with MPI-IO hints, collective metadata off: metadata reads are then local, so one
// rank alone may look at the tree.
{
  const info = { romio_cb_write: 'enable', romio_cb_read: 'automatic', cb_buffer_size: 1 << 20, romio_ds_write: 'disable' };
  const f = File.open(at('world.h5'), 'w', { comm: world, info, collectiveMetadata: false });
  const d = f.createDataset('rows', { shape: [size, 4], dtype: 'float64' });
  d.collective.write(row(2, rank), rowOf(rank));
  f.createGroup('g');
  f.attrs.set('writers', size);
  const local = rank === size - 1 ? { keys: f.keys(), has: f.has('g'), writers: f.attrs.get('writers') } : null;
  const hints = f.mpiHints;
  report({ label: 'world', ...describe(f), local, hints: Object.fromEntries(Object.keys(info).map((k) => [k, hints[k]])) });
  f.close();
}

// 3. A split communicator per colour, each writing its own file.
{
  const color = rank % 2;
  const sub = world.split(color);
  const f = File.open(at(`split-${color}.h5`), 'w', { comm: sub });
  const d = f.createDataset('rows', { shape: [sub.size, 4], dtype: 'float64' });
  d.collective.write(row(3 + color, rank), rowOf(sub.rank));
  f.attrs.set('members', sub.size);
  report({ label: 'split', color, subRank: sub.rank, ...describe(f) });
  f.close();
  sub.free();
}

// 4. COMM_SELF: a parallel file of one rank, one per rank, written while the others write theirs.
{
  const f = File.open(at(`self-${rank}.h5`), 'w', { comm: MPI.COMM_SELF });
  const d = f.createDataset('rows', { shape: [1, 4], dtype: 'float64' });
  d.collective.write(row(5, rank));
  report({ label: 'self', ...describe(f), isSelf: f.comm === MPI.COMM_SELF });
  f.close();
}

// 5. Modes, on the world: 'a' reopens and adds, 'w-' and 'x' refuse an existing file, 'r+' a missing one,
// 'x' creates a new one.
{
  const modes = {
    wDash: failure(() => File.open(at('default.h5'), 'w-')),
    x: failure(() => File.open(at('world.h5'), 'x')),
    rPlusMissing: failure(() => File.open(at('missing.h5'), 'r+')),
    rMissing: failure(() => File.open(at('missing.h5'), 'r')),
  };
  const a = File.open(at('default.h5'), 'a', { collectiveMetadata: true });
  a.createDataset('added', { shape: [size], dtype: 'int32' }).collective.write(Int32Array.of(rank * 7), { start: [rank], count: [1] });
  a.close();
  const x = File.open(at('new.h5'), 'x');
  x.attrs.set('made', 'x');
  x.close();
  report({ label: 'modes', modes });
}

// 6. Everything read back by every rank, each file opened on the world.
{
  const files = ['default.h5', 'world.h5', 'split-0.h5', ...(size > 1 ? ['split-1.h5'] : []), ...Array.from({ length: size }, (_, r) => `self-${r}.h5`)];
  const rows = {};
  for (const name of files) {
    const f = File.open(at(name), 'r');
    rows[name] = f.get('rows').collective.read();
    if (name.startsWith('split')) rows[`${name}:members`] = f.attrs.get('members');
    f.close();
  }
  const d = File.open(at('default.h5'), 'r', { comm: world, info: { romio_cb_read: 'enable' } });
  rows['default.h5:added'] = d.get('added').read();
  d.close();
  const w = File.open(at('world.h5'), 'r', { collectiveMetadata: true });
  rows['world.h5:writers'] = w.attrs.get('writers');
  rows['world.h5:keys'] = w.keys();
  w.close();
  const n = File.open(at('new.h5'), 'r');
  rows['new.h5:made'] = n.attrs.get('made');
  n.close();
  report({ label: 'readback', rows });
}
