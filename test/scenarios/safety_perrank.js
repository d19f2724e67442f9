// createDatasetsPerRank: the seed's scenario (each rank its own `data/id=N` 3x3 int64 and `hostname/id=N`
// fixed-length string, written independently) and the ways per-rank specs can go wrong. The test checks
// the file afterwards with h5py. Usage: safety_perrank.js <file> [--seed-only]
'use strict';
const os = require('node:os');
const { File, MPI } = require('../..');
const { report } = require('./report');

const [file, only] = process.argv.slice(2);
const comm = MPI.COMM_WORLD;
const rank = comm.rank;
const last = comm.size - 1;

/** The values rank r writes into its own 3x3 dataset. */
const dataOf = (r) => BigInt64Array.from({ length: 9 }, (_, i) => BigInt(r * 100 + i));
const nameOf = (r) => `${os.hostname()}/rank ${r}`;

function outcome(label, fn) {
  try {
    const value = fn();
    report({ label, threw: false, value });
  } catch (e) {
    report({ label, threw: true, name: e.name, message: e.message, ranks: e.ranks, calls: e.calls, messages: e.messages });
  }
}

const f = File.open(file, 'w');

// The seed's scenario, done right: every rank names only its own datasets.
const ds = f.createDatasetsPerRank({
  [`data/id=${rank}`]: { shape: [3, 3], dtype: 'int64' },
  [`hostname/id=${rank}`]: { shape: [], dtype: 'string', stringLength: 64 },
});
ds[`data/id=${rank}`].write(dataOf(rank));
ds[`hostname/id=${rank}`].write(nameOf(rank));
report({ label: 'seed', keys: Object.keys(ds).sort(), shapes: Object.fromEntries(Object.entries(ds).map(([k, d]) => [k, d.shape])) });

if (only !== '--seed-only') {
  // Some ranks ask for nothing; a path several ranks share with the same options is created once; initial
  // data comes from the rank that brought it.
  outcome('mixed', () => {
    const mine = {};
    if (rank % 2 === 0) mine[`even/r${rank}`] = { shape: [2], dtype: 'float64', data: [rank, rank + 0.5] };
    mine['shared/all'] = { shape: [comm.size], dtype: 'int32' };
    const got = f.createDatasetsPerRank(mine);
    got['shared/all'].write([rank], { start: [rank], count: [1] });
    return Object.keys(got).sort();
  });
  // An empty spec on every rank is a no-op, still collective.
  outcome('empty', () => Object.keys(f.createDatasetsPerRank({})));
  // The same path with different options on two ranks: every rank refuses, nothing is created.
  outcome('conflict', () => Object.keys(f.createDatasetsPerRank({ clash: { shape: [rank === last ? 5 : 4], dtype: 'float32' }, [`free/r${rank}`]: { shape: [1], dtype: 'int8' } })));
  outcome('afterConflict', () => ({ clash: f.has('clash'), free: Array.from({ length: comm.size }, (_, r) => f.has(`free/r${r}`)) }));
  // Bad options on the last rank only: it throws its error, the others a PeerFailedError naming it.
  outcome('badOptions', () => Object.keys(f.createDatasetsPerRank({ [`bad/r${rank}`]: rank === last ? { shape: [2], dtype: 'float128' } : { shape: [2], dtype: 'float64' } })));
  outcome('afterBad', () => f.has('bad'));
  // A path that exists already, or one under a dataset: refused before anything is created.
  outcome('exists', () => Object.keys(f.createDatasetsPerRank({ [`data/id=${rank}`]: { shape: [3, 3], dtype: 'int64' } })));
  outcome('underDataset', () => Object.keys(f.createDatasetsPerRank(rank === last ? { 'shared/all/x': { shape: [1], dtype: 'int8' } } : {})));
  // On a group, with relative paths.
  outcome('group', () => {
    const g = f.createGroup('g');
    const got = g.createDatasetsPerRank({ [`r${rank}`]: { shape: [1], dtype: 'uint16', data: [rank + 7] } });
    return Object.entries(got).map(([k, d]) => [k, d.name]).sort();
  });
  // The file is fine afterwards: a plain collective call works.
  outcome('after', () => {
    f.createDataset('final', { shape: [comm.size], dtype: 'int32' }).write([rank * 3], { start: [rank], count: [1] }, { collective: true });
    return true;
  });
}
f.close();
report({ label: 'closed' });
