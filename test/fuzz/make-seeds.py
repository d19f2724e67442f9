# Writes the fuzz seeds h5py makes (make-seeds.js writes h5mpi's): the same kinds of content as h5py lays it
# out (its own attribute and link order, its vlen and compound layouts, references, lzf-free filters).
import sys, os
import numpy as np
import h5py

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'seeds')

with h5py.File(os.path.join(out, 'py_mixed.h5'), 'w') as f:
    g = f.create_group('grp/sub')
    g.attrs['n'] = 7
    g.attrs['s'] = 'text'
    f.attrs['arr'] = np.arange(5, dtype='<f4')
    f.create_dataset('gz', data=np.arange(200, dtype='<i4').reshape(20, 10), chunks=(5, 5), compression='gzip', shuffle=True)
    dt = np.dtype([('a', '<i8'), ('b', '<f4'), ('s', h5py.string_dtype())])
    f.create_dataset('rec', data=np.array([(1, 0.5, 'x'), (2, 1.5, 'yy')], dtype=dt))
    f['link'] = h5py.SoftLink('/gz')

with h5py.File(os.path.join(out, 'py_vlen.h5'), 'w') as f:
    f.create_dataset('vstr', data=['a', 'bc', 'déf', ''], dtype=h5py.string_dtype())
    v = f.create_dataset('vint', (3,), dtype=h5py.vlen_dtype('<i2'))
    v[0] = [1, 2, 3]; v[1] = []; v[2] = [4]
    f.attrs.create('vattr', ['p', 'qq'], dtype=h5py.string_dtype())
    f.create_dataset('big_endian', data=np.arange(6, dtype='>f8'))

with h5py.File(os.path.join(out, 'py_refs.h5'), 'w', track_order=True) as f:
    d = f.create_dataset('data', data=np.arange(12, dtype='<u2').reshape(3, 4))
    f.create_dataset('refs', data=[d.ref, f.ref], dtype=h5py.ref_dtype)
    f.attrs['dref'] = d.ref
    for i in range(10):
        f.attrs['a%d' % i] = np.arange(i + 1)
    f.create_dataset('empty', data=h5py.Empty('<f4'))
    f.create_dataset('scalar', data=3.25)

with h5py.File(os.path.join(out, 'py_dense.h5'), 'w', libver='latest') as f:
    g = f.create_group('g', track_order=True)
    for i in range(12):
        g.create_dataset('x%d' % i, data=np.full(3, i, dtype='<i1'))
        g.attrs['at%d' % i] = 'v%d' % i
