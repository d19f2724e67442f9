// References and dimension scales through real files, both ways with h5py: object and region references
// h5mpi writes (datasets and attributes, from paths, objects, regions and points) as h5py dereferences
// them, h5py's as h5mpi reads and dereferences them, dimension scales each makes as the other sees them, a
// netCDF-4 file from ncgen whose coordinate variables read as scales and whose DIMENSION_LIST and
// REFERENCE_LIST attributes read as h5py reads them, the failures named, and 2-4 rank jobs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, Empty, File, Group, Hyperslab, Points, Reference, RegionReference, versions } from '../lib';
import { parallelObjectReferenceWrites } from '../lib/hdf5compat';
import { h5dump, hasH5py, python } from './helpers/h5tools';
import { mpirunOk, reportsLabelled, tmpdir } from './helpers/mpirun';

const dir = tmpdir('h5mpi-refs-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `r${n++}.h5`);
const peer = hasH5py() ? describe : describe.skip;
const CDL = path.join(__dirname, 'peers', 'realfiles', 'example.cdl');
const haveNcgen = !spawnSync('ncgen', ['-version'], { stdio: 'ignore' }).error;

/** A Python function `refs(f, values)`: each reference of `values` as h5py dereferences it, by path and elements. */
const DEREF_PY = `
def deref(f, r):
    if not r: return None
    o = f[r]
    if isinstance(r, h5py.RegionReference):
        return {'path': o.name, 'values': np.asarray(o[r]).reshape(-1).tolist()}
    return o.name
def refs(f, values):
    return [deref(f, r) for r in np.asarray(values, dtype=object).reshape(-1)]
`;

/** Paths of references (null for null ones), and a region's path with the values it selects. */
const paths = (refs: readonly (Reference | null)[]): (string | null)[] => refs.map((r) => (r === null ? null : r.path));

describe('references h5mpi writes', () => {
  const file = fresh();
  beforeAll(() => {
    using f = File.open(file, 'w');
    const x = f.createDataset('x', { shape: [4, 5], dtype: 'float64', data: Float64Array.from({ length: 20 }, (_, i) => i) });
    const g = f.createGroup('g/inner');
    f.createDataset('v', { shape: [10], dtype: 'int32', data: Int32Array.from({ length: 10 }, (_, i) => 10 * i) });
    f.createDataset('refs', { shape: [5], dtype: 'reference', data: ['/x', g, null, 'v', f] });
    f.createDataset('grid', { shape: [2, 2], dtype: 'reference', data: [x, x, null, '/g'] });
    f.createDataset('one', { shape: [], dtype: 'reference', data: 'g/inner' });
    f.createDataset('regions', {
      shape: [7],
      dtype: 'regionReference',
      data: [
        { dataset: x, selection: { start: [1, 2], count: [2, 2] } },
        { dataset: '/x', selection: { start: [0, 1], count: [2, 2], stride: [2, 3] } },
        { dataset: 'x', selection: new Hyperslab([0, 0], [1, 2]).union({ start: [3, 3], count: [1, 2] }) },
        { dataset: x, selection: new Points([[3, 4], [0, 0], [2, 1]]) },
        { dataset: '/v' },
        null,
        { dataset: '/v', selection: { start: [2], count: [3], block: [2], stride: [3] } },
      ],
    });
    f.attrs.set('target', x);
    f.attrs.set('targets', [g, null, x]);
    f.attrs.set('paths', ['/v', 'g'], { dtype: 'reference' });
    f.attrs.set('region', { dataset: x, selection: new Points([[1, 1]]) });
    (f.get('v') as Dataset).attrs.set('regions', [{ dataset: '/v', selection: { start: [8], count: [2] } }, null]);
    f.createDataset('none', { shape: [0], dtype: 'reference' });
    f.attrs.set('empty', new Empty('reference'));
    f.attrs.set('null', null, { dtype: 'reference' });
  });

  test('h5mpi reads them back: paths, nulls, shapes, selections, and dereferences them', () => {
    using f = File.open(file, 'r');
    const refs = f.get('refs') as Dataset<'reference'>;
    expect([refs.dtype, refs.shape, refs.nbytes, refs.fileType.description]).toEqual(['reference', [5], 40, 'object reference']);
    const got = refs.read() as (Reference | null)[];
    expect(paths(got)).toEqual(['/x', '/g/inner', null, '/v', '/']);
    expect(got.map(String)).toEqual(['/x', '/g/inner', 'null', '/v', '/']);
    expect(f.deref(got[0]!)).toBe(f.get('x'));
    expect((f.get(got[1]!) as Group).name).toBe('/g/inner');
    expect(f.get(got[4]!)).toBe(f);
    expect(paths((f.get('grid') as Dataset<'reference'>).read({ start: [1, 0], count: [1, 2] }) as (Reference | null)[])).toEqual([null, '/g']);
    expect(String((f.get('one') as Dataset<'reference'>).read())).toBe('/g/inner');

    const regions = (f.get('regions') as Dataset<'regionReference'>).read() as (RegionReference | null)[];
    expect(regions.map(String)).toEqual([
      '/x[start 1, 2, count 2, 2]',
      '/x[start 0, 1, count 2, 2, stride 2, 3]',
      '/x[start 0, 0, count 1, 2] | [start 3, 3, count 1, 2]',
      '/x[points (3, 4) (0, 0) (2, 1)]',
      '/v',
      'null',
      '/v[start 2, count 3, stride 3, block 2]',
    ]);
    const values = regions.map((r) => (r === null ? null : Array.from((f.deref(r) as Dataset<'float64'>).read(r.selection))));
    expect(values).toEqual([[7, 8, 12, 13], [1, 4, 11, 14], [0, 1, 18, 19], [19, 0, 11], [0, 10, 20, 30, 40, 50, 60, 70, 80, 90], null, [20, 30, 50, 60, 80, 90]]);
    expect(regions[3]!.selection).toBeInstanceOf(Points);
    expect(regions[4]!.selection).toBeNull();
    expect(regions[0]!.toJSON()).toEqual({ path: '/x', selection: { start: [1, 2], count: [2, 2], stride: [1, 1], block: [1, 1] } });
  });

  test('attributes of references read as References, with their stored type', () => {
    using f = File.open(file, 'r');
    expect(String(f.attrs.get('target') as Reference)).toBe('/x');
    expect(f.attrs.get('target')).toBeInstanceOf(Reference);
    expect(paths(f.attrs.get('targets') as (Reference | null)[])).toEqual(['/g/inner', null, '/x']);
    expect(paths(f.attrs.get('paths') as Reference[])).toEqual(['/v', '/g']);
    expect(String(f.attrs.get('region') as RegionReference)).toBe('/x[points (1, 1)]');
    expect(f.attrs.info('targets')).toMatchObject({ dtype: 'reference', shape: [3], size: 3, storedType: { className: 'reference', reference: 'object' } });
    expect(f.attrs.read('region')).toMatchObject({ shape: [], dtype: 'regionReference' });
    const v = f.get('v') as Dataset;
    expect((v.attrs.get('regions') as (RegionReference | null)[]).map(String)).toEqual(['/v[start 8, count 2]', 'null']);
    expect([f.attrs.get('empty'), f.attrs.get('null'), (f.get('none') as Dataset<'reference'>).read()]).toEqual([new Empty('reference'), null, []]);
  });

  test('h5dump shows the reference types', () => {
    expect(h5dump(file, '/refs').type).toBe('H5T_REFERENCE');
    expect(h5dump(file, '/refs').text).toContain('H5T_STD_REF_OBJECT');
    expect(h5dump(file, '/regions').text).toContain('H5T_STD_REF_DSETREG');
  });

  (hasH5py() ? test : test.skip)('h5py dereferences each to the same object and region', () => {
    const seen = python(
      `${DEREF_PY}
f = h5py.File(sys.argv[1], 'r')
emit({
  'kinds': [str(h5py.check_ref_dtype(f[k].dtype).__name__) for k in ('refs', 'regions')],
  'refs': refs(f, f['refs'][()]), 'grid': refs(f, f['grid'][()]), 'one': deref(f, f['one'][()]),
  'regions': refs(f, f['regions'][()]),
  'attrs': {k: refs(f, f.attrs[k]) for k in ('target', 'targets', 'paths', 'region')},
  'vregions': refs(f, f['v'].attrs['regions']),
  'empty': isinstance(f.attrs['empty'], h5py.Empty), 'null': bool(f.attrs['null']), 'none': list(f['none'].shape),
})`,
      [file],
    );
    expect(seen).toEqual({
      kinds: ['Reference', 'RegionReference'],
      refs: ['/x', '/g/inner', null, '/v', '/'],
      grid: ['/x', '/x', null, '/g'],
      one: '/g/inner',
      regions: [
        { path: '/x', values: [7, 8, 12, 13] },
        { path: '/x', values: [1, 4, 11, 14] },
        { path: '/x', values: [0, 1, 18, 19] },
        { path: '/x', values: [19, 0, 11] },
        { path: '/v', values: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90] },
        null,
        { path: '/v', values: [20, 30, 50, 60, 80, 90] },
      ],
      attrs: { target: ['/x'], targets: ['/g/inner', null, '/x'], paths: ['/v', '/g'], region: [{ path: '/x', values: [6] }] },
      vregions: [{ path: '/v', values: [80, 90] }, null],
      empty: true,
      null: false,
      none: [0],
    });
  });

  test('a reference follows its object when it moves; one to a deleted object has no path', () => {
    const file2 = fresh();
    fs.copyFileSync(file, file2);
    {
      using f = File.open(file2, 'r+');
      const ref = ((f.get('refs') as Dataset<'reference'>).read() as (Reference | null)[])[3]!;
      // A hard link elsewhere, then the old name gone: the reference still points at the same dataset.
      f.createDataset('tmp', { shape: [1], dtype: 'reference', data: [ref] });
      f.delete('g');
      const gone = ((f.get('refs') as Dataset<'reference'>).read() as (Reference | null)[])[1]!;
      expect(gone.path).toBeNull();
      expect(() => f.deref(gone)).toThrow(expect.objectContaining({ name: 'H5Error', code: 'NOT_FOUND' }) as Error);
      expect(() => f.deref(gone)).toThrow(/points at no object with a path/);
      expect(f.deref(ref).name).toBe('/v');
    }
  });
});

