// Untrusted mode: File.check and File.open(path, 'r', { untrusted: true }) on real files: the seeds of the
// fuzz set (made by h5mpi and h5py), damaged ones from the mutant generator, a tiny file that claims 4 GiB,
// and a job whose ranks all get rank 0's verdict.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, File, Group, H5Error, UntrustedFileError, versions } from '../lib';

// HDF5 1.10's parser crashes or allocates on these mutants; from 1.12 HDF5 checks them first and fails with
// an error of its own (docs/untrusted-files.md): what each version does is expected, both never a crash.
const HDF5_110 = versions.hdf5.startsWith('1.10.');
import { mpirunOk, reportsLabelled, tmpdir } from './helpers/mpirun';
import { thrown } from './helpers/thrown';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the fuzz scripts are plain JS, shared with npm run fuzz
const { mutant } = require('./fuzz/mutate') as { mutant: (id: string) => { bytes: Buffer; what: string } };

const SEEDS = path.join(__dirname, 'fuzz', 'seeds');
const seed = (name: string): string => path.join(SEEDS, `${name}.h5`);
const dir = tmpdir('h5mpi-untrusted-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const writeMutant = (id: string): string => {
  const file = path.join(dir, `${id.replace(':', '_')}.h5`);
  fs.writeFileSync(file, mutant(id).bytes);
  return file;
};
const plainOf = (v: unknown): unknown => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : Array.isArray(v) ? v.map(plainOf) : v);

