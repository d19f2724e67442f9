// The filter cases of test/h5_filters.test.ts: each one's h5mpi createDataset options and the same dataset
// in h5py's words (create_dataset keywords, with hdf5plugin's filter classes), its data and whether it is
// lossless. Shared by the test (and its Python programs) and the scenarios that write and read them.
'use strict';

const SHAPE = [40, 25];
const CHUNKS = [10, 25];
const N = SHAPE[0] * SHAPE[1];

/** Deterministic data: smooth floats (so that compression has something to find), small integers. */
function values(dtype) {
  const out = [];
  for (let i = 0; i < N; i++) {
    if (dtype.startsWith('float')) out.push(Math.round(Math.sin(i / 17) * 1000 * 64) / 64);
    else if (dtype === 'int16') out.push(((i * 37) % 4000) - 1000);
    else out.push(((i * 7919) % 2001) - 1000);
  }
  return out;
}

/**
 * name: the dataset; dtype; h5mpi: createDataset's filter options; py: h5py's create_dataset keywords (a
 * Python expression, or `lowlevel` for what only h5py's low-level API makes); filters: the ids expected in
 * the pipeline, in order; lossless; plugin: the plugin id the case needs, when it needs one.
 */
const CASES = [
  { name: 'gzip0', dtype: 'float64', h5mpi: { compression: 'gzip', compressionOpts: 0 }, py: "compression='gzip', compression_opts=0", filters: [1], lossless: true },
  { name: 'gzip9_shuffle_fletcher32', dtype: 'float32', h5mpi: { compression: 'gzip', compressionOpts: 9, shuffle: true, fletcher32: true }, py: "compression='gzip', compression_opts=9, shuffle=True, fletcher32=True", filters: [2, 1, 3], lossless: true },
  { name: 'gzip_level', dtype: 'int32', h5mpi: { compression: 'gzip', compressionLevel: 1 }, py: "compression='gzip', compression_opts=1", filters: [1], lossless: true },
  { name: 'lzf', dtype: 'float64', h5mpi: { compression: 'lzf' }, py: "compression='lzf'", filters: [32000], lossless: true },
  { name: 'lzf_shuffle_fletcher32', dtype: 'int32', h5mpi: { compression: 'lzf', shuffle: true, fletcher32: true }, py: "compression='lzf', shuffle=True, fletcher32=True", filters: [2, 32000, 3], lossless: true },
  { name: 'szip_nn', dtype: 'int32', h5mpi: { compression: 'szip' }, py: "compression='szip'", filters: [4], lossless: true },
  { name: 'szip_ec', dtype: 'float32', h5mpi: { compression: 'szip', compressionOpts: ['ec', 16] }, py: "compression='szip', compression_opts=('ec', 16)", filters: [4], lossless: true },
  { name: 'scaleoffset_int', dtype: 'int32', h5mpi: { scaleoffset: true, compression: 'gzip' }, py: "scaleoffset=True, compression='gzip'", filters: [6, 1], lossless: true },
  { name: 'scaleoffset_int_bits', dtype: 'int16', h5mpi: { scaleoffset: 12, shuffle: true }, py: 'scaleoffset=12, shuffle=True', filters: [6, 2], lossless: true },
  { name: 'scaleoffset_float', dtype: 'float64', h5mpi: { scaleoffset: 2 }, py: 'scaleoffset=2', filters: [6], lossless: false },
  { name: 'nbit', dtype: 'int32', h5mpi: { nbit: true }, py: 'lowlevel', filters: [5], lossless: true },
  { name: 'bitshuffle', dtype: 'float32', h5mpi: { filters: [{ id: 'bitshuffle', cdValues: [0, 0] }] }, py: '**hdf5plugin.Bitshuffle(lz4=False)', filters: [32008], lossless: true, plugin: 32008 },
  { name: 'bitshuffle_lz4', dtype: 'float64', h5mpi: { compression: 32008, compressionOpts: [0, 2] }, py: '**hdf5plugin.Bitshuffle(lz4=True)', filters: [32008], lossless: true, plugin: 32008 },
  { name: 'bitshuffle_lz4_fletcher32', dtype: 'int32', h5mpi: { filters: [{ id: 32008, cdValues: [0, 2], optional: true }], fletcher32: true }, py: '**hdf5plugin.Bitshuffle(lz4=True), fletcher32=True', filters: [32008, 3], lossless: true, plugin: 32008 },
  { name: 'lz4', dtype: 'float64', h5mpi: { compression: 32004, compressionOpts: [0] }, py: '**hdf5plugin.LZ4()', filters: [32004], lossless: true, plugin: 32004 },
  { name: 'lz4_shuffle', dtype: 'int32', h5mpi: { compression: 32004, compressionOpts: 0, shuffle: true }, py: 'shuffle=True, **hdf5plugin.LZ4()', filters: [2, 32004], lossless: true, plugin: 32004 },
  { name: 'bzip2', dtype: 'float32', h5mpi: { filters: [{ id: 'bzip2', cdValues: [9] }] }, py: '**hdf5plugin.BZip2(blocksize=9)', filters: [307], lossless: true, plugin: 307 },
  { name: 'zstd', dtype: 'float64', h5mpi: { compression: 32015, compressionOpts: [3] }, py: '**hdf5plugin.Zstd(clevel=3)', filters: [32015], lossless: true, plugin: 32015 },
];

/** Blosc: read from h5py's files everywhere; written by h5mpi only with a Blosc plugin built for its HDF5. */
const BLOSC = { name: 'blosc', dtype: 'float32', h5mpi: { compression: 32001, compressionOpts: [2, 2, 4, 0, 5, 1, 1] }, py: "**hdf5plugin.Blosc(cname='lz4', clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE)", filters: [32001], lossless: true, plugin: 32001 };

module.exports = { SHAPE, CHUNKS, N, CASES, BLOSC, values };
