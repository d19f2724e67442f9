// Jobs across the namespace hosts of scripts/multihost.sh (test/multihost.test.ts). Each rank says which
// host it is on by its address there. Usage: multihost.js <part> [file]
//   where     the host (address and MPI's processor name), and the job-wide H5MPI_* settings: as this rank's environment has them, and as
//             h5mpi applies them (rank 0's); an allreduce and a bcast across the hosts
//   mismatch  collective checking: an HDF5 call that differs on one rank, and a Comm collective that
//             differs on one rank (checked only with H5MPI_CHECK_COLLECTIVE=1), then the file still works
//   perrank   createDatasetsPerRank: each rank its own dataset, written independently with its host
//   hang      the watchdog on remote ranks: the launching host's ranks finish; the others wait for a
//             message from the last rank, which never sends it
//   hang0     (one host) rank 0 sleeps; the others wait for a message from it that never comes
'use strict';
const os = require('node:os');
const { File, MPI } = require('../..');
const { checkingDefault } = require('../../dist/collective');
const { commChecking } = require('../../dist/collectives');
const { jobSetting } = require('../../dist/jobenv');
const watchdog = require('../../dist/watchdog'); // watchdog.watching: its live value, set as MPI starts
const { report } = require('./report');

const [part, file] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const last = size - 1;
const NAMES = ['H5MPI_CHECK_COLLECTIVE', 'H5MPI_FAIL_FAST', 'H5MPI_HANG_TIMEOUT'];

/** This rank's address on the cluster's network (10.77.0.N), or null outside it. */
function address() {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && a.address.startsWith('10.77.0.')) return a.address;
  }
  return null;
}
const host = address();

function outcome(label, fn) {
  try {
    report({ label, threw: false, value: fn() ?? null });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message });
  }
}

if (part === 'where') {
  const env = Object.fromEntries(NAMES.map((n) => [n, process.env[n] ?? null]));
  const applied = Object.fromEntries(NAMES.map((n) => [n, jobSetting(n) ?? null]));
  const hosts = comm.allgather(host);
  const total = comm.allreduce(rank + 1, 'sum');
  const fromRoot = comm.bcast(rank === 0 ? { host, at: 'rank 0' } : null);
  report({
    label: 'where', host, processor: MPI.processorName(), env, applied, hosts, total, fromRoot,
    watching: watchdog.watching,
    failFast: MPI.failFast, commChecking: commChecking(), fileChecking: checkingDefault(),
  });
} else if (part === 'mismatch') {
  const f = File.open(file, 'w');
  // Each rank a dataset of its own name: HDF5 would corrupt the file; checking throws on every rank.
  outcome('hdf5', () => f.createDataset(rank === last ? 'mine' : 'x', { shape: [size], dtype: 'int32' }).name);
  // A Comm collective with another op on the last rank: checked only when H5MPI_CHECK_COLLECTIVE=1 holds here.
  outcome('comm', () => comm.allreduce(rank + 1, rank === last ? 'max' : 'sum'));
  // The file and the job go on: a collective dataset every rank writes its element of.
  const d = f.createDataset('after', { shape: [size], dtype: 'int32' });
  d.write(new Int32Array([rank * 10]), { start: [rank], count: [1] }, { collective: true });
  report({ label: 'after', keys: f.keys(), host });
  f.close();
} else if (part === 'perrank') {
  const f = File.open(file, 'w');
  const mine = `ranks/r${String(rank).padStart(2, '0')}`;
  const ds = f.createDatasetsPerRank({ [mine]: { shape: [3], dtype: 'float64' } });
  ds[mine].write(new Float64Array([rank, Number(host?.split('.')[3] ?? 0), rank * 1.5]));
  f.close();
  report({ label: 'perrank', host, name: mine });
} else if (part === 'hang') {
  report({ label: 'ready', host, watching: watchdog.watching });
  const launching = comm.allgather(host)[0];
  if (host !== launching) {
    if (rank === last) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
    else comm.recv(last, 77);
  }
} else if (part === 'hang0') {
  report({ label: 'ready', watching: watchdog.watching });
  if (rank === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
  else comm.recv(0, 77);
} else {
  throw new Error(`multihost.js: unknown part '${part}'`);
}
