"""Datasets compressed with the filter plugins facilities use, written by h5py with hdf5plugin: bitshuffle
(alone and with LZ4), LZ4, LZF, Blosc (several compressors), BZip2, and Zstd where a plugin is installed.

make(outdir) returns (file names, skipped) where skipped lists {'what', 'why'} for filters whose plugin is
not installed (the dataset is then absent, and the test says so).
"""
import os

import h5py
import hdf5plugin
import numpy as np

import fpstate


def detector_like(shape, seed):
    """Counts as a photon-counting detector records them: mostly small numbers, a few hot pixels."""
    rng = np.random.default_rng(seed)
    data = rng.poisson(3, size=shape).astype('<u2')
    data.reshape(-1)[:: 997] = 65535
    return data


def make(outdir):
    name = 'plugins.h5'
    skipped = []
    frames = detector_like((4, 64, 64), 5)
    floats = (np.sin(np.arange(64 * 64) / 50.0).reshape(64, 64) * 100).astype('<f4')
    cases = [
        ('bitshuffle', lambda: hdf5plugin.Bitshuffle(nelems=0, cname='none'), frames),
        ('bitshuffle_lz4', lambda: hdf5plugin.Bitshuffle(nelems=0, cname='lz4'), frames),
        ('lz4', lambda: hdf5plugin.LZ4(nbytes=0), frames),
        ('lzf', lambda: {'compression': 'lzf'}, frames),
        ('blosc_blosclz', lambda: hdf5plugin.Blosc(cname='blosclz', clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE), floats),
        ('blosc_lz4_bitshuffle', lambda: hdf5plugin.Blosc(cname='lz4', clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE), frames),
        ('blosc_zstd', lambda: hdf5plugin.Blosc(cname='zstd', clevel=3, shuffle=hdf5plugin.Blosc.NOSHUFFLE), floats),
        ('bzip2', lambda: hdf5plugin.BZip2(blocksize=9), floats),
        ('zstd', lambda: hdf5plugin.Zstd(clevel=3), floats),
    ]
    with h5py.File(os.path.join(outdir, name), 'w') as f:
        for ds, filt, data in cases:
            fpstate.reset()
            chunks = (1,) + data.shape[1:] if data.ndim == 3 else (16, 64)
            try:
                f.create_dataset(ds, data=data, chunks=chunks, **filt())
                f[ds].attrs['filter'] = ds
            except (ValueError, OSError, AttributeError) as e:
                skipped.append({'what': 'plugin dataset ' + ds, 'why': str(e).splitlines()[0]})
                if ds in f:
                    del f[ds]
        # Read after the compressed datasets, whose plugins may have flushed subnormals to zero in the
        # reader: these must still read as themselves.
        fpstate.reset()
        # Made from their bits: a subnormal literal would be parsed while subnormals flush, and become 0.
        f['z_subnormals_f4'] = np.array([1, 0x80011000, 0x007FFFFF, 0x3F800000], dtype='<u4').view('<f4')
        f['z_subnormals_f8'] = np.array([1, 0x800FFFFFFFFFFFFF, 0x0000012688B70E62, 0x3FF0000000000000], dtype='<u8').view('<f8')
        if f['z_subnormals_f4'][()].view('<u4')[0] != 1 or f['z_subnormals_f8'][()].view('<u8')[0] != 1:
            raise RuntimeError('the subnormals were not written')
    return [name], skipped
