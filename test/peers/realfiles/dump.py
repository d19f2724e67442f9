"""The reference dump: every object, link and attribute of HDF5 files as h5py reads them, as JSON.

usage: python3 dump.py FILE...   (prints {"files": {FILE: [entry, ...]}})

test/peers/realfiles/walk.js makes the same entries from what h5mpi reads; the test compares them. The
rules both sides follow:

- The walk starts at '/' and lists each group's members in h5py's order (creation order where the group
  tracks it, else name order). Every member gets the entries of what it resolves to; a soft or external
  link also gets a `#link` entry, and a dangling one only that. Groups are descended into only through hard
  links (a soft or external link to a group gets the group's own entries but not its members').
- Entries, by path: '/a/b' (kind 'group' or 'dataset'), '/a/b#link', '/a/b#layout' (datasets' storage),
  '/a/b#filters' (datasets with a filter pipeline), '/a/b@name' (attributes; the root's are '/@name'),
  and per file '#fpstate': whether the reader flushes subnormal numbers to zero after reading it.
- `dtype` is numpy's dtype.str ('<i4', '>f8', '|S8', '|O' for variable-length strings, '|b1', '<f2',
  '<c8', '|V3'), spelled out where dtype.str says too little (dtype_text): an enum is its base's with its
  members, a compound numpy's dict form (names, formats, offsets, itemsize), 'vlen <base>', 'array <base>
  [shape]', 'ref' and 'regionref'; `shape` a list ([] for a scalar, null for an empty (null dataspace)
  object).
- Values, as elements: integers as decimal strings, floats as JSON numbers or 'NaN', 'Infinity',
  '-Infinity', '-0'; booleans; strings as text when their bytes are valid in their stored encoding (ASCII,
  UTF-8), else {"bytes": hex}. An array of up to SMALL elements is the list of its elements in row-major
  order; a larger numeric array a summary: {n, min, max, nans, first, last, sha256} (sha256 of its elements'
  bytes as little-endian numbers of its dtype's size); a scalar is one element; an empty object
  {"empty": true}. Complex numbers are [re, im] pairs (a larger array: the summary of its interleaved
  parts), opaque elements their bytes in hex, a variable-length sequence the list of its elements, an array
  type's elements flat, a compound an object of each field's values, a reference the path of what it points
  at (null for a null reference; a region reference its dataset's).
- An entry h5mpi does not read (part2_reason: a dataset of a compound holding references) carries `excluded`
  with the reason; its value is given when h5py can make one, for information.
- A named datatype is {path, kind: 'datatype', dtype, attrs}, followed by its attributes' entries.
"""
import hashlib
import json
import sys

import h5py
import numpy as np

import fpstate

# hdf5plugin is not imported: the serial libhdf5 finds Debian's plugins in its default directory, and
# importing hdf5plugin loads plugins that flush subnormal numbers to zero (see fpstate.py).

SMALL = 64
SUMMARY_ENDS = 3


def part2_reason(dt, attribute=False):
    """Why h5mpi does not read a dtype as such, or None. Issue 15 reads every type these files hold but
    references inside compounds in datasets (dtype null; attributes of them, netCDF-4's REFERENCE_LIST,
    read)."""
    if not attribute and dt.names is not None and any(h5py.check_ref_dtype(dt.fields[n][0]) is not None for n in dt.names):
        return 'compound holding references'
    if dt.kind == 'O' and h5py.check_string_dtype(dt) is None and h5py.check_ref_dtype(dt) is None and h5py.check_vlen_dtype(dt) is None:
        return 'object'
    return None


def compact(v):
    return json.dumps(v, separators=(',', ':'), sort_keys=True)


def dtype_text(dt):
    """numpy's dtype.str, spelled out where it says too little (see the rules above)."""
    if h5py.check_string_dtype(dt) is not None:
        return dt.str
    r = h5py.check_ref_dtype(dt)
    if r is not None:
        return 'regionref' if r is h5py.RegionReference else 'ref'
    v = h5py.check_vlen_dtype(dt)
    if v is not None:
        return 'vlen ' + dtype_text(v)
    if dt.kind == 'b':
        return dt.str
    e = h5py.check_enum_dtype(dt)
    if e is not None:
        return '%s enum %s' % (dt.str, compact({k: int(x) for k, x in e.items()}))
    if dt.names is not None:
        return 'compound ' + compact({
            'names': list(dt.names), 'formats': [dtype_text(dt.fields[n][0]) for n in dt.names],
            'offsets': [dt.fields[n][1] for n in dt.names], 'itemsize': dt.itemsize,
        })
    if dt.subdtype is not None:
        base, shape = dt.subdtype
        return 'array %s %s' % (dtype_text(base), compact(list(shape)))
    return dt.str


