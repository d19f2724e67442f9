// Untrusted mode and the files an untrusted file is not: a file replaced between its check and its open
// (CHANGED), a virtual dataset's source files (checked like an external link's target, VIRTUAL_SOURCE), and
// a dataset's external raw-data files (EXTERNAL_STORAGE). Real files, made by h5py and h5mpi, and a job.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, File, UntrustedFileError, VirtualLayout, VirtualSource } from '../lib';
import { hasH5py } from './helpers/h5tools';
import { mpirunOk, reportsLabelled, tmpdir } from './helpers/mpirun';
import { thrown } from './helpers/thrown';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the fuzz scripts are plain JS, shared with npm run fuzz
const { mutant } = require('./fuzz/mutate') as { mutant: (id: string) => { bytes: Buffer; what: string } };

const dir = tmpdir('h5mpi-untrusted-others-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let k = 0;
/** A fresh directory `<case>/inner`, so that `..` leads out of it to a directory of the case's own. */
const place = (): string => {
  const d = path.join(dir, `case${k++}`, 'inner');
  fs.mkdirSync(d, { recursive: true });
  return d;
};
const make = (file: string, values: number[]): string => {
  using f = File.open(file, 'w');
  f.createDataset('x', { shape: [values.length], dtype: 'float64', data: values });
  return file;
};
const numbers = (d: unknown): number[] => Array.from((d as Dataset<'float64'>).read() as ArrayLike<number>, Number);
// The files h5mpi does not write (external raw data) and h5py's own VDS come from h5py, where it is installed
// (CI; the MPICH root has none).
const withH5py = hasH5py() ? test : test.skip;
/** Runs a Python script with h5py (numpy as np) in `cwd`. */
const python = (cwd: string, script: string): void => {
  const r = spawnSync('/usr/bin/python3', ['-c', `import h5py, numpy as np, os\n${script}`], { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
};

describe('a file replaced between its check and its open', () => {
  test('File.check reports what it opened; an open with that report (checked) refuses a file renamed over it, and a file grown in place', () => {
    const d = place();
    const file = make(path.join(d, 'f.h5'), [1, 2, 3]);
    const report = File.check(file);
    const st = fs.statSync(file, { bigint: true });
    expect(report.identity).toEqual({ dev: String(st.dev), ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs) });
    expect(report.maxBytes).toBe(2 ** 30);
    {
      // The same file: opened without a second check, and read.
      using f = File.open(file, 'r', { untrusted: true, checked: report });
      expect(numbers(f.get('x'))).toEqual([1, 2, 3]);
    }
    // Another (sound) file renamed over it: HDF5 opens it, the open sees another inode and closes it.
    fs.renameSync(make(path.join(d, 'other.h5'), [6, 6]), file);
    const e = thrown(() => File.open(file, 'r', { untrusted: true, checked: report })) as UntrustedFileError;
    expect(e).toBeInstanceOf(UntrustedFileError);
    expect(e).toMatchObject({ code: 'CHANGED', failure: 'changed', path: '/' });
    expect(e.message).toMatch(new RegExp(`^File.open\\('${file.replace(/[.]/g, '\\.')}', 'r'\\): the file opened is not the one that was checked: inode ${report.identity.ino} -> \\d+`));
    expect(e.message).toContain('was closed unread');
    // Closed and unlocked: the new file opens (and its own check passes).
    {
      using f = File.open(file, 'r', { untrusted: true });
      expect(numbers(f.get('x'))).toEqual([6, 6]);
    }
    // The same inode modified in place (bytes appended): its size and time differ.
    const again = File.check(file);
    fs.appendFileSync(file, Buffer.alloc(16));
    const grown = thrown(() => File.open(file, 'r', { untrusted: true, checked: again })) as UntrustedFileError;
    expect(grown).toMatchObject({ code: 'CHANGED' });
    expect(grown.message).toMatch(new RegExp(`size ${again.identity.size} -> ${again.identity.size + 16} bytes`));
    expect(grown.message).not.toContain('inode');
  });

  test('an isolated read in the child reads only the file this process opened: a file swapped after the open is CHANGED', () => {
    const d = place();
    const file = path.join(d, 'z.h5');
    const plainOf = (v: unknown): number[] => Array.from(v as ArrayLike<number>, Number);
    {
      using f = File.open(file, 'w');
      f.createDataset('gz', { shape: [100], dtype: 'float64', chunks: [10], compression: 'gzip', data: Float64Array.from({ length: 100 }, (_, i) => i) });
    }
    using f = File.open(file, 'r', { untrusted: true });
    const gz = f.get('gz') as Dataset<'float64'>;
    expect(plainOf(gz.read({ start: [0], count: [3] }))).toEqual([0, 1, 2]);
    // A file with other values under the name: the child that reads gzip data would read it.
    const other = path.join(d, 'z2.h5');
    {
      using g = File.open(other, 'w');
      g.createDataset('gz', { shape: [100], dtype: 'float64', chunks: [10], compression: 'gzip', data: new Float64Array(100).fill(-1) });
    }
    fs.renameSync(other, file);
    const e = thrown(() => gz.read({ start: [0], count: [3] })) as UntrustedFileError;
    expect(e).toMatchObject({ name: 'UntrustedFileError', code: 'CHANGED', failure: 'changed' });
    expect(e.message).toMatch(/^Dataset '\/gz'.read: reading '\/gz' of '.*z\.h5' failed at '\/': the file is no longer the one that was checked and opened \(inode/);
  });

  test('checked is checked: untrusted mode only, a File.check report, made under no smaller maxBytes', () => {
    const d = place();
    const file = make(path.join(d, 'f.h5'), [1]);
    const report = File.check(file, { maxBytes: 1000 });
    expect(() => File.open(file, 'r', { checked: report })).toThrow(/checked is an option of untrusted mode; add untrusted: true/);
    expect(() => File.open(file, 'r', { untrusted: true, checked: { objects: 1 } as never })).toThrow(/checked must be the report of File.check/);
    expect(() => File.open(file, 'r', { untrusted: true, checked: report })).toThrow(/checked was made with maxBytes 1000, less than this open's 1073741824: check again/);
    using f = File.open(file, 'r', { untrusted: true, checked: report, maxBytes: 1000 });
    expect(numbers(f.get('x'))).toEqual([1]);
  });

  test.each([2, 3])('%i ranks: every rank verifies what it opened against rank 0\'s check; a swap is CHANGED on all, and the ranks stay in step', async (n) => {
    const d = place();
    const file = make(path.join(d, 'f.h5'), [4, 5]);
    const keep = await mpirunOk(n, 'untrusted_changed.js', [file, '', 'keep'], { timeoutMs: 90_000 });
    for (const r of reportsLabelled(keep, 'open')) expect(r).toMatchObject({ ok: true, x: [4, 5] });
    const other = make(path.join(d, 'other.h5'), [9]);
    const swapped = await mpirunOk(n, 'untrusted_changed.js', [file, other, 'swap'], { timeoutMs: 90_000 });
    const opens = reportsLabelled<{ ok: boolean; message: string }>(swapped, 'open');
    expect(opens).toHaveLength(n);
    for (const r of opens) expect(r).toMatchObject({ ok: false, name: 'UntrustedFileError', code: 'CHANGED', failure: 'changed' });
    expect(opens[0].message).toMatch(/the file opened is not the one that was checked \(as ranks? [\d, ]+ opened it\): inode \d+ -> \d+/);
    for (const r of reportsLabelled(swapped, 'after')) expect(r).toMatchObject({ sum: n });
  });
});

describe('virtual datasets: source files checked before a read opens them', () => {
  withH5py('the check reports sources; a sound one is checked, then read; a hanging one, one outside the directory and refuse are errors (h5py-made files)', () => {
    const d = place();
    make(path.join(d, 'src.h5'), [0, 1, 2, 3]);
    make(path.join(d, '..', 'outside.h5'), [7, 7, 7, 7]);
    // vlen:3 hangs libhdf5 reading the root's attribute 'label' (the check meets it first).
    fs.writeFileSync(path.join(d, 'hangs.h5'), mutant('vlen:3').bytes);
    python(d, `
def vds(f, name, src, path='x'):
    lay = h5py.VirtualLayout(shape=(4,), dtype='f8')
    lay[:] = h5py.VirtualSource(src, path, shape=(4,))
    f.create_virtual_dataset(name, lay, fillvalue=-1)
with h5py.File('vds.h5', 'w') as f:
    f['own'] = np.arange(4.0) * 10
    vds(f, 'good', 'src.h5')
    vds(f, 'self', '.', 'own')
    vds(f, 'hangs', 'hangs.h5')
    vds(f, 'up', '../outside.h5')
    vds(f, 'abs', os.path.abspath('../outside.h5'))
`);
    const file = path.join(d, 'vds.h5');
    const report = File.check(file);
    expect(report.virtualSources).toEqual([
      { path: '/abs', file: path.resolve(d, '..', 'outside.h5'), dataset: 'x' },
      { path: '/good', file: 'src.h5', dataset: 'x' },
      { path: '/hangs', file: 'hangs.h5', dataset: 'x' },
      { path: '/self', file: '.', dataset: 'own' },
      { path: '/up', file: '../outside.h5', dataset: 'x' },
    ]);
    using f = File.open(file, 'r', { untrusted: true, checkTimeout: 3000 });
    expect(numbers(f.get('good'))).toEqual([0, 1, 2, 3]);
    expect(numbers(f.get('self'))).toEqual([0, 10, 20, 30]);
    const hang = thrown(() => (f.get('hangs') as Dataset).read()) as UntrustedFileError;
    expect(hang).toMatchObject({ name: 'UntrustedFileError', code: 'TIMEOUT', failure: 'hang', path: '/@label' });
    expect(hang.message).toContain(`the virtual dataset '/hangs' in '${file}' (source file 'hangs.h5'): libhdf5 hung checking its metadata at '/@label' in '${path.join(d, 'hangs.h5')}'`);
    for (const p of ['up', 'abs']) {
      const e = thrown(() => (f.get(p) as Dataset).read()) as UntrustedFileError;
      expect(e).toMatchObject({ code: 'VIRTUAL_SOURCE', failure: 'external', path: `/${p}` });
      expect(e.message).toContain(`leads to '${fs.realpathSync(path.join(d, '..', 'outside.h5'))}', outside the untrusted file's directory '${fs.realpathSync(d)}' (virtualSources: 'sameDirectory'`);
    }
    // readInto goes through the same check; the sound dataset still reads after the failures.
    expect(thrown(() => (f.get('up') as Dataset<'float64'>).readInto(new Float64Array(4)))).toMatchObject({ code: 'VIRTUAL_SOURCE' });
    expect(numbers(f.get('good'))).toEqual([0, 1, 2, 3]);
    {
      using any = File.open(file, 'r', { untrusted: true, virtualSources: 'anywhere' });
      expect(numbers(any.get('up'))).toEqual([7, 7, 7, 7]);
    }
    {
      using none = File.open(file, 'r', { untrusted: true, virtualSources: 'refuse' });
      const e = thrown(() => (none.get('good') as Dataset).read()) as UntrustedFileError;
      expect(e).toMatchObject({ code: 'VIRTUAL_SOURCE', path: '/good' });
      expect(e.message).toContain("is not followed in untrusted mode with virtualSources: 'refuse'");
      expect(numbers(none.get('self'))).toEqual([0, 10, 20, 30]);
    }
    // Without untrusted mode HDF5 opens every source (h5py does the same).
    using plain = File.open(file, 'r');
    expect(numbers(plain.get('up'))).toEqual([7, 7, 7, 7]);
  });

  test('a chain: a source that is itself virtual, over a file out of the directory, is refused at the first read (h5mpi-made files)', () => {
    const d = place();
    const outside = make(path.join(d, '..', 'far.h5'), [5, 6]);
    const layout = (src: string): VirtualLayout<'float64'> => {
      const l = new VirtualLayout({ shape: [2], dtype: 'float64' });
      l.set(null, new VirtualSource(src, 'x', { shape: [2] }));
      return l;
    };
    {
      using mid = File.open(path.join(d, 'mid.h5'), 'w');
      mid.createVirtualDataset('x', layout(outside));
    }
    {
      using top = File.open(path.join(d, 'top.h5'), 'w');
      top.createVirtualDataset('v', layout('mid.h5'));
    }
    using f = File.open(path.join(d, 'top.h5'), 'r', { untrusted: true });
    const e = thrown(() => (f.get('v') as Dataset).read()) as UntrustedFileError;
    expect(e).toMatchObject({ code: 'VIRTUAL_SOURCE', path: '/x' });
    expect(e.message).toContain(`the virtual dataset '/x' in '${path.join(d, 'mid.h5')}' (source file '${outside}') leads to`);
    using any = File.open(path.join(d, 'top.h5'), 'r', { untrusted: true, virtualSources: 'anywhere' });
    expect(numbers(any.get('v'))).toEqual([5, 6]);
  });

  withH5py('through an external link: the target file\'s virtual sources and external raw data are held to their policies when the link is followed', () => {
    const d = place();
    const far = make(path.join(d, '..', 'far.h5'), [5, 6]);
    {
      using b = File.open(path.join(d, 'b.h5'), 'w');
      const l = new VirtualLayout({ shape: [2], dtype: 'float64' });
      l.set(null, new VirtualSource(far, 'x', { shape: [2] }));
      b.createVirtualDataset('v', l);
    }
    python(d, `
with h5py.File('c.h5', 'w') as f:
    f.create_dataset('passwd', shape=(4,), dtype='u1', external=[('/etc/passwd', 0, 4)])
with h5py.File('a.h5', 'w') as f:
    f['toB'] = h5py.ExternalLink('b.h5', '/')
    f['toC'] = h5py.ExternalLink('c.h5', '/')
    f['x'] = np.arange(3.0)
`);
    using f = File.open(path.join(d, 'a.h5'), 'r', { untrusted: true });
    expect((f.get('x') as Dataset).external).toBeNull();
    const v = thrown(() => f.get('toB')) as UntrustedFileError;
    expect(v).toMatchObject({ code: 'VIRTUAL_SOURCE', path: '/v' });
    expect(v.message).toContain(`the virtual dataset '/v' in '${path.join(d, 'b.h5')}' (source file '${far}') leads to`);
    const c = thrown(() => f.get('toC/passwd')) as UntrustedFileError;
    expect(c).toMatchObject({ code: 'EXTERNAL_STORAGE', path: '/passwd' });
    expect(c.message).toContain(`the dataset '/passwd' in '${path.join(d, 'c.h5')}' keeps its data in the external file '/etc/passwd'`);
    expect(numbers(f.get('x'))).toEqual([0, 1, 2]);
  });

  test('printf-style source names (src%b.h5, an unlimited mapping) are refused: HDF5 finds those files as it reads', () => {
    const d = place();
    make(path.join(d, 'src0.h5'), [1, 2, 3, 4]);
    {
      using f = File.open(path.join(d, 'pf.h5'), 'w');
      const l = new VirtualLayout({ shape: [4], maxshape: [Infinity], dtype: 'float64' });
      l.set({ start: [0], stride: [4], count: [Infinity], block: [4] }, new VirtualSource('src%b.h5', 'x', { shape: [4] }));
      f.createVirtualDataset('printf', l);
    }
    expect(File.check(path.join(d, 'pf.h5')).virtualSources).toEqual([{ path: '/printf', file: 'src%b.h5', dataset: 'x' }]);
    using f = File.open(path.join(d, 'pf.h5'), 'r', { untrusted: true });
    const e = thrown(() => (f.get('printf') as Dataset).read()) as UntrustedFileError;
    expect(e).toMatchObject({ code: 'VIRTUAL_SOURCE', failure: 'external', path: '/printf' });
    expect(e.message).toMatch(/the virtual dataset '\/printf' in '.*pf\.h5' \(source file 'src%b\.h5'\): a printf-style source name, .* cannot be checked first/);
    using plain = File.open(path.join(d, 'pf.h5'), 'r');
    expect(numbers(plain.get('printf'))).toEqual([1, 2, 3, 4]);
  });
});

describe('external raw-data storage: the files a dataset reads its bytes from', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  withH5py('files made by h5py: inside the directory reads; /etc/passwd, .. and a symbolic link out are refused by default; anywhere, refuse', () => {
    const d = place();
    const secret = path.join(d, '..', 'secret.bin');
    fs.writeFileSync(secret, Buffer.from('SECRET!!'));
    fs.writeFileSync(path.join(d, 'raw.bin'), Buffer.from(Float64Array.of(1.5, 2.5, 3.5).buffer));
    fs.symlinkSync(path.resolve(secret), path.join(d, 'link.bin'));
    python(d, `
with h5py.File('ext.h5', 'w') as f:
    f.create_dataset('rel', shape=(3,), dtype='<f8', external=[('raw.bin', 0, 24)])
    f.create_dataset('abs', shape=(3,), dtype='<f8', external=[(os.path.abspath('raw.bin'), 0, 24)])
    f.create_dataset('passwd', shape=(4,), dtype='u1', external=[('/etc/passwd', 0, 4)])
    f.create_dataset('up', shape=(8,), dtype='u1', external=[('../secret.bin', 0, 8)])
    f.create_dataset('link', shape=(8,), dtype='u1', external=[('link.bin', 0, 8)])
    f.create_dataset('two', shape=(3,), dtype='<f8', external=[('raw.bin', 0, 16), ('../secret.bin', 0, 8)])
`);
    const file = path.join(d, 'ext.h5');
    expect(File.check(file).externalStorage).toEqual(['abs', 'link', 'passwd', 'rel', 'two', 'two', 'up'].map((p, i) => ({
      path: `/${p}`,
      file: [path.join(d, 'raw.bin'), 'link.bin', '/etc/passwd', 'raw.bin', 'raw.bin', '../secret.bin', '../secret.bin'][i],
    })));
    // HDF5 resolves a relative name against the working directory, unless HDF5_EXTFILE_PREFIX says otherwise.
    process.chdir(d);
    using f = File.open(file, 'r', { untrusted: true });
    expect((f.get('rel') as Dataset).external).toEqual([{ name: 'raw.bin', offset: 0, size: 24 }]);
    expect(numbers(f.get('rel'))).toEqual([1.5, 2.5, 3.5]);
    expect(numbers(f.get('abs'))).toEqual([1.5, 2.5, 3.5]);
    const passwd = thrown(() => (f.get('passwd') as Dataset).read()) as UntrustedFileError;
    expect(passwd).toMatchObject({ name: 'UntrustedFileError', code: 'EXTERNAL_STORAGE', failure: 'external', path: '/passwd' });
    expect(passwd.message).toContain(`the dataset '/passwd' in '${file}' keeps its data in the external file '/etc/passwd': '/etc/passwd', outside the untrusted file's directory '${fs.realpathSync(d)}' (externalStorage: 'sameDirectory'`);
    for (const p of ['up', 'link', 'two']) {
      const e = thrown(() => (f.get(p) as Dataset<'uint8'>).readInto(p === 'two' ? new Float64Array(3) : new Uint8Array(8))) as UntrustedFileError;
      expect(e).toMatchObject({ code: 'EXTERNAL_STORAGE', path: `/${p}` });
      expect(e.message).toContain(`'${fs.realpathSync(secret)}', outside the untrusted file's directory`);
    }
    {
      using any = File.open(file, 'r', { untrusted: true, externalStorage: 'anywhere' });
      expect(Buffer.from((any.get('up') as Dataset<'uint8'>).read()).toString()).toBe('SECRET!!');
    }
    {
      using none = File.open(file, 'r', { untrusted: true, externalStorage: 'refuse' });
      const e = thrown(() => (none.get('rel') as Dataset).read()) as UntrustedFileError;
      expect(e).toMatchObject({ code: 'EXTERNAL_STORAGE', path: '/rel' });
      expect(e.message).toContain("which is not read in untrusted mode with externalStorage: 'refuse'");
    }
    // Without untrusted mode HDF5 reads what the file names: here the first bytes of /etc/passwd.
    using plain = File.open(file, 'r');
    expect(Buffer.from((plain.get('passwd') as Dataset<'uint8'>).read())).toEqual(fs.readFileSync('/etc/passwd').subarray(0, 4));
  });

  withH5py('without HDF5_EXTFILE_PREFIX a relative name is read from the working directory: refused unless that is inside', () => {
    const d = place();
    fs.writeFileSync(path.join(d, 'raw.bin'), Buffer.from(Float64Array.of(8, 9).buffer));
    python(d, `
with h5py.File('ext.h5', 'w') as f:
    f.create_dataset('rel', shape=(2,), dtype='<f8', external=[('raw.bin', 0, 16)])
`);
    using f = File.open(path.join(d, 'ext.h5'), 'r', { untrusted: true });
    const e = thrown(() => (f.get('rel') as Dataset).read()) as UntrustedFileError;
    expect(e).toMatchObject({ code: 'EXTERNAL_STORAGE', path: '/rel' });
    expect(e.message).toContain(`'${path.resolve('raw.bin')}', outside the untrusted file's directory`);
    expect(e.message).toContain('a relative name is relative to the working directory unless HDF5_EXTFILE_PREFIX is set');
  });

  withH5py('with HDF5_EXTFILE_PREFIX=${ORIGIN} (as the process starts) a relative name is in the file\'s directory, and untrusted mode reads it there', () => {
    const d = place();
    fs.writeFileSync(path.join(d, 'raw.bin'), Buffer.from(Float64Array.of(8, 9).buffer));
    fs.writeFileSync(path.join(d, '..', 'up.bin'), Buffer.from('12345678'));
    python(d, `
with h5py.File('ext.h5', 'w') as f:
    f.create_dataset('rel', shape=(2,), dtype='<f8', external=[('raw.bin', 0, 16)])
    f.create_dataset('up', shape=(8,), dtype='u1', external=[('../up.bin', 0, 8)])
`);
    const script = `
      const { File } = require(${JSON.stringify(path.join(__dirname, '..'))});
      const f = File.open(${JSON.stringify(path.join(d, 'ext.h5'))}, 'r', { untrusted: true });
      const out = { rel: Array.from(f.get('rel').read()) };
      try { f.get('up').read(); } catch (e) { out.up = [e.code, e.message]; }
      console.log(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: '/', encoding: 'utf8', timeout: 60_000, env: { ...process.env, HDF5_EXTFILE_PREFIX: '${ORIGIN}' } });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { rel: number[]; up: [string, string] };
    expect(out.rel).toEqual([8, 9]);
    expect(out.up[0]).toBe('EXTERNAL_STORAGE');
    expect(out.up[1]).toContain(`'${fs.realpathSync(path.join(d, '..', 'up.bin'))}', outside the untrusted file's directory`);
  });
});
