// Files, groups and attributes in a serial file: modes as h5py defines them, the tree (create, get, has,
// keys, delete, relative paths), attributes of every kind, closing rules and `using`.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttributeValue, Dataset, File, Group, H5Error } from '../lib';
import { tmpdir } from './helpers/mpirun';

const dir = tmpdir('h5mpi-group-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(dir, `f${n++}.h5`);

/** A file with one dataset '/x' = [1, 2, 3], closed. */
function seeded(): string {
  const file = fresh();
  using f = File.open(file, 'w');
  f.createDataset('x', { shape: [3], dtype: 'int32', data: [1, 2, 3] });
  return file;
}
const contents = (file: string): { keys: string[]; x?: number[] } => {
  using f = File.open(file, 'r');
  return { keys: f.keys(), x: f.has('x') ? Array.from((f.get('x') as Dataset<'int32'>).read()) : undefined };
};

describe('file modes (as h5py)', () => {
  test("'r' (the default) opens an existing file read-only: reads work, every kind of write is refused", () => {
    const file = seeded();
    using f = File.open(file);
    expect(f.mode).toBe('r');
    const x = f.get('x') as Dataset<'int32'>;
    expect(Array.from(x.read())).toEqual([1, 2, 3]);
    const readOnly = /is open read-only \(mode 'r'\); open it with 'r\+' or 'a' to write/;
    expect(() => x.write([4, 5, 6])).toThrow(readOnly);
    expect(() => f.createGroup('g')).toThrow(readOnly);
    expect(() => f.createDataset('y', { shape: [1], dtype: 'int8' })).toThrow(readOnly);
    expect(() => f.attrs.set('a', 1)).toThrow(readOnly);
    expect(() => f.delete('x')).toThrow(readOnly);
    expect(Array.from(x.read())).toEqual([1, 2, 3]);
  });

  test("'r+' opens an existing file read/write and keeps its contents", () => {
    const file = seeded();
    {
      using f = File.open(file, 'r+');
      (f.get('x') as Dataset<'int32'>).write([7, 8, 9]);
      f.createGroup('g');
    }
    expect(contents(file)).toEqual({ keys: ['g', 'x'], x: [7, 8, 9] });
  });

  test("'w' creates a file, and truncates an existing one", () => {
    const file = seeded();
    File.open(file, 'w').close();
    expect(contents(file)).toEqual({ keys: [] });
    const created = fresh();
    File.open(created, 'w').close();
    expect(fs.existsSync(created)).toBe(true);
  });

  test.each(['w-', 'x'] as const)("'%s' creates a new file and refuses an existing one, leaving it untouched", (mode) => {
    const created = fresh();
    File.open(created, mode).close();
    expect(contents(created)).toEqual({ keys: [] });
    const file = seeded();
    expect(() => File.open(file, mode)).toThrow(H5Error);
    expect(() => File.open(file, mode)).toThrow(`File.open('${file}', '${mode}'): the file exists (mode '${mode}' only creates new files)`);
    expect(contents(file)).toEqual({ keys: ['x'], x: [1, 2, 3] });
  });

  test("'a' creates a missing file and opens an existing one read/write without truncating", () => {
    const created = fresh();
    {
      using f = File.open(created, 'a');
      f.createDataset('x', { shape: [3], dtype: 'int32', data: [4, 5, 6] });
    }
    {
      using f = File.open(created, 'a');
      expect(Array.from((f.get('x') as Dataset<'int32'>).read())).toEqual([4, 5, 6]);
      f.createGroup('more');
    }
    expect(contents(created)).toEqual({ keys: ['more', 'x'], x: [4, 5, 6] });
  });

  test('a serial file describes itself', () => {
    const file = fresh();
    using f = File.open(file, 'w');
    expect(f.filename).toBe(file);
    expect(f.name).toBe('/');
    expect(f.file).toBe(f);
    expect(f.parallel).toBe(false);
    expect(f.driver).toBe('sec2');
    expect(f.comm).toBeUndefined();
    f.createDataset('x', { shape: [1000], dtype: 'float64', data: 1.5 });
    f.flush();
    expect(f.sizeBytes).toBeGreaterThanOrEqual(8000);
  });
});

describe('files and the processes this one starts', () => {
  test('a process started while a file is open does not inherit it (and its lock): the file reopens for writing', () => {
    const file = fresh();
    const f = File.open(file, 'w');
    // Sleeps far longer than the test; killed below. Before the fix it held the file's flock() until it exited.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      f.createDataset('x', { shape: [1], dtype: 'int8', data: [5] });
      f.close();
      using again = File.open(file, 'w');
      expect(again.keys()).toEqual([]);
      const inherited = fs.readdirSync(`/proc/${child.pid}/fd`).map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${child.pid}/fd/${fd}`);
        } catch {
          return '';
        }
      });
      expect(inherited).not.toContain(file);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('groups', () => {
  test('createGroup makes the intermediate groups; get, has and keys see them', () => {
    using f = File.open(fresh(), 'w');
    const c = f.createGroup('a/b/c');
    expect(c).toBeInstanceOf(Group);
    expect(c.name).toBe('/a/b/c');
    expect(f.has('a')).toBe(true);
    expect(f.has('a/b')).toBe(true);
    expect(f.has('/a/b/c')).toBe(true);
    expect(f.has('a/b/c/d')).toBe(false);
    expect(f.has('nope/deeper')).toBe(false);
    expect(f.get('a')).toBeInstanceOf(Group);
    expect(f.keys()).toEqual(['a']);
    expect((f.get('a') as Group).keys()).toEqual(['b']);
    // Paths are normalised.
    expect(f.get('//a//b/')).toBe(f.get('/a/b'));
  });

  test('createDataset makes intermediate groups too; keys come in name order', () => {
    using f = File.open(fresh(), 'w');
    for (const name of ['zeta', 'alpha', 'Mid', 'beta/deep/x']) f.createDataset(name, { shape: [1], dtype: 'uint8' });
    expect(f.keys()).toEqual(['Mid', 'alpha', 'beta', 'zeta']);
    expect(f.get('beta/deep')).toBeInstanceOf(Group);
    expect(f.get('beta/deep/x')).toBeInstanceOf(Dataset);
  });

  test('paths relative to a group, and absolute paths from inside one', () => {
    using f = File.open(fresh(), 'w');
    const g = f.createGroup('run1');
    const d = g.createDataset('data/temps', { shape: [2], dtype: 'float32', data: [20.5, 21.25] });
    const sub = g.createGroup('meta');
    expect(d.name).toBe('/run1/data/temps');
    expect(sub.name).toBe('/run1/meta');
    expect(g.keys()).toEqual(['data', 'meta']);
    expect(g.has('data/temps')).toBe(true);
    expect(g.has('temps')).toBe(false);
    expect(g.get('data/temps')).toBe(d);
    expect(f.get('run1/data/temps')).toBe(d);
    expect((g.get('data') as Group).get('temps')).toBe(d);
    expect(sub.get('/run1/data/temps')).toBe(d);
    expect(g.get('/')).toBe(f);
    expect(Array.from((g.get('data/temps') as Dataset<'float32'>).read())).toEqual([20.5, 21.25]);
  });

  test('get returns the object already open at a path; after close it opens a new one', () => {
    const file = seeded();
    using f = File.open(file, 'r+');
    const x = f.get('x') as Dataset<'int32'>;
    expect(f.get('x')).toBe(x);
    expect(f.get('/x')).toBe(x);
    x.close();
    expect(x.closed).toBe(true);
    const again = f.get('x') as Dataset<'int32'>;
    expect(again).not.toBe(x);
    expect(again.closed).toBe(false);
    expect(Array.from(again.read())).toEqual([1, 2, 3]);
  });

  test('get of a missing path throws an H5Error naming the path and the file', () => {
    using f = File.open(fresh(), 'w');
    f.createGroup('g');
    expect(() => f.get('g/missing')).toThrow(H5Error);
    expect(() => f.get('g/missing')).toThrow(`File '${f.filename}'.get('g/missing'): nothing at '/g/missing' in '${f.filename}'`);
    const g = f.get('g') as Group;
    expect(() => g.get('missing/deeper')).toThrow(`Group '/g'.get('missing/deeper'): nothing at '/g/missing/deeper'`);
  });

  test('delete unlinks datasets and whole groups; open objects under them are closed and say why', () => {
    const file = fresh();
    {
      using f = File.open(file, 'w');
      const g = f.createGroup('g');
      const inner = g.createDataset('sub/d', { shape: [2], dtype: 'int8', data: [1, 2] });
      const keep = f.createDataset('keep', { shape: [1], dtype: 'int8', data: [9] });
      f.createDataset('gone', { shape: [1], dtype: 'int8' });
      f.delete('gone');
      expect(f.keys()).toEqual(['g', 'keep']);
      f.delete('g');
      expect(f.has('g')).toBe(false);
      expect(f.has('g/sub/d')).toBe(false);
      expect(g.closed).toBe(true);
      expect(inner.closed).toBe(true);
      expect(() => inner.read()).toThrow(H5Error);
      expect(() => inner.read()).toThrow(`Dataset '/g/sub/d' is closed ('/g' was deleted from '${file}')`);
      expect(() => g.keys()).toThrow(/Group '\/g' is closed \('\/g' was deleted/);
      expect(keep.closed).toBe(false);
      // The name is free again.
      const again = f.createGroup('g');
      expect(again.closed).toBe(false);
      expect(again.keys()).toEqual([]);
      expect(() => f.delete('g/none')).toThrow(`File '${file}'.delete('g/none'): nothing at '/g/none'`);
    }
    expect(contents(file).keys).toEqual(['g', 'keep']);
  });

  test('delete through a group takes relative paths', () => {
    using f = File.open(fresh(), 'w');
    const g = f.createGroup('g');
    g.createDataset('a', { shape: [1], dtype: 'int8' });
    g.createDataset('b', { shape: [1], dtype: 'int8' });
    g.delete('a');
    expect(g.keys()).toEqual(['b']);
    expect(f.has('g/a')).toBe(false);
  });
});

describe('attributes', () => {
  const KINDS: [string, AttributeValue][] = [
    ['number', 3.25],
    ['negative zero', -0],
    ['NaN', NaN],
    ['bigint', -(2n ** 63n)],
    ['string', 'héllo wörld ∑'],
    ['empty string', ''],
    ['Int8Array', new Int8Array([-128, 127])],
    ['Uint8Array', new Uint8Array([0, 255])],
    ['Int16Array', new Int16Array([-32768, 32767])],
    ['Uint16Array', new Uint16Array([0, 65535])],
    ['Int32Array', new Int32Array([-2147483648, 2147483647])],
    ['Uint32Array', new Uint32Array([0, 4294967295])],
    ['BigInt64Array', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
    ['BigUint64Array', new BigUint64Array([0n, 2n ** 64n - 1n])],
    ['Float32Array', new Float32Array([Math.fround(0.1), -Infinity, NaN])],
    ['Float64Array', new Float64Array([Number.MIN_VALUE, Number.MAX_VALUE, -0])],
    ['string[]', ['a', 'ünï', '']],
    ['number[]', [1, 2.5, -3]],
  ];

  /** How each kind reads back: number[] comes back as a Float64Array (its stored float64 type). */
  const expected = (v: AttributeValue): unknown => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? Float64Array.from(v) : v);

  test.each(['file', 'group', 'dataset'])('every kind of value on a %s survives closing and reopening the file', (owner) => {
    const file = fresh();
    const target = (f: File): File | Group | Dataset =>
      owner === 'file' ? f : owner === 'group' ? (f.get('g') as Group) : (f.get('d') as Dataset);
    {
      using f = File.open(file, 'w');
      f.createGroup('g');
      f.createDataset('d', { shape: [2], dtype: 'float32' });
      for (const [name, value] of KINDS) target(f).attrs.set(name, value);
    }
    using f = File.open(file, 'r');
    const attrs = target(f).attrs;
    expect(attrs.keys()).toEqual(KINDS.map(([k]) => k).sort());
    for (const [name, value] of KINDS) {
      expect(attrs.has(name)).toBe(true);
      expect(attrs.get(name)).toEqual(expected(value));
      const got = attrs.get(name);
      if (ArrayBuffer.isView(value)) expect((got as object).constructor).toBe(value.constructor);
    }
    expect(Object.is(attrs.get('negative zero'), -0)).toBe(true);
    expect(typeof attrs.get('bigint')).toBe('bigint');
  });

  test('set replaces a value (also with another type), delete removes it, has and keys follow', () => {
    using f = File.open(fresh(), 'w');
    const d = f.createDataset('d', { shape: [1], dtype: 'int8' });
    d.attrs.set('units', 'm');
    d.attrs.set('scale', 2);
    d.attrs.set('units', 'km');
    expect(d.attrs.get('units')).toBe('km');
    d.attrs.set('scale', new Int32Array([1, 2, 3]));
    expect(d.attrs.get('scale')).toEqual(new Int32Array([1, 2, 3]));
    d.attrs.set('scale', 'now a string');
    expect(d.attrs.get('scale')).toBe('now a string');
    expect(d.attrs.keys()).toEqual(['scale', 'units']);
    d.attrs.delete('units');
    expect(d.attrs.has('units')).toBe(false);
    expect(d.attrs.keys()).toEqual(['scale']);
    expect(() => d.attrs.get('units')).toThrow(`Dataset '/d'.attrs.get('units'): no attribute 'units' on Dataset '/d' (it has: scale)`);
    expect(() => d.attrs.delete('units')).toThrow(H5Error);
    expect(() => d.attrs.delete('units')).toThrow(/no attribute 'units' on Dataset '\/d'/);
  });

  test('values an attribute cannot hold are refused with the attribute named', () => {
    using f = File.open(fresh(), 'w');
    expect(() => f.attrs.set('s', Symbol('x') as never)).toThrow(TypeError);
    expect(() => f.attrs.set('s', Symbol('x') as never)).toThrow(`File '${f.filename}'.attrs.set('s'): cannot store symbol x`);
    expect(() => f.attrs.set('m', [1, 'a'] as never)).toThrow(/attrs.set\('m'\): an array attribute must hold only numbers, only strings, only bigints or only booleans/);
    expect(() => f.attrs.set('o', { a: 1 })).toThrow(TypeError);
    expect(() => f.attrs.set('big', 2n ** 63n)).toThrow(RangeError);
    expect(() => f.attrs.set('nul', 'a\0b')).toThrow(/attrs.set\('nul'\): string 0 contains a NUL character/);
    expect(() => f.attrs.set('', 1)).toThrow(/an attribute name must be a non-empty string/);
    expect(f.attrs.keys()).toEqual([]);
  });
});

describe('closing', () => {
  test('closing the file closes every group and dataset under it; closing twice is a no-op', () => {
    const file = seeded();
    const f = File.open(file, 'r+');
    const g = f.createGroup('g');
    const x = f.get('x') as Dataset<'int32'>;
    const attrs = x.attrs;
    f.close();
    for (const o of [f, g, x]) expect(o.closed).toBe(true);
    f.close();
    expect(() => x.read()).toThrow(`Dataset '/x' is closed (its file '${file}' was closed)`);
    expect(() => g.keys()).toThrow(`Group '/g' is closed (its file '${file}' was closed)`);
    expect(() => attrs.keys()).toThrow(H5Error);
    expect(() => f.get('x')).toThrow(`File '${file}' is closed`);
  });

  test('`using` closes files, groups and datasets at the end of their block, in reverse order', () => {
    const file = fresh();
    let keptFile: File, keptGroup: Group, keptData: Dataset;
    {
      using f = File.open(file, 'w');
      using g = f.createGroup('g');
      using d = g.createDataset('d', { shape: [2], dtype: 'uint16', data: [10, 20] });
      [keptFile, keptGroup, keptData] = [f, g, d];
      {
        using inner = f.get('g/d') as Dataset;
        expect(inner).toBe(d);
      }
      expect(d.closed).toBe(true);
      expect(f.closed).toBe(false);
    }
    expect(keptFile.closed && keptGroup.closed && keptData.closed).toBe(true);
    using r = File.open(file, 'r');
    expect(Array.from((r.get('g/d') as Dataset<'uint16'>).read())).toEqual([10, 20]);
  });
});
