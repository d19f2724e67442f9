"""h5py feature files: what h5py writes, one feature at a time, as facilities' scripts do.

make(outdir) writes h5py_features.h5 and the file its external links point into (h5py_external.h5), and
returns their names. Everything is deterministic (fixed seeds, no timestamps).
"""
import os

import h5py
import numpy as np

import fpstate

NUMERIC = ['i1', 'u1', '<i2', '<u2', '<i4', '<u4', '<i8', '<u8', '<f4', '<f8']
BIG_ENDIAN = ['>i2', '>u2', '>i4', '>u4', '>i8', '>u8', '>f4', '>f8']


def extremes(dt):
    """Values that show a wrong conversion: the type's limits, zero, -1, and for floats NaN, infinities, -0 and subnormals."""
    dt = np.dtype(dt)
    if dt.kind in 'iu':
        info = np.iinfo(dt)
        vals = [info.min, info.max, 0, 1, info.max // 3]
        if dt.kind == 'i':
            vals.append(-1)
        return np.array(vals, dtype=dt)
    info = np.finfo(dt)
    return np.array([0.1, -0.0, np.nan, np.inf, -np.inf, info.max, info.tiny, info.smallest_subnormal, -2.5], dtype=dt)


def numeric(f):
    g = f.create_group('numeric')
    rng = np.random.default_rng(1)
    for dt in NUMERIC + BIG_ENDIAN:
        name = dt.replace('<', 'le_').replace('>', 'be_')
        g[name] = extremes(dt)
    # n-d arrays, in C order, and a larger one whose values are compared by their summary
    g['nd_3d_f4'] = np.arange(4 * 5 * 6, dtype='<f4').reshape(4, 5, 6) / 7
    g['nd_4d_i2'] = (np.arange(2 * 3 * 4 * 5, dtype='<i2') - 60).reshape(2, 3, 4, 5)
    g['large_f8'] = rng.standard_normal((200, 50))
    g['large_u8'] = rng.integers(0, 2**64 - 1, size=3000, dtype='<u8', endpoint=True)
    g['large_be_i4'] = rng.integers(-2**31, 2**31 - 1, size=(40, 40), dtype='<i4').astype('>i4')
    # 16-byte floats (numpy longdouble): h5mpi documents reading them as float64
    g['longdouble'] = np.array([1.5, -2.25, 1e300], dtype=np.longdouble)
    # scalars
    g['scalar_i4'] = np.int32(-7)
    g['scalar_f8'] = np.float64(2.5)
    g['scalar_u8'] = np.uint64(2**64 - 1)
    # zero-length and empty
    g['zero_len'] = np.zeros(0, dtype='<f8')
    g['zero_len_2d'] = np.zeros((0, 3), dtype='<i4')
    g['empty'] = h5py.Empty('<i4')


def strings(f):
    g = f.create_group('strings')
    g.create_dataset('vlen_utf8', data=['héllo', '', '日本語', 'emoji 🙂'], dtype=h5py.string_dtype('utf-8'))
    g.create_dataset('vlen_ascii', data=[b'abc', b'', b'x y'], dtype=h5py.string_dtype('ascii'))
    g['fixed_ascii'] = np.array([b'ab', b'cde', b'', b'wxyz'], dtype='S4')
    u8 = h5py.string_dtype('utf-8', 8)
    g.create_dataset('fixed_utf8', data=np.array(['hé'.encode(), '日本'.encode()], dtype=u8), dtype=u8)
    g.create_dataset('vlen_2d', data=np.array([['a', 'bb'], ['ccc', 'dddd']], dtype=object), dtype=h5py.string_dtype())
    g['scalar_vlen'] = 'a scalar string'
    g['scalar_fixed'] = np.bytes_(b'fixed!')
    # bytes that are not UTF-8 in an ASCII-typed and a UTF-8-typed dataset (h5py writes bytes as they are)
    g.create_dataset('nonutf8_ascii', data=[b'caf\xe9', b'ok'], dtype=h5py.string_dtype('ascii'))
    g.create_dataset('nonutf8_utf8', data=[b'\xff\xfe', b'fine'], dtype=h5py.string_dtype('utf-8'))
    g['nonutf8_fixed'] = np.array([b'\xe9t\xe9', b'ete'], dtype='S3')
    # Fortran-style space-padded strings, written through the low-level API
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(6)
    tid.set_strpad(h5py.h5t.STR_SPACEPAD)
    sp = h5py.h5d.create(g.id, b'spacepad', tid, h5py.h5s.create_simple((2,)))
    sp.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([b'ab    ', b'xyz   '], dtype='S6'), mtype=tid)
    g.create_dataset('zero_len', shape=(0,), dtype=h5py.string_dtype())


