// Variable-length data read in a parallel file opened as h5mpi opens it by default (collective metadata):
// strings and sequences, collectively (the whole dataset on every rank, then a slice of its own per rank,
// none on rank 0) and independently (only ranks > 0 read), region references dereferenced on one rank.
// HDF5 1.14 hangs on the first of these with its own collective metadata reads on (lib/hdf5compat.ts).
// Usage: h5_vlen_read_par.js <file written serially with /s (strings), /q (int32 sequences), /rr (regions)>
'use strict';
const { MPI, File } = require('../..');
const { report } = require('./report');

const [file] = process.argv.slice(2);
const { rank, size } = MPI.COMM_WORLD;
const f = File.open(file, 'r');
const s = f.get('s');
const q = f.get('q');
const n = s.shape[0];
// Rank r > 0 reads elements [r - 1, ..., n) with stride size - 1 of them: uneven, and rank 0 nothing.
const slice = (r) => (r === 0 ? { start: [0], count: [0] } : { start: [r - 1], count: [Math.ceil((n - (r - 1)) / Math.max(size - 1, 1))], stride: [Math.max(size - 1, 1)] });
const all = s.collective.read();
const own = s.collective.read(slice(rank));
const ownSeq = q.collective.read(slice(rank)).map((a) => Array.from(a));
const independent = rank === 0 ? null : s.read(slice(rank));
const independentSeq = rank === 0 ? null : q.read(slice(rank)).map((a) => Array.from(a));
// Region references keep their selections in the global heap too: read on the last rank alone, then on every
// rank together and dereferenced in the same order.
const rr = f.get('rr');
const regions = rank === size - 1 ? rr.read().map(String) : null;
const values = rr.collective.read().map((r) => (r === null ? null : Array.from(f.deref(r).read(r.selection))));
report({ label: 'vlen', all, own, ownSeq, independent, independentSeq, regions, values, collectiveMetadata: f.collectiveMetadata });
f.close();
