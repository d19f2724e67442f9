"""netCDF-4 files: one from ncgen (example.cdl) and one from netCDF4-python, as models and instruments
write them.

make(outdir) returns the names of the files it wrote.
"""
import os
import subprocess

import netCDF4
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def with_ncgen(outdir):
    name = 'ncgen_example.nc'
    subprocess.run(['ncgen', '-k', 'nc4', '-o', os.path.join(outdir, name), os.path.join(HERE, 'example.cdl')], check=True)
    return name


def with_netcdf4_python(outdir):
    name = 'netcdf4_python.nc'
    rng = np.random.default_rng(3)
    with netCDF4.Dataset(os.path.join(outdir, name), 'w', format='NETCDF4') as ds:
        ds.title = 'netCDF4-python conformance example'
        ds.setncattr('numbers', np.array([1, 2, 3], dtype='i2'))
        ds.setncattr_string('vlen_title', 'a variable-length string attribute')
        ds.setncattr('float_attr', np.float32(1.5))
        ds.createDimension('time', None)
        ds.createDimension('y', 8)
        ds.createDimension('x', 6)
        ds.createDimension('unused', 5)  # a dimension without a coordinate variable
        t = ds.createVariable('time', 'f8', ('time',))
        t.units = 'seconds since 2020-01-01'
        y = ds.createVariable('y', 'f4', ('y',))
        y[:] = np.linspace(-1, 1, 8)
        x = ds.createVariable('x', 'i4', ('x',))
        x[:] = np.arange(6) * 10
        v = ds.createVariable('signal', 'f4', ('time', 'y', 'x'), zlib=True, complevel=4, shuffle=True,
                              chunksizes=(1, 8, 6), fill_value=np.float32(-1e30))
        v.units = 'V'
        v.scale_factor = np.float32(0.5)
        v.valid_range = np.array([-100, 100], dtype='f4')
        t[:] = np.arange(3) * 60.0
        v[0:3] = rng.standard_normal((3, 8, 6)).astype('f4')
        raw = ds.createVariable('raw_counts', 'u2', ('y', 'x'), fletcher32=True, contiguous=False, chunksizes=(4, 3))
        raw[:] = rng.integers(0, 4096, size=(8, 6), dtype='u2')
        masked = ds.createVariable('partly_written', 'i2', ('time', 'x'), fill_value=np.int16(-32767))
        masked[1, 2:4] = [5, 6]
        names = ds.createVariable('names', str, ('x',))
        for i, s in enumerate(['zero', 'one', 'two', 'three', 'four', 'fünf']):
            names[i] = s
        scalar = ds.createVariable('scalar', 'f8')
        scalar[...] = 3.25
        scalar.comment = 'a scalar variable'
        bigint = ds.createVariable('int64_var', 'i8', ('x',))
        bigint[:] = np.array([-2**62, -1, 0, 1, 2**53 + 1, 2**62], dtype='i8')
        # user-defined types a later issue reads: compound, enum, vlen
        cmp_t = ds.createCompoundType(np.dtype([('a', 'i4'), ('b', 'f8')]), 'pair_t')
        cmp = ds.createVariable('pairs', cmp_t, ('y',))
        data = np.zeros(8, dtype=[('a', 'i4'), ('b', 'f8')])
        data['a'] = np.arange(8)
        data['b'] = np.arange(8) / 2
        cmp[:] = data
        enum_t = ds.createEnumType(np.uint8, 'cloud_t', {'clear': 0, 'cloudy': 1})
        cl = ds.createVariable('cloud', enum_t, ('x',))
        cl[:] = np.array([0, 1, 1, 0, 1, 0], dtype='u1')
        vlen_t = ds.createVLType(np.int32, 'ragged_t')
        rg = ds.createVariable('ragged', vlen_t, ('y',))
        ragged = np.empty(8, dtype=object)
        for i in range(8):
            ragged[i] = np.arange(i + 1, dtype='i4')
        rg[:] = ragged
        g = ds.createGroup('instrument')
        g.serial = 'SN-0042'
        g.createDimension('channel', 3)
        gain = g.createVariable('gain', 'f8', ('channel',))
        gain[:] = [1.0, 1.5, 2.0]
        sub = g.createGroup('calibration')
        sub.date = '2020-01-01'
        sub.createVariable('offset', 'f4', ('channel',))[:] = [0.1, 0.2, 0.3]
    return name


def make(outdir):
    return [with_ncgen(outdir), with_netcdf4_python(outdir)]
