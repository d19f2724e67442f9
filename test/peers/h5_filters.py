# h5py's side of test/h5_filters.test.ts, with hdf5plugin (which registers the system's filter plugins
# with h5py's HDF5 on import). Prints one JSON object.
#   probe                      the plugin filters h5py's HDF5 has; whether loading them flushed subnormals
#   write <file> <cases.json>  creates each case with h5py's create_dataset keywords
#   read <file> <names...>     each dataset's values, h5py's view of its filters and the raw pipeline
#   masks <file> <name>        each chunk's filter mask
import json
import sys

import numpy as np

before = bool(np.array([5e-324])[0] > 0)
import h5py  # noqa: E402
import hdf5plugin  # noqa: E402

mode, path = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None


def pipeline(d):
    dcpl = d.id.get_create_plist()
    out = []
    for i in range(dcpl.get_nfilters()):
        code, flags, vals, name = dcpl.get_filter(i)
        out.append({'id': int(code), 'flags': int(flags), 'cdValues': [int(v) for v in vals], 'description': name.decode('utf-8', 'replace')})
    return out


def plain(v):
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    return v


def view(d):
    return {
        'values': [plain(x) for x in d[()].reshape(-1)],
        'dtype': d.dtype.str,
        'chunks': list(d.chunks),
        'compression': d.compression,
        'compressionOpts': plain(d.compression_opts),
        'shuffle': d.shuffle,
        'fletcher32': d.fletcher32,
        'scaleoffset': d.scaleoffset,
        'filterKeys': list(d._filters.keys()),
        'pipeline': pipeline(d),
    }


if mode == 'probe':
    ids = {str(i): bool(h5py.h5z.filter_avail(i)) for i in (307, 32000, 32001, 32004, 32008, 32015)}
    print(json.dumps({'ids': ids, 'subnormalBefore': before, 'subnormalAfter': bool(np.array([5e-324])[0] > 0)}))
elif mode == 'write':
    spec = json.load(open(sys.argv[3]))
    shape, chunks = tuple(spec['shape']), tuple(spec['chunks'])
    with h5py.File(path, 'w') as f:
        for c in spec['cases']:
            data = np.array(c['values'], dtype=c['dtype']).reshape(shape)
            if c['py'] == 'lowlevel':  # N-bit: h5py has no keyword nor set_nbit for it; H5Pset_nbit adds it optional
                dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                dcpl.set_chunk(chunks)
                dcpl.set_filter(h5py.h5z.FILTER_NBIT, h5py.h5z.FLAG_OPTIONAL)
                space = h5py.h5s.create_simple(shape)
                dsid = h5py.h5d.create(f.id, c['name'].encode(), h5py.h5t.py_create(data.dtype), space, dcpl=dcpl)
                dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, data)
            else:
                kwargs = eval('dict(%s)' % c['py'], {'hdf5plugin': hdf5plugin})
                f.create_dataset(c['name'], data=data, chunks=chunks, **kwargs)
    print(json.dumps({'ok': True}))
elif mode == 'masks':  # each chunk's filter mask: bit i set when filter i was skipped for it
    with h5py.File(path, 'r') as f:
        d = f[sys.argv[3]]
        print(json.dumps([int(d.id.get_chunk_info(i).filter_mask) for i in range(d.id.get_num_chunks())]))
elif mode == 'read':
    with h5py.File(path, 'r') as f:
        print(json.dumps({name: view(f[name]) for name in sys.argv[3:]}))
else:
    raise SystemExit('unknown mode ' + mode)
