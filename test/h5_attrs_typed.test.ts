// Attributes with types and shapes, Empty and zero-length attributes, overwrites that fail, datasets of types
// h5mpi cannot read, and strings as stored: h5mpi's attributes as h5py reads them (numpy dtype, shape,
// values), h5py's as h5mpi reads them, and 2-rank attribute writes through mpiexec.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttributeOptions, AttributeValue, Dataset, DTypeSpec, Empty, File, Group, H5Error, Reference } from '../lib';
import { hasH5py, python, PYTHON } from './helpers/h5tools';
import { mpirunOk, reportsLabelled, tmpdir } from './helpers/mpirun';

const dir = tmpdir('h5mpi-attrs-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `a${n++}.h5`);

/** A Python function `attr(obj, name)`: an attribute as h5py sees it, as JSON (bytes as their values). */
const ATTR_PY = `
def plain(x):
    if isinstance(x, (bytes, np.bytes_)): return {'bytes': list(bytes(x))}
    if isinstance(x, (np.bool_, bool)): return bool(x)
    if isinstance(x, (np.integer, int)): return str(int(x))
    if isinstance(x, (np.floating, float)): return repr(float(x))
    if isinstance(x, np.ndarray): return [plain(v) for v in x.reshape(-1)]
    return x

def attr(o, k):
    a = o.attrs.get_id(k)
    s = h5py.check_string_dtype(a.dtype)
    v = o.attrs[k]
    return {'dtype': a.dtype.str, 'shape': None if a.shape is None else list(a.shape),
            'string': None if s is None else {'encoding': s.encoding, 'length': s.length},
            'empty': isinstance(v, h5py.Empty), 'values': None if isinstance(v, h5py.Empty) else plain(v)}
`;

interface PyAttr {
  dtype: string;
  shape: number[] | null;
  string: { encoding: string; length: number | null } | null;
  empty: boolean;
  values: unknown;
}

/** What each attribute written by h5mpi is to h5py: numpy dtype, shape, string info and values (plain()'s form). */
interface Case {
  name: string;
  value: AttributeValue | Uint8Array[];
  options?: AttributeOptions;
  np: string;
  shape: number[] | null;
  string?: { encoding: string; length: number | null };
  values: unknown;
  /** What h5mpi reads back: read()'s { data, shape, dtype } (data flat). */
  back: { data: unknown; shape: number[] | null; dtype: DTypeSpec };
}

const bytes = (s: string): { bytes: number[] } => ({ bytes: Array.from(Buffer.from(s, 'latin1')) });
const ascii8: DTypeSpec = { string: { encoding: 'ascii', length: 8 } };

const CASES: Case[] = [
  { name: 'int8', value: -128, options: { dtype: 'int8' }, np: '|i1', shape: [], values: '-128', back: { data: new Int8Array([-128]), shape: [], dtype: 'int8' } },
  { name: 'uint8', value: 255, options: { dtype: 'uint8' }, np: '|u1', shape: [], values: '255', back: { data: new Uint8Array([255]), shape: [], dtype: 'uint8' } },
  { name: 'int16', value: -32768, options: { dtype: 'int16' }, np: '<i2', shape: [], values: '-32768', back: { data: new Int16Array([-32768]), shape: [], dtype: 'int16' } },
  { name: 'uint16', value: 65535, options: { dtype: 'uint16' }, np: '<u2', shape: [], values: '65535', back: { data: new Uint16Array([65535]), shape: [], dtype: 'uint16' } },
  { name: 'int32', value: -(2 ** 31), options: { dtype: 'int32' }, np: '<i4', shape: [], values: String(-(2 ** 31)), back: { data: new Int32Array([-(2 ** 31)]), shape: [], dtype: 'int32' } },
  { name: 'uint32', value: 2 ** 32 - 1, options: { dtype: 'uint32' }, np: '<u4', shape: [], values: String(2 ** 32 - 1), back: { data: new Uint32Array([2 ** 32 - 1]), shape: [], dtype: 'uint32' } },
  { name: 'int64', value: -(2n ** 63n), np: '<i8', shape: [], values: String(-(2n ** 63n)), back: { data: new BigInt64Array([-(2n ** 63n)]), shape: [], dtype: 'int64' } },
  { name: 'uint64', value: 2n ** 64n - 1n, options: { dtype: 'uint64' }, np: '<u8', shape: [], values: String(2n ** 64n - 1n), back: { data: new BigUint64Array([2n ** 64n - 1n]), shape: [], dtype: 'uint64' } },
  { name: 'int32 from a number', value: 7, options: { dtype: 'int32', shape: [] }, np: '<i4', shape: [], values: '7', back: { data: new Int32Array([7]), shape: [], dtype: 'int32' } },
  { name: 'float32', value: 0.1, options: { dtype: 'float32' }, np: '<f4', shape: [], values: String(Math.fround(0.1)), back: { data: new Float32Array([0.1]), shape: [], dtype: 'float32' } },
  { name: 'float64', value: 0.1, np: '<f8', shape: [], values: '0.1', back: { data: new Float64Array([0.1]), shape: [], dtype: 'float64' } },
  { name: 'bool', value: true, np: '|b1', shape: [], values: true, back: { data: [true], shape: [], dtype: 'bool' } },
  { name: 'bool from 0', value: 0, options: { dtype: 'bool' }, np: '|b1', shape: [], values: false, back: { data: [false], shape: [], dtype: 'bool' } },
  {
    name: 'bools 2x3', value: [true, false, true, false, false, true], options: { shape: [2, 3] }, np: '|b1', shape: [2, 3],
    values: [true, false, true, false, false, true], back: { data: [true, false, true, false, false, true], shape: [2, 3], dtype: 'bool' },
  },
  {
    name: 'int32 3x2', value: new Int32Array([1, 2, 3, 4, 5, -6]), options: { shape: [3, 2] }, np: '<i4', shape: [3, 2],
    values: ['1', '2', '3', '4', '5', '-6'], back: { data: new Int32Array([1, 2, 3, 4, 5, -6]), shape: [3, 2], dtype: 'int32' },
  },
  {
    name: 'float32 2x2x2', value: [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5], options: { dtype: 'float32', shape: [2, 2, 2] }, np: '<f4', shape: [2, 2, 2],
    values: ['0.0', '0.5', '1.0', '1.5', '2.0', '2.5', '3.0', '3.5'], back: { data: new Float32Array([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]), shape: [2, 2, 2], dtype: 'float32' },
  },
  {
    // A typed array of another type: HDF5 converts, as Dataset.write does (truncation toward zero).
    name: 'uint16 from Float64Array', value: new Float64Array([1.7, 65535]), options: { dtype: 'uint16' }, np: '<u2', shape: [2],
    values: ['1', '65535'], back: { data: new Uint16Array([1, 65535]), shape: [2], dtype: 'uint16' },
  },
  {
    name: 'bigint[]', value: [-1n, 2n ** 62n], np: '<i8', shape: [2], values: ['-1', String(2n ** 62n)],
    back: { data: new BigInt64Array([-1n, 2n ** 62n]), shape: [2], dtype: 'int64' },
  },
  {
    name: 'vlen utf-8', value: 'héllo ∑', np: '|O', shape: [], string: { encoding: 'utf-8', length: null }, values: 'héllo ∑',
    back: { data: ['héllo ∑'], shape: [], dtype: 'string' },
  },
  {
    name: 'ascii S8', value: 'abc', options: { dtype: ascii8 }, np: '|S8', shape: [], string: { encoding: 'ascii', length: 8 }, values: bytes('abc'),
    back: { data: ['abc'], shape: [], dtype: ascii8 },
  },
  {
    name: 'utf-8 fixed 4', value: ['hé', '日'], options: { dtype: { string: { encoding: 'utf-8', length: 4 } } }, np: '|S4', shape: [2],
    string: { encoding: 'utf-8', length: 4 }, values: [{ bytes: [0x68, 0xc3, 0xa9] }, { bytes: [0xe6, 0x97, 0xa5] }],
    back: { data: ['hé', '日'], shape: [2], dtype: { string: { encoding: 'utf-8', length: 4 } } },
  },
  {
    name: 'ascii vlen', value: ['a', 'bc'], options: { dtype: { string: { encoding: 'ascii' } } }, np: '|O', shape: [2],
    string: { encoding: 'ascii', length: null }, values: ['a', 'bc'], back: { data: ['a', 'bc'], shape: [2], dtype: { string: { encoding: 'ascii' } } },
  },
  {
    name: 'strings 2x2', value: ['a', 'b', 'c', 'd'], options: { shape: [2, 2] }, np: '|O', shape: [2, 2], string: { encoding: 'utf-8', length: null },
    values: ['a', 'b', 'c', 'd'], back: { data: ['a', 'b', 'c', 'd'], shape: [2, 2], dtype: 'string' },
  },
  {
    // Bytes stored as they are: Latin-1 in an ASCII type, as legacy files have it.
    name: 'bytes', value: new Uint8Array([0x63, 0x61, 0x66, 0xe9]), options: { dtype: { string: { encoding: 'ascii', length: 4 } } }, np: '|S4', shape: [],
    string: { encoding: 'ascii', length: 4 }, values: bytes('caf\xe9'), back: { data: ['café'], shape: [], dtype: { string: { encoding: 'ascii', length: 4 } } },
  },
  { name: 'zeros(0)', value: new Float64Array(0), np: '<f8', shape: [0], values: [], back: { data: new Float64Array(0), shape: [0], dtype: 'float64' } },
  { name: '[] as int32', value: [], options: { dtype: 'int32' }, np: '<i4', shape: [0], values: [], back: { data: new Int32Array(0), shape: [0], dtype: 'int32' } },
  { name: '[] as 0x3 float32', value: [], options: { dtype: 'float32', shape: [0, 3] }, np: '<f4', shape: [0, 3], values: [], back: { data: new Float32Array(0), shape: [0, 3], dtype: 'float32' } },
  {
    name: 'no strings', value: [] as string[], options: { dtype: 'string' }, np: '|O', shape: [0], string: { encoding: 'utf-8', length: null }, values: [],
    back: { data: [], shape: [0], dtype: 'string' },
  },
  { name: 'Empty float32', value: new Empty('float32'), np: '<f4', shape: null, values: null, back: { data: null, shape: null, dtype: 'float32' } },
  { name: 'Empty bool', value: new Empty('bool'), np: '|b1', shape: null, values: null, back: { data: null, shape: null, dtype: 'bool' } },
  {
    name: 'Empty S3', value: new Empty({ string: { encoding: 'ascii', length: 3 } }), np: '|S3', shape: null, string: { encoding: 'ascii', length: 3 }, values: null,
    back: { data: null, shape: null, dtype: { string: { encoding: 'ascii', length: 3 } } },
  },
];

describe('attributes h5mpi writes, as h5py and h5mpi read them', () => {
  const file = fresh();
  beforeAll(() => {
    using f = File.open(file, 'w');
    const g = f.createGroup('g');
    const d = f.createDataset('d', { shape: [2], dtype: 'int8' });
    for (const owner of [f, g, d] as (File | Group | Dataset)[]) for (const c of CASES) owner.attrs.set(c.name, c.value, c.options);
  });

  test.each(['/', '/g', '/d'])('every dtype and shape on %s comes back from h5mpi as written', (owner) => {
    using f = File.open(file, 'r');
    const attrs = (owner === '/' ? f : (f.get(owner))).attrs;
    expect(attrs.keys()).toEqual(CASES.map((c) => c.name).sort());
    for (const c of CASES) {
      expect([c.name, attrs.read(c.name)]).toEqual([c.name, c.back]);
      const info = attrs.info(c.name);
      expect([c.name, info.dtype, info.shape, info.size]).toEqual([c.name, c.back.dtype, c.back.shape, c.back.shape === null ? 0 : c.back.shape.reduce((a, b) => a * b, 1)]);
    }
  });

  test('get returns scalars as values, arrays flat, Empty as an Empty', () => {
    using f = File.open(file, 'r');
    expect(f.attrs.get('int32 from a number')).toBe(7);
    expect(f.attrs.get('uint64')).toBe(2n ** 64n - 1n);
    expect(f.attrs.get('bool')).toBe(true);
    expect(f.attrs.get('bools 2x3')).toEqual([true, false, true, false, false, true]);
    expect(f.attrs.get('float32 2x2x2')).toEqual(new Float32Array([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]));
    expect(f.attrs.get('ascii S8')).toBe('abc');
    expect(f.attrs.get('zeros(0)')).toEqual(new Float64Array(0));
    expect(f.attrs.get('Empty bool')).toEqual(new Empty('bool'));
    expect(f.attrs.get('Empty bool')).toBeInstanceOf(Empty);
    expect(f.attrs.get('bytes', { strings: 'bytes' })).toEqual(new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
    expect(f.attrs.get('utf-8 fixed 4', { strings: 'bytes' })).toEqual([new Uint8Array([0x68, 0xc3, 0xa9]), new Uint8Array([0xe6, 0x97, 0xa5])]);
    expect(f.attrs.info('ascii S8').storedType).toMatchObject({ className: 'string', size: 8, description: 'string (ascii, 8 bytes, nullpad)' });
    expect(f.attrs.info('bool').storedType.description).toBe('enum int8 { FALSE = 0, TRUE = 1 }');
  });

  (hasH5py() ? test : test.skip)('h5py reads each with the numpy dtype, shape and values', () => {
    const seen = python(
      `${ATTR_PY}
f = h5py.File(sys.argv[1], 'r')
emit({o: {k: attr(f[o], k) for k in f[o].attrs} for o in ['/', '/g', '/d']})`,
      [file],
    ) as Record<string, Record<string, PyAttr>>;
    for (const owner of ['/', '/g', '/d']) {
      for (const c of CASES) {
        const want = { dtype: c.np, shape: c.shape, string: c.string ?? null, empty: c.value instanceof Empty, values: c.values };
        expect([owner, c.name, seen[owner][c.name]]).toEqual([owner, c.name, want]);
      }
    }
  });
});

const peer = hasH5py() ? describe : describe.skip;
peer('attributes and datasets h5py writes, as h5mpi reads them', () => {
  const file = fresh();
  const SCALARS: [string, string, number | bigint][] = [
    ['i1', 'i1', -128],
    ['u1', 'u1', 255],
    ['i2', '<i2', -32768],
    ['u2', '<u2', 65535],
    ['i4', '<i4', -(2 ** 31)],
    ['u4', '<u4', 2 ** 32 - 1],
    ['i8', '<i8', -(2n ** 63n)],
    ['u8', '<u8', 2n ** 64n - 1n],
    ['f4', '<f4', Math.fround(0.1)],
    ['f8', '<f8', 0.1],
    ['be_i4', '>i4', -123456],
    ['be_f8', '>f8', -2.5],
  ];
  beforeAll(() => {
    python(
      `f = h5py.File(sys.argv[1], 'w')
a = f.attrs
for name, t, v in json.loads(sys.argv[2]):
    a.create(name, int(v) if t[-2] in 'iu' else float(v), dtype=t)
a['f2'] = np.float16(1.5)
a['grid'] = np.arange(24, dtype='<i2').reshape(2, 3, 4)
a['zeros0'] = np.zeros(0)
a['zeros0x3'] = np.zeros((0, 3), dtype='<i4')
a['empty_f8'] = h5py.Empty('f8')
a['empty_S5'] = h5py.Empty('S5')
a['S'] = np.bytes_(b'hello')
a['S_arr'] = np.array([b'a', b'bcd'], dtype='S3')
a['ascii_utf8'] = np.bytes_('h\\u00e9llo'.encode())
a['ascii_latin1'] = np.bytes_(b'caf\\xe9')
a.create('vascii', data=np.array([b'caf\\xe9', b'ok'], dtype=object), dtype=h5py.string_dtype('ascii'))
a.create('vutf8_bad', data=np.array([b'ok', b'caf\\xe9'], dtype=object), dtype=h5py.string_dtype())
a['bool'] = True
a['bools'] = np.array([[True, False], [False, True]])
a['s'] = 'h\\u00e9llo'
a.create('sarr', data=np.array(['a', 'b', 'c', 'd'], dtype=object).reshape(2, 2), dtype=h5py.string_dtype())
a.create('enum', data=np.array([2, 0], dtype='u1'), dtype=h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': 2}, basetype='u1'))
a['cplx'] = np.complex64(1 + 2j)
c = f.create_dataset('cplx', data=np.array([1 + 2j, 3 - 4j, 5j]), chunks=(2,), compression='gzip', shuffle=True)
c.attrs['units'] = 'V'
c.attrs['scale'] = np.float32(0.5)
e = f.create_dataset('enum', data=np.array([0, 2, 1], dtype='<i2'), dtype=h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': 2}, basetype='<i2'))
e.attrs['kind'] = 'colour'
h = f.create_dataset('half', data=np.arange(6, dtype='f2').reshape(2, 3), fillvalue=np.float16(-1))
h.attrs['grid'] = np.arange(4, dtype='<u2').reshape(2, 2)
r = f.create_dataset('rec', data=np.array([(1, 2.5, b'ab')], dtype=[('id', '<i4'), ('x', '<f8'), ('name', 'S2')]))
v = f.create_dataset('vl', (2,), dtype=h5py.vlen_dtype('<i4')); v[0] = [1, 2]
f['opaque'] = np.void(b'\\x01\\x02\\x03')
f['ref'] = np.array([h.ref], dtype=h5py.ref_dtype)
f.attrs['objref'] = h.ref
f['cref'] = np.array([(1, h.ref)], dtype=[('a', '<i4'), ('r', h5py.ref_dtype)])
f['latin1'] = np.array([b'caf\\xe9', b'ok'], dtype='S4')
f.create_dataset('bad_utf8', data=np.array([b'ok', b'caf\\xe9', b'\\xff'], dtype=object), dtype=h5py.string_dtype())
f.create_dataset('s_scalar', data='h\\u00e9', dtype=h5py.string_dtype())
f.close()
emit('ok')`,
      [file, JSON.stringify(SCALARS.map(([k, t, v]) => [k, t, String(v)]))],
    );
  });

  test('scalars of every integer and float width, either byte order, read as their values', () => {
    using f = File.open(file, 'r');
    for (const [name, t, v] of SCALARS) {
      expect([name, f.attrs.get(name)]).toEqual([name, v]);
      const dtype = { i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32', i8: 'int64', u8: 'uint64', f4: 'float32', f8: 'float64' }[t.slice(-2)];
      expect([name, f.attrs.info(name)]).toMatchObject([name, { dtype, shape: [], size: 1, storedType: { order: t.startsWith('>') ? 'big' : 'little' } }]);
    }
    expect(f.attrs.info('be_i4').storedType.description).toBe('int32 big-endian');
  });

  test('n-d and zero-length arrays with their shapes, Empty with its dtype', () => {
    using f = File.open(file, 'r');
    expect(f.attrs.read('grid')).toEqual({ data: Int16Array.from({ length: 24 }, (_, i) => i), shape: [2, 3, 4], dtype: 'int16' });
    expect(f.attrs.get('grid')).toEqual(Int16Array.from({ length: 24 }, (_, i) => i));
    expect(f.attrs.read('zeros0')).toEqual({ data: new Float64Array(0), shape: [0], dtype: 'float64' });
    expect(f.attrs.get('zeros0')).toEqual(new Float64Array(0));
    expect(f.attrs.read('zeros0x3')).toEqual({ data: new Int32Array(0), shape: [0, 3], dtype: 'int32' });
    expect(f.attrs.get('empty_f8')).toEqual(new Empty('float64'));
    expect(f.attrs.get('empty_S5')).toEqual(new Empty({ string: { encoding: 'ascii', length: 5 } }));
    expect(f.attrs.read('empty_f8')).toEqual({ data: null, shape: null, dtype: 'float64' });
    expect(f.attrs.info('empty_f8')).toMatchObject({ dtype: 'float64', shape: null, size: 0 });
  });

  test('bools as booleans, strings of every kind, enums as their integers', () => {
    using f = File.open(file, 'r');
    expect(f.attrs.get('bool')).toBe(true);
    expect(f.attrs.read('bools')).toEqual({ data: [true, false, false, true], shape: [2, 2], dtype: 'bool' });
    expect(f.attrs.get('s')).toBe('héllo');
    expect(f.attrs.read('sarr')).toEqual({ data: ['a', 'b', 'c', 'd'], shape: [2, 2], dtype: 'string' });
    expect([f.attrs.get('S'), f.attrs.info('S').dtype]).toEqual(['hello', { string: { encoding: 'ascii', length: 5 } }]);
    expect(f.attrs.get('S_arr')).toEqual(['a', 'bcd']);
    expect(f.attrs.get('enum')).toEqual(new Uint8Array([2, 0]));
    expect(f.attrs.info('enum').storedType).toMatchObject({ className: 'enum', description: 'enum uint8 { BLUE = 2, GREEN = 1, RED = 0 }' });
  });

  test('strings as stored: ASCII-typed bytes past 127 decode as UTF-8 when they are UTF-8, as Latin-1 otherwise', () => {
    using f = File.open(file, 'r');
    expect(f.attrs.get('ascii_utf8')).toBe('héllo');
    expect(f.attrs.get('ascii_latin1')).toBe('café');
    expect(f.attrs.get('vascii')).toEqual(['café', 'ok']);
    expect(f.attrs.get('ascii_latin1', { strings: 'bytes' })).toEqual(new Uint8Array([0x63, 0x61, 0x66, 0xe9]));
    expect(f.attrs.get('ascii_utf8', { strings: 'bytes' })).toEqual(new Uint8Array(Buffer.from('héllo')));
    expect(f.attrs.read('vascii', { strings: 'bytes' })).toEqual({ data: [new Uint8Array([0x63, 0x61, 0x66, 0xe9]), new Uint8Array([0x6f, 0x6b])], shape: [2], dtype: { string: { encoding: 'ascii' } } });
  });

  test('UTF-8-typed strings that are not UTF-8 throw (never U+FFFD), and read as bytes', () => {
    using f = File.open(file, 'r');
    const msg = "File '" + file + "'.attrs.get('vutf8_bad'): element 1 of attribute 'vutf8_bad' is not valid UTF-8 (bytes 63 61 66 e9), though its type says UTF-8; read it with { strings: 'bytes' }";
    expect(() => f.attrs.get('vutf8_bad')).toThrow(msg);
    expect(() => f.attrs.get('vutf8_bad')).toThrow(expect.objectContaining({ name: 'H5Error', code: 'DECODE' }) as Error);
    expect(f.attrs.get('vutf8_bad', { strings: 'bytes' })).toEqual([new Uint8Array([0x6f, 0x6b]), new Uint8Array([0x63, 0x61, 0x66, 0xe9])]);
  });

  test('string datasets read as bytes, with the same decoding rules as text', () => {
    using f = File.open(file, 'r');
    const latin = f.get('latin1') as Dataset<'string'>;
    expect(latin.read()).toEqual(['café', 'ok']);
    expect(latin.read(undefined, { strings: 'bytes' })).toEqual([new Uint8Array([0x63, 0x61, 0x66, 0xe9]), new Uint8Array([0x6f, 0x6b])]);
    const bad = f.get('bad_utf8') as Dataset<'string'>;
    expect(() => bad.read()).toThrow(
      `Dataset '/bad_utf8'.read: element 1 of dataset '/bad_utf8' is not valid UTF-8 (bytes 63 61 66 e9), though its type says UTF-8; read it with { strings: 'bytes' }`,
    );
    expect(bad.read({ start: [0], count: [1] })).toEqual(['ok']);
    expect(bad.read({ start: [1], count: [2] }, { strings: 'bytes' })).toEqual([new Uint8Array([0x63, 0x61, 0x66, 0xe9]), new Uint8Array([0xff])]);
    const scalar = f.get('s_scalar') as Dataset<'string'>;
    expect(scalar.read()).toBe('hé');
    expect(scalar.read(undefined, { strings: 'bytes' })).toEqual(new Uint8Array([0x68, 0xc3, 0xa9]));
    // Numbers ignore the option.
    expect((f.get('enum') as Dataset).read(undefined, { strings: 'bytes' })).toEqual(new Int16Array([0, 2, 1]));
  });

  test('complex and float16 attributes read as h5py reads them; one of a type h5mpi cannot read is described by info, and get names the type', () => {
    using f = File.open(file, 'r');
    expect(f.attrs.info('cplx')).toEqual({
      dtype: 'complex64',
      shape: [],
      size: 1,
      storedType: expect.objectContaining({
        className: 'compound',
        size: 8,
        description: 'compound { r: float32, i: float32 } (8 bytes)',
        fields: [expect.objectContaining({ name: 'r', offset: 0 }), expect.objectContaining({ name: 'i', offset: 4 })],
      }) as unknown,
    });
    expect(f.attrs.info('f2')).toMatchObject({ dtype: 'float16', storedType: { className: 'float', size: 2, description: 'float16' } });
    expect(f.attrs.get('cplx')).toEqual([1, 2]);
    expect(f.attrs.read('cplx')).toEqual({ data: new Float32Array([1, 2]), shape: [], dtype: 'complex64' });
    expect(f.attrs.get('f2')).toBe(1.5);
    // References read as what they point at (test/h5_refs_dims.test.ts has the rest).
    expect(f.attrs.info('objref')).toMatchObject({ dtype: 'reference', shape: [], storedType: { className: 'reference', size: 8 } });
    expect((f.attrs.get('objref') as Reference).path).toBe('/half');
  });

  test('datasets of compound, float16 and other types open with shape, attributes, filters and stored type; only transfers of a compound holding a reference throw', () => {
    using f = File.open(file, 'r');
    expect(f.keys()).toEqual(['bad_utf8', 'cplx', 'cref', 'enum', 'half', 'latin1', 'opaque', 'rec', 'ref', 's_scalar', 'vl']);
    const cplx = f.get('cplx') as Dataset<'complex128'>;
    expect([cplx.dtype, cplx.shape, cplx.size, cplx.nbytes, cplx.chunks, cplx.compression, cplx.shuffle]).toEqual(['complex128', [3], 3, 48, [2], 'gzip', true]);
    expect(cplx.fileType).toMatchObject({ className: 'compound', size: 16, description: 'compound { r: float64, i: float64 } (16 bytes)' });
    expect(cplx.attrs.keys()).toEqual(['scale', 'units']);
    expect([cplx.attrs.get('units'), cplx.attrs.get('scale')]).toEqual(['V', 0.5]);
    expect(cplx.read()).toEqual(new Float64Array([1, 2, 3, -4, 0, 5]));
    expect(cplx.readInto(new Float32Array(6))).toEqual(new Float32Array([1, 2, 3, -4, 0, 5]));

    const half = f.get('half') as Dataset<'float16'>;
    expect([half.dtype, half.shape, half.fillValue, half.fileType.description]).toEqual(['float16', [2, 3], -1, 'float16']);
    expect(half.attrs.read('grid')).toEqual({ data: new Uint16Array([0, 1, 2, 3]), shape: [2, 2], dtype: 'uint16' });
    expect(half.read({ start: [0, 1], count: [2, 2] })).toEqual(new Float32Array([1, 2, 4, 5]));

    const ref = f.get('ref') as Dataset<'reference'>;
    expect(ref.dtype).toBe('reference');
    expect((ref.read() as (Reference | null)[]).map((r) => r?.path)).toEqual(['/half']);
    expect(() => ref.readInto(new Float64Array(1))).toThrow("Dataset '/ref'.readInto: a reference dataset reads into an array of references: use read()");
    // References inside other types are read only in attributes (netCDF-4's REFERENCE_LIST), not in datasets.
    const cref = f.get('cref') as Dataset;
    const unsupported = "the dataset's stored type is compound { a: int32, r: object reference } (12 bytes), which h5mpi cannot";
    expect(cref.dtype).toBeNull();
    expect(() => cref.read()).toThrow(`Dataset '/cref'.read: ${unsupported} read`);
    expect(() => cref.read()).toThrow(expect.objectContaining({ name: 'H5Error', code: 'UNSUPPORTED_TYPE' }) as Error);
    expect(() => cref.readInto(new Float64Array(1))).toThrow(`Dataset '/cref'.readInto: ${unsupported} read`);

    const rec = f.get('rec') as Dataset;
    expect(rec.fileType.description).toBe('compound { id: int32, x: float64, name: string (ascii, 2 bytes, nullpad) } (14 bytes)');
    expect(rec.fileType.fields!.map((x) => [x.name, x.offset, x.type.className])).toEqual([['id', 0, 'integer'], ['x', 4, 'float'], ['name', 12, 'string']]);
    expect((f.get('vl') as Dataset).fileType).toMatchObject({ className: 'vlen', description: 'variable-length sequence of int32', base: { className: 'integer', size: 4 } });
    expect((f.get('opaque') as Dataset).fileType).toMatchObject({ className: 'opaque', size: 3, description: 'opaque (3 bytes)' });
    // References read (test/h5_refs_dims.test.ts has the rest).
    expect((f.get('ref') as Dataset).fileType).toMatchObject({ className: 'reference', description: 'object reference' });

    // An enum reads as its integers, its dtype has the members; its stored type lists them too.
    const e = f.get('enum') as Dataset<{ enum: 'int16'; members: { RED: 0; GREEN: 1; BLUE: 2 } }>;
    expect([e.dtype, Array.from(e.read()), e.attrs.get('kind')]).toEqual([{ enum: 'int16', members: { BLUE: 2, GREEN: 1, RED: 0 } }, [0, 2, 1], 'colour']);
    // In HDF5's order, as h5dump lists them.
    expect(e.fileType).toMatchObject({ className: 'enum', members: [{ name: 'BLUE', value: 2 }, { name: 'GREEN', value: 1 }, { name: 'RED', value: 0 }] });
  });

  test('an unreadable dataset refuses writes, and its attributes can be written', () => {
    const copy = fresh();
    fs.copyFileSync(file, copy);
    {
      using f = File.open(copy, 'r+');
      const cref = f.get('cref') as Dataset;
      expect(() => cref.write([1] as never)).toThrow(
        "Dataset '/cref'.write: the dataset's stored type is compound { a: int32, r: object reference } (12 bytes), which h5mpi cannot write",
      );
      cref.attrs.set('units', 'mV');
      cref.attrs.set('checked', true);
    }
    const out = python(
      `f = h5py.File(sys.argv[1], 'r')
c = f['cref']
emit({'units': c.attrs['units'], 'checked': bool(c.attrs['checked']), 'data': [f[r].name for r in c['r']]})`,
      [copy],
    );
    expect(out).toEqual({ units: 'mV', checked: true, data: ['/half'] });
  });
});

// The files are h5py's (h5mpi makes no Empty datasets of its own): without h5py there is nothing to open.
(hasH5py() ? describe : describe.skip)("Empty datasets (h5py.Empty: no dataspace) open as h5py opens them", () => {
  const file = fresh();
  beforeAll(() => {
    python(
      `f = h5py.File(sys.argv[1], 'w')
f['e_i4'] = h5py.Empty('<i4')
f['e_S3'] = h5py.Empty('S3')
d = f.create_dataset('e_f8', data=h5py.Empty('f8'))
d.attrs['units'] = 'K'
f['scalar'] = np.int32(7)
f['zero'] = np.zeros(0, dtype='<u2')
f.close()
emit('ok')`,
      [file],
    );
  });

  test('with their dtype, no shape and no elements; read() gives an Empty of their type; attributes as any', () => {
    using f = File.open(file, 'r');
    const e = f.get('e_i4') as Dataset;
    expect([e.isEmpty, e.dtype, e.shape, e.ndim, e.size, e.nbytes, e.maxshape, e.chunks, e.fillValue, e.fileType.description]).toEqual([
      true, 'int32', [], 0, 0, 0, null, null, null, 'int32',
    ]);
    expect(e.read()).toEqual(new Empty('int32'));
    expect(e.read()).toBeInstanceOf(Empty);
    expect((f.get('e_S3') as Dataset).read()).toEqual(new Empty({ string: { encoding: 'ascii', length: 3 } }));
    expect((f.get('e_S3') as Dataset).read(undefined, { strings: 'bytes' })).toEqual(new Empty({ string: { encoding: 'ascii', length: 3 } }));
    const f8 = f.get('e_f8') as Dataset;
    expect([f8.read(), f8.attrs.keys(), f8.attrs.get('units')]).toEqual([new Empty('float64'), ['units'], 'K']);
    // A scalar and a zero-length dataset are not Empty.
    const scalar = f.get('scalar') as Dataset;
    const zero = f.get('zero') as Dataset;
    expect([scalar.isEmpty, scalar.shape, scalar.size, zero.isEmpty, zero.shape, zero.size, zero.read()]).toEqual([false, [], 1, false, [0], 0, new Uint16Array(0)]);
    // The tree around them walks.
    expect(f.items().map(([k, v]) => [k, v instanceof Dataset && v.isEmpty])).toEqual([['e_S3', true], ['e_f8', true], ['e_i4', true], ['scalar', false], ['zero', false]]);
  });

  test('they have no elements to select, read into or write: a TypeError naming the dataset', () => {
    const copy = fresh();
    fs.copyFileSync(file, copy);
    {
      using f = File.open(copy, 'r+');
      const e = f.get('e_i4') as Dataset<'int32'>;
      const empty = "Dataset '/e_i4'.%s: the dataset is Empty (no dataspace, as h5py.Empty writes): it has no elements to %s";
      const msg = (call: string, what: string): string => empty.replace('%s', call).replace('%s', what);
      expect(() => e.read({ start: [0], count: [0] })).toThrow(TypeError);
      expect(() => e.read({ start: [0], count: [0] })).toThrow(`${msg('read', 'select')}; read() without a selection gives its Empty`);
      expect(() => e.readInto(new Int32Array(0))).toThrow(msg('readInto', 'select'));
      expect(() => e.write([])).toThrow(msg('write', 'write'));
      expect(() => e.read(undefined, { strings: 'raw' } as never)).toThrow("Dataset '/e_i4'.read: strings must be 'text' or 'bytes'");
      e.attrs.set('note', 'still Empty');
    }
    const out = python(
      `f = h5py.File(sys.argv[1], 'r')
d = f['e_i4']
emit({'shape': d.shape, 'empty': isinstance(d[()], h5py.Empty), 'dtype': d.dtype.str, 'note': d.attrs['note']})`,
      [copy],
    );
    expect(out).toEqual({ shape: null, empty: true, dtype: '<i4', note: 'still Empty' });
  });
});

describe('an overwrite that fails keeps the old value', () => {
  test.each(['file', 'group', 'dataset'])('on a %s: HDF5 refusing the new value (too large for the object header) leaves the old one', (kind) => {
    const file = fresh();
    {
      using f = File.open(file, 'w');
      const owner = kind === 'file' ? f : kind === 'group' ? f.createGroup('g') : f.createDataset('d', { shape: [1], dtype: 'int8' });
      owner.attrs.set('keep', 'old value');
      owner.attrs.set('other', 1, { dtype: 'int16' });
      const where = `${owner.description}.attrs.set('keep')`;
      // Accepted by h5mpi's checks, refused by HDF5 when it creates the attribute: 80 KB in a compact header.
      const big = new Float64Array(10_000);
      expect(() => owner.attrs.set('keep', big)).toThrow(H5Error);
      expect(() => owner.attrs.set('keep', big)).toThrow(
        `${where}: write attribute 'keep' of '${kind === 'file' ? '/' : `/${kind === 'group' ? 'g' : 'd'}`}' in file '${file}' failed: object header message is too large. HDF5 keeps attributes in their object's header, where one may take at most 64 KiB: store a larger value as a dataset`,
      );
      expect(owner.attrs.get('keep')).toBe('old value');
      expect(owner.attrs.keys()).toEqual(['keep', 'other']);
      // The same for a value h5mpi refuses before HDF5 sees it.
      expect(() => owner.attrs.set('keep', [1, 2, 3], { shape: [2, 2] })).toThrow(RangeError);
      expect(() => owner.attrs.set('keep', 300, { dtype: 'uint8' })).toThrow(RangeError);
      expect(owner.attrs.get('keep')).toBe('old value');
    }
    using f = File.open(file, 'r');
    const owner = kind === 'file' ? f : (f.get(kind === 'group' ? 'g' : 'd'));
    expect([owner.attrs.keys(), owner.attrs.get('keep'), owner.attrs.get('other')]).toEqual([['keep', 'other'], 'old value', 1]);
  });

  test('a replacement leaves no temporary attribute behind, also when a name like its temporary one is taken', () => {
    const file = fresh();
    {
      using f = File.open(file, 'w');
      f.attrs.set('x', 'first');
      f.attrs.set('.h5mpi-replacing x', 'a user attribute');
      f.attrs.set('.h5mpi-replaced x', 'another');
      f.attrs.set('x', new Int32Array([1, 2, 3, 4]), { shape: [2, 2] });
      f.attrs.set('x', new Float64Array(0));
      f.attrs.set('x', new Empty('uint8'));
      f.attrs.set('x', [true, false]);
      expect(f.attrs.keys()).toEqual(['.h5mpi-replaced x', '.h5mpi-replacing x', 'x']);
      expect([f.attrs.get('x'), f.attrs.get('.h5mpi-replacing x'), f.attrs.get('.h5mpi-replaced x')]).toEqual([[true, false], 'a user attribute', 'another']);
    }
    if (!hasH5py()) return;
    const seen = python(
      `${ATTR_PY}
f = h5py.File(sys.argv[1], 'r')
emit({k: attr(f, k) for k in f.attrs})`,
      [file],
    ) as Record<string, PyAttr>;
    expect(Object.keys(seen).sort()).toEqual(['.h5mpi-replaced x', '.h5mpi-replacing x', 'x']);
    expect(seen.x).toEqual({ dtype: '|b1', shape: [2], string: null, empty: false, values: [true, false] });
  });

  test('an empty typed array replaces a value (the old failure after the delete)', () => {
    using f = File.open(fresh(), 'w');
    f.attrs.set('z', 1);
    f.attrs.set('z', new Float32Array(0));
    expect(f.attrs.read('z')).toEqual({ data: new Float32Array(0), shape: [0], dtype: 'float32' });
  });
});

describe('replacing an attribute of an object that tracks creation order (netCDF-4 files do everywhere)', () => {
  // HDF5 1.10 breaks the creation-order index when it renames an attribute in dense storage (past 8
  // attributes): "record is not in B-tree", and the old value left as '.h5mpi-replaced x' (h5py#1385).
  const ten = (o: { attrs: { set(name: string, value: AttributeValue): void } }): void => {
    for (let i = 0; i < 10; i++) o.attrs.set(`a${i}`, i);
  };
  const ORDER = ['a0', 'a1', 'a2', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a3'];

  test.each(['file', 'group', 'dataset'])('on a %s with 10 attributes: the value is replaced, moves last as in h5py, and the index stays whole', (kind) => {
    const file = fresh();
    {
      using f = File.open(file, 'w', { trackOrder: true });
      const owner = kind === 'file' ? f : kind === 'group' ? f.createGroup('g', { trackOrder: true }) : f.createDataset('d', { shape: [1], dtype: 'int8', trackOrder: true });
      ten(owner);
      owner.attrs.set('a3', ['x', 'yz'], { dtype: { string: { encoding: 'ascii', length: 2 } } });
      owner.attrs.set('a3', [1, 2, 3, 4, 5, 6], { dtype: 'int16', shape: [2, 3] });
      expect(owner.attrs.keys()).toEqual(ORDER);
      expect(owner.attrs.read('a3')).toEqual({ data: new Int16Array([1, 2, 3, 4, 5, 6]), shape: [2, 3], dtype: 'int16' });
      // A value HDF5 would refuse in a compact header (80 KB) goes to dense storage here: it is taken.
      owner.attrs.set('a3', new Float64Array(10_000).fill(0.5));
      expect([owner.attrs.read('a3').shape, owner.attrs.keys()]).toEqual([[10_000], ORDER]);
      owner.attrs.set('a3', new Empty('uint8'));
      // Refused before anything changes.
      expect(() => owner.attrs.set('a3', 300, { dtype: 'uint8' })).toThrow(RangeError);
      expect([owner.attrs.get('a3'), owner.attrs.keys()]).toEqual([new Empty('uint8'), ORDER]);
      owner.attrs.set('a3', 'final');
      owner.attrs.delete('a5');
      owner.attrs.set('a5', 55n);
    }
    const want = ['a0', 'a1', 'a2', 'a4', 'a6', 'a7', 'a8', 'a9', 'a3', 'a5'];
    {
      using f = File.open(file, 'r');
      const owner = kind === 'file' ? f : f.get(kind === 'group' ? 'g' : 'd');
      expect([owner.attrs.keys(), owner.attrs.get('a3'), owner.attrs.get('a5'), owner.attrs.get('a9')]).toEqual([want, 'final', 55n, 9]);
    }
    if (!hasH5py()) return;
    // h5py lists the same names in the same order, and can replace and delete in the same index itself.
    const seen = python(
      `f = h5py.File(sys.argv[1], 'r+')
o = f if sys.argv[2] == 'file' else f['g' if sys.argv[2] == 'group' else 'd']
before = list(o.attrs)
values = [o.attrs['a3'], int(o.attrs['a5'])]
o.attrs['a0'] = 'from h5py'
del o.attrs['a1']
emit({'before': before, 'values': values, 'after': list(o.attrs), 'a0': o.attrs['a0']})`,
      [file, kind],
    );
    expect(seen).toEqual({ before: want, values: ['final', 55], after: [...want.slice(2), 'a0'], a0: 'from h5py' });
    using f = File.open(file, 'r');
    const owner = kind === 'file' ? f : f.get(kind === 'group' ? 'g' : 'd');
    expect([owner.attrs.keys(), owner.attrs.get('a0')]).toEqual([[...want.slice(2), 'a0'], 'from h5py']);
  });

  const hasNetCDF4 = hasH5py() && spawnSync(PYTHON, ['-c', 'import netCDF4'], { stdio: 'ignore' }).status === 0;
  (hasNetCDF4 ? test : test.skip)('in a netCDF-4 file: global and variable attributes replaced, as netCDF4-python then reads them', () => {
    const file = path.join(dir, 'replace.nc');
    python(
      `import netCDF4
with netCDF4.Dataset(sys.argv[1], 'w', format='NETCDF4') as ds:
    for i in range(9):
        ds.setncattr('g%d' % i, i)
    ds.title = 'old title'
    ds.createDimension('x', 3)
    v = ds.createVariable('v', 'f4', ('x',))
    for i in range(8):
        v.setncattr('v%d' % i, 'text %d' % i)
    v.units = 'K'
    v[:] = [1, 2, 3]
emit(None)`,
      [file],
    );
    {
      using f = File.open(file, 'r+');
      expect(f.attrs.keys()).toHaveLength(11); // with netCDF's _NCProperties
      f.attrs.set('title', 'new title');
      f.attrs.set('g4', new Float32Array([0.5, 1.5]));
      const v = f.get('v') as Dataset;
      expect(v.attrs.keys()).toHaveLength(11); // with netCDF's _Netcdf4Coordinates and DIMENSION_LIST
      v.attrs.set('units', 'degC', { dtype: { string: { encoding: 'ascii', length: 4 } } });
    }
    const seen = python(
      `import netCDF4
with netCDF4.Dataset(sys.argv[1]) as ds:
    v = ds['v']
    emit({'title': ds.title, 'g4': [float(x) for x in ds.g4], 'g8': int(ds.g8), 'globals': ds.ncattrs(),
          'units': v.units, 'attrs': v.ncattrs(), 'data': [float(x) for x in v[:]]})`,
      [file],
    );
    expect(seen).toEqual({
      title: 'new title',
      g4: [0.5, 1.5],
      g8: 8,
      globals: ['g0', 'g1', 'g2', 'g3', 'g5', 'g6', 'g7', 'g8', 'title', 'g4'],
      units: 'degC',
      attrs: ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7', 'units'],
      data: [1, 2, 3],
    });
  });
});

describe('options and values that do not fit are refused before anything changes', () => {
  test('unknown option names are a TypeError listing the accepted ones', () => {
    using f = File.open(fresh(), 'w');
    const where = `File '${f.filename}'.attrs`;
    expect(() => f.attrs.set('x', 1, { dtpye: 'int32' } as never)).toThrow(new TypeError(`${where}.set('x'): unknown option 'dtpye'; accepted: dtype, shape`));
    expect(() => f.attrs.set('x', 1, 'int32' as never)).toThrow(`${where}.set('x'): options must be an object like { dtype: 'int32', shape: [2, 3] }, got string int32`);
    f.attrs.set('x', 'v');
    expect(() => f.attrs.get('x', { string: 'bytes' } as never)).toThrow(new TypeError(`${where}.get('x'): unknown option 'string'; accepted: strings`));
    expect(() => f.attrs.read('x', { strings: 'raw' } as never)).toThrow(new TypeError(`${where}.read('x'): strings must be 'text' or 'bytes', got "raw"`));
    const d = f.createDataset('d', { shape: [1], dtype: 'string', data: ['a'] });
    expect(() => d.read(undefined, { strings: 'latin1' } as never)).toThrow(new TypeError(`Dataset '/d'.read: strings must be 'text' or 'bytes', got "latin1" (in file '${f.filename}')`));
    expect(() => d.read(undefined, { strngs: 'bytes' } as never)).toThrow(new TypeError(`Dataset '/d'.read: unknown option 'strngs'; accepted: collective, strings, fields, records (in file '${f.filename}')`));
    expect(() => d.write(['b'], undefined, { strings: 'bytes' } as never)).toThrow(new TypeError(`Dataset '/d'.write: unknown option 'strings'; accepted: collective, fields (in file '${f.filename}')`));
    expect(f.attrs.get('x')).toBe('v');
  });

  test('dtype specs: names, numpy spellings with a hint, the string form', () => {
    using f = File.open(fresh(), 'w');
    const at = `File '${f.filename}'.attrs.set('x')`;
    const forms =
      'expected a name (int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, string, reference, regionReference, bool, float16, complex64, complex128) or one of ' +
      "{ string: { encoding?, length? } }, { compound: { field: dtype, ... }, itemsize? }, { enum: integer dtype, members: { NAME: value } }, { vlen: dtype }, " +
      '{ array: dtype, shape: [...] }, { opaque: bytes, tag? }, { bitfield: uint dtype }';
    expect(() => f.attrs.set('x', 1, { dtype: 'f4' as never })).toThrow(`${at}: unknown dtype "f4" (did you mean 'float32'?); ${forms}`);
    expect(() => f.attrs.set('x', 1, { dtype: { complex: 8 } as never })).toThrow(`${at}: unknown dtype an object (Object) (keys complex); ${forms}`);
    expect(() => f.attrs.set('x', 1, { dtype: { compound: [] } as never })).toThrow(`${at}: a compound's fields must be an object { name: dtype, ... } with at least one field, got an array`);
    expect(() => f.attrs.set('x', 'a', { dtype: { string: { encoding: 'latin1' } } as never })).toThrow(`${at}: string encoding "latin1" is not 'utf-8' or 'ascii'`);
    expect(() => f.attrs.set('x', 'a', { dtype: { string: { length: 0 } } })).toThrow(new RangeError(`${at}: string length must be a positive integer (bytes), got number 0`));
    expect(() => f.attrs.set('x', 'a', { dtype: { string: { size: 4 } } as never })).toThrow(`${at}: unknown string type option 'size'; accepted: encoding, length`);
    expect(() => new Empty('complex32' as never)).toThrow(/^new Empty: unknown dtype "complex32"/);
    expect(f.attrs.keys()).toEqual([]);
  });

  test('values that do not fit their dtype or shape', () => {
    using f = File.open(fresh(), 'w');
    const at = `File '${f.filename}'.attrs.set('x')`;
    expect(() => f.attrs.set('x', 'abc', { dtype: 'int32' })).toThrow(new TypeError(`${at}: cannot store strings as int32 (element 0 is "abc")`));
    expect(() => f.attrs.set('x', 300, { dtype: 'uint8' })).toThrow(RangeError);
    expect(() => f.attrs.set('x', 1.5, { dtype: 'int16' })).toThrow(/not an integer/);
    expect(() => f.attrs.set('x', [true, 2] as never, { dtype: 'bool' })).toThrow(`${at}: element 1 is number 2; a bool attribute takes booleans (or 0 and 1)`);
    expect(() => f.attrs.set('x', 'é', { dtype: { string: { encoding: 'ascii' } } })).toThrow(/element 0 \("é"\) is not ASCII, and the type is ASCII/);
    expect(() => f.attrs.set('x', 'héllo', { dtype: { string: { length: 5 } } })).toThrow(
      new RangeError(`${at}: element 0 is 6 bytes, longer than the 5 bytes of the fixed-length strings`),
    );
    expect(() => f.attrs.set('x', [new Uint8Array([0x61, 0])], { dtype: 'string' })).toThrow(/string 0 contains a NUL character/);
    expect(() => f.attrs.set('x', [1, 2, 3], { shape: [2, 2] })).toThrow(new RangeError(`${at}: 3 values for shape [2, 2] (4 elements)`));
    expect(() => f.attrs.set('x', [1, 2], { shape: [] })).toThrow(new RangeError(`${at}: 2 values for a scalar (shape [])`));
    expect(() => f.attrs.set('x', [1, 2], { shape: [-2] })).toThrow(RangeError);
    expect(() => f.attrs.set('x', new Empty('int8'), { shape: [1] })).toThrow(new TypeError(`${at}: an Empty attribute has no shape`));
    expect(() => f.attrs.set('x', [1n, 2] as never)).toThrow(/an array attribute must hold only numbers, only strings, only bigints or only booleans/);
    expect(f.attrs.keys()).toEqual([]);
  });
});

describe('in parallel (2 ranks)', () => {
  const file = path.join(dir, 'parallel.h5');
  let results: Record<string, unknown>[][];
  beforeAll(async () => {
    results = await mpirunOk(2, 'h5_par_attrs.js', [file], { timeoutMs: 90_000 });
  }, 120_000);
  const at = (label: string) => reportsLabelled(results, label);

  test('every rank reads back the typed, shaped, Empty and zero-length attributes it set collectively', () => {
    const ascii4 = { string: { encoding: 'ascii', length: 4 } };
    const expected = {
      ascii: { data: ['ab', 'cde'], shape: [2], dtype: ascii4 },
      bools: { data: [true, false, false, true], shape: [2, 2], dtype: 'bool' },
      empty: { data: null, shape: null, dtype: 'uint16' },
      f32: { data: [0.5, 1.5, 2.5, 3.5, 4.5, 5.5], shape: [2, 3], dtype: 'float32' },
      i32: { data: [7], shape: [], dtype: 'int32' },
      latin: { data: ['café'], shape: [], dtype: ascii4 },
      replaced: { data: ['now a string'], shape: [], dtype: { string: { encoding: 'ascii', length: 12 } } },
      u64: { data: [`${2n ** 64n - 1n}n`], shape: [1], dtype: 'uint64' },
      zero: { data: [], shape: [0], dtype: 'float64' },
    };
    for (const r of at('values')) {
      expect(r.keys).toEqual({ '/': Object.keys(expected), '/d': Object.keys(expected) });
      expect(r.values).toEqual({ '/': expected, '/d': expected });
    }
  });

  test('a refused overwrite keeps the old value on every rank; ranks that disagree on a dtype or shape all throw', () => {
    for (const r of at('tooLarge')) expect(r).toMatchObject({ threw: true, name: 'H5Error', message: expect.stringContaining('object header message is too large') as string });
    for (const r of at('afterTooLarge')) expect(r.value).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    for (const label of ['dtypeDiffers', 'shapeDiffers', 'boolOrNumber']) {
      for (const r of at(label)) expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
    }
    expect(at('dtypeDiffers')[0].message).toMatch(/rank 0: attrs\.set\('x' on '\/', 1, dtype int32\).*rank 1: attrs\.set\('x' on '\/', 1, dtype int16\)/s);
    const bad = at('badOption');
    expect(bad[0]).toMatchObject({ threw: true, name: 'TypeError', message: expect.stringContaining("unknown option 'dtpye'; accepted: dtype, shape") as string });
    expect(bad[1]).toMatchObject({ threw: true, name: 'PeerFailedError' });
    for (const r of at('bytesCollective')) expect(r.value).toEqual([[0x63, 0x61, 0x66, 0xc3, 0xa9], [0x6f, 0x6b]]);
  });

  test('replacements in a group that tracks the order of 10 attributes, on every rank', () => {
    const order = ['a0', 'a1', 'a2', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a3'];
    for (const r of at('trackedReplace')) expect(r).toEqual({ label: 'trackedReplace', rank: r.rank, threw: false, value: order });
    for (const r of at('tracked')) expect([r.keys, r.a3]).toEqual([order, { data: [1, 2, 3], shape: [3], dtype: 'int16' }]);
  });

  (hasH5py() ? test : test.skip)('h5py reads what the ranks wrote, with no temporary attribute left', () => {
    const seen = python(
      `${ATTR_PY}
f = h5py.File(sys.argv[1], 'r')
emit({o: {k: attr(f[o], k) for k in f[o].attrs} for o in ['/', '/d']})`,
      [file],
    ) as Record<string, Record<string, PyAttr>>;
    for (const owner of ['/', '/d']) {
      const s = seen[owner];
      expect(Object.keys(s).sort()).toEqual(['ascii', 'bools', 'empty', 'f32', 'i32', 'latin', 'replaced', 'u64', 'zero']);
      expect(s.i32).toEqual({ dtype: '<i4', shape: [], string: null, empty: false, values: '7' });
      expect(s.f32).toMatchObject({ dtype: '<f4', shape: [2, 3], values: ['0.5', '1.5', '2.5', '3.5', '4.5', '5.5'] });
      expect(s.bools).toMatchObject({ dtype: '|b1', shape: [2, 2], values: [true, false, false, true] });
      expect(s.ascii).toMatchObject({ dtype: '|S4', string: { encoding: 'ascii', length: 4 }, values: [bytes('ab'), bytes('cde')] });
      expect(s.latin).toMatchObject({ dtype: '|S4', values: bytes('caf\xe9') });
      expect(s.empty).toEqual({ dtype: '<u2', shape: null, string: null, empty: true, values: null });
      expect(s.zero).toEqual({ dtype: '<f8', shape: [0], string: null, empty: false, values: [] });
      expect(s.u64).toMatchObject({ dtype: '<u8', shape: [1], values: [String(2n ** 64n - 1n)] });
      expect(s.replaced).toMatchObject({ dtype: '|S12', values: bytes('now a string') });
    }
  });
});
