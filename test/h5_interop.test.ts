// Files h5mpi writes, as h5dump and h5py read them (exact types and values), and files h5py writes, as
// h5mpi reads them: big-endian numbers, bool enums, ASCII and UTF-8 strings fixed and variable, space-padded
// strings, scalars, attributes, chunked gzip data with a fill value, and types h5mpi refuses by name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttributeValue, Dataset, Empty, File, Group, NumericDType } from '../lib';
import { DESCRIBE_PY, dumpedNumber, h5dump, hasH5py, python } from './helpers/h5tools';
import { tmpdir } from './helpers/mpirun';

const dir = tmpdir('h5mpi-interop-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const NUMERIC: { dtype: NumericDType; h5: string; np: string; values: (number | bigint)[] }[] = [
  { dtype: 'int8', h5: 'H5T_STD_I8LE', np: '|i1', values: [-128, 127, 0, -1] },
  { dtype: 'uint8', h5: 'H5T_STD_U8LE', np: '|u1', values: [0, 255, 1, 128] },
  { dtype: 'int16', h5: 'H5T_STD_I16LE', np: '<i2', values: [-32768, 32767, 0, -1] },
  { dtype: 'uint16', h5: 'H5T_STD_U16LE', np: '<u2', values: [0, 65535, 1, 256] },
  { dtype: 'int32', h5: 'H5T_STD_I32LE', np: '<i4', values: [-2147483648, 2147483647, 0, -1] },
  { dtype: 'uint32', h5: 'H5T_STD_U32LE', np: '<u4', values: [0, 4294967295, 1, 65536] },
  { dtype: 'int64', h5: 'H5T_STD_I64LE', np: '<i8', values: [-(2n ** 63n), 2n ** 63n - 1n, 0n, 2n ** 53n + 1n] },
  { dtype: 'uint64', h5: 'H5T_STD_U64LE', np: '<u8', values: [0n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n] },
  { dtype: 'float32', h5: 'H5T_IEEE_F32LE', np: '<f4', values: [Math.fround(0.1), -3.4028234663852886e38, NaN, -Infinity, -0, 1.401298464324817e-45] },
  { dtype: 'float64', h5: 'H5T_IEEE_F64LE', np: '<f8', values: [0.1, Number.MAX_VALUE, NaN, Infinity, -0, 5e-324] },
];
const VSTR = ['héllo wörld', '', '日本語', 'emoji 🙂'];
const FSTR = ['abc', '', 'exactly8', 'héllo'];
const ATTRS: [string, AttributeValue][] = [
  ['number', 2.5],
  ['bigint', -(2n ** 40n)],
  ['string', 'ünïcode ∑'],
  ['int16s', new Int16Array([-1, 2, 300])],
  ['uint64s', new BigUint64Array([2n ** 64n - 1n, 0n])],
  ['float32s', new Float32Array([0.5, -Infinity])],
  ['strings', ['a', 'bé', '']],
  ['numbers', [1, -2.5, 1e300]],
];

/** Python's repr / str of a number, as JS sees it. */
function pyNumber(s: string): number {
  if (s === 'nan') return NaN;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return Number(s);
}
const asText = (v: number | bigint): string => (typeof v === 'bigint' ? v.toString() : Object.is(v, -0) ? '-0' : String(v));
/** A number's expected text from a float-printing tool, compared through JS numbers (NaN and -0 included). */
function expectSameFloat(got: number, want: number, what: string): void {
  if (!Object.is(got, want)) throw new Error(`${what}: got ${asText(got)}, expected ${asText(want)}`);
}

