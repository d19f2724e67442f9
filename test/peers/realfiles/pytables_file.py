"""A PyTables file: a table, arrays, compressed CArray and EArray, and the attributes PyTables writes.

make(outdir) returns the names of the files it wrote.
"""
import os

import numpy as np
import tables


class Reading(tables.IsDescription):
    sensor = tables.StringCol(8, pos=0)
    when = tables.Int64Col(pos=1)
    value = tables.Float64Col(pos=2)
    ok = tables.BoolCol(pos=3)


def make(outdir):
    name = 'pytables.h5'
    rng = np.random.default_rng(4)
    with tables.open_file(os.path.join(outdir, name), 'w', title='PyTables conformance example') as h:
        g = h.create_group('/', 'run', 'a run')
        t = h.create_table(g, 'readings', Reading, 'sensor readings')
        row = t.row
        for i in range(10):
            row['sensor'] = ('s%d' % (i % 3)).encode()
            row['when'] = 1_600_000_000 + i
            row['value'] = i * 0.5
            row['ok'] = i % 2 == 0
            row.append()
        t.flush()
        t.attrs.units = 'mV'
        t.attrs.gain = np.float32(2.0)
        h.create_array(g, 'plain', np.arange(12, dtype='i4').reshape(3, 4), 'a plain array')
        h.create_array(g, 'strings', np.array([b'one', b'two', b'three']), 'fixed strings')
        h.create_array(g, 'scalar', np.float64(6.5), 'a scalar array')
        zlib = tables.Filters(complevel=5, complib='zlib', shuffle=True, fletcher32=True)
        c = h.create_carray(g, 'compressed', tables.Float32Atom(), shape=(30, 20), filters=zlib, chunkshape=(10, 10))
        c[:] = rng.standard_normal((30, 20)).astype('f4')
        blosc = tables.Filters(complevel=5, complib='blosc:lz4', shuffle=True)
        b = h.create_carray(g, 'blosc', tables.Int16Atom(), shape=(40, 10), filters=blosc, chunkshape=(10, 10))
        b[:] = (np.arange(400) % 97).astype('i2').reshape(40, 10)
        e = h.create_earray(g, 'growing', tables.UInt8Atom(), shape=(0, 5), filters=zlib, expectedrows=100)
        for k in range(4):
            e.append(np.full((3, 5), k, dtype='u1'))
        h.create_vlarray(g, 'ragged', tables.Int32Atom(), 'a variable-length array').append([1, 2, 3])
        h.root._v_attrs.experiment = 'conformance'
        h.root._v_attrs.counts = np.array([1, 2, 3], dtype='u4')
        h.root._v_attrs.threshold = 0.75
    return [name]