describe('File.check', () => {
  test('walks a sound file: objects through hard links, attributes read, soft links seen', () => {
    const r = File.check(seed('groups'));
    // The root, /a, /a/b, /a/b/c, /empty, /a/values and its second hard link /a/b/hard.
    expect(r).toMatchObject({ objects: 7, attributes: 9, links: 2 });
    expect(r.ms).toBeGreaterThan(0);
    expect(File.check(seed('py_refs'))).toMatchObject({ objects: 5, attributes: 11, links: 0 });
  });

  test('an HDF5 error in the walk names the object and keeps HDF5 code', () => {
    // dense:1 damages the fractal heap of /many's links: listing its members fails its checksum.
    const e = thrown(() => File.check(writeMutant('dense:1'))) as UntrustedFileError;
    expect(e).toBeInstanceOf(UntrustedFileError);
    expect(e).toBeInstanceOf(H5Error);
    expect(e).toMatchObject({ code: 'IO', failure: 'error', path: '/many' });
    expect(e.message).toMatch(/failed at '\/many': list group of '\/many' in file '[^']*' failed: incorrect metadata checksum/);
  });

  test('a hang past the limit is killed and named', () => {
    // vlen:3 moves a block over the global heap: reading the root's attribute 'label' loops in libhdf5.
    const started = Date.now();
    const e = thrown(() => File.check(writeMutant('vlen:3'), { checkTimeout: 1500 })) as UntrustedFileError;
    expect(e).toMatchObject({ code: 'TIMEOUT', failure: 'hang', path: '/@label' });
    expect(e.message).toMatch(/libhdf5 hung checking its metadata at '\/@label' .*1500 ms limit/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('an attribute that claims more than maxBytes is not read', () => {
    // The root's 'scale' holds 3 float64 (24 bytes) and /a/b/c's 'names' 3 strings (3 x 16 bytes).
    expect(File.check(seed('groups'), { maxBytes: 20 })).toMatchObject({ objects: 7, attributes: 7 });
  });

  test('options and arguments are checked', () => {
    expect(() => File.check(seed('groups'), { maxbytes: 1 } as never)).toThrow(/unknown option 'maxbytes'; accepted: maxBytes, checkTimeout/);
    expect(() => File.check(seed('groups'), { checkTimeout: 0 })).toThrow(RangeError);
    expect(thrown(() => File.check(path.join(dir, 'missing.h5')))).toMatchObject({ code: 'NOT_FOUND' });
    expect(thrown(() => File.check(dir))).toMatchObject({ code: 'IS_DIRECTORY' });
  });
});

describe("File.open(path, 'r', { untrusted: true })", () => {
  test('a sound file reads as it does without: vlen strings and sequences through the isolated read', () => {
    const plain = File.open(seed('vlen'), 'r');
    const checked = File.open(seed('vlen'), 'r', { untrusted: true });
    try {
      expect(checked.untrusted).toBe(true);
      expect(plain.untrusted).toBe(false);
      for (const name of ['strings', 'scalar', 'seqs', 'chunkedstr']) {
        // Compared as plain values: jest's test context has typed array classes of its own, which neither
        // the addon's nor v8.deserialize's arrays are instances of.
        expect(plainOf((checked.get(name) as Dataset).read())).toEqual(plainOf((plain.get(name) as Dataset).read()));
      }
      expect((checked.get('strings') as Dataset).read({ start: [1], count: [2] })).toEqual(['β', '']);
      expect(checked.attrs.get('labels')).toEqual(['one', 'two', 'three']);
    } finally {
      plain.close();
      checked.close();
    }
  });

  test('a file whose metadata crashes or hangs libhdf5 throws instead, and this process goes on', () => {
    const e = thrown(() => File.open(writeMutant('vlen:3'), 'r', { untrusted: true, checkTimeout: 1500 })) as UntrustedFileError;
    expect(e).toMatchObject({ name: 'UntrustedFileError', code: 'TIMEOUT', path: '/@label' });
    expect(e.message).toMatch(/^File.open\('.*vlen_3.h5', 'r'\): libhdf5 hung/);
  });

  test('a 2 KB file that claims 4 GiB: read() refuses before allocating, readInto too; a slice reads', () => {
    const file = path.join(dir, 'claims.h5');
    {
      using f = File.open(file, 'w');
      f.createDataset('huge', { shape: [2 ** 29], dtype: 'float64', chunks: [2 ** 16], fillValue: 1.5 });
      f.attrs.set('wide', new Float64Array(64));
    }
    expect(fs.statSync(file).size).toBeLessThan(8192);
    using f = File.open(file, 'r', { untrusted: true });
    const d = f.get('huge') as Dataset<'float64'>;
    const e = thrown(() => d.read()) as UntrustedFileError;
    expect(e).toMatchObject({ code: 'TOO_LARGE', failure: 'too-large', path: '/huge' });
    expect(e.message).toMatch(/reading 536870912 elements of 8 bytes would take 4294967296 bytes, over the untrusted-mode limit of 1073741824/);
    expect(Array.from(d.read({ start: [5], count: [3] }))).toEqual([1.5, 1.5, 1.5]);
    // A chunk of 2^16 float64 is 512 KiB: with maxBytes under that, no part of the dataset reads.
    using small = File.open(file, 'r', { untrusted: true, maxBytes: 256 });
    const slice = thrown(() => (small.get('huge') as Dataset<'float64'>).readInto(new Float64Array(4), { start: [0], count: [4] }));
    expect(slice).toMatchObject({ code: 'TOO_LARGE', path: '/huge' });
    expect(slice.message).toMatch(/one chunk of \[65536\] would take 524288 bytes/);
    expect(thrown(() => small.attrs.get('wide'))).toMatchObject({ code: 'TOO_LARGE', path: '/@wide' });
  });

  test('a read that crashes libhdf5 (1.10; an HDF5 error from 1.12) is a CRASHED error, and this process reads on', () => {
    // py_vlen:220 damages the global heap that /vint's sequences point into: the check passes (no attribute
    // reads it), the read crashes libhdf5 in the child.
    using f = File.open(writeMutant('py_vlen:220'), 'r', { untrusted: true });
    const e = thrown(() => (f.get('vint') as Dataset).read()) as UntrustedFileError;
    if (HDF5_110) {
      expect(e).toMatchObject({ name: 'UntrustedFileError', code: 'CRASHED', failure: 'crash', signal: 'SIGSEGV', path: '/vint' });
      expect(e.message).toMatch(/^Dataset '\/vint'.read: libhdf5 crashed \(SIGSEGV\) reading '\/vint'/);
    } else {
      expect(e).toMatchObject({ name: 'UntrustedFileError', code: 'IO', failure: 'error', path: '/vint' });
    }
    expect(Array.from((f.get('big_endian') as Dataset<'float64'>).read())).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('filtered data reads through the child: read and readInto give what a plain read gives', () => {
    using plain = File.open(seed('chunked'), 'r');
    using checked = File.open(seed('chunked'), 'r', { untrusted: true });
    const want = (plain.get('gz') as Dataset<'float32'>).read();
    expect(Array.from((checked.get('gz') as Dataset<'float32'>).read())).toEqual(Array.from(want));
    const into = (checked.get('gz') as Dataset<'float32'>).readInto(new Float64Array(12), { start: [3, 4], count: [2, 6] });
    expect(Array.from(into)).toEqual([...want.slice(94, 100), ...want.slice(124, 130)]);
  });

  test('untrusted options are checked', () => {
    expect(() => File.open(seed('vlen'), 'r+', { untrusted: true })).toThrow(/untrusted files open read-only \(mode 'r'\), not 'r\+'/);
    expect(() => File.open(seed('vlen'), 'r', { maxBytes: 10 })).toThrow(/maxBytes is an option of untrusted mode; add untrusted: true/);
    expect(() => File.open(seed('vlen'), 'r', { untrusted: 'yes' as never })).toThrow(TypeError);
    expect(thrown(() => File.open(path.join(dir, 'nothing.h5'), 'r', { untrusted: true }))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('damaged files without untrusted mode: crash sites of the binding, fixed', () => {
  test('a group whose dense link storage is damaged: keys() is an H5Error, not a freed half-filled table', () => {
    using f = File.open(writeMutant('dense:1'), 'r');
    const e = thrown(() => (f.get('many') as Group).keys());
    expect(e).toBeInstanceOf(H5Error);
    expect(e).toMatchObject({ code: 'IO' });
    expect(e.message).toMatch(/list group of '\/many' in file '[^']*' failed: incorrect metadata checksum/);
  });

  test('visit and visitItems over that group: an H5Error naming it, not the crash of a walk by name (h5py crashes)', () => {
    // H5Ovisit by name (h5py's visit, and h5mpi's before) builds the same table over /many and crashed on
    // dense:1 and 23 other mutants of the fuzz run (docs/untrusted-files.md).
    using f = File.open(writeMutant('dense:1'), 'r');
    for (const call of [() => f.visit(() => undefined), () => f.visitItems(() => undefined)]) {
      const e = thrown(call);
      expect(e).toMatchObject({ name: 'H5Error', code: 'IO' });
      expect(e.message).toMatch(/visit the objects under '\/': list '\/many' in file '[^']*' failed: incorrect metadata checksum/);
    }
    // The file stays usable.
    expect(f.keys()).toEqual(['many']);
    expect(f.get('many')).toBeInstanceOf(Group);
  });

  test('a sequence whose claimed length cannot be allocated: an H5Error naming the dataset, not std::bad_alloc', () => {
    using f = File.open(writeMutant('py_vlen:72'), 'r');
    const e = thrown(() => (f.get('vint') as Dataset).read());
    expect(e).toMatchObject({ name: 'H5Error', code: HDF5_110 ? 'TOO_LARGE' : 'IO' });
    if (HDF5_110) expect(e.message).toMatch(/^read dataset '\/vint' failed: not enough memory for the size the file claims/);
    // The file is still usable.
    expect(Array.from((f.get('big_endian') as Dataset<'float64'>).read())).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('a dataset whose claimed shape no array can hold: an H5Error naming it, not V8\'s RangeError', () => {
    using f = File.open(writeMutant('dense:117'), 'r');
    const e = thrown(() => (f.get('many/d0') as Dataset).read());
    expect(e).toMatchObject({ name: 'H5Error', code: HDF5_110 ? 'TOO_LARGE' : 'IO' });
    if (HDF5_110) expect(e.message).toMatch(/^Dataset '\/many\/d0'.read: the result of 71776119061217280 uint8 elements from '.*' cannot be allocated/);
    expect(Array.from((f.get('many/d1') as Dataset<'uint8'>).read())).toEqual([1, 2]);
  });
});

describe('untrusted mode in a job', () => {
  test.each([2, 3])('%i ranks: rank 0 checks (the file, and the file an external link leads to), every rank gets the same verdict and stays in step', async (n) => {
    const bad = writeMutant('vlen:3');
    const linking = path.join(dir, `linking${n}.h5`);
    {
      using f = File.open(linking, 'w');
      f.createDataset('x', { shape: [2], dtype: 'int32', data: [6, 7] });
      f.createExternalLink('evil', path.basename(bad), '/');
    }
    const results = await mpirunOk(n, 'untrusted_par.js', [seed('vlen'), bad, linking], { timeoutMs: 90_000 });
    for (const r of reportsLabelled(results, 'good')) {
      expect(r).toMatchObject({ parallel: true, untrusted: true, strings: ['alpha', 'β', '', 'a longer string than the others', 'end'], seqs: [[1, 2, 3], [], [0.5], [9, 8, 7, 6, 5]] });
    }
    const bads = reportsLabelled<{ ok: boolean; name: string; code: string; path: string; message: string }>(results, 'bad');
    expect(bads).toHaveLength(n);
    for (const r of bads) expect(r).toMatchObject({ ok: false, name: 'UntrustedFileError', code: 'TIMEOUT', path: '/@label', message: bads[0].message });
    const links = reportsLabelled<{ ok: boolean; message: string }>(results, 'link');
    expect(links).toHaveLength(n);
    for (const r of links) expect(r).toMatchObject({ ok: false, name: 'UntrustedFileError', code: 'TIMEOUT', path: '/@label', message: links[0].message, x: [6, 7] });
    expect(links[0].message).toContain(`the external link '/evil' in '${linking}' (to 'vlen_3.h5')`);
    for (const r of reportsLabelled(results, 'after')) expect(r).toMatchObject({ sum: n });
  });
});

describe('external links in untrusted mode', () => {
  // Each case in its own directory: the default policy keeps links within the untrusted file's directory.
  let k = 0;
  const place = (): string => {
    const d = path.join(dir, `ext${k++}`, 'inner');
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  /** A file at `file` holding /x = values and the external links given as [linkPath, fileName, objectPath]. */
  const make = (file: string, values: number[], links: [string, string, string][] = []): string => {
    using f = File.open(file, 'w');
    f.createDataset('x', { shape: [values.length], dtype: 'int32', data: values });
    for (const [p, name, target] of links) f.createExternalLink(p, name, target);
    return file;
  };
  const ints = (d: unknown): number[] => Array.from((d as Dataset<'int32'>).read(), Number);

  test('the check reports external links without following them; a sound target is checked, then read', () => {
    const d = place();
    make(path.join(d, 'b.h5'), [4, 5]);
    const a = make(path.join(d, 'a.h5'), [1], [['toB', 'b.h5', '/'], ['sub/bx', 'b.h5', '/x'], ['gone', 'nothing.h5', '/x']]);
    const r = File.check(a);
    expect(r.external).toEqual([
      { path: '/gone', file: 'nothing.h5', target: '/x' },
      { path: '/sub/bx', file: 'b.h5', target: '/x' },
      { path: '/toB', file: 'b.h5', target: '/' },
    ]);
    using f = File.open(a, 'r', { untrusted: true });
    expect(ints(f.get('sub/bx'))).toEqual([4, 5]);
    expect(ints(f.get('toB/x'))).toEqual([4, 5]);
    expect(f.has('toB/x')).toBe(true);
    expect(f.getLink('toB/x')).toEqual({ type: 'hard' });
    // A link to a file that is not there leads nowhere, as without untrusted mode.
    expect(f.has('gone')).toBe(true);
    expect(thrown(() => f.get('gone'))).toMatchObject({ name: 'H5Error', code: 'NOT_FOUND' });
  });

  test('a target that hangs libhdf5 is checked in a child first: the get throws, naming the link and the file, and this process goes on', () => {
    const d = place();
    fs.copyFileSync(writeMutant('vlen:3'), path.join(d, 'hostile.h5'));
    const a = make(path.join(d, 'a.h5'), [1, 2], [['evil', 'hostile.h5', '/'], ['evilAttr', 'hostile.h5', '/strings']]);
    using f = File.open(a, 'r', { untrusted: true, checkTimeout: 3000 });
    for (const p of ['evil', 'evilAttr', 'evil/strings']) {
      const e = thrown(() => f.get(p)) as UntrustedFileError;
      expect(e).toMatchObject({ name: 'UntrustedFileError', code: 'TIMEOUT', failure: 'hang', path: '/@label' });
      expect(e.message).toContain(`the external link '/${p.split('/')[0]}' in '${a}' (to 'hostile.h5'): libhdf5 hung checking its metadata at '/@label' in '${path.join(d, 'hostile.h5')}'`);
    }
    // items() opens each member: the hostile one stops it the same way; the rest of the file reads.
    expect(thrown(() => f.items())).toMatchObject({ code: 'TIMEOUT' });
    expect(f.keys()).toEqual(['evil', 'evilAttr', 'x']);
    expect(ints(f.get('x'))).toEqual([1, 2]);
  });

  test('a target whose attributes crash libhdf5 1.10 (an HDF5 error from 1.12): the get throws, this process reads on', () => {
    const d = place();
    // vlen:45 damages the global heap that the root's attribute 'labels' points into.
    fs.copyFileSync(writeMutant('vlen:45'), path.join(d, 'crashes.h5'));
    const a = make(path.join(d, 'a.h5'), [1, 2], [['bad', 'crashes.h5', '/strings']]);
    using f = File.open(a, 'r', { untrusted: true });
    const e = thrown(() => f.get('bad')) as UntrustedFileError;
    // HDF5 1.14 reports the damage already at the attribute before, 'label', whose read 1.10 gets through.
    expect(e).toMatchObject({ name: 'UntrustedFileError', ...(HDF5_110 ? { code: 'CRASHED', failure: 'crash', signal: 'SIGSEGV', path: '/@labels' } : { failure: 'error', path: '/@label' }) });
    expect(e.message).toContain(`the external link '/bad' in '${a}' (to 'crashes.h5')`);
    expect(ints(f.get('x'))).toEqual([1, 2]);
  });

  test('a chain is checked to its end: a hostile file two links away stops the first link', () => {
    const d = place();
    fs.copyFileSync(writeMutant('vlen:3'), path.join(d, 'c.h5'));
    make(path.join(d, 'b.h5'), [7], [['toC', 'c.h5', '/']]);
    const a = make(path.join(d, 'a.h5'), [1], [['toB', 'b.h5', '/']]);
    using f = File.open(a, 'r', { untrusted: true, checkTimeout: 3000 });
    const e = thrown(() => f.get('toB/x')) as UntrustedFileError;
    expect(e).toMatchObject({ code: 'TIMEOUT', path: '/@label' });
    expect(e.message).toContain(`the external link '/toC' in '${path.join(d, 'b.h5')}' (to 'c.h5'): libhdf5 hung`);
    // Without the hostile end, the chain reads through: a -> b -> c.
    make(path.join(d, 'c.h5'), [9]);
    using g = File.open(a, 'r', { untrusted: true, checkTimeout: 10_000 });
    expect(ints(g.get('toB/toC/x'))).toEqual([9]);
  });

  test('a cycle (a -> b -> a) ends at the file already checked', () => {
    const d = place();
    make(path.join(d, 'b.h5'), [2], [['back', 'a.h5', '/']]);
    const a = make(path.join(d, 'a.h5'), [1], [['toB', 'b.h5', '/']]);
    const started = Date.now();
    using f = File.open(a, 'r', { untrusted: true });
    expect(ints(f.get('toB/back/toB/x'))).toEqual([2]);
    expect(ints(f.get('toB/back/x'))).toEqual([1]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test("a link out of the file's directory ('..', an absolute path) is refused by default; 'anywhere' checks and follows it; 'refuse' follows none", () => {
    const d = place();
    const outside = make(path.join(d, '..', 'outside.h5'), [3]);
    make(path.join(d, 'near.h5'), [5]);
    const a = make(path.join(d, 'a.h5'), [1], [['up', '../outside.h5', '/x'], ['abs', path.resolve(outside), '/x'], ['near', 'near.h5', '/x']]);
    {
      using f = File.open(a, 'r', { untrusted: true });
      for (const p of ['up', 'abs']) {
        const e = thrown(() => f.get(p)) as UntrustedFileError;
        expect(e).toMatchObject({ name: 'UntrustedFileError', code: 'EXTERNAL_LINK', failure: 'external', path: `/${p}` });
        expect(e.message).toContain(`leads to '${fs.realpathSync(outside)}', outside the untrusted file's directory '${fs.realpathSync(d)}' (externalLinks: 'sameDirectory'`);
      }
      expect(ints(f.get('near'))).toEqual([5]);
    }
    {
      using f = File.open(a, 'r', { untrusted: true, externalLinks: 'anywhere' });
      expect(ints(f.get('up'))).toEqual([3]);
      expect(ints(f.get('abs'))).toEqual([3]);
    }
    {
      using f = File.open(a, 'r', { untrusted: true, externalLinks: 'refuse' });
      const e = thrown(() => f.get('near')) as UntrustedFileError;
      expect(e).toMatchObject({ code: 'EXTERNAL_LINK', path: '/near' });
      expect(e.message).toMatch(/the external link '\/near' in '.*a\.h5' \(to 'near.h5'\) is not followed in untrusted mode with externalLinks: 'refuse'/);
      expect(f.getLink('near')).toEqual({ type: 'external', file: 'near.h5', target: '/x' });
    }
    // Without untrusted mode HDF5 follows every one of them, as h5py does.
    using plain = File.open(a, 'r');
    expect(ints(plain.get('up'))).toEqual([3]);
  });

  test('externalLinks is checked', () => {
    expect(() => File.open(seed('vlen'), 'r', { untrusted: true, externalLinks: 'some' as never })).toThrow(/externalLinks must be one of 'sameDirectory', 'anywhere', 'refuse', got "some"/);
    expect(() => File.open(seed('vlen'), 'r', { externalLinks: 'refuse' })).toThrow(/externalLinks is an option of untrusted mode; add untrusted: true/);
  });
});
