// A filter plugin that only some ranks find: rank 1 points HDF5_PLUGIN_PATH nowhere before h5mpi (and HDF5,
// which 1.14 reads it at start-up) loads. A collective read must throw on every rank instead of leaving rank 0
// waiting in MPI.
// Usage: h5_filters_par_missing.js <file written by h5py>
'use strict';
// The launcher's rank, before MPI starts: Open MPI's or the MPICH family's variable.
if ((process.env.OMPI_COMM_WORLD_RANK ?? process.env.PMI_RANK) === '1') process.env.HDF5_PLUGIN_PATH = '/nonexistent-h5mpi-plugins';
const { File } = require('../..');
const { report, attempt } = require('./report');

const [file] = process.argv.slice(2);
const f = File.open(file, 'r');
const d = f.get('bitshuffle_lz4');
attempt('collective read', () => d.collective.read({ start: [0, 0], count: [1, 25] }).length);
attempt('collective readInto', () => d.collective.readInto(new Float64Array(25), { start: [0, 0], count: [1, 25] }).length);
report({ label: 'after', gzip: f.get('gzip0').collective.read({ start: [0, 0], count: [1, 2] }) });
f.close();