peer('references h5py writes', () => {
  const file = fresh();
  beforeAll(() => {
    python(
      `
f = h5py.File(sys.argv[1], 'w')
d = f.create_dataset('x', data=np.arange(20.).reshape(4, 5))
g = f.create_group('grp')
f.create_dataset('refs', data=[d.ref, g.ref, h5py.Reference(), f.ref], dtype=h5py.ref_dtype)
f.create_dataset('scalar', data=d.ref, dtype=h5py.ref_dtype)
rr = f.create_dataset('rr', (5,), dtype=h5py.regionref_dtype)
rr[0] = d.regionref[1:3, 2:4]
rr[1] = d.regionref[::2, 1]
mask = np.zeros((4, 5), bool); mask[0, 1] = mask[3, 4] = mask[2, 0] = True
rr[2] = d.regionref[mask]
rr[3] = d.regionref[...]
f.attrs['r'] = d.ref
f.attrs['rr'] = d.regionref[0:1, :]
f.attrs.create('refs', [g.ref, d.ref], dtype=h5py.ref_dtype)
f.close()
emit('ok')`,
      [file],
    );
  });

  test('h5mpi reads them as paths and selections, and follows them to the same objects and elements', () => {
    using f = File.open(file, 'r');
    const refs = (f.get('refs') as Dataset<'reference'>).read() as (Reference | null)[];
    expect(paths(refs)).toEqual(['/x', '/grp', null, '/']);
    expect(f.get(refs[1]!)).toBeInstanceOf(Group);
    expect(String((f.get('scalar') as Dataset<'reference'>).read())).toBe('/x');
    const rr = (f.get('rr') as Dataset<'regionReference'>).read() as (RegionReference | null)[];
    expect(rr.map(String)).toEqual([
      '/x[start 1, 2, count 2, 2]',
      '/x[start 0, 1, count 2, 1, stride 2, 1]',
      '/x[points (0, 1) (2, 0) (3, 4)]',
      '/x',
      'null',
    ]);
    const x = f.get('x') as Dataset<'float64'>;
    expect(rr.slice(0, 4).map((r) => Array.from((f.deref(r!) as Dataset<'float64'>).read(r!.selection)))).toEqual([
      [7, 8, 12, 13],
      [1, 11],
      [1, 10, 19],
      Array.from(x.read()),
    ]);
    expect(String(f.attrs.get('r') as Reference)).toBe('/x');
    expect(String(f.attrs.get('rr') as RegionReference)).toBe('/x[start 0, 0, count 1, 5]');
    expect(paths(f.attrs.get('refs') as Reference[])).toEqual(['/grp', '/x']);
  });

  test("references read from h5py's file are written back into it as they are", () => {
    const file2 = fresh();
    fs.copyFileSync(file, file2);
    {
      using f = File.open(file2, 'r+');
      const refs = (f.get('refs') as Dataset<'reference'>).read() as (Reference | null)[];
      const rr = (f.get('rr') as Dataset<'regionReference'>).read() as (RegionReference | null)[];
      f.createDataset('copy', { shape: [4], dtype: 'reference', data: [refs[3], refs[0], null, refs[1]] });
      f.createDataset('rcopy', { shape: [2], dtype: 'regionReference', data: [rr[2], rr[0]] });
      f.attrs.set('back', rr[1]);
    }
    const seen = python(`${DEREF_PY}
f = h5py.File(sys.argv[1], 'r')
emit([refs(f, f['copy'][()]), refs(f, f['rcopy'][()]), deref(f, f.attrs['back'])])`, [file2]);
    expect(seen).toEqual([
      ['/', '/x', null, '/grp'],
      [{ path: '/x', values: [1, 10, 19] }, { path: '/x', values: [7, 8, 12, 13] }],
      { path: '/x', values: [1, 11] },
    ]);
  });
});

