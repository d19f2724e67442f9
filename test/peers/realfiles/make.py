"""Writes the real-world files the conformance test reads, with the tools that write them in facilities:
h5py, ncgen and netCDF4-python, PyTables, hdf5plugin's filters, and a NeXus-style master file with
external links.

usage: python3 make.py OUTDIR   (prints {"files": [...], "skipped": [{"what", "why"}], "versions": {...}})

Deterministic: fixed seeds, fixed contents (what dump.py and walk.js read is the same on every run; the
bytes differ only in the times HDF5 stamps into the object headers of netCDF-4, PyTables and track_order
files). Under 1 MB in all, made in under a second.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import h5py  # noqa: E402
import hdf5plugin  # noqa: E402
import netCDF4  # noqa: E402
import tables  # noqa: E402

import fpstate  # noqa: E402
import h5py_features  # noqa: E402
import netcdf_files  # noqa: E402
import nexus_files  # noqa: E402
import plugin_files  # noqa: E402
import pytables_file  # noqa: E402


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    files = []
    fpstate.reset()  # importing hdf5plugin flushed subnormals to zero; the feature file holds some
    files += h5py_features.make(outdir)
    files += netcdf_files.make(outdir)
    files += pytables_file.make(outdir)
    made, skipped = plugin_files.make(outdir)
    files += made
    files += nexus_files.make(outdir)
    versions = {
        'h5py': h5py.version.version, 'hdf5': h5py.version.hdf5_version, 'netCDF4': netCDF4.__version__,
        'netcdf-c': netCDF4.__netcdf4libversion__, 'tables': tables.__version__, 'hdf5plugin': hdf5plugin.version,
    }
    print(json.dumps({'files': files, 'skipped': skipped, 'versions': versions}))


if __name__ == '__main__':
    main(sys.argv[1])
