// Named (committed) datatypes: h5py's and netCDF-4's open as Datatype objects with the dtype and attributes
// h5py reads; h5mpi's read in h5py as h5py.Datatype with the same dtype; a 2-rank commit; the failures named.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, Datatype, File, Group, H5Error } from '../lib';
import { hasH5py, python } from './helpers/h5tools';
import { mpirun, reportsLabelled, tmpdir } from './helpers/mpirun';

const dir = tmpdir('h5mpi-datatypes-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `t${n++}.h5`);
const withH5py = hasH5py() ? test : test.skip;
/** What `fn` threw: its code and message (it must throw). */
function thrown(fn: () => unknown): { code: unknown; message: string } {
  try {
    fn();
  } catch (e) {
    return { code: (e as H5Error).code, message: (e as Error).message };
  }
  throw new Error('it did not throw');
}
const haveNcgen = !spawnSync('ncgen', ['-version'], { stdio: 'ignore' }).error;

/** Python: `describe(t)` of an h5py Datatype: its class, numpy dtype as text, enum members, vlen base, attributes. */
const DESCRIBE_TYPE_PY = `
def describe(t):
    dt = t.dtype
    enum = h5py.check_enum_dtype(dt)
    vlen = h5py.check_vlen_dtype(dt)
    return {'cls': type(t).__name__, 'dtype': dt.str if dt.names is None else [[n, dt.fields[n][0].str, dt.fields[n][1]] for n in dt.names],
            'enum': None if enum is None else {k: int(v) for k, v in enum.items()},
            'vlen': None if vlen is None else (vlen.__name__ if isinstance(vlen, type) else np.dtype(vlen).str),
            'attrs': {k: (v.tolist() if hasattr(v, 'tolist') else v) for k, v in t.attrs.items()}}
`;

describe('named datatypes', () => {
  withH5py("h5py's committed types (compound, enum, vlen, plain, string) open as Datatype objects with h5py's dtype and attributes", () => {
    const file = fresh();
    python(
      `f = h5py.File(sys.argv[1], 'w')
f['point'] = np.dtype([('x', '<f8'), ('y', '<f8'), ('id', '<i4')])
f['point'].attrs['units'] = 'm'
f['point'].attrs['scale'] = np.arange(3, dtype='<i2')
f['color'] = h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': 2}, basetype='u1')
f['ragged'] = h5py.vlen_dtype(np.dtype('<i2'))
f['g/plain'] = np.dtype('>f4')
f['text'] = h5py.string_dtype()
f.close()
emit(True)`,
      [file],
    );
    using f = File.open(file, 'r');
    const point = f.get('point');
    expect(point).toBeInstanceOf(Datatype);
    const t = point as Datatype;
    expect([t.name, t.description, t.file]).toEqual(['/point', "Datatype '/point'", f]);
    expect(t.dtype).toEqual({ compound: { x: 'float64', y: 'float64', id: 'int32' } });
    expect(t.fileType).toMatchObject({ className: 'compound', size: 20 });
    expect(t.attrs.keys()).toEqual(['scale', 'units']);
    expect(t.attrs.get('units')).toBe('m');
    expect(t.attrs.get('scale')).toEqual(new Int16Array([0, 1, 2]));
    expect((f.get('color') as Datatype).dtype).toEqual({ enum: 'uint8', members: { BLUE: 2, GREEN: 1, RED: 0 } });
    expect((f.get('ragged') as Datatype).dtype).toEqual({ vlen: 'int16' });
    const plain = f.get('g/plain') as Datatype;
    expect([plain.dtype, plain.fileType.order]).toEqual(['float32', 'big']);
    expect((f.get('text') as Datatype).dtype).toBe('string');
    // The same object again while it is open; items, values and visitItems include them.
    expect(f.get('/point')).toBe(point);
    expect(f.items().map(([k, o]) => [k, o?.constructor.name])).toEqual([
      ['color', 'Datatype'],
      ['g', 'Group'],
      ['point', 'Datatype'],
      ['ragged', 'Datatype'],
      ['text', 'Datatype'],
    ]);
    expect(f.values().filter((o) => o instanceof Datatype)).toHaveLength(4);
    const seen: string[] = [];
    f.visitItems((name, o) => {
      seen.push(`${name}:${o.constructor.name}`);
    });
    expect(seen).toEqual(['color:Datatype', 'g:Group', 'g/plain:Datatype', 'point:Datatype', 'ragged:Datatype', 'text:Datatype']);
    expect(f.getLink('point')).toEqual({ type: 'hard' });
    expect((f.get('g') as Group).get('plain')).toBe(plain);
  });

  withH5py("h5mpi's committed types read in h5py as h5py.Datatype with the same dtype, and their attributes", () => {
    const file = fresh();
    {
      using f = File.open(file, 'w');
      const p = f.commitDatatype('types/point', { compound: { x: 'float64', y: 'float64', id: 'int32' } });
      expect(p).toBeInstanceOf(Datatype);
      expect(p.dtype).toEqual({ compound: { x: 'float64', y: 'float64', id: 'int32' } });
      p.attrs.set('units', 'm');
      f.commitDatatype('color', { enum: 'uint8', members: { RED: 0, GREEN: 1, BLUE: 2 } });
      f.commitDatatype('ragged', { vlen: 'int16' });
      f.commitDatatype('plain', 'float32');
      // h5py's f['name'] = ...: the committed object is open, and get() gives it.
      expect(f.get('plain')).toBe(f.get('/plain'));
      expect(f.get('types').constructor).toBe(Group);
    }
    const got = python(
      `${DESCRIBE_TYPE_PY}
with h5py.File(sys.argv[1], 'r') as f:
    emit({k: describe(f[k]) for k in ['types/point', 'color', 'ragged', 'plain']})`,
      [file],
    ) as Record<string, unknown>;
    expect(got).toEqual({
      'types/point': { cls: 'Datatype', dtype: [['x', '<f8', 0], ['y', '<f8', 8], ['id', '<i4', 16]], enum: null, vlen: null, attrs: { units: 'm' } },
      color: { cls: 'Datatype', dtype: '|u1', enum: { RED: 0, GREEN: 1, BLUE: 2 }, vlen: null, attrs: {} },
      ragged: { cls: 'Datatype', dtype: '|O', enum: null, vlen: '<i2', attrs: {} },
      plain: { cls: 'Datatype', dtype: '<f4', enum: null, vlen: null, attrs: {} },
    });
    // Reopened writable, an attribute written on h5py's side's object reads back in h5mpi.
    {
      using f = File.open(file, 'r+');
      (f.get('color') as Datatype).attrs.set('note', 'primary');
    }
    using f = File.open(file, 'r');
    expect((f.get('color') as Datatype).attrs.get('note')).toBe('primary');
  });

  (haveNcgen ? test : test.skip)("netCDF-4's user types from ncgen open as Datatypes, and the variables of them read", () => {
    const cdl = path.join(dir, 'types.cdl');
    const nc = path.join(dir, 'types.nc');
    fs.writeFileSync(
      cdl,
      `netcdf types {
types:
  compound obs_t { int station ; double temp ; } ;
  byte enum cloud_t { clear = 0, partly = 1, overcast = 2 } ;
dimensions:
  n = 2 ;
variables:
  obs_t obs(n) ;
  cloud_t sky(n) ;
    sky:note = "cloud cover" ;
data:
  obs = {7, 21.5}, {9, -3.25} ;
  sky = clear, overcast ;
}
`,
    );
    const r = spawnSync('ncgen', ['-k', 'nc4', '-o', nc, cdl], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    using f = File.open(nc, 'r');
    const obs = f.get('obs_t') as Datatype;
    expect(obs).toBeInstanceOf(Datatype);
    // netCDF-C aligns the fields as C does: the double at offset 8, 16 bytes in all.
    expect(obs.dtype).toEqual({ compound: { station: { dtype: 'int32', offset: 0 }, temp: { dtype: 'float64', offset: 8 } }, itemsize: 16 });
    const cloud = f.get('cloud_t') as Datatype;
    expect(cloud.dtype).toEqual({ enum: 'int8', members: { clear: 0, overcast: 2, partly: 1 } });
    // In the CDL's order: netCDF-4 tracks creation order in the root group, and h5mpi lists it so (h5py 3.12+ too).
    expect(f.items().filter(([, o]) => o instanceof Datatype).map(([k]) => k)).toEqual(['obs_t', 'cloud_t']);
    const data = (f.get('obs') as Dataset).read() as unknown as { station: Int32Array; temp: Float64Array };
    expect([Array.from(data.station), Array.from(data.temp)]).toEqual([[7, 9], [21.5, -3.25]]);
  });

  test('2 ranks commit types collectively and read them back; committing over a name fails on every rank', async () => {
    const file = fresh();
    const run = await mpirun(2, 'h5_datatypes_par.js', [file]);
    // Exits cleanly with nothing on stderr: the refused commit printed no HDF5 error stack.
    expect([run.code, run.timedOut, run.stderr]).toEqual([0, false, '']);
    const results = run.results;
    expect(results.length).toBe(2);
    const overwrite = reportsLabelled<{ threw: boolean; code: string; message: string }>(results, 'overwrite');
    expect(overwrite).toHaveLength(2);
    for (const o of overwrite) {
      expect(o.threw).toBe(true);
      expect(o.code).toBe('EXISTS');
      expect(o.message).toContain("commitDatatype('color'): '/color' already exists");
    }
    const read = reportsLabelled<{ got: unknown }>(results, 'read');
    expect(read).toHaveLength(2);
    for (const r of read) {
      expect(r.got).toEqual({
        color: { kind: 'Datatype', dtype: { enum: 'uint8', members: { BLUE: 2, GREEN: 1, RED: 0 } }, attrs: {} },
        ragged: { kind: 'Datatype', dtype: { vlen: 'int16' }, attrs: {} },
        types: { kind: 'Group', dtype: undefined, attrs: {} },
        'types/point': { kind: 'Datatype', dtype: { compound: { x: 'float64', y: 'float64', id: 'int32' } }, attrs: { units: 'm' } },
      });
    }
  });

  test('hard links, copies (within and across files), moves and deletes of a Datatype', () => {
    const file = fresh();
    const other = fresh();
    using f = File.open(file, 'w');
    const t = f.commitDatatype('t', { enum: 'int16', members: { A: 1, B: 2 } });
    t.attrs.set('a', 1);
    f.createHardLink('t2', t);
    expect((f.get('t2') as Datatype).dtype).toEqual({ enum: 'int16', members: { A: 1, B: 2 } });
    f.copy(t, 'copied');
    expect((f.get('copied') as Datatype).attrs.keys()).toEqual(['a']);
    {
      using o = File.open(other, 'w');
      o.copy(t, 'x');
      expect((o.get('x') as Datatype).dtype).toEqual({ enum: 'int16', members: { A: 1, B: 2 } });
    }
    f.move('t', 'moved');
    expect([t.name, t.attrs.get('a')]).toEqual(['/moved', 1]);
    f.delete('moved');
    expect(thrown(() => t.attrs.keys()).message).toBe(`Datatype '/moved' is closed ('/moved' was deleted from '${file}')`);
    // The other hard link still holds the type.
    expect((f.get('t2') as Datatype).attrs.get('a')).toBe(1);
  });

  test('errors: get on a closed file, a closed Datatype, committing over a name, a bad dtype, a read-only file', () => {
    const file = fresh();
    const f = File.open(file, 'w');
    const t = f.commitDatatype('t', 'int16');
    f.createGroup('g');
    const over = thrown(() => f.commitDatatype('t', 'float64'));
    expect(over.code).toBe('EXISTS');
    expect(over.message).toContain("File '" + file + "'.commitDatatype('t'): '/t' already exists");
    expect(thrown(() => f.commitDatatype('g', 'float64')).code).toBe('EXISTS');
    expect(() => f.commitDatatype('u', 'float65' as never)).toThrow(TypeError);
    expect(f.has('u')).toBe(false);
    // What was there stays.
    expect((f.get('t') as Datatype).dtype).toBe('int16');
    f.close();
    expect(t.closed).toBe(true);
    expect(thrown(() => f.get('t')).code).toBe('CLOSED');
    expect(() => t.attrs.keys()).toThrow(/Datatype '\/t' is closed \(its file '.*' was closed\)/);
    using r = File.open(file, 'r');
    expect(() => r.commitDatatype('v', 'int8')).toThrow(H5Error);
    const again = r.get('t') as Datatype;
    again.close();
    expect(thrown(() => again.attrs.get('x'))).toEqual({ code: 'CLOSED', message: `Datatype '/t' is closed (in file '${file}')` });
    expect(r.get('t')).not.toBe(again);
  });
});