describe('dimension scales', () => {
  test('made by h5mpi: h5py sees the scales, their names and the labels', () => {
    const file = fresh();
    {
      using f = File.open(file, 'w');
      const temp = f.createDataset('temp', { shape: [3, 4], dtype: 'float32' });
      const lat = f.createDataset('lat', { shape: [3], dtype: 'float64', data: [-45, 0, 45] });
      const lon = f.createDataset('lon', { shape: [4], dtype: 'float64', data: [0, 90, 180, 270] });
      const idx = f.createDataset('index', { shape: [4], dtype: 'int32', data: [0, 1, 2, 3] });
      expect([lat.isScale, temp.isScale]).toEqual([false, false]);
      lat.makeScale('latitude');
      lon.makeScale('longitude');
      temp.dims[0].attachScale(lat);
      temp.dims[1].attachScale(lon);
      temp.dims[1].attachScale(idx); // not made a scale first: attaching makes it one, without a name
      temp.dims[1].attachScale(lon); // again: nothing changes
      temp.dims[0].label = 'y';
      temp.dims[1].label = 'x';
      expect([lat.isScale, idx.isScale, temp.isScale]).toEqual([true, true, false]);
      expect(temp.dims.map((d) => [d.index, d.label, d.keys()])).toEqual([[0, 'y', ['latitude']], [1, 'x', ['longitude', '']]]);
      expect(temp.dims[1].scales()).toEqual([lon, idx]);
      expect(temp.dims[1].items()).toEqual([['longitude', lon], ['', idx]]);
      expect([temp.dims[1].get(1), temp.dims[1].get('longitude')]).toEqual([idx, lon]);
      expect([temp.dims[0].isAttached(lat), temp.dims[1].isAttached(lat)]).toEqual([true, false]);
      expect(temp.dims[0].dataset).toBe(temp);
    }
    if (!hasH5py()) return;
    const seen = python(
      `
f = h5py.File(sys.argv[1], 'r')
t = f['temp']
emit({'dims': [[d.label, list(d.keys()), [s.name for s in d.values()]] for d in t.dims],
      'scale': [bool(h5py.h5ds.is_scale(f[k].id)) for k in ('lat', 'lon', 'index', 'temp')],
      'refs': [[f[r].name for r in l] for l in t.attrs['DIMENSION_LIST']],
      'reflist': [[f[r].name, int(i)] for r, i in f['lon'].attrs['REFERENCE_LIST']]})`,
      [file],
    );
    expect(seen).toEqual({
      dims: [['y', ['latitude'], ['/lat']], ['x', ['longitude', ''], ['/lon', '/index']]],
      scale: [true, true, true, false],
      refs: [['/lat'], ['/lon', '/index']],
      reflist: [['/temp', 1]],
    });
  });

  (hasH5py() ? test : test.skip)('made by h5py: h5mpi reads them, detaches one, and h5py sees it gone', () => {
    const file = fresh();
    python(
      `
f = h5py.File(sys.argv[1], 'w')
d = f.create_dataset('d', data=np.zeros((2, 3)))
for k, n in (('a', 2), ('b', 3), ('c', 3)):
    s = f.create_dataset(k, data=np.arange(n))
    s.make_scale(k.upper())
d.dims[0].attach_scale(f['a'])
d.dims[1].attach_scale(f['b'])
d.dims[1].attach_scale(f['c'])
d.dims[1].label = 'columns'
f.close()
emit('ok')`,
      [file],
    );
    {
      using f = File.open(file, 'r+');
      const d = f.get('d') as Dataset;
      expect(d.dims.map((x) => [x.label, x.keys(), x.scales().map((s) => s.name)])).toEqual([['', ['A'], ['/a']], ['columns', ['B', 'C'], ['/b', '/c']]]);
      expect(paths((d.attrs.get('DIMENSION_LIST') as (Reference | null)[][]).flat())).toEqual(['/a', '/b', '/c']);
      expect(d.attrs.read('DIMENSION_LIST')).toMatchObject({ shape: [2], dtype: null });
      expect(d.attrs.info('DIMENSION_LIST').storedType.description).toBe('variable-length sequence of object reference');
      const c = f.get('c') as Dataset;
      const reflist = c.attrs.get('REFERENCE_LIST') as { dataset: Reference[]; dimension: Int32Array };
      // The dimension index as h5py's HDF5 stored it: an int in 1.10's H5DS, an unsigned int in 1.14's.
      expect([paths(reflist.dataset), Array.from(reflist.dimension)]).toEqual([['/d'], [1]]);
      expect(reflist.dimension).toBeInstanceOf(versions.hdf5.startsWith('1.10.') ? Int32Array : Uint32Array);
      d.dims[1].detachScale(c);
      expect(d.dims[1].keys()).toEqual(['B']);
    }
    const seen = python(`
f = h5py.File(sys.argv[1], 'r')
emit([[s.name for s in d.values()] for d in f['d'].dims])`, [file]);
    expect(seen).toEqual([['/a'], ['/b']]);
  });

  test('what HDF5 refuses silently is named', () => {
    using f = File.open(fresh(), 'w');
    const d = f.createDataset('d', { shape: [2, 3], dtype: 'float64' });
    const s = f.createDataset('s', { shape: [3], dtype: 'float64' });
    const scalar = f.createDataset('scalar', { shape: [], dtype: 'int32', data: 1 });
    s.makeScale('s');
    expect(scalar.dims).toEqual([]);
    expect(() => d.dims[0].attachScale(d)).toThrow("Dataset '/d'.dims[0].attachScale: a dataset cannot be a dimension scale of itself");
    expect(() => s.dims[0].attachScale(d)).toThrow("'/s' is a dimension scale, and a scale cannot have scales");
    d.dims[1].attachScale(s);
    expect(() => d.makeScale('d')).toThrow("Dataset '/d'.makeScale: '/d' has dimension scales of its own, so it cannot be one");
    const e = f.createDataset('e', { shape: [3], dtype: 'float64' });
    expect(() => e.dims[0].attachScale(d)).toThrow("'/d' has dimension scales of its own, so it cannot be one");
    expect(() => d.dims[0].detachScale(s)).toThrow(expect.objectContaining({ name: 'H5Error', code: 'NOT_FOUND', message: expect.stringContaining("'/s' is not attached to dimension 0") as string }) as Error);
    expect(() => d.dims[1].get('nope')).toThrow(/no such scale on dimension 1 of '\/d' \(it has 1: "s"\)/);
    expect(() => (d.dims[1].label = 'a\0b')).toThrow(TypeError);
    expect(() => d.dims[0].attachScale('s' as never)).toThrow("Dataset '/d'.dims[0].attachScale: the scale must be a Dataset, got string s");
    using other = File.open(fresh(), 'w');
    const o = other.createDataset('o', { shape: [2], dtype: 'float64' });
    expect(() => d.dims[0].attachScale(o)).toThrow(/is in '.*', and a dimension scale must be in the file of its dataset/);
    // Nothing was changed by the refusals.
    expect(d.dims.map((x) => x.keys())).toEqual([[], ['s']]);
  });

  (haveNcgen ? test : test.skip)("netCDF-4 from ncgen: coordinate variables are scales, DIMENSION_LIST and REFERENCE_LIST read as h5py's", () => {
    const nc = path.join(dir, 'ncgen.nc');
    const r = spawnSync('ncgen', ['-k', 'nc4', '-o', nc, CDL], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    using f = File.open(nc, 'r');
    const temp = f.get('temperature') as Dataset;
    expect(temp.dims.map((d) => d.scales().map((s) => s.name))).toEqual([['/time'], ['/lat'], ['/lon']]);
    expect(temp.dims.map((d) => d.keys())).toEqual([['time'], ['lat'], ['lon']]);
    expect(['time', 'lat', 'lon', 'nv', 'name_len', 'temperature'].map((k) => (f.get(k) as Dataset).isScale)).toEqual([true, true, true, true, true, false]);
    expect((f.get('forecast/field') as Dataset).dims.map((d) => d.scales().map((s) => s.name))).toEqual([['/forecast/step'], ['/lat']]);
    const dimlist = (temp.attrs.get('DIMENSION_LIST') as (Reference | null)[][]).map((l) => l.map(String));
    const reflist = (f.get('lat') as Dataset).attrs.get('REFERENCE_LIST') as { dataset: Reference[]; dimension: Int32Array };
    if (!hasH5py()) return;
    const seen = python(
      `
f = h5py.File(sys.argv[1], 'r')
t = f['temperature']
emit({'dimlist': [[f[r].name for r in l] for l in t.attrs['DIMENSION_LIST']],
      'reflist': {'dataset': [f[r].name for r, i in f['lat'].attrs['REFERENCE_LIST']], 'dimension': [int(i) for r, i in f['lat'].attrs['REFERENCE_LIST']]},
      'scales': [[s.name for s in d.values()] for d in t.dims]})`,
      [nc],
    );
    expect({ dimlist, reflist: { dataset: reflist.dataset.map(String), dimension: Array.from(reflist.dimension) }, scales: temp.dims.map((d) => d.scales().map((s) => s.name)) }).toEqual(seen);
  });
});

describe('failures are named and change nothing', () => {
  test('targets that are missing, of the wrong kind or in another file', () => {
    using f = File.open(fresh(), 'w');
    const x = f.createDataset('x', { shape: [4], dtype: 'float64' });
    f.createGroup('g');
    const refs = f.createDataset('refs', { shape: [2], dtype: 'reference', data: ['/x', null] });
    const regions = f.createDataset('regions', { shape: [1], dtype: 'regionReference' });
    const where = "Dataset '/refs'.write";
    expect(() => refs.write(['/x', '/nope'])).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: `${where}: a reference to '/nope': there is no object at that path (in file '${f.filename}')` }) as Error);
    expect(() => refs.write(['/x'])).toThrow(new RangeError(`${where}: 1 references for a selection of 2 elements (in file '${f.filename}')`));
    expect(() => refs.write([1, 2] as never)).toThrow(`${where}: element 0: an object reference is written from a path, a Group or Dataset, a Reference or null, got number 1`);
    expect(() => regions.write([{ dataset: '/g' }])).toThrow("a region reference to '/g': a region reference points into a dataset, and this is not one");
    expect(() => regions.write([{ dataset: x, selection: { start: [3], count: [2] } }])).toThrow(RangeError);
    expect(() => regions.write([{ dataset: x, selection: { start: [3], count: [2] } }])).toThrow('the selection reaches outside the dataset, whose shape is [4]');
    expect(() => regions.write([{ dataset: x, selection: { start: [0, 0], count: [1, 1] } }])).toThrow('the selection has 2 dimensions, the dataset 1');
    expect(() => regions.write([{ dataset: x, slice: [1] } as never])).toThrow("unknown key 'slice' of a region; accepted: dataset, selection");
    const ref = (refs.read() as (Reference | null)[])[0]!;
    expect(() => regions.write([ref as never])).toThrow('an object reference in a region reference dataset');
    expect(() => refs.readInto(new Float64Array(2))).toThrow(TypeError);
    // The failed writes left the references as they were.
    expect(paths(refs.read() as (Reference | null)[])).toEqual(['/x', null]);

    using other = File.open(fresh(), 'w');
    const o = other.createDataset('o', { shape: [1], dtype: 'reference' });
    expect(() => o.write([ref])).toThrow(/the reference to '\/x' was read from '.*', and points into that file, not '.*'; give the path to make one in this file/);
    expect(() => o.write([x])).toThrow(/Dataset '\/x' is in '.*', not in '.*': a reference points into its own file/);
    expect(() => other.deref(ref)).toThrow(TypeError);
    expect(() => other.createDataset('p', { shape: [1], dtype: 'reference', data: [x] })).toThrow(/a reference points into its own file/);
    expect(other.has('p')).toBe(false);
    expect(() => other.attrs.set('r', x)).toThrow(/a reference points into its own file/);
    expect(other.attrs.has('r')).toBe(false);
    expect(() => f.createDataset('bad', { shape: [2], dtype: 'reference', fillValue: 0 } as never)).toThrow('reference datasets take no fillValue');
  });

  test('point selections read and write single elements, checked against the shape', () => {
    using f = File.open(fresh(), 'w');
    const d = f.createDataset('d', { shape: [3, 4], dtype: 'int32', data: new Int32Array(12) });
    d.write([7, 8, 9], new Points([[2, 3], [0, 0], [1, 2]]));
    expect(Array.from(d.read())).toEqual([8, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 7]);
    expect(Array.from(d.read(new Points([[1, 2], [2, 3], [1, 2]])))).toEqual([9, 7, 9]);
    expect(d.read(new Points([]))).toHaveLength(0);
    expect(() => d.read(new Points([[3, 0]]))).toThrow(new RangeError(`Dataset '/d'.read: point 0 ([3, 0]) is outside the dataset's shape [3, 4] (in file '${f.filename}')`));
    expect(() => d.read(new Points([[1]]))).toThrow('the points have 1 coordinates each, the dataset 2 dimensions');
    expect(() => new Points([[1, 2], [1]])).toThrow(RangeError);
    expect(() => new Points([[-1, 0]])).toThrow(RangeError);
  });
});