describe('files written by h5mpi', () => {
  const file = path.join(dir, 'from-h5mpi.h5');
  const CHUNK_WRITE = { start: [2, 3], count: [3, 4] };
  beforeAll(() => {
    using f = File.open(file, 'w');
    for (const { dtype, values } of NUMERIC) f.createDataset(`num/${dtype}`, { shape: [values.length / 2, 2], dtype, data: values as never });
    f.createDataset('strings/variable', { shape: [VSTR.length], dtype: 'string', data: VSTR });
    f.createDataset('strings/fixed', { shape: [FSTR.length], dtype: 'string', stringLength: 8, data: FSTR });
    f.createDataset('scalars/float', { shape: [], dtype: 'float64', data: -1.25 });
    f.createDataset('scalars/string', { shape: [], dtype: 'string', data: 'the only one' });
    f.createDataset('scalars/fixed', { shape: [], dtype: 'string', stringLength: 5, data: 'fixed' });
    const c = f.createDataset('chunked', {
      shape: [8, 10],
      dtype: 'int32',
      chunks: [4, 5],
      compression: 'gzip',
      compressionLevel: 6,
      shuffle: true,
      fletcher32: true,
      fillValue: -1,
    });
    c.write(Int32Array.from({ length: 12 }, (_, i) => i * 1000), CHUNK_WRITE);
    const e = f.createDataset('extendable', { shape: [0, 3], dtype: 'float64', maxshape: [Infinity, 3], chunks: [2, 3] });
    e.resize([3, 3]);
    e.write([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const g = f.createGroup('g/h');
    for (const owner of [f, g, c] as (File | Group | Dataset)[]) for (const [k, v] of ATTRS) owner.attrs.set(k, v);
  });

  /** The chunked dataset's contents as computed in JS: fill everywhere but the written block. */
  const chunkedModel = (): number[] => {
    const m = new Array<number>(80).fill(-1);
    for (let k = 0; k < 12; k++) m[(2 + Math.floor(k / 4)) * 10 + 3 + (k % 4)] = k * 1000;
    return m;
  };

  describe('h5dump', () => {
    test.each(NUMERIC)('$dtype is stored as $h5 with every value exact', ({ dtype, h5, values }) => {
      const d = h5dump(file, `/num/${dtype}`);
      expect(d.type).toBe(h5);
      expect(d.dims).toEqual([values.length / 2, 2]);
      expect(d.values).toHaveLength(values.length);
      d.values.forEach((text, i) => {
        const want = values[i];
        if (dtype.startsWith('float')) {
          const got = dumpedNumber(text);
          expectSameFloat(dtype === 'float32' ? Math.fround(got) : got, want as number, `${dtype}[${i}]`);
        } else {
          expect(BigInt(text)).toBe(BigInt(want));
        }
      });
    });

    test('variable-length strings are UTF-8, NUL-terminated, with every character intact', () => {
      const d = h5dump(file, '/strings/variable');
      expect([d.type, d.strsize, d.strpad, d.cset]).toEqual(['H5T_STRING', 'H5T_VARIABLE', 'H5T_STR_NULLTERM', 'H5T_CSET_UTF8']);
      expect(d.values).toEqual(VSTR);
    });

    test('fixed-length strings are UTF-8, NUL-padded to their size', () => {
      const d = h5dump(file, '/strings/fixed');
      expect([d.type, d.strsize, d.strpad, d.cset]).toEqual(['H5T_STRING', '8', 'H5T_STR_NULLPAD', 'H5T_CSET_UTF8']);
      expect(d.values.map((s) => s.replace(/\0+$/, ''))).toEqual(FSTR);
      // Padded with NULs to exactly 8 bytes each.
      expect(d.values.map((s) => Buffer.byteLength(s))).toEqual([8, 8, 8, 8]);
    });

    test('scalars have a SCALAR dataspace', () => {
      const f = h5dump(file, '/scalars/float');
      expect([f.type, f.dims, f.values]).toEqual(['H5T_IEEE_F64LE', null, ['-1.25']]);
      expect(f.text).toMatch(/DATASPACE\s+SCALAR/);
      const s = h5dump(file, '/scalars/string');
      expect([s.strsize, s.dims, s.values]).toEqual(['H5T_VARIABLE', null, ['the only one']]);
      expect(h5dump(file, '/scalars/fixed').values).toEqual(['fixed']);
    });

    test('the chunked dataset has its layout, filters (in h5py order) and fill value', () => {
      const d = h5dump(file, '/chunked', { properties: true });
      expect(d.type).toBe('H5T_STD_I32LE');
      expect(d.text).toMatch(/CHUNKED \( 4, 5 \)/);
      expect(d.text).toMatch(/FILTERS \{\s+PREPROCESSING SHUFFLE\s+COMPRESSION DEFLATE \{ LEVEL 6 \}\s+CHECKSUM FLETCHER32\s+\}/);
      expect(d.text).toMatch(/FILLVALUE \{\s+FILL_TIME \S+\s+VALUE\s+-1\s+\}/);
      expect(d.values.map(Number)).toEqual(chunkedModel());
    });

    test('the resized dataset has an unlimited maximum and its data', () => {
      const d = h5dump(file, '/extendable');
      expect(d.dims).toEqual([3, 3]);
      expect(d.maxdims).toEqual(['H5S_UNLIMITED', 3]);
      expect(d.values.map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    test.each(['/', '/g/h', '/chunked'])('attributes on %s have the documented types and exact values', (owner) => {
      const at = (name: string) => h5dump(file, `${owner === '/' ? '' : owner}/${name}`, { attribute: true });
      const num = at('number');
      expect([num.type, num.dims, num.values]).toEqual(['H5T_IEEE_F64LE', null, ['2.5']]);
      const big = at('bigint');
      expect([big.type, big.values]).toEqual(['H5T_STD_I64LE', [String(-(2n ** 40n))]]);
      const str = at('string');
      expect([str.type, str.strsize, str.cset, str.dims, str.values]).toEqual(['H5T_STRING', 'H5T_VARIABLE', 'H5T_CSET_UTF8', null, ['ünïcode ∑']]);
      expect(at('int16s')).toMatchObject({ type: 'H5T_STD_I16LE', dims: [3], values: ['-1', '2', '300'] });
      expect(at('uint64s')).toMatchObject({ type: 'H5T_STD_U64LE', values: [String(2n ** 64n - 1n), '0'] });
      expect(at('float32s')).toMatchObject({ type: 'H5T_IEEE_F32LE', values: ['0.5', '-inf'] });
      expect(at('strings')).toMatchObject({ type: 'H5T_STRING', dims: [3], values: ['a', 'bé', ''] });
      const nums = at('numbers');
      expect([nums.type, nums.dims]).toEqual(['H5T_IEEE_F64LE', [3]]);
      expect(nums.values.map(dumpedNumber)).toEqual([1, -2.5, 1e300]);
    });
  });

  const peer = hasH5py() ? describe : describe.skip;
  peer('h5py', () => {
    interface Described {
      dtype: string;
      shape: number[];
      maxshape: number[] | null;
      chunks: number[] | null;
      compression: string | null;
      compression_opts: number | null;
      shuffle: boolean;
      fletcher32: boolean;
      fillvalue: string | null;
      values: unknown;
      string: { encoding: string; length: number | null } | null;
      attrs: Record<string, unknown>;
    }
    let seen: Record<string, Described>;
    let rootAttrs: Record<string, unknown>;
    let groupAttrs: Record<string, unknown>;
    beforeAll(() => {
      const out = python(
        `${DESCRIBE_PY}
f = h5py.File(sys.argv[1], 'r')
names = []
f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
emit({'datasets': {n: describe(f[n]) for n in names}, 'root': {k: plain(f.attrs[k]) for k in f.attrs}, 'group': {k: plain(f['g/h'].attrs[k]) for k in f['g/h'].attrs}})`,
        [file],
      ) as { datasets: Record<string, Described>; root: Record<string, unknown>; group: Record<string, unknown> };
      seen = out.datasets;
      rootAttrs = out.root;
      groupAttrs = out.group;
    });

    test('h5py finds every dataset h5mpi wrote', () => {
      expect(Object.keys(seen).sort()).toEqual(
        [...NUMERIC.map((n) => `num/${n.dtype}`), 'strings/variable', 'strings/fixed', 'scalars/float', 'scalars/string', 'scalars/fixed', 'chunked', 'extendable'].sort(),
      );
    });

    test.each(NUMERIC)('$dtype reads in numpy as $np with every value exact', ({ dtype, np, values }) => {
      const d = seen[`num/${dtype}`];
      expect(d.dtype).toBe(np);
      expect(d.shape).toEqual([values.length / 2, 2]);
      const got = d.values as string[];
      got.forEach((text, i) => {
        if (dtype.startsWith('float')) expectSameFloat(pyNumber(text), values[i] as number, `${dtype}[${i}]`);
        else expect(BigInt(text)).toBe(BigInt(values[i]));
      });
    });

    test('strings read as UTF-8 str, variable and fixed-length, scalars included', () => {
      expect(seen['strings/variable']).toMatchObject({ dtype: '|O', string: { encoding: 'utf-8', length: null }, values: VSTR });
      expect(seen['strings/fixed']).toMatchObject({ dtype: '|S8', string: { encoding: 'utf-8', length: 8 }, values: FSTR });
      expect(seen['scalars/string']).toMatchObject({ shape: [], values: 'the only one' });
      expect(seen['scalars/fixed']).toMatchObject({ shape: [], values: 'fixed' });
      expect(seen['scalars/float']).toMatchObject({ shape: [], dtype: '<f8', values: '-1.25' });
    });

    test('the chunked dataset: chunks, gzip level, shuffle, fletcher32, fill value and data', () => {
      const d = seen.chunked;
      expect(d).toMatchObject({ chunks: [4, 5], compression: 'gzip', compression_opts: 6, shuffle: true, fletcher32: true, fillvalue: '-1' });
      expect((d.values as string[]).map(Number)).toEqual(chunkedModel());
    });

    test('the resized dataset: shape, unlimited maxshape (None) and data', () => {
      expect(seen.extendable).toMatchObject({ shape: [3, 3], maxshape: [-1, 3], chunks: [2, 3], values: ['1.0', '2.0', '3.0', '4.0', '5.0', '6.0', '7.0', '8.0', '9.0'] });
    });

    test('attributes of every kind on the file, a group and a dataset', () => {
      const expected = {
        number: '2.5',
        bigint: String(-(2n ** 40n)),
        string: 'ünïcode ∑',
        int16s: ['-1', '2', '300'],
        uint64s: [String(2n ** 64n - 1n), '0'],
        float32s: ['0.5', '-inf'],
        strings: ['a', 'bé', ''],
        numbers: ['1.0', '-2.5', '1e+300'],
      };
      expect(rootAttrs).toEqual(expected);
      expect(groupAttrs).toEqual(expected);
      expect(seen.chunked.attrs).toEqual(expected);
    });

    test("chunks: true picks the chunk shape h5py's chunks=True picks", () => {
      const cases: { shape: number[]; maxshape?: number[]; dtype: 'float64' | 'int16' | 'uint8' | 'string'; np: string }[] = [
        { shape: [1000, 1000], dtype: 'float64', np: 'f8' },
        { shape: [0, 3], maxshape: [Infinity, 3], dtype: 'float64', np: 'f8' },
        { shape: [7, 3000, 11], dtype: 'int16', np: 'i2' },
        { shape: [123457], dtype: 'uint8', np: 'u1' },
        { shape: [1000000], dtype: 'string', np: 'str' },
      ];
      const theirs = python(
        `spec = json.loads(sys.argv[1])
f = h5py.File(sys.argv[2], 'w')
out = []
for i, c in enumerate(spec):
    dt = h5py.string_dtype() if c['np'] == 'str' else c['np']
    maxshape = None if 'maxshape' not in c else tuple(None if m is None else m for m in c['maxshape'])
    out.append(list(f.create_dataset(str(i), shape=tuple(c['shape']), maxshape=maxshape, dtype=dt, chunks=True).chunks))
emit(out)`,
        [JSON.stringify(cases.map((c) => ({ ...c, maxshape: c.maxshape?.map((m) => (m === Infinity ? null : m)) }))), path.join(dir, 'h5py-chunks.h5')],
      ) as number[][];
      using f = File.open(path.join(dir, 'h5mpi-chunks.h5'), 'w');
      const ours = cases.map((c, i) => f.createDataset(String(i), { shape: c.shape, maxshape: c.maxshape, dtype: c.dtype, chunks: true }).chunks);
      expect(ours).toEqual(theirs);
    });
  });
});

const peer = hasH5py() ? describe : describe.skip;
peer('files written by h5py', () => {
  const file = path.join(dir, 'from-h5py.h5');
  beforeAll(() => {
    python(
      `f = h5py.File(sys.argv[1], 'w')
f['be_f8'] = np.array([1.5, -2.25, np.inf, np.nan, -0.0, 1e-300], dtype='>f8')
f['be_i4'] = (np.arange(-6, 6) * 1000003).astype('>i4').reshape(3, 4)
f['be_u2'] = np.array([0, 1, 65535], dtype='>u2')
f['le_i8'] = np.array([-2**63, 2**63 - 1], dtype='<i8')
f['bool'] = np.array([True, False, True, True])
f['fixed_ascii'] = np.array([b'ab', b'cde', b'', b'wxyz'], dtype='S4')
f.create_dataset('vstr', data=['h\\u00e9llo', 'w\\u00f6rld', ''], dtype=h5py.string_dtype())
f.create_dataset('vascii', data=[b'abc', b'de'], dtype=h5py.string_dtype('ascii'))
u8 = h5py.string_dtype('utf-8', 8)
f.create_dataset('fixed_utf8', data=np.array(['h\\u00e9'.encode(), '\\u65e5\\u672c'.encode()], dtype=u8), dtype=u8)
tid = h5py.h5t.C_S1.copy(); tid.set_size(6); tid.set_strpad(h5py.h5t.STR_SPACEPAD)
sp = h5py.h5d.create(f.id, b'spacepad', tid, h5py.h5s.create_simple((2,)))
sp.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([b'ab    ', b'xyz   '], dtype='S6'), mtype=tid)
f['sstr'] = 'scalar string'
f['sfloat'] = np.float32(0.25)
gz = f.create_dataset('gz', shape=(10, 100), dtype='<f4', chunks=(5, 50), compression='gzip', shuffle=True, fletcher32=True, fillvalue=-7.5)
gz[0:5, :] = np.arange(500, dtype='<f4').reshape(5, 100)
f['cplx'] = np.array([1 + 2j])
f['half'] = np.array([1, 2], dtype='f2')
g = f.create_group('grp/sub')
g['data'] = np.arange(6, dtype='<u8').reshape(2, 3) + 2**63
for o in (f, g):
    o.attrs['i'] = 42
    o.attrs['f'] = 2.5
    o.attrs['s'] = 'h\\u00e9'
    o.attrs['bs'] = np.bytes_(b'bytes')
    o.attrs['arr'] = np.array([1, 2, 3], dtype='>i2')
    o.attrs['farr'] = np.array([0.5, -1], dtype='<f4')
    o.attrs['sarr'] = ['a', 'bc']
    o.attrs['b'] = True
e = f.create_group('edge')
e.attrs['empty'] = h5py.Empty('f8')
e.attrs['cplx'] = np.complex128(1 + 2j)
e.attrs['grid'] = np.arange(6, dtype='<i4').reshape(2, 3)
e['empty'] = h5py.Empty('i4')
e['link'] = h5py.SoftLink('/be_u2')
e['dangling'] = h5py.SoftLink('/nothing/here')
f.close()
emit('ok')`,
      [file],
    );
  });

  const read = <T = unknown>(name: string): { d: Dataset; values: T } => {
    const f = File.open(file, 'r');
    try {
      const d = f.get(name) as Dataset;
      return { d, values: d.read() as T };
    } finally {
      f.close();
    }
  };

  test('big-endian float64 converts to native with NaN, Infinity and -0 intact', () => {
    const { d, values } = read<Float64Array>('be_f8');
    expect([d.dtype, d.fileType.order, d.fileType.size]).toEqual(['float64', 'big', 8]);
    expect(values).toBeInstanceOf(Float64Array);
    [1.5, -2.25, Infinity, NaN, -0, 1e-300].forEach((want, i) => expectSameFloat(values[i], want, `be_f8[${i}]`));
  });

  test('big-endian int32 and uint16, little-endian int64 extremes', () => {
    const i4 = read<Int32Array>('be_i4');
    expect([i4.d.dtype, i4.d.fileType.order, i4.d.shape]).toEqual(['int32', 'big', [3, 4]]);
    expect(Array.from(i4.values)).toEqual(Array.from({ length: 12 }, (_, i) => (i - 6) * 1000003));
    const u2 = read<Uint16Array>('be_u2');
    expect([u2.d.dtype, Array.from(u2.values)]).toEqual(['uint16', [0, 1, 65535]]);
    const i8 = read<BigInt64Array>('le_i8');
    expect(Array.from(i8.values)).toEqual([-(2n ** 63n), 2n ** 63n - 1n]);
  });

  test("a numpy bool array (an HDF5 enum) reads as dtype 'bool', a Uint8Array of 0/1", () => {
    const { d, values } = read<Uint8Array>('bool');
    expect(d.dtype).toBe('bool');
    expect(values).toBeInstanceOf(Uint8Array);
    expect(Array.from(values)).toEqual([1, 0, 1, 1]);
    expect(h5dump(file, '/bool').type).toBe('H5T_ENUM');
  });

  test('fixed-length ASCII, variable UTF-8, variable ASCII and fixed UTF-8 strings', () => {
    const fixed = read<string[]>('fixed_ascii');
    expect([fixed.d.dtype, fixed.d.stringLength, fixed.values]).toEqual(['string', 4, ['ab', 'cde', '', 'wxyz']]);
    const v = read<string[]>('vstr');
    expect([v.d.stringLength, v.values]).toEqual([null, ['héllo', 'wörld', '']]);
    expect(read('vascii').values).toEqual(['abc', 'de']);
    const fu = read<string[]>('fixed_utf8');
    expect([fu.d.stringLength, fu.values]).toEqual([8, ['hé', '日本']]);
  });

  test('space-padded (Fortran-style) strings come back without the padding', () => {
    expect(h5dump(file, '/spacepad').strpad).toBe('H5T_STR_SPACEPAD');
    expect(read('spacepad').values).toEqual(['ab', 'xyz']);
  });

  test('scalars: a string and a float32', () => {
    expect(read('sstr').values).toBe('scalar string');
    const s = read<Float32Array>('sfloat');
    expect([s.d.dtype, s.d.shape, Array.from(s.values)]).toEqual(['float32', [], [0.25]]);
  });

  test('chunked gzip + shuffle + fletcher32 with a fill value: properties, data and a hyperslab', () => {
    using f = File.open(file, 'r');
    const d = f.get('gz') as Dataset<'float32'>;
    expect([d.chunks, d.compression, d.compressionLevel, d.shuffle, d.fletcher32, d.fillValue]).toEqual([[5, 50], 'gzip', 4, true, true, -7.5]);
    const all = d.read();
    expect(Array.from(all)).toEqual(Array.from({ length: 1000 }, (_, i) => (i < 500 ? i : -7.5)));
    expect(Array.from(d.read({ start: [3, 98], count: [4, 2] }))).toEqual([398, 399, 498, 499, -7.5, -7.5, -7.5, -7.5]);
  });

  test('groups, a uint64 dataset at 2^63 and up, and attributes of every kind h5py writes', () => {
    using f = File.open(file, 'r');
    expect(f.keys()).toEqual(['be_f8', 'be_i4', 'be_u2', 'bool', 'cplx', 'edge', 'fixed_ascii', 'fixed_utf8', 'grp', 'gz', 'half', 'le_i8', 'sfloat', 'spacepad', 'sstr', 'vascii', 'vstr']);
    const g = f.get('grp/sub') as Group;
    expect(Array.from((g.get('data') as Dataset<'uint64'>).read())).toEqual([0n, 1n, 2n, 3n, 4n, 5n].map((k) => 2n ** 63n + k));
    for (const owner of [f, g]) {
      const a = owner.attrs;
      expect(a.keys()).toEqual(['arr', 'b', 'bs', 'f', 'farr', 'i', 's', 'sarr']);
      expect(a.get('i')).toBe(42n);
      expect(a.get('f')).toBe(2.5);
      expect(a.get('s')).toBe('hé');
      expect(a.get('bs')).toBe('bytes');
      expect(a.get('arr')).toEqual(new Int16Array([1, 2, 3]));
      expect(a.get('farr')).toEqual(new Float32Array([0.5, -1]));
      expect(a.get('sarr')).toEqual(['a', 'bc']);
      expect(a.get('b')).toBe(true);
    }
  });

  test("h5py's complex and float16 datasets read as complex128 (interleaved) and float16 (as float32)", () => {
    using f = File.open(file, 'r');
    const cplx = f.get('cplx') as Dataset<'complex128'>;
    expect([cplx.dtype, cplx.shape, cplx.fileType.description]).toEqual(['complex128', [1], 'compound { r: float64, i: float64 } (16 bytes)']);
    expect(cplx.read()).toEqual(new Float64Array([1, 2]));
    const half = f.get('half') as Dataset<'float16'>;
    expect([half.dtype, half.shape, half.nbytes, half.fileType.description]).toEqual(['float16', [2], 4, 'float16']);
    expect(half.readInto(new Float32Array(2))).toEqual(new Float32Array([1, 2]));
    expect(Array.from((f.get('be_u2') as Dataset).read() as Uint16Array)).toEqual([0, 1, 65535]);
  });

  test('empty (null dataspace) datasets and attributes, complex and 2-D attributes, soft links', () => {
    using f = File.open(file, 'r');
    const e = f.get('edge') as Group;
    expect(e.attrs.keys()).toEqual(['cplx', 'empty', 'grid']);
    expect(e.attrs.get('empty')).toEqual(new Empty('float64'));
    expect(e.attrs.get('cplx')).toEqual([1, 2]);
    // get reads more than one dimension flat, in row-major order; read gives the shape too.
    expect(e.attrs.get('grid')).toEqual(new Int32Array([0, 1, 2, 3, 4, 5]));
    expect(e.attrs.read('grid')).toEqual({ data: new Int32Array([0, 1, 2, 3, 4, 5]), shape: [2, 3], dtype: 'int32' });
    // An Empty dataset opens, as in h5py, and reads as an Empty.
    const empty = e.get('empty') as Dataset;
    expect([empty.isEmpty, empty.dtype, empty.shape, empty.size, empty.read()]).toEqual([true, 'int32', [], 0, new Empty('int32')]);
    const link = e.get('link') as Dataset<'uint16'>;
    expect([link.name, Array.from(link.read())]).toEqual(['/edge/link', [0, 1, 65535]]);
    // As h5py's `'dangling' in e` (True: the link is there); get says where it leads.
    expect(e.has('dangling')).toBe(true);
    expect(e.getLink('dangling')).toEqual({ type: 'soft', target: '/nothing/here' });
    expect(() => e.get('dangling')).toThrow(/^Group '\/edge'\.get\('dangling'\): '\/edge\/dangling' in '.*' is a dangling soft link to '\/nothing\/here'$/);
  });

  test("h5mpi writes into h5py's ASCII and space-padded strings in their own format, and h5py reads them", () => {
    const copy = path.join(dir, 'from-h5py-modified.h5');
    fs.copyFileSync(file, copy);
    {
      using f = File.open(copy, 'r+');
      const ascii = f.get('fixed_ascii') as Dataset<'string'>;
      ascii.write(['new', 'four'], { start: [1], count: [2] });
      expect(() => ascii.write(['é'], { start: [0], count: [1] })).toThrow(
        `Dataset '/fixed_ascii'.write: element 0 ("é") is not ASCII, and the dataset's strings are ASCII`,
      );
      (f.get('spacepad') as Dataset<'string'>).write(['x', 'yz']);
      (f.get('be_i4') as Dataset<'int32'>).write([-1, 2], { start: [2, 2], count: [1, 2] });
    }
    const out = python(
      `f = h5py.File(sys.argv[1], 'r')
emit({'ascii': [s.decode() for s in f['fixed_ascii'][()]], 'space': [s.decode() for s in f['spacepad'][()]],
      'be': [int(x) for x in f['be_i4'][2]], 'be_dtype': f['be_i4'].dtype.str})`,
      [copy],
    );
    // h5py converts space padding away on reading; h5dump shows the stored bytes, padded with spaces.
    expect(out).toEqual({ ascii: ['ab', 'new', 'four', 'wxyz'], space: ['x', 'yz'], be: [2 * 1000003, 3 * 1000003, -1, 2], be_dtype: '>i4' });
    expect(h5dump(copy, '/spacepad').values).toEqual(['x     ', 'yz    ']);
    expect(h5dump(copy, '/fixed_ascii')).toMatchObject({ cset: 'H5T_CSET_ASCII', strsize: '4' });
  });
});
