// A collective write during which the disk fills up on one rank (test/peers/enospc_on_rank.c, preloaded,
// makes that rank's writes to files under <dir> fail with ENOSPC after a number of bytes): what no check
// before the write can foresee (a quota, another process filling the disk). Every rank reports the
// write's outcome and the later calls'; the test checks that the job either ends with h5mpi's status and
// message (the failure left the other ranks inside Open MPI's vulcan) or throws on every rank and goes on
// (a file elsewhere written and read back).
// Usage: h5_vulcan_abort.js <dir> <healthy dir> <MiB written in all>
'use strict';
const path = require('node:path');
const { MPI, File } = require('../..');
const { report } = require('./report');

const [dir, healthyDir, mib] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const n = (Number(mib) * 1024 * 1024) / 8;
const per = n / size;

function step(label, fn) {
  const t0 = Date.now();
  try {
    const value = fn();
    report({ label, ok: true, ms: Date.now() - t0, value });
  } catch (e) {
    report({ label, ok: false, ms: Date.now() - t0, name: e.name, code: e.code, errno: e.errno, message: e.message });
  }
}

const f = File.open(path.join(dir, 'f.h5'), 'w');
const d = f.createDataset('x', { shape: [n], dtype: 'float64' });
f.flush();
report({ label: 'ready' });
step('write', () => d.write(new Float64Array(per).fill(rank + 1), { start: [rank * per], count: [per] }, { collective: true }));
step('flush', () => f.flush());
step('close', () => f.close());
// The job goes on: a file elsewhere is written and read back on every rank.
step('healthy', () => {
  const g = File.open(path.join(healthyDir, 'ok.h5'), 'w');
  const h = g.createDataset('y', { shape: [size], dtype: 'float64' });
  h.write(new Float64Array([rank + 0.5]), { start: [rank], count: [1] }, { collective: true });
  const back = Array.from(h.read());
  g.close();
  return back;
});
