// The types of issue 15: compound, complex, float16, bool, enum, variable-length sequences, opaque, array
// element types and bitfields, in datasets and attributes. Each goes both ways through h5py (h5mpi writes,
// h5py reads; h5py writes, h5mpi reads); a PyTables table and netCDF-4 compound, enum and vlen variables
// read as h5py reads them; partial compound I/O, records, hyperslabs and the errors; and 2- and 4-rank
// jobs through mpiexec (test/scenarios/h5_types_par.js), collective and independent, read back by h5py.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Dataset, File, H5Error } from '../lib';
import { _setMaxTransferBytes } from '../lib/dataset';
import { hdf5AtLeast } from '../lib/hdf5compat';
import { h5dump, hasH5py, python, PYTHON } from './helpers/h5tools';
import { mpirunOk, reportsLabelled, tmpdir } from './helpers/mpirun';

const dir = tmpdir('h5mpi-types-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `t${n++}.h5`);
const peer = hasH5py() ? describe : describe.skip;

/**
 * A Python function `val(x)`: a numpy value as JSON, the same way for every type: records as objects,
 * complex as [re, im], integers as decimal strings, floats as numbers ('NaN', 'Infinity', '-Infinity'),
 * opaque elements as their bytes, strings as text, arrays and sequences as lists.
 */
const VAL_PY = `
def val(x):
    if isinstance(x, np.ndarray) and x.dtype.names is None and x.dtype.kind == 'V':
        return [list(bytes(v)) for v in x.reshape(-1)]
    if isinstance(x, np.void):
        if x.dtype.names: return {k: val(x[k]) for k in x.dtype.names}
        return list(bytes(x))
    if isinstance(x, (bytes, np.bytes_)): return bytes(x).decode('utf-8')
    if isinstance(x, str): return x
    if isinstance(x, (np.bool_, bool)): return bool(x)
    if isinstance(x, (np.complexfloating, complex)): return [val(float(x.real)), val(float(x.imag))]
    if isinstance(x, (np.integer, int)): return str(int(x))
    if isinstance(x, (np.floating, float)):
        f = float(x)
        if f != f: return 'NaN'
        if f in (math.inf, -math.inf): return 'Infinity' if f > 0 else '-Infinity'
        return f
    if isinstance(x, np.ndarray): return [val(v) for v in (x.reshape(-1) if x.ndim else [x[()]])]
    if isinstance(x, (list, tuple)): return [val(v) for v in x]
    return x

def descr(dt):
    if dt.names is None:
        return dt.str if dt.subdtype is None else [dt.subdtype[0].str, list(dt.subdtype[1])]
    return {'fields': [[k, descr(dt.fields[k][0]), dt.fields[k][1]] for k in dt.names], 'itemsize': dt.itemsize}
`;

/** JSON of integers as val() writes them. */
const ints = (...v: (number | bigint)[]): string[] => v.map(String);

peer('types h5mpi writes, as h5py reads them', () => {
  const file = fresh();
  const compound = {
    compound: {
      id: 'int32',
      x: 'float64',
      name: { string: { encoding: 'ascii', length: 6 } },
      pos: { array: 'float32', shape: [3] },
      z: 'complex64',
      ok: 'bool',
      level: { enum: 'uint8', members: { LOW: 0, HIGH: 2 } },
      inner: { compound: { a: 'int16', b: 'float16' } },
    },
  } as const;
  let seen: Record<string, { dtype: unknown; shape: number[]; values: unknown; enum?: Record<string, number>; vlen?: string }>;
  let attrs: Record<string, { dtype: unknown; shape: number[] | null; values: unknown }>;

  beforeAll(() => {
    {
      using f = File.open(file, 'w');
      const c = f.createDataset('compound', { shape: [2], dtype: compound });
      c.write({
        id: [7, -1],
        x: [0.5, -2.25],
        name: ['alpha', 'b'],
        pos: [1, 2, 3, 4, 5, 6],
        z: [1, -2, 0.5, 0],
        ok: [true, false],
        level: ['HIGH', 0],
        inner: { a: [-3, 300], b: [0.1, 65504] },
      });
      f.createDataset('padded', {
        shape: [2],
        dtype: { compound: { a: { dtype: 'uint8', offset: 0 }, b: { dtype: 'float64', offset: 8 } }, itemsize: 24 },
        data: [{ a: 1, b: 1.5 }, { a: 255, b: -0 }],
      });
      f.createDataset('vstr', { shape: [2], dtype: { compound: { k: 'string', v: 'int64' } }, data: { k: ['héllo', ''], v: [2n ** 62n, -1n] } });
      f.createDataset('scalar', { shape: [], dtype: { compound: { a: 'int8', b: 'complex128' } }, data: [{ a: 5, b: [1, -1] }] });
      f.createDataset('c64', { shape: [3], dtype: 'complex64', data: new Float32Array([1, 2, -0.5, 0, 3.25, -4]) });
      f.createDataset('c128', { shape: [2, 1], dtype: 'complex128', data: [Math.PI, -Math.E, 1e300, -1e-300] });
      // Ties round to even as numpy rounds (1000.25 -> 1000, 2049 -> 2048), past 65504 is infinity.
      f.createDataset('f16', { shape: [9], dtype: 'float16', data: new Float64Array([0.5, 1000.25, 2049, 65504, 70000, -Infinity, NaN, 2 ** -24, 0.1]) });
      f.createDataset('bool', { shape: [3], dtype: 'bool', data: [true, false, true] });
      f.createDataset('enum', { shape: [3], dtype: { enum: 'int16', members: { RED: -1, GREEN: 0, BLUE: 300 } }, data: ['BLUE', -1, 0] });
      f.createDataset('vlen_i4', { shape: [3], dtype: { vlen: 'int32' }, data: [[1, 2, 3], [], new Int32Array([-7])] });
      f.createDataset('vlen_f8', { shape: [2], dtype: { vlen: 'float64' }, data: [new Float64Array([0.25]), [1e-300, -0, 2]] });
      f.createDataset('opaque', { shape: [2], dtype: { opaque: 4 }, data: [new Uint8Array([0, 1, 2, 3]), new Uint8Array([255, 254, 253, 252])] });
      f.createDataset('opaque_tag', { shape: [1], dtype: { opaque: 2, tag: 'rgb pairs' }, data: new Uint8Array([9, 8]) });
      f.createDataset('arr', { shape: [2], dtype: { array: 'int16', shape: [2, 3] }, data: Int16Array.from({ length: 12 }, (_, i) => i - 6) });
      f.createDataset('bits', { shape: [2], dtype: { bitfield: 'uint8' }, data: new Uint8Array([0b1010, 0xff]) });

      f.attrs.set('record', { id: 1, x: 2.5, name: 'r', pos: [0, 1, 2], z: [3, 4], ok: true, level: 'LOW', inner: { a: 1, b: 1 } }, { dtype: compound });
      f.attrs.set('records', [{ a: 1, b: 'x' }, { a: 2, b: 'yz' }], { dtype: { compound: { a: 'uint16', b: { string: { length: 2 } } } } });
      f.attrs.set('cplx', [1, -2], { dtype: 'complex128', shape: [] });
      f.attrs.set('halves', [1.5, -0.25], { dtype: 'float16' });
      f.attrs.set('enum', ['LOW', 'HIGH'], { dtype: { enum: 'int8', members: { LOW: 0, HIGH: 1 } } });
      f.attrs.set('vlen', [[1, 2], [3]], { dtype: { vlen: 'uint8' } });
      f.attrs.set('void', new Uint8Array([1, 2, 3]), { dtype: { opaque: 3 } });
      f.attrs.set('grid', [1, 2, 3, 4], { dtype: { array: 'float64', shape: [2, 2] }, shape: [] });
    }
    const out = python(
      `${VAL_PY}
f = h5py.File(sys.argv[1], 'r')
ds = {}
for k in f:
    d = f[k]
    if k == 'opaque_tag': continue
    e = h5py.check_enum_dtype(d.dtype)
    v = h5py.check_vlen_dtype(d.dtype)
    ds[k] = {'dtype': descr(d.dtype), 'shape': list(d.shape), 'values': val(d[()])}
    if e is not None: ds[k]['enum'] = {n: int(x) for n, x in e.items()}
    if v is not None: ds[k]['vlen'] = np.dtype(v).str
# float16: the bits numpy makes of the same float64s
ds['f16']['numpy_bits'] = np.array([0.5, 1000.25, 2049, 65504, 70000, -np.inf, np.nan, 2.0 ** -24, 0.1]).astype('<f2').view('<u2').tolist()
ds['f16']['bits'] = f['f16'][()].view('<u2').tolist()
attrs = {k: {'dtype': descr(f.attrs.get_id(k).dtype), 'shape': list(f.attrs.get_id(k).shape), 'values': val(f.attrs[k])} for k in f.attrs}
emit({'ds': ds, 'attrs': attrs})`,
      [file],
    ) as { ds: typeof seen; attrs: typeof attrs };
    seen = out.ds;
    attrs = out.attrs;
  });

  test('a compound of numbers, a fixed string, an array, complex, bool, enum and a nested compound is a numpy structured dtype', () => {
    expect(seen.compound.dtype).toEqual({
      fields: [
        ['id', '<i4', 0],
        ['x', '<f8', 4],
        ['name', '|S6', 12],
        ['pos', ['<f4', [3]], 18],
        ['z', '<c8', 30],
        ['ok', '|b1', 38],
        ['level', '|u1', 39],
        ['inner', { fields: [['a', '<i2', 0], ['b', '<f2', 2]], itemsize: 4 }, 40],
      ],
      itemsize: 44,
    });
    expect(seen.compound.values).toEqual([
      { id: '7', x: 0.5, name: 'alpha', pos: [1, 2, 3], z: [1, -2], ok: true, level: '2', inner: { a: '-3', b: 0.0999755859375 } },
      { id: '-1', x: -2.25, name: 'b', pos: [4, 5, 6], z: [0.5, 0], ok: false, level: '0', inner: { a: '300', b: 65504 } },
    ]);
  });

  test('explicit offsets and itemsize, variable-length strings in a compound, a scalar compound', () => {
    expect(seen.padded).toEqual({ dtype: { fields: [['a', '|u1', 0], ['b', '<f8', 8]], itemsize: 24 }, shape: [2], values: [{ a: '1', b: 1.5 }, { a: '255', b: -0 }] });
    expect(seen.vstr.dtype).toEqual({ fields: [['k', '|O', 0], ['v', '<i8', 8]], itemsize: 16 });
    expect(seen.vstr.values).toEqual([{ k: 'héllo', v: String(2n ** 62n) }, { k: '', v: '-1' }]);
    expect(seen.scalar).toEqual({ dtype: { fields: [['a', '|i1', 0], ['b', '<c16', 1]], itemsize: 17 }, shape: [], values: { a: '5', b: [1, -1] } });
  });

  test("complex64 and complex128 are h5py's complex (a compound of r and i)", () => {
    expect(seen.c64).toEqual({ dtype: '<c8', shape: [3], values: [[1, 2], [-0.5, 0], [3.25, -4]] });
    expect(seen.c128).toEqual({ dtype: '<c16', shape: [2, 1], values: [[Math.PI, -Math.E], [1e300, -1e-300]] });
    const c = h5dump(file, '/c64');
    expect(c.text).toMatch(/H5T_COMPOUND \{\s+H5T_IEEE_F32LE "r";\s+H5T_IEEE_F32LE "i";\s+\}/);
  });

  test('float16 is IEEE half, rounded from float64 exactly as numpy rounds', () => {
    const f16 = seen.f16 as unknown as { dtype: string; values: unknown[]; bits: number[]; numpy_bits: number[] };
    expect(f16.dtype).toBe('<f2');
    expect(f16.bits).toEqual(f16.numpy_bits);
    expect(f16.values).toEqual([0.5, 1000, 2048, 65504, 'Infinity', '-Infinity', 'NaN', 2 ** -24, 0.0999755859375]);
  });

  test("bool is numpy's bool; enums keep their members; bitfields read as unsigned integers", () => {
    expect(seen.bool).toEqual({ dtype: '|b1', shape: [3], values: [true, false, true] });
    expect(seen.enum).toEqual({ dtype: '<i2', shape: [3], values: ints(300, -1, 0), enum: { RED: -1, GREEN: 0, BLUE: 300 } });
    expect(seen.bits).toEqual({ dtype: '|u1', shape: [2], values: ints(10, 255) });
    expect(h5dump(file, '/bits').type).toBe('H5T_STD_B8LE');
  });

  test("variable-length sequences are h5py's vlen_dtype; opaque data is numpy void; array types are subarrays", () => {
    expect(seen.vlen_i4).toEqual({ dtype: '|O', vlen: '<i4', shape: [3], values: [ints(1, 2, 3), [], ints(-7)] });
    expect(seen.vlen_f8).toEqual({ dtype: '|O', vlen: '<f8', shape: [2], values: [[0.25], [1e-300, -0, 2]] });
    expect(seen.opaque).toEqual({ dtype: '|V4', shape: [2], values: [[0, 1, 2, 3], [255, 254, 253, 252]] });
    expect(seen.arr).toEqual({ dtype: ['<i2', [2, 3]], shape: [2], values: ints(...Array.from({ length: 12 }, (_, i) => i - 6)) });
    // h5py reads only untagged opaque data (and its own 'NUMPY:' tags); h5dump shows the tag.
    expect(h5dump(file, '/opaque_tag').text).toMatch(/OPAQUE_TAG "rgb pairs";/);
  });

  test('attributes of these types, scalars and arrays', () => {
    expect(attrs.record.shape).toEqual([]);
    expect(attrs.record.values).toEqual({ id: '1', x: 2.5, name: 'r', pos: [0, 1, 2], z: [3, 4], ok: true, level: '0', inner: { a: '1', b: 1 } });
    expect(attrs.records).toEqual({ dtype: { fields: [['a', '<u2', 0], ['b', '|S2', 2]], itemsize: 4 }, shape: [2], values: [{ a: '1', b: 'x' }, { a: '2', b: 'yz' }] });
    expect(attrs.cplx).toEqual({ dtype: '<c16', shape: [], values: [1, -2] });
    expect(attrs.halves).toEqual({ dtype: '<f2', shape: [2], values: [1.5, -0.25] });
    expect(attrs.enum).toEqual({ dtype: '|i1', shape: [2], values: ints(0, 1) });
    expect(attrs.vlen).toEqual({ dtype: '|O', shape: [2], values: [ints(1, 2), ints(3)] });
    expect(attrs.void).toEqual({ dtype: '|V3', shape: [], values: [1, 2, 3] });
    expect(attrs.grid).toEqual({ dtype: ['<f8', [2, 2]], shape: [], values: [1, 2, 3, 4] });
  });

  test('h5mpi reads back what it wrote, with the dtypes it was given', () => {
    using f = File.open(file, 'r');
    const c = f.get('compound') as Dataset<typeof compound>;
    expect(c.dtype).toEqual(compound);
    const soa = c.read();
    expect(soa).toEqual({
      id: new Int32Array([7, -1]),
      x: new Float64Array([0.5, -2.25]),
      name: ['alpha', 'b'],
      pos: new Float32Array([1, 2, 3, 4, 5, 6]),
      z: new Float32Array([1, -2, 0.5, 0]),
      ok: new Uint8Array([1, 0]),
      level: new Uint8Array([2, 0]),
      inner: { a: new Int16Array([-3, 300]), b: new Float32Array([0.0999755859375, 65504]) },
    });
    expect(c.read({ start: [1], count: [1] }, { records: true })).toEqual([
      { id: -1, x: -2.25, name: 'b', pos: new Float32Array([4, 5, 6]), z: [0.5, 0], ok: false, level: 0, inner: { a: 300, b: 65504 } },
    ]);
    expect((f.get('padded') as Dataset).dtype).toEqual({ compound: { a: { dtype: 'uint8', offset: 0 }, b: { dtype: 'float64', offset: 8 } }, itemsize: 24 });
    expect((f.get('vstr') as Dataset).read()).toEqual({ k: ['héllo', ''], v: new BigInt64Array([2n ** 62n, -1n]) });
    expect((f.get('scalar') as Dataset).read()).toEqual({ a: new Int8Array([5]), b: new Float64Array([1, -1]) });
    expect((f.get('enum') as Dataset).dtype).toEqual({ enum: 'int16', members: { RED: -1, GREEN: 0, BLUE: 300 } });
    expect((f.get('opaque_tag') as Dataset).read()).toEqual([new Uint8Array([9, 8])]);
    expect((f.get('opaque_tag') as Dataset).dtype).toEqual({ opaque: 2, tag: 'rgb pairs' });
    expect((f.get('bits') as Dataset).read()).toEqual(new Uint8Array([10, 255]));
    expect(f.attrs.get('record')).toEqual({ id: 1, x: 2.5, name: 'r', pos: new Float32Array([0, 1, 2]), z: [3, 4], ok: true, level: 0, inner: { a: 1, b: 1 } });
    expect(f.attrs.read('records')).toEqual({ data: { a: new Uint16Array([1, 2]), b: ['x', 'yz'] }, shape: [2], dtype: { compound: { a: 'uint16', b: { string: { encoding: 'utf-8', length: 2 } } } } });
    expect(f.attrs.get('vlen')).toEqual([new Uint8Array([1, 2]), new Uint8Array([3])]);
    expect(f.attrs.get('void')).toEqual(new Uint8Array([1, 2, 3]));
    expect(f.attrs.get('grid')).toEqual(new Float64Array([1, 2, 3, 4]));
    expect(f.attrs.info('halves')).toMatchObject({ dtype: 'float16', shape: [2], storedType: { description: 'float16' } });
  });
});

peer('types h5py writes, as h5mpi reads them', () => {
  const file = fresh();
  beforeAll(() => {
    python(
      `f = h5py.File(sys.argv[1], 'w')
rec_t = np.dtype([('i', '<i4'), ('x', '<f8'), ('s', 'S3'), ('u', h5py.string_dtype()), ('p', '<f4', (2,)), ('c', '<c16'), ('b', '?'),
                  ('nested', [('q', '<u2'), ('r', '>f8')])], align=True)
rec = np.array([(1, 0.5, b'ab', 'h\\u00e9', [1, 2], 1 - 1j, True, (7, -1.5)), (-2, 1e10, b'xyz', '', [3, 4], 0.25j, False, (65535, 2.0))], dtype=rec_t)
f['rec'] = rec
f['c64'] = np.array([1 + 2j, -3.5j], dtype='<c8')
f['be_c16'] = np.array([1.5 - 2j], dtype='>c16')
f['f2'] = np.array([[0.5, -1, 65504], [np.inf, 2.0 ** -24, -0.0]], dtype='<f2')
f['be_f2'] = np.array([3.5, -2], dtype='>f2')
f.create_dataset('f2_fill', shape=(2,), dtype='<f2', fillvalue=np.float16(-1.5))
f['bools'] = np.array([[True, False], [False, True]])
f.create_dataset('big_enum', data=np.array([2 ** 62, -5], dtype='<i8'), dtype=h5py.enum_dtype({'BIG': 2 ** 62, 'NEG': -5}, basetype='<i8'))
f.create_dataset('be_enum', data=np.array([1, 258], dtype='>i2'), dtype=h5py.enum_dtype({'ONE': 1, 'BIG': 258}, basetype='>i2'))
v = f.create_dataset('vlen_f8', (3,), dtype=h5py.vlen_dtype('<f8'))
v[0] = [0.5, 1.5]; v[2] = [-1.0]
u = f.create_dataset('vlen_u1', (2,), dtype=h5py.vlen_dtype('u1'))
u[0] = [255]; u[1] = [1, 2, 3]
f['void'] = np.array([b'\\x01\\x02\\x03', b'\\xff\\x00\\x7f'], dtype='V3')
f.create_dataset('tagged', data=np.array([1, 2], dtype='M8[ns]').astype(h5py.opaque_dtype(np.dtype('M8[ns]'))))
f.create_dataset('arr', (2,), dtype=np.dtype(('<f4', (2, 2))))[...] = np.arange(8, dtype='<f4').reshape(2, 2, 2)
a = f.attrs
a['cplx'] = np.complex64(1 - 2j)
a['rec'] = rec[0]
a['recs'] = rec[:2][['i', 'x']]
a['half'] = np.array([0.25, 8], dtype='<f2')
a.create('vl', data=np.array([np.array([1, 2], 'i2'), np.array([], 'i2')], dtype=object), dtype=h5py.vlen_dtype('i2'))
a['void'] = np.void(b'\\x00\\x01')
f.close()
emit('ok')`,
      [file],
    );
  });

  test('an aligned numpy structured array: padding kept as offsets, every field type read', () => {
    using f = File.open(file, 'r');
    const rec = f.get('rec') as Dataset;
    expect(rec.dtype).toEqual({
      compound: {
        i: { dtype: 'int32', offset: 0 },
        x: { dtype: 'float64', offset: 8 },
        s: { dtype: { string: { encoding: 'ascii', length: 3 } }, offset: 16 },
        u: { dtype: 'string', offset: 24 },
        p: { dtype: { array: 'float32', shape: [2] }, offset: 32 },
        c: { dtype: 'complex128', offset: 40 },
        b: { dtype: 'bool', offset: 56 },
        nested: { dtype: { compound: { q: { dtype: 'uint16', offset: 0 }, r: { dtype: 'float64', offset: 8 } }, itemsize: 16 }, offset: 64 },
      },
      itemsize: 80,
    });
    expect(rec.read()).toEqual({
      i: new Int32Array([1, -2]),
      x: new Float64Array([0.5, 1e10]),
      s: ['ab', 'xyz'],
      u: ['hé', ''],
      p: new Float32Array([1, 2, 3, 4]),
      c: new Float64Array([1, -1, 0, 0.25]),
      b: new Uint8Array([1, 0]),
      nested: { q: new Uint16Array([7, 65535]), r: new Float64Array([-1.5, 2]) },
    });
    expect(rec.read(undefined, { fields: ['nested', 'i'] })).toEqual({ i: new Int32Array([1, -2]), nested: { q: new Uint16Array([7, 65535]), r: new Float64Array([-1.5, 2]) } });
    expect(rec.read({ start: [1], count: [1] }, { records: true, fields: ['s', 'c'] })).toEqual([{ s: 'xyz', c: [0, 0.25] }]);
  });

  test('complex of either byte order, float16 with its fill value, bools, enums with 64-bit and big-endian bases', () => {
    using f = File.open(file, 'r');
    expect((f.get('c64') as Dataset).read()).toEqual(new Float32Array([1, 2, -0, -3.5])); // numpy's -3.5j is -0 - 3.5j
    const be = f.get('be_c16') as Dataset<'complex128'>;
    expect([be.dtype, be.read(), be.fileType.description]).toEqual(['complex128', new Float64Array([1.5, -2]), 'compound { r: float64 big-endian, i: float64 big-endian } (16 bytes)']);
    const f2 = f.get('f2') as Dataset<'float16'>;
    expect([f2.dtype, f2.read()]).toEqual(['float16', new Float32Array([0.5, -1, 65504, Infinity, 2 ** -24, -0])]);
    expect(f2.readInto(new Float64Array(2), { start: [0, 1], count: [2, 1] })).toEqual(new Float64Array([-1, 2 ** -24]));
    expect((f.get('be_f2') as Dataset).read()).toEqual(new Float32Array([3.5, -2]));
    const fill = f.get('f2_fill') as Dataset<'float16'>;
    expect([fill.fillValue, fill.read()]).toEqual([-1.5, new Float32Array([-1.5, -1.5])]);
    expect((f.get('bools') as Dataset).read()).toEqual(new Uint8Array([1, 0, 0, 1]));
    const big = f.get('big_enum') as Dataset;
    expect([big.dtype, big.read()]).toEqual([{ enum: 'int64', members: { BIG: 2n ** 62n, NEG: -5 } }, new BigInt64Array([2n ** 62n, -5n])]);
    const bigEndian = f.get('be_enum') as Dataset;
    expect([bigEndian.dtype, bigEndian.read()]).toEqual([{ enum: 'int16', members: { ONE: 1, BIG: 258 } }, new Int16Array([1, 258])]);
  });

  test('variable-length sequences, opaque data (untagged and with h5py\'s NUMPY: tag), array element types', () => {
    using f = File.open(file, 'r');
    const v = f.get('vlen_f8') as Dataset<{ vlen: 'float64' }>;
    expect([v.dtype, v.read()]).toEqual([{ vlen: 'float64' }, [new Float64Array([0.5, 1.5]), new Float64Array(0), new Float64Array([-1])]]);
    expect(v.read({ start: [2], count: [1] })).toEqual([new Float64Array([-1])]);
    expect((f.get('vlen_u1') as Dataset).read()).toEqual([new Uint8Array([255]), new Uint8Array([1, 2, 3])]);
    const o = f.get('void') as Dataset<{ opaque: 3 }>;
    expect([o.dtype, o.read()]).toEqual([{ opaque: 3 }, [new Uint8Array([1, 2, 3]), new Uint8Array([255, 0, 127])]]);
    const tagged = f.get('tagged') as Dataset;
    expect(tagged.dtype).toEqual({ opaque: 8, tag: 'NUMPY:<M8[ns]' });
    expect((tagged.read() as Uint8Array[]).map((b) => new BigInt64Array(b.slice().buffer)[0])).toEqual([1n, 2n]);
    const arr = f.get('arr') as Dataset<{ array: 'float32'; shape: [2, 2] }>;
    expect([arr.dtype, arr.shape, arr.read()]).toEqual([{ array: 'float32', shape: [2, 2] }, [2], Float32Array.from({ length: 8 }, (_, i) => i)]);
    expect(arr.readInto(new Float64Array(4), { start: [1], count: [1] })).toEqual(new Float64Array([4, 5, 6, 7]));
  });

  test('attributes: complex, a record and records, float16, vlen, opaque', () => {
    using f = File.open(file, 'r');
    expect(f.attrs.get('cplx')).toEqual([1, -2]);
    expect(f.attrs.get('rec')).toMatchObject({ i: 1, x: 0.5, s: 'ab', u: 'hé', p: new Float32Array([1, 2]), c: [1, -1], b: true, nested: { q: 7, r: -1.5 } });
    expect(f.attrs.read('recs')).toMatchObject({ data: { i: new Int32Array([1, -2]), x: new Float64Array([0.5, 1e10]) }, shape: [2] });
    expect(f.attrs.get('half')).toEqual(new Float32Array([0.25, 8]));
    expect(f.attrs.get('vl')).toEqual([new Int16Array([1, 2]), new Int16Array(0)]);
    expect(f.attrs.get('void')).toEqual(new Uint8Array([0, 1]));
  });
});

const tools = hasH5py() && ['tables', 'netCDF4'].every((m) => spawnSync(PYTHON, ['-c', `import ${m}`], { stdio: 'ignore' }).status === 0);
(tools ? describe : describe.skip)('a PyTables table and netCDF-4 user types read as h5py reads them', () => {
  const out = path.join(dir, 'peers');
  let theirs: Record<string, unknown>;
  beforeAll(() => {
    fs.mkdirSync(out, { recursive: true });
    // The same writers as the real-file conformance test's (test/peers/realfiles).
    theirs = python(
      `${VAL_PY}
sys.path.insert(0, sys.argv[2])
import pytables_file, netcdf_files
pytables_file.make(sys.argv[1])
netcdf_files.with_netcdf4_python(sys.argv[1])
t = h5py.File(sys.argv[1] + '/pytables.h5', 'r')['/run/readings']
n = h5py.File(sys.argv[1] + '/netcdf4_python.nc', 'r')
emit({'table': {'dtype': descr(t.dtype), 'values': val(t[()])},
      'pairs': {'dtype': descr(n['pairs'].dtype), 'values': val(n['pairs'][()])},
      'cloud': {'enum': {k: int(v) for k, v in h5py.check_enum_dtype(n['cloud'].dtype).items()}, 'values': val(n['cloud'][()])},
      'ragged': val(n['ragged'][()])})`,
      [out, path.join(__dirname, 'peers', 'realfiles')],
    ) as Record<string, unknown>;
  });

  test('the PyTables table: fixed strings, int64, float64 and a bitfield bool (uint8, as h5py reads it)', () => {
    const table = theirs.table as { dtype: unknown; values: Record<string, unknown>[] };
    expect(table.dtype).toEqual({ fields: [['sensor', '|S8', 0], ['when', '<i8', 8], ['value', '<f8', 16], ['ok', '|u1', 24]], itemsize: 25 });
    using f = File.open(path.join(out, 'pytables.h5'), 'r');
    const d = f.get('/run/readings') as Dataset;
    expect(d.dtype).toEqual({ compound: { sensor: { string: { encoding: 'ascii', length: 8 } }, when: 'int64', value: 'float64', ok: { bitfield: 'uint8' } } });
    const records = d.read(undefined, { records: true }) as Record<string, unknown>[];
    expect(records.map((r) => ({ sensor: r.sensor, when: String(r.when), value: r.value, ok: String(r.ok) }))).toEqual(table.values);
    expect(d.attrs.get('CLASS')).toBe('TABLE');
  });

  test("netCDF-4 compound, enum and vlen variables (named types in the file)", () => {
    using f = File.open(path.join(out, 'netcdf4_python.nc'), 'r');
    const pairs = f.get('pairs') as Dataset;
    const want = theirs.pairs as { dtype: unknown; values: { a: string; b: number }[] };
    // netCDF-4 aligns its compounds as C does.
    expect(want.dtype).toEqual({ fields: [['a', '<i4', 0], ['b', '<f8', 8]], itemsize: 16 });
    expect(pairs.dtype).toEqual({ compound: { a: { dtype: 'int32', offset: 0 }, b: { dtype: 'float64', offset: 8 } }, itemsize: 16 });
    expect((pairs.read(undefined, { records: true }) as { a: number; b: number }[]).map((r) => ({ a: String(r.a), b: r.b }))).toEqual(want.values);
    const cloud = f.get('cloud') as Dataset;
    const wantCloud = theirs.cloud as { enum: Record<string, number>; values: string[] };
    expect(cloud.dtype).toEqual({ enum: 'uint8', members: wantCloud.enum });
    expect(Array.from(cloud.read() as Uint8Array, String)).toEqual(wantCloud.values);
    const ragged = (f.get('ragged') as Dataset).read() as Int32Array[];
    expect(ragged.map((r) => Array.from(r, String))).toEqual(theirs.ragged);
  });
});

describe('partial compound I/O, records, selections and conversions', () => {
  const t = { compound: { a: 'int32', b: 'float64', s: { string: { length: 4 } } } } as const;

  test('writing some fields keeps the others; reading some reads only those', () => {
    const file = fresh();
    using f = File.open(file, 'w');
    const d = f.createDataset('d', { shape: [4], dtype: t, data: { a: [1, 2, 3, 4], b: [0.5, 1.5, 2.5, 3.5], s: ['w', 'x', 'y', 'z'] } });
    d.write({ b: [-1, -2] }, { start: [1], count: [2] }, { fields: ['b'] });
    d.write([{ s: 'new' }], { start: [3], count: [1] }, { fields: ['s'] });
    expect(d.read()).toEqual({ a: new Int32Array([1, 2, 3, 4]), b: new Float64Array([0.5, -1, -2, 3.5]), s: ['w', 'x', 'y', 'new'] });
    expect(d.read({ start: [0], count: [2], stride: [2] }, { fields: ['s', 'a'] })).toEqual({ a: new Int32Array([1, 3]), s: ['w', 'y'] });
    expect(d.read(undefined, { fields: ['b'], records: true })).toEqual([{ b: 0.5 }, { b: -1 }, { b: -2 }, { b: 3.5 }]);
  });

  test('records in, records out; numbers of other types into float16 and complex; a single value fills', () => {
    using f = File.open(fresh(), 'w');
    const d = f.createDataset('d', { shape: [2, 2], dtype: t });
    d.write([{ a: 1, b: 2, s: 'ab' }, { a: 3, b: 4, s: 'cd' }, { a: 5, b: 6, s: 'ef' }, { a: 7, b: 8, s: 'gh' }]);
    expect(d.read({ start: [1, 0], count: [1, 2] }, { records: true })).toEqual([{ a: 5, b: 6, s: 'ef' }, { a: 7, b: 8, s: 'gh' }]);
    const h = f.createDataset('h', { shape: [3], dtype: 'float16' });
    h.write(new Int32Array([1, -70000, 3]));
    expect(h.read()).toEqual(new Float32Array([1, -Infinity, 3]));
    h.write(0.5);
    expect(h.read()).toEqual(new Float32Array([0.5, 0.5, 0.5]));
    const c = f.createDataset('c', { shape: [2], dtype: 'complex64' });
    c.write(new Float64Array([1.5, -1, 2, 0]));
    expect(c.readInto(new Float64Array(4))).toEqual(new Float64Array([1.5, -1, 2, 0]));
    const b = f.createDataset('b', { shape: [3], dtype: 'bool', fillValue: true });
    expect([b.fillValue, b.read()]).toEqual([true, new Uint8Array([1, 1, 1])]);
    b.write(false, { start: [1], count: [1] });
    expect(b.readInto(new Float32Array(3))).toEqual(new Float32Array([1, 0, 1]));
    const e = f.createDataset('e', { shape: [2], dtype: { enum: 'uint8', members: { OFF: 0, ON: 1 } }, fillValue: 'ON' });
    expect([e.fillValue, e.read()]).toEqual([1, new Uint8Array([1, 1])]);
  });

  test('transfers past the piece size (2 GiB in HDF5 1.10; here a few bytes) go in pieces of whole elements', () => {
    const old = _setMaxTransferBytes(20);
    try {
      using f = File.open(fresh(), 'w');
      const c = f.createDataset('c', { shape: [5, 2], dtype: 'complex128' });
      const parts = Float64Array.from({ length: 20 }, (_, i) => i - 0.5);
      c.write(parts);
      expect(c.read()).toEqual(parts);
      expect(c.readInto(new Float32Array(8), { start: [1, 0], count: [2, 2] })).toEqual(Float32Array.from(parts.subarray(4, 12)));
      const h = f.createDataset('h', { shape: [13], dtype: 'float16', data: Array.from({ length: 13 }, (_, i) => i / 8) });
      expect(h.read()).toEqual(Float32Array.from({ length: 13 }, (_, i) => i / 8));
      const a = f.createDataset('a', { shape: [4], dtype: { array: 'int16', shape: [3] }, data: Int16Array.from({ length: 12 }, (_, i) => -i) });
      expect(a.read({ start: [1], count: [3] })).toEqual(Int16Array.from({ length: 9 }, (_, i) => -i - 3));
    } finally {
      _setMaxTransferBytes(old);
    }
  });

  test('per-rank datasets of these types (serially: this process\'s), with their initial data', () => {
    using f = File.open(fresh(), 'w');
    const ds = f.createDatasetsPerRank({
      'r/0': { shape: [2], dtype: { compound: { id: 'uint32', z: 'complex64' } }, data: [{ id: 1, z: [1, 2] }, { id: 2, z: [3, 4] }] },
      'r/h': { shape: [1], dtype: 'float16', data: [0.5] },
    });
    expect(ds['r/0'].read()).toEqual({ id: new Uint32Array([1, 2]), z: new Float32Array([1, 2, 3, 4]) });
    expect(ds['r/h'].read()).toEqual(new Float32Array([0.5]));
  });

  test('chunked, compressed and resized compound datasets', () => {
    using f = File.open(fresh(), 'w');
    const d = f.createDataset('d', { shape: [0], maxshape: [Infinity], chunks: [2], compression: 'gzip', shuffle: true, dtype: { compound: { t: 'float64', v: 'complex64' } } });
    d.resize([3]);
    d.write({ t: [0, 1, 2], v: [1, 1, 2, 2, 3, 3] });
    expect(d.read()).toEqual({ t: new Float64Array([0, 1, 2]), v: new Float32Array([1, 1, 2, 2, 3, 3]) });
    expect([d.compression, d.shuffle, d.chunks]).toEqual(['gzip', true, [2]]);
  });
});

describe('errors name the object and the problem, and leave what was there', () => {
  test('bad dtype specs', () => {
    using f = File.open(fresh(), 'w');
    const at = `File '${f.filename}'.createDataset('x')`;
    const make = (dtype: unknown): unknown => f.createDataset('x', { shape: [1], dtype: dtype as never });
    expect(() => make({ compound: {} })).toThrow(`${at}: a compound's fields must be an object { name: dtype, ... } with at least one field, got an object (Object)`);
    expect(() => make({ compound: { a: { dtype: 'int8', offset: 0 }, b: 'int8' } })).toThrow(`${at}: give every compound field an offset ({ dtype, offset }) or none (packed in order)`);
    expect(() => make({ compound: { a: { dtype: 'int32', offset: 0 }, b: { dtype: 'int8', offset: 2 } } })).toThrow(new RangeError(`${at}: fields 'a' and 'b' overlap`));
    expect(() => make({ compound: { a: 'int32' }, itemsize: 2 })).toThrow(new RangeError(`${at}: itemsize 2 is smaller than the fields (4 bytes)`));
    expect(() => make({ compound: { a: 'int32', b: 'complex' } })).toThrow(`${at}: field 'b': unknown dtype "complex" (did you mean 'complex128'?)`);
    expect(() => make({ enum: 'float32', members: { A: 0 } })).toThrow(`${at}: an enum's base must be an integer dtype`);
    expect(() => make({ enum: 'int8', members: { A: 1, B: 1 } })).toThrow(`${at}: enum members A and B have the same value 1`);
    expect(() => make({ enum: 'uint8', members: { A: 256 } })).toThrow(new RangeError(`${at}: enum member A (256) is out of the range of uint8`));
    expect(() => make({ vlen: { compound: { a: 'int8' } } })).toThrow(`${at}: variable-length sequences hold numbers`);
    expect(() => make({ vlen: 'string' })).toThrow(`${at}: a variable-length string is dtype 'string', not { vlen: ... }`);
    expect(() => make({ array: 'int8', shape: [0] })).toThrow(new RangeError(`${at}: the array dtype's shape[0] must be a positive integer, got number 0`));
    expect(() => make({ opaque: 4, tag: 'x\0y' })).toThrow(`${at}: an opaque dtype's tag must be a string of at most 255 bytes without NUL`);
    expect(() => make({ vlen: 'int8', extra: 1 })).toThrow(`${at}: unknown key 'extra' in a { vlen: ... } dtype; accepted: vlen`);
    expect(() => make('f2')).toThrow(`${at}: unknown dtype "f2" (did you mean 'float16'?)`);
    // References are made from paths in their file, which the codec of a composite type has not.
    expect(() => make({ compound: { a: 'int32', r: 'reference' } })).toThrow(
      new TypeError(`${at}: field 'r': references are stored on their own (a 'reference' dataset or attribute), not in compound dtypes`),
    );
    expect(() => make({ array: 'regionReference', shape: [2] })).toThrow(new TypeError(`${at}: references are stored on their own (dtype 'regionReference'), not in array dtypes`));
    expect(() => make({ vlen: 'reference' })).toThrow(`${at}: variable-length sequences hold numbers`);
    expect(() => f.attrs.set('r', [f], { dtype: { compound: { r: 'reference' } } })).toThrow(
      `File '${f.filename}'.attrs.set('r'): field 'r': references are stored on their own`,
    );
    expect(() => f.createDataset('x', { shape: [1], dtype: { compound: { a: 'int8' } }, fillValue: 0 } as never)).toThrow(
      `${at}: a dataset of compound { "a": int8 } takes no fillValue (numbers, float16, bools and enums do)`,
    );
    expect(f.keys()).toEqual([]);
  });

  test('data that does not fit the type', () => {
    using f = File.open(fresh(), 'w');
    const c = f.createDataset('c', { shape: [2], dtype: { compound: { a: 'int8', e: { enum: 'int8', members: { X: 1, Y: 2 } }, ok: 'bool' } } });
    c.write({ a: [1, 2], e: ['X', 'Y'], ok: [true, false] });
    const at = "Dataset '/c'.write";
    expect(() => c.write({ a: [1, 2], e: [1, 2] } as never)).toThrow(`${at}: the data has no field 'ok'; give every field (a, e, ok), or write some with { fields: [...] }`);
    expect(() => c.write({ a: [1, 2], e: [1, 2], ok: [1, 0], extra: [1, 2] } as never)).toThrow(`${at}: the data has a field 'extra' the type does not have (the fields: a, e, ok)`);
    expect(() => c.write({ a: [1, 2], e: [1, 3], ok: [1, 0] })).toThrow(new RangeError(`${at}, field 'e': element 1 is 3, not the value of a member of the enum (X = 1, Y = 2) (in file '${f.filename}')`));
    expect(() => c.write({ a: [1, 2], e: ['X', 'Z'], ok: [1, 0] })).toThrow(new RangeError(`${at}, field 'e': element 1 is 'Z', not a member of the enum (X, Y) (in file '${f.filename}')`));
    expect(() => c.write({ a: [1, 200], e: [1, 2], ok: [1, 0] })).toThrow(new RangeError(`${at}, field 'a': element 1 (200) is out of the range of int8 (-128 to 127) (in file '${f.filename}')`));
    expect(() => c.write({ a: [1, 2], e: [1, 2], ok: [1, 2] })).toThrow(`${at}, field 'ok': element 1 is number 2; a bool takes true and false (or 0 and 1)`);
    expect(() => c.write({ a: [1], e: [1], ok: [true] })).toThrow(new RangeError(`${at}, field 'a': 1 values for 2 elements (in file '${f.filename}')`));
    expect(() => c.write([{ a: 1, e: 1, ok: true }, { a: 1, e: 1 }] as never)).toThrow(`${at}: record 1 has no field 'ok' (the fields: a, e, ok)`);
    expect(() => c.write({ a: [1, 2] }, undefined, { fields: ['a', 'q'] } as never)).toThrow(`${at}: fields[1] is string q, not a field of the compound (a, e, ok)`);
    expect(() => c.read(undefined, { fields: [] })).toThrow(`Dataset '/c'.read: fields must be a non-empty array of field names (a, e, ok), got an array`);
    expect(c.read(undefined, { records: true })).toEqual([{ a: 1, e: 1, ok: true }, { a: 2, e: 2, ok: false }]);

    const z = f.createDataset('z', { shape: [2], dtype: 'complex128' });
    expect(() => z.write(new Float64Array(3))).toThrow(new RangeError(`Dataset '/z'.write: 3 floats for 2 complex numbers (interleaved re, im: 4 floats) (in file '${f.filename}')`));
    expect(() => z.write(new Int32Array(4) as never)).toThrow(`Dataset '/z'.write: complex numbers come as a Float32Array or Float64Array of interleaved parts (re, im, re, im...), not a Int32Array`);
    expect(() => z.readInto(new Int32Array(4))).toThrow(`Dataset '/z'.readInto: the target must be a Float32Array or Float64Array (re, im interleaved) for complex128, not a Int32Array`);
    expect(() => z.readInto(new Float64Array(2))).toThrow(new RangeError(`Dataset '/z'.readInto: the target holds 2 numbers; the selection's 2 elements are 4 (2 numbers each) (in file '${f.filename}')`));
    expect(() => z.read(undefined, { records: true })).toThrow(`Dataset '/z'.read: records are a compound's elements; this dataset's dtype is complex128`);
    expect(() => c.readInto(new Int8Array(2))).toThrow(`Dataset '/c'.readInto: a dataset of compound { "a": int8, "e": enum int8 { X = 1, Y = 2 }, "ok": bool } reads into new arrays: use read()`);
    const o = f.createDataset('o', { shape: [2], dtype: { opaque: 2 } });
    expect(() => o.write([new Uint8Array(2), new Uint8Array(3)])).toThrow(`Dataset '/o'.write: element 1 is a Uint8Array; each opaque element is a Uint8Array of 2 bytes`);
    const v = f.createDataset('v', { shape: [2], dtype: { vlen: 'uint8' } });
    expect(() => v.write([[1], [256]])).toThrow(new RangeError(`Dataset '/v'.write: element 1: element 0 (256) is out of the range of uint8 (0 to 255) (in file '${f.filename}')`));
    // Nothing was written by any of them.
    expect(c.read(undefined, { records: true })).toEqual([{ a: 1, e: 1, ok: true }, { a: 2, e: 2, ok: false }]);
    expect(v.read()).toEqual([new Uint8Array(0), new Uint8Array(0)]);
  });

  test('attributes of these types refuse what does not fit, keeping the old value', () => {
    using f = File.open(fresh(), 'w');
    const at = `File '${f.filename}'.attrs.set('x')`;
    f.attrs.set('x', [1, 2], { dtype: 'complex64', shape: [] });
    expect(() => f.attrs.set('x', [1, 2, 3], { dtype: 'complex64' })).toThrow(new RangeError(`${at}: 3 values is not a whole number of complex64 elements (2 each)`));
    expect(() => f.attrs.set('x', { a: 1 }, { dtype: { compound: { a: 'int8', b: 'int8' } } })).toThrow(`${at}: record 0 has no field 'b' (the fields: a, b)`);
    expect(() => f.attrs.set('x', { a: [1, 2], b: [1] }, { dtype: { compound: { a: 'int8', b: 'int8' } } })).toThrow(new RangeError(`${at}, field 'b': 1 values for 2 elements`));
    expect(() => f.attrs.set('x', { a: 1 })).toThrow(`${at}: cannot store an object (Object); use a number, bigint, boolean, string, typed array, array or Empty (or give a dtype)`);
    expect(() => f.attrs.set('x', [[1], [2]], { dtype: { vlen: 'int8' }, shape: [3] })).toThrow(new RangeError(`${at}: 2 elements of vlen int8 for shape [3] (3 elements)`));
    expect(f.attrs.get('x')).toEqual([1, 2]);
  });

  test('an h5py type whose field cannot be read (an object reference) leaves the dataset unreadable, naming it', () => {
    if (!hasH5py()) return;
    const file = fresh();
    python(
      `f = h5py.File(sys.argv[1], 'w')
g = f.create_group('g')
t = np.dtype([('a', '<i4'), ('r', h5py.ref_dtype)])
d = f.create_dataset('d', (1,), dtype=t)
d[0] = (1, g.ref)
f.close()
emit('ok')`,
      [file],
    );
    using f = File.open(file, 'r');
    const d = f.get('d') as Dataset;
    expect(d.dtype).toBeNull();
    expect(() => d.read()).toThrow(H5Error);
    expect(() => d.read()).toThrow("Dataset '/d'.read: the dataset's stored type is compound { a: int32, r: object reference } (12 bytes), which h5mpi cannot read");
  });
});

describe('in parallel: collective and independent writes of every fixed-size type, vlen refused, read back by h5py', () => {
  test.each([2, 4])('%i ranks', async (ranks) => {
    const file = fresh();
    const vlenFile = fresh();
    {
      // Variable-length data written serially, for the ranks to read.
      using f = File.open(vlenFile, 'w');
      f.createDataset('v', { shape: [4], dtype: { vlen: 'int16' }, data: [[1], [2, 2], [], [4, 4, 4, 4]] });
      f.createDataset('s', { shape: [2], dtype: { compound: { k: 'string', n: 'int8' } }, data: [{ k: 'a', n: 1 }, { k: 'bé', n: 2 }] });
    }
    const pyFile = fresh();
    if (hasH5py()) {
      python(
        `f = h5py.File(sys.argv[1], 'w')
f['rec'] = np.array([(1, 0.5 + 1j, b'ab'), (-2, -3j, b'c')], dtype=[('i', '<i2'), ('c', '<c8'), ('s', 'S2')])
f['c16'] = np.array([1 - 1j, 2.5 + 0j])
f['f2'] = np.array([0.5, -2], dtype='<f2')
f['b'] = np.array([True, False])
f.create_dataset('e', data=np.array([1, 0], dtype='u1'), dtype=h5py.enum_dtype({'NO': 0, 'YES': 1}, basetype='u1'))
f['v'] = np.array([b'\\x01\\x02', b'\\x03\\x04'], dtype='V2')
f.create_dataset('a', (2,), dtype=np.dtype(('<i4', (2,))))[...] = [[1, 2], [3, 4]]
vl = f.create_dataset('vl', (2,), dtype=h5py.vlen_dtype('<f4'))
vl[0] = [1.5]; vl[1] = [2.5, 3.5]
f.close()
emit('ok')`,
        [pyFile],
      );
    }
    const run = await mpirunOk(ranks, 'h5_types_par.js', [file, vlenFile, ...(hasH5py() ? [pyFile] : [])], { timeoutMs: 120_000 });
    const labels = ['transfers', 'vlenCollective', 'vlenIndependent', 'vlenCreate', 'gzipComplexConverted', 'readVlen', 'readBack', 'vlenAttribute'];
    const by = Object.fromEntries(labels.map((l) => [l, reportsLabelled(run, l)]));
    for (let r = 0; r < ranks; r++) {
      // Types whose memory layout is the stored one go collectively; complex64 from float64s needs a conversion,
      // which HDF5 1.14.1 and later make collectively too (selection I/O) and 1.10 independently.
      expect(by.transfers[r]).toMatchObject({
        compound: { requested: 'collective', mode: 'collective', causes: [] },
        complex: { requested: 'collective', mode: 'collective', causes: [] },
        float16: { requested: 'collective', mode: 'collective', causes: [] },
        enum: { requested: 'collective', mode: 'collective', causes: [] },
        bool: { requested: 'collective', mode: 'collective', causes: [] },
        opaque: { requested: 'collective', mode: 'collective', causes: [] },
        array: { requested: 'collective', mode: 'collective', causes: [] },
        gzipCompound: { requested: 'collective', mode: 'collective', causes: [] },
        complexFromFloat64: hdf5AtLeast(1, 14, 1)
          ? { requested: 'collective', mode: 'collective', causes: [] }
          : { requested: 'collective', mode: 'independent', causes: ['the data needed type conversion'] },
        independent: { requested: 'independent', mode: 'independent' },
        independentCompound: { requested: 'independent', mode: 'independent' },
      });
      expect(by.vlenAttribute[r]).toMatchObject({ threw: false, value: [[1, 2, 3], [4]] });
      const vlenError = "parallel HDF5 cannot write variable-length data (vlen int16): HDF5 does not support it with MPI-IO";
      expect(by.vlenCollective[r]).toMatchObject({ threw: true, name: 'H5Error' });
      expect((by.vlenCollective[r] as { message: string }).message).toContain(`Dataset '/vlen'.write: ${vlenError}`);
      expect((by.vlenIndependent[r] as { message: string }).message).toContain(`Dataset '/vlen'.write: ${vlenError}`);
      expect((by.vlenCreate[r] as { message: string }).message).toContain("createDataset('vlen2'): parallel HDF5 cannot write variable-length");
      expect((by.gzipComplexConverted[r] as { message: string }).message).toContain(
        "Dataset '/gzcomplex'.write: in parallel, a filtered (compressed, shuffled or checksummed) dataset is written without type conversion, and writing complex64 from JS needs one unless its parts come as a Float32Array",
      );
      expect(by.readVlen[r]).toMatchObject({ threw: false, value: { v: [[1], [2, 2], [], [4, 4, 4, 4]], mine: [[2, 2]], s: [{ k: 'a', n: 1 }, { k: 'bé', n: 2 }] } });
      expect(by.readBack[r]).toMatchObject({ threw: false });
    }
    // Every rank read the same, what rank 0 wrote with the others; and its own rows as records.
    const { recordsMine: mine0, ...values } = (by.readBack[0] as { value: Record<string, unknown> }).value;
    for (let r = 0; r < ranks; r++) {
      const { recordsMine, ...rest } = (by.readBack[r] as { value: Record<string, unknown> }).value;
      expect(rest).toEqual(values);
      // (JSON, the reports' way here, has no -0.)
      expect(recordsMine).toEqual([2 * r, 2 * r + 1].map((i) => ({ i, x: i / 2, z: [i, i === 0 ? 0 : -i] })));
    }
    expect(mine0).toBeDefined();
    expect(values.complex2).toEqual(Array.from({ length: ranks * 2 }, (_, i) => [i, i]).flat());
    expect(values.attr).toEqual({ a: '7n', z: [1, 2] });
    expect(values.indCompound).toEqual({ a: Array.from({ length: ranks * 2 }, (_, i) => i), h: Array.from({ length: ranks * 2 }, (_, i) => i + 0.5) });
    if (!hasH5py()) return;
    // What h5py wrote, read on every rank, collectively and independently alike.
    const fromH5py = reportsLabelled(run, 'readH5py');
    for (let r = 0; r < ranks; r++) {
      expect(fromH5py[r]).toMatchObject({
        threw: false,
        value: {
          rec: { dtype: { compound: { i: 'int16', c: 'complex64', s: { string: { encoding: 'ascii', length: 2 } } } }, collective: { i: [1, -2], c: [0.5, 1, 0, -3], s: ['ab', 'c'] }, same: true },
          c16: { dtype: 'complex128', collective: [1, -1, 2.5, 0], same: true },
          f2: { dtype: 'float16', collective: [0.5, -2], same: true },
          b: { dtype: 'bool', collective: [1, 0], same: true },
          e: { dtype: { enum: 'uint8', members: { NO: 0, YES: 1 } }, collective: [1, 0], same: true },
          v: { dtype: { opaque: 2 }, collective: [[1, 2], [3, 4]], same: true },
          a: { dtype: { array: 'int32', shape: [2] }, collective: [1, 2, 3, 4], same: true },
          vl: { dtype: { vlen: 'float32' }, collective: [[1.5], [2.5, 3.5]], same: true },
          records: [r % 2 === 0 ? { i: 1, c: [0.5, 1], s: 'ab' } : { i: -2, c: [0, -3], s: 'c' }],
        },
      });
    }
    const seen = python(
      `${VAL_PY}
f = h5py.File(sys.argv[1], 'r')
emit({k: val(f[k][()]) for k in ['compound', 'complex', 'float16', 'enum', 'bool', 'opaque', 'array', 'gz', 'ind', 'initial']} | {'attr': val(f.attrs['rec']), 'ragged': val(f.attrs['ragged'])})`,
      [file],
    ) as Record<string, unknown[]>;
    const rows = Array.from({ length: ranks * 2 }, (_, i) => i);
    expect(seen.compound).toEqual(rows.map((i) => ({ i: String(i), x: i / 2, z: [i, -i] })));
    expect(seen.complex).toEqual(rows.map((i) => [i, i + 0.5]));
    expect(seen.float16).toEqual(rows.map((i) => i / 4));
    expect(seen.enum).toEqual(rows.map((i) => String(i % 2 === 0 ? -1 : 5)));
    expect(seen.bool).toEqual(rows.map((i) => i % 3 === 0));
    expect(seen.opaque).toEqual(rows.map((i) => [i, 255 - i]));
    expect(seen.array).toEqual(rows.flatMap((i) => [String(i), String(-i), String(2 * i)]));
    expect(seen.gz).toEqual(rows.map((i) => ({ t: i, v: [i, i] })));
    expect(seen.ind).toEqual(rows.map((i) => [i, -i]));
    expect(seen.initial).toEqual([{ a: '1', b: 'x' }, { a: '2', b: 'y' }]);
    expect(seen.attr).toEqual({ a: '7', z: [1, 2] });
    expect(seen.ragged).toEqual([ints(1, 2, 3), ints(4)]);
  }, 180_000);
});