describe('in parallel', () => {
  let theirs: string;
  beforeAll(() => {
    theirs = fresh();
    // Region references for the ranks to read: made serially (HDF5 1.10 cannot write them with MPI-IO).
    using f = File.open(theirs, 'w');
    const x = f.createDataset('x', { shape: [4, 5], dtype: 'float64', data: Float64Array.from({ length: 20 }, (_, i) => i) });
    f.createDataset('rr', {
      shape: [4],
      dtype: 'regionReference',
      data: [{ dataset: x, selection: { start: [1, 2], count: [2, 2] } }, { dataset: x, selection: new Points([[0, 1], [3, 4]]) }, { dataset: x }, null],
    });
  });

  test.each([2, 3, 4])('%i ranks write references, attributes and scales, and read them back', async (size) => {
    const file = fresh();
    const results = await mpirunOk(size, 'h5_refs_dims_par.js', [file, theirs], { timeoutMs: 120_000 });
    const ranks = Array.from({ length: size }, (_, r) => r);
    const mine = ranks.flatMap((r) => [`/r${r}`, '/m']);
    for (const label of ['regionDataset', 'regionCreate']) {
      for (const r of reportsLabelled<{ threw: boolean; message: string }>(results, label)) {
        expect(r).toMatchObject({ threw: true, message: expect.stringContaining('parallel HDF5 cannot write region references into a dataset') as string });
      }
    }
    // HDF5 1.12 and later write no references into a dataset through MPI-IO: every such write is refused up
    // front, on every rank, naming the version; 1.10 writes object references made by every rank together.
    const objectRefs = parallelObjectReferenceWrites();
    const refused = `parallel HDF5 cannot write references into a dataset (HDF5 ${versions.hdf5} does not support it with MPI-IO; 1.10 did)`;
    for (const label of objectRefs ? [] : ['refsCreate', 'mineWrite']) {
      for (const r of reportsLabelled(results, label)) expect(r).toMatchObject({ threw: true, name: 'H5Error', message: expect.stringContaining(refused) as string });
    }
    for (const r of reportsLabelled(results, 'independentPath')) {
      expect(r).toMatchObject({ threw: true, message: expect.stringContaining(objectRefs ? 'references are made by every rank together' : refused) as string });
    }
    for (const r of reportsLabelled(results, 'independentStored')) {
      expect(r).toMatchObject(objectRefs ? { threw: false } : { threw: true, message: expect.stringContaining(refused) as string });
    }
    for (const r of reportsLabelled(results, 'labelsDiffer')) expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
    const want = [
      '/x[start 1, 2, count 2, 2]',
      '/x[points (0, 1) (3, 4)]',
      '/x',
      'null',
    ];
    reportsLabelled(results, 'theirs').forEach((r, rank) => {
      expect(r).toEqual({
        rank,
        label: 'theirs',
        own: want[rank % 4],
        all: want,
        values: [[7, 8, 12, 13], [1, 19], Array.from({ length: 20 }, (_, i) => i), null],
      });
    });
    const diagonal = ranks.map((r) => size - r);
    const sum = (size * (size + 1)) / 2;
    reportsLabelled(results, 'own').forEach((r, rank) => expect(r).toMatchObject({ mine: objectRefs ? [`/r${rank}`, '/m'] : null, diagonal, sum }));
    for (const r of reportsLabelled(results, 'values')) {
      expect(r).toMatchObject({
        refs: objectRefs ? ['/data', '/g', null, '/m'] : null,
        mine: objectRefs ? mine : null,
        regions: ['/data[start 1, count 2]', 'null', '/m'],
        values: [[1, 2], null, Array.from({ length: 20 }, (_, i) => i)],
        attrs: { target: '/data', targets: ['/g', 'null', '/m'], region: '/m[points (1, 1) (2, 3)]' },
        dims: { isScale: true, label: 'x', keys: ['time'], scales: ['/t'] },
        m: { keys: [[], []], u: ['CLASS'], label: '' },
      });
    }
    if (!hasH5py()) return;
    const seen = python(`${DEREF_PY}
f = h5py.File(sys.argv[1], 'r')
emit({'refs': refs(f, f['refs'][()]) if 'refs' in f else None, 'mine': refs(f, f['mine'][()]), 'regions': refs(f, f.attrs['regions']),
      'scales': [s.name for s in f['data'].dims[0].values()], 'label': f['data'].dims[0].label})`, [file]);
    expect(seen).toEqual({
      refs: objectRefs ? ['/data', '/g', null, '/m'] : null,
      mine: objectRefs ? mine : mine.map(() => null),
      regions: [{ path: '/data', values: [1, 2] }, null, { path: '/m', values: Array.from({ length: 20 }, (_, i) => i) }],
      scales: ['/t'],
      label: 'x',
    });
  }, 150_000);
});