REFS = {}


def ref_path(r):
    """What a reference points at, by path, in the file being dumped (REFS['file'])."""
    return REFS['file'][r].name if r else None


def float_elem(v):
    v = float(v)
    if v != v:
        return 'NaN'
    if v in (float('inf'), float('-inf')):
        return 'Infinity' if v > 0 else '-Infinity'
    if v == 0 and np.signbit(v):
        return '-0'
    return v


def text_elem(b, encoding):
    """A stored string's bytes: its text when valid in its encoding, else its bytes."""
    if isinstance(b, str):
        b = b.encode('utf-8', 'surrogateescape')
    b = bytes(b)
    try:
        return b.decode('ascii' if encoding == 'ascii' else 'utf-8')
    except UnicodeDecodeError:
        return {'bytes': b.hex()}


def number_elem(x, kind):
    if kind in 'iu':
        return str(int(x))
    if kind == 'b':
        return bool(x)
    return float_elem(x)


def summary(arr):
    flat = arr.reshape(-1)
    kind = arr.dtype.kind
    out = {'n': int(flat.size)}
    if kind == 'f':
        nans = int(np.isnan(flat).sum())
        finite = flat[~np.isnan(flat)]
        out['min'] = float_elem(finite.min()) if finite.size else None
        out['max'] = float_elem(finite.max()) if finite.size else None
        out['nans'] = nans
    else:
        out['min'] = number_elem(flat.min(), kind)
        out['max'] = number_elem(flat.max(), kind)
        out['nans'] = 0
    out['first'] = [number_elem(v, kind) for v in flat[:SUMMARY_ENDS]]
    out['last'] = [number_elem(v, kind) for v in flat[-SUMMARY_ENDS:]]
    le = np.ascontiguousarray(flat, dtype=flat.dtype.newbyteorder('<'))
    out['sha256'] = hashlib.sha256(le.tobytes()).hexdigest()
    return out


def values(arr, dt, shape):
    """The canonical value of data `arr` (numpy array or scalar) of stored dtype `dt`."""
    s = h5py.check_string_dtype(dt)
    arr = np.asarray(arr)
    one = (lambda flat: flat[0] if shape == [] else flat)
    if s is not None:
        return one([text_elem(b, s.encoding) for b in arr.reshape(-1)])
    if h5py.check_ref_dtype(dt) is not None:
        return one([ref_path(r) for r in arr.reshape(-1)])
    v = h5py.check_vlen_dtype(dt)
    if v is not None:
        return one([values(np.asarray(x, dtype=v), v, [len(x)]) for x in arr.reshape(-1)])
    if dt.names is not None and arr.dtype.kind != 'c':
        return {n: values(arr[n], dt.fields[n][0], shape) for n in dt.names}
    if dt.subdtype is not None:
        base = dt.subdtype[0]
        flat = np.ascontiguousarray(arr, dtype=arr.dtype).reshape(-1)
        return values(flat, base, [int(flat.size)])
    kind = arr.dtype.kind
    if kind == 'V':
        return one([bytes(x).hex() for x in arr.reshape(-1)])
    if kind == 'c':
        if shape != [] and arr.size > SMALL:
            parts = np.ascontiguousarray(arr).reshape(-1).view(arr.real.dtype)
            return summary(parts)
        return one([[float_elem(x.real), float_elem(x.imag)] for x in arr.reshape(-1)])
    if kind not in 'iufb':
        raise TypeError('no canonical value for dtype ' + str(dt))
    if shape == []:
        return number_elem(arr[()], kind)
    if arr.size > SMALL and kind != 'b':
        return summary(arr)
    return [number_elem(v, kind) for v in arr.reshape(-1)]


def check_fp(path):
    if fpstate.flushes():
        raise RuntimeError('subnormal numbers flush to zero after reading %s: the values dumped cannot be trusted' % path)


def shape_of(shape):
    return None if shape is None else list(shape)


def attribute_entry(obj, path, name):
    aid = obj.attrs.get_id(name)
    dt = aid.dtype
    entry = {'path': attr_path(path, name), 'kind': 'attribute', 'dtype': dtype_text(dt), 'shape': shape_of(aid.shape)}
    reason = part2_reason(dt, attribute=True)
    if reason:
        entry['excluded'] = reason
    try:
        if aid.shape is None:
            entry['value'] = {'empty': True}
            return entry
        s = h5py.check_string_dtype(dt)
        if s is not None:
            # The stored bytes, whatever the encoding says: read variable-length strings as bytes.
            raw = np.empty(aid.shape, dtype=h5py.string_dtype('ascii') if s.length is None else dt)
            aid.read(raw)
            entry['value'] = values(raw, dt, entry['shape'])
        else:
            entry['value'] = values(obj.attrs[name], dt, entry['shape'])
            check_fp(entry['path'])
    except Exception as e:  # noqa: BLE001 (a part-2 value h5py cannot give as plain values)
        if not reason:
            raise
        entry['note'] = 'no value: %s' % e
    return entry