def attributes(f):
    """The same set on the root, a group and a dataset, as h5py writes them from Python values."""
    g = f.create_group('attrs')
    d = g.create_dataset('holder', data=np.arange(3, dtype='<i4'))
    for o in (f, g, d):
        a = o.attrs
        a['py_int'] = 42
        a['py_float'] = 2.5
        a['py_str'] = 'héllo'
        a['py_bool'] = True
        a['py_list'] = [1, 2, 3]
        a['py_strlist'] = ['a', 'bc', '']
        for dt in NUMERIC + ['>i4', '>f8']:
            a['scalar_' + dt.replace('<', 'le_').replace('>', 'be_')] = np.array(extremes(dt)[1], dtype=dt)[()]
            a['array_' + dt.replace('<', 'le_').replace('>', 'be_')] = extremes(dt)
        a['nd_2d'] = np.arange(6, dtype='<i4').reshape(2, 3)
        a['nd_3d'] = np.arange(24, dtype='<f8').reshape(2, 3, 4) / 4
        a['one_element'] = np.array([7.5])
        a['zero_len'] = np.zeros(0)
        a['zero_len_i4'] = np.zeros(0, dtype='<i4')
        a['empty'] = h5py.Empty('f8')
        a['bytes'] = np.bytes_(b'raw bytes')
        a['fixed_array'] = np.array([b'ab', b'c'], dtype='S3')
        a.create('ascii_vlen', b'plain', dtype=h5py.string_dtype('ascii'))
        a.create('nonutf8_vlen', b'\xff\xfe', dtype=h5py.string_dtype('utf-8'))
        a['nonutf8_fixed'] = np.bytes_(b'caf\xe9')
        a['bool_array'] = np.array([True, False, True])
        a['strings_2d'] = np.array([['a', 'b'], ['c', 'd']], dtype=h5py.string_dtype())
        # part-2 types (counted as excluded)
        a['complex'] = np.complex128(1 + 2j)
        a['half'] = np.float16(0.5)
        a['compound'] = np.array((1, 2.5), dtype=[('a', '<i4'), ('b', '<f8')])
        a.create('enum', np.array([0, 1, 2], dtype='u1'), dtype=h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': 2}, basetype='u1'))
        a['ref'] = d.ref


def layouts(f):
    """Chunked, compressed (h5py's built-in filters), fill values, resizable."""
    g = f.create_group('layouts')
    rng = np.random.default_rng(2)
    smooth = (np.sin(np.arange(40 * 30) / 17.0) * 1000).astype('<i4').reshape(40, 30)
    g.create_dataset('contiguous', data=smooth)
    g.create_dataset('chunked', data=smooth, chunks=(8, 10))
    g.create_dataset('gzip', data=smooth, chunks=(10, 30), compression='gzip')
    g.create_dataset('gzip9_shuffle_fletcher', data=smooth, chunks=(5, 5), compression='gzip', compression_opts=9, shuffle=True, fletcher32=True)
    g.create_dataset('lzf', data=smooth, chunks=(10, 10), compression='lzf')
    g.create_dataset('scaleoffset_int', data=smooth, chunks=(10, 10), scaleoffset=0)
    g.create_dataset('scaleoffset_float', data=smooth / 8.0, chunks=(10, 10), scaleoffset=3)
    fill = g.create_dataset('fill_partial', shape=(20, 20), dtype='<f4', chunks=(5, 5), fillvalue=-9.5)
    fill[0:7, 3:9] = rng.random((7, 6), dtype='<f4')
    g.create_dataset('fill_unwritten', shape=(6,), dtype='<i8', fillvalue=-(2**40))
    g.create_dataset('fill_contiguous', shape=(10,), dtype='<u2', fillvalue=65535)
    r = g.create_dataset('resizable', shape=(0, 4), maxshape=(None, 4), dtype='<f8', chunks=(4, 4))
    r.resize((5, 4))
    r[:] = np.arange(20).reshape(5, 4)
    g.create_dataset('auto_chunks', data=np.arange(1000, dtype='<u2'), chunks=True)
    g.create_dataset('compact', data=np.arange(10, dtype='<i2'), compression=None)
    # a compact layout through the low-level API
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    sid = h5py.h5s.create_simple((4,))
    h5py.h5d.create(g.id, b'compact_layout', h5py.h5t.STD_I16LE, sid, dcpl=dcpl).write(
        h5py.h5s.ALL, h5py.h5s.ALL, np.array([1, -2, 3, -4], dtype='<i2'))


def links(f, external_name):
    g = f.create_group('links')
    t = g.create_group('target')
    t['data'] = np.arange(5, dtype='<i4')
    t.attrs['what'] = 'the target group'
    g['soft_dataset'] = h5py.SoftLink('/links/target/data')
    g['soft_group'] = h5py.SoftLink('/links/target')
    g['soft_relative'] = h5py.SoftLink('target/data')
    g['hard_dataset'] = t['data']
    g['dangling_soft'] = h5py.SoftLink('/links/nothing/here')
    g['external_dataset'] = h5py.ExternalLink(external_name, '/values')
    g['external_group'] = h5py.ExternalLink(external_name, '/group')
    g['dangling_external'] = h5py.ExternalLink('no_such_file.h5', '/values')
    g['dangling_external_path'] = h5py.ExternalLink(external_name, '/no/such/path')


def order(f):
    """Groups that track creation order: h5py lists their members and attributes in that order."""
    g = f.create_group('order', track_order=True)
    for n in ['zeta', 'alpha', 'mid', 'Beta']:
        g.create_group(n)
    g.create_dataset('c_first_dataset', data=[1], track_order=True)
    for n in ['z', 'a', 'M']:
        g.attrs[n] = n
    h = f.create_group('by_name')
    for n in ['zeta', 'alpha', 'mid', 'Beta']:
        h.create_group(n)


def part2(f):
    """Types a later issue adds (compound, complex, float16, enum/bool, references, vlen sequences, opaque,
    virtual datasets): written so that they are counted as excluded, not silently skipped."""
    g = f.create_group('part2')
    g['complex64'] = np.array([1 + 2j, -0.5j], dtype='<c8')
    g['complex128'] = np.array([1 + 2j, 3 - 4j], dtype='<c16')
    g['float16'] = np.array([0.5, -1, 65504], dtype='<f2')
    g['bool'] = np.array([True, False, True])
    g.create_dataset('enum', data=np.array([0, 2, 1], dtype='i1'), dtype=h5py.enum_dtype({'LOW': 0, 'MID': 1, 'HIGH': 2}, basetype='i1'))
    g['compound'] = np.array([(1, 2.5, b'ab'), (-3, 0.25, b'cd')], dtype=[('i', '<i4'), ('x', '<f8'), ('s', 'S2')])
    g['opaque'] = np.array([b'\x00\x01\x02\x03', b'\xff\xfe\xfd\xfc'], dtype='V4')
    vl = g.create_dataset('vlen_int', shape=(2,), dtype=h5py.vlen_dtype('<i4'))
    vl[0] = [1, 2, 3]
    vl[1] = [4]
    g.create_dataset('object_refs', data=[f['numeric'].ref, f['strings'].ref], dtype=h5py.ref_dtype)
    g.create_dataset('region_ref', data=[f['numeric/le_f8'].regionref[1:3]], dtype=h5py.regionref_dtype)
    layout = h5py.VirtualLayout(shape=(2, 5), dtype='<i4')
    layout[0] = h5py.VirtualSource(f['links/target/data'])
    layout[1] = h5py.VirtualSource(f['links/target/data'])
    g.create_virtual_dataset('virtual', layout, fillvalue=-1)


def make(outdir):
    ext = 'h5py_external.h5'
    with h5py.File(os.path.join(outdir, ext), 'w') as e:
        e['values'] = np.linspace(0, 1, 11)
        e.create_group('group/inner').attrs['depth'] = np.int16(2)
        e['group/data'] = np.array([b'x', b'yz'], dtype='S2')
    with h5py.File(os.path.join(outdir, 'h5py_features.h5'), 'w') as f:
        for section in (numeric, strings, attributes, layouts, lambda f: links(f, ext), order, part2):
            # A plugin loaded by an earlier write (LZF) flushes subnormals: numpy would write them as 0.
            fpstate.reset()
            section(f)
    with h5py.File(os.path.join(outdir, 'h5py_features.h5'), 'r') as f:
        # The subnormals are in the file (compared as bits, which no floating-point state changes).
        for name, bits in (('numeric/le_f4', '<u4'), ('numeric/le_f8', '<u8'), ('numeric/be_f8', '>u8')):
            if f[name][()].view(bits)[7] != 1:
                raise RuntimeError('%s: the smallest subnormal was not written' % name)
    # A whole file that tracks creation order (h5py.File(track_order=True)).
    with h5py.File(os.path.join(outdir, 'h5py_track_order.h5'), 'w', track_order=True) as f:
        for n in ['b', 'a', 'c']:
            f[n] = np.array([ord(n)], dtype='<i2')
        f.attrs['second'] = 2
        f.attrs['first'] = 1
    return ['h5py_features.h5', ext, 'h5py_track_order.h5']