def attr_path(path, name):
    return ('' if path == '/' else path) + '@' + name


def attr_entries(obj, path):
    return [attribute_entry(obj, path, n) for n in obj.attrs]


def dataset_entries(d, path):
    dt = d.dtype
    shape = shape_of(d.shape)
    entry = {'path': path, 'kind': 'dataset', 'dtype': dtype_text(dt), 'shape': shape, 'attrs': list(d.attrs)}
    reason = part2_reason(dt)
    if reason:
        entry['excluded'] = reason
    try:
        if shape is None:
            entry['value'] = {'empty': True}
        else:
            data = d[()]
            # Reading may have loaded a plugin that flushes subnormals (the data read is bits, untouched).
            fpstate.reset()
            entry['value'] = values(data, dt, shape)
            check_fp(path)
    except Exception as e:  # noqa: BLE001
        if not reason:
            raise
        entry['note'] = 'no value: %s' % e
    if dt.kind in 'iufb' and dt.names is None and dt.subdtype is None and not reason:
        fill = number_elem(d.fillvalue, dt.kind)  # an enum's as its stored integer
    else:
        fill = None
    layout = {
        'path': path + '#layout', 'kind': 'layout',
        'value': {
            'chunks': None if d.chunks is None else list(d.chunks),
            'maxshape': None if d.maxshape is None else list(d.maxshape),
            'fillvalue': fill,
        },
    }
    out = [entry, layout]
    dcpl = d.id.get_create_plist()
    n = dcpl.get_nfilters()
    if n > 0:
        out.append({
            'path': path + '#filters', 'kind': 'filters',
            'value': {
                'ids': [int(dcpl.get_filter(i)[0]) for i in range(n)],
                'compression': d.compression,
                'compression_opts': list(d.compression_opts) if isinstance(d.compression_opts, tuple) else d.compression_opts,
                'shuffle': bool(d.shuffle),
                'fletcher32': bool(d.fletcher32),
                'scaleoffset': d.scaleoffset,
            },
        })
    return out + attr_entries(d, path)


def join(path, name):
    return ('' if path == '/' else path) + '/' + name


def walk(group, path, out):
    out.append({'path': path, 'kind': 'group', 'members': list(group), 'attrs': list(group.attrs)})
    out.extend(attr_entries(group, path))
    for name in group:
        p = join(path, name)
        link = group.get(name, getlink=True)
        hard = isinstance(link, h5py.HardLink)
        if isinstance(link, h5py.SoftLink):
            out.append({'path': p + '#link', 'kind': 'link', 'value': {'type': 'soft', 'target': link.path, 'file': None}})
        elif isinstance(link, h5py.ExternalLink):
            out.append({'path': p + '#link', 'kind': 'link', 'value': {'type': 'external', 'target': link.path, 'file': link.filename}})
        try:
            obj = group[name]
        except KeyError:  # a dangling soft or external link
            continue
        if isinstance(obj, h5py.Group):
            if hard:
                walk(obj, p, out)
            else:
                out.append({'path': p, 'kind': 'group', 'members': list(obj), 'attrs': list(obj.attrs)})
                out.extend(attr_entries(obj, p))
        elif isinstance(obj, h5py.Dataset):
            out.extend(dataset_entries(obj, p))
        else:  # a named datatype: its type and attributes
            out.append({'path': p, 'kind': 'datatype', 'dtype': dtype_text(obj.dtype), 'attrs': list(obj.attrs)})
            out.extend(attr_entries(obj, p))


def dump(name):
    out = []
    with h5py.File(name, 'r') as f:
        REFS['file'] = f
        walk(f, '/', out)
    # walk.js says whether h5mpi's process flushes subnormals after reading the file; this one never does.
    out.append({'path': '#fpstate', 'kind': 'fpstate', 'value': 'subnormals flushed to zero' if fpstate.flushes() else 'subnormals kept'})
    return out


if __name__ == '__main__':
    fpstate.reset()
    print(json.dumps({'files': {n: dump(n) for n in sys.argv[1:]}}, ensure_ascii=False))
