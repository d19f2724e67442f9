// Conformance against files written by real tools: h5py feature files, netCDF-4 from ncgen and
// netCDF4-python, PyTables, plugin-compressed datasets (hdf5plugin) and a NeXus-style master file with
// external links to bitshuffle+LZ4 detector data. test/peers/realfiles/make.py writes them; dump.py walks
// them with h5py and walk.js with h5mpi; every entry (object, link, layout, filter pipeline, attribute) is
// identical, excluded (what h5mpi does not read: datasets of compounds holding references)
// or a mismatch, and every mismatch must be explained below. Issue 15's types (compound, complex, float16,
// bool, enums, sequences, opaque, arrays, bitfields, references and netCDF-4's dimension-scale attributes)
// are compared exactly, in the forms dump.py's rules give them.
// The counts are printed; H5MPI_REALFILES_REPORT=out.json also writes every entry's outcome. Needs the peers
// (bash scripts/install-deps.sh --with-peers; CI: H5MPI_INSTALL_FLAGS=--with-peers) and skips without them.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  allowanceFor,
  Allowance,
  compareFile,
  Entry,
  identicalAnyway,
  Outcome,
  Status,
  tally,
} from './helpers/realfiles';
import { Dataset, File } from '../lib';
import { mpirun, tmpdir } from './helpers/mpirun';
import { python, PYTHON } from './helpers/h5tools';

const PEERS = path.join(__dirname, 'peers', 'realfiles');

/** The environment without HDF5_PLUGIN_PATH: each libhdf5 looks in its own default plugin directory. */
const DEFAULT_PLUGINS_ENV: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'HDF5_PLUGIN_PATH'));

/**
 * Where HDF5 finds filter plugins for h5mpi, as the two libraries report their default directories (so the
 * test depends on no path of this machine's). The Open MPI libhdf5 h5mpi links looks only in its own
 * directory, which has LZF and bitshuffle (with LZ4 inside); LZ4, Blosc and BZip2 are built against the
 * serial libhdf5 h5py uses, in its directory. They load into the parallel library (their filter functions
 * call no HDF5), so the serial directory goes second. An HDF5_PLUGIN_PATH replaces the default, so the
 * parallel library's own directory is named too, first.
 */
function pluginPath(): string {
  const ask = (cmd: string, args: string[]): string[] => {
    const r = spawnSync(cmd, args, { env: DEFAULT_PLUGINS_ENV, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
    return JSON.parse(r.stdout) as string[];
  };
  const parallel = ask(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(__dirname, '..'))}).pluginPaths()))`]);
  const serial = ask(PYTHON, ['-c', 'import json, h5py; print(json.dumps([h5py.h5pl.get(i).decode() for i in range(h5py.h5pl.size())]))']);
  return [...parallel, ...serial].join(':');
}

/** What the peers need; the test skips, saying which are missing, when any is. */
function missingPeers(): string[] {
  const missing: string[] = [];
  for (const mod of ['h5py', 'netCDF4', 'tables', 'hdf5plugin']) {
    if (spawnSync(PYTHON, ['-c', `import ${mod}`], { stdio: 'ignore' }).status !== 0) missing.push(`python3 module ${mod}`);
  }
  if (spawnSync('ncgen', ['-version'], { stdio: 'ignore' }).error) missing.push('ncgen (netcdf-bin)');
  return missing;
}

/**
 * Mismatches explained: what h5mpi reads differently from h5py, why, and what would make it identical. Every
 * mismatch must match one; an allowance that matches nothing must be removed (so that a fix shows, and
 * cannot be undone unnoticed).
 */
const ALLOWLIST: Allowance[] = [
  {
    id: 'longdouble',
    problem: /^dtype \(values equal\)$/,
    kinds: ['dataset'],
    path: /^\/numeric\/longdouble$/,
    why: 'a 16-byte float (numpy longdouble) reads as float64, as documented: JavaScript has no wider float',
    fixedBy: 'none: by design (the values are equal)',
  },
];

/**
 * h5py before 3.12 lists a reopened file's root group in name order even where it tracks creation order
 * (h5py/h5py#2410); h5mpi lists it in creation order, as h5py 3.12 and later do. Counted only with such an h5py.
 */
const OLD_H5PY_ROOT_ORDER: Allowance = {
  id: 'h5py-root-order',
  problem: /^members \(order\)$/,
  path: /^\/$/,
  why: 'this h5py (before 3.12) lists a reopened root group in name order; h5mpi in creation order, as h5py 3.12+',
  fixedBy: 'none: h5py 3.12 (h5py/h5py#2410)',
};
/** The files whose root tracks creation order: their root entry is identical only with h5py 3.12 and later. */
const ROOT_ORDER_FILES = 3;

/** At least this many entries read exactly as h5py 3.12 or later reads them (raise it as fixes land). */
const MIN_IDENTICAL = 776;

const missing = missingPeers();
if (missing.length > 0) {
  // Said once, plainly, rather than as a silently skipped suite.
  console.warn(`h5_realfiles: skipped: peer tools not installed (${missing.join(', ')}); bash scripts/install-deps.sh --with-peers installs them`);
}
const peers = missing.length === 0 ? describe : describe.skip;

peers('files written by real tools read as h5py reads them', () => {
  const dir = tmpdir('h5mpi-realfiles-');
  let manifest: { files: string[]; skipped: { what: string; why: string }[]; versions: Record<string, string> };
  let theirs: Record<string, Entry[]>;
  let ours: Record<string, Entry[]>;
  let walkStderr: string;
  let outcomes: Outcome[];
  let plugins: string;

  /** Runs a peer program in the files' directory; returns its stdout and stderr, or throws with its stderr. */
  const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = DEFAULT_PLUGINS_ENV): { stdout: string; stderr: string } => {
    // python3 -B: no __pycache__ written into test/peers/realfiles.
    const r = spawnSync(cmd, cmd === PYTHON ? ['-B', ...args] : args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}`);
    return { stdout: r.stdout, stderr: r.stderr };
  };

  beforeAll(() => {
    plugins = pluginPath();
    manifest = JSON.parse(run(PYTHON, [path.join(PEERS, 'make.py'), dir]).stdout) as typeof manifest;
    const files = manifest.files;
    theirs = (JSON.parse(run(PYTHON, [path.join(PEERS, 'dump.py'), ...files]).stdout) as { files: Record<string, Entry[]> }).files;
    const walked = run(process.execPath, [path.join(PEERS, 'walk.js'), ...files], { ...DEFAULT_PLUGINS_ENV, HDF5_PLUGIN_PATH: plugins });
    ours = (JSON.parse(walked.stdout) as { files: Record<string, Entry[]> }).files;
    walkStderr = walked.stderr;
    outcomes = files.flatMap((f) => compareFile(f, theirs[f] ?? [], ours[f] ?? []));
    if (process.env.H5MPI_REALFILES_REPORT) fs.writeFileSync(process.env.H5MPI_REALFILES_REPORT, JSON.stringify({ manifest, outcomes }, null, 1));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('both walks cover every file, and h5mpi prints nothing on stderr (no HDF5 error stack)', () => {
    expect(manifest.files).toHaveLength(10);
    for (const f of manifest.files) {
      expect(theirs[f]?.length).toBeGreaterThan(0);
      expect(ours[f]?.length).toBeGreaterThan(0);
    }
    expect(walkStderr).toBe('');
  });

  test('the counts, printed, with every mismatch explained', () => {
    const by = (s: string) => outcomes.filter((o) => o.status === s);
    const [identical, excluded, mismatched] = [by('identical'), by('excluded'), by('mismatch')];
    const [major, minor] = (manifest.versions.h5py ?? '0.0').split('.').map(Number);
    const oldH5py = major < 3 || (major === 3 && minor < 12);
    const allowlist = oldH5py ? [...ALLOWLIST, OLD_H5PY_ROOT_ORDER] : ALLOWLIST;
    const problems = mismatched.flatMap((o) => o.problems.map((p) => ({ o, p, a: allowanceFor(o, p, allowlist) })));
    const count = (of: Outcome[], s: Status) => of.filter((o) => o.status === s).length;
    const lines = [
      `real files: ${outcomes.length} entries in ${manifest.files.length} files: ${identical.length} identical, ${excluded.length} excluded, ${mismatched.length} mismatched`,
      ...manifest.files.map((f) => {
        const of = outcomes.filter((o) => o.file === f);
        return `  ${f}: ${count(of, 'identical')} identical, ${count(of, 'excluded')} excluded, ${count(of, 'mismatch')} mismatched`;
      }),
      'excluded (what h5mpi does not read, with the reason):',
      ...tally(excluded, (o) => `${o.kind}: ${o.problems[0]}`).map(([k, n]) => `  ${n}  ${k}`),
      `  (${excluded.filter(identicalAnyway).length} of them read identically already)`,
      'mismatched, by problem (an entry may have several):',
      ...tally(problems, ({ o, p, a }) => `${a?.id ?? 'UNEXPLAINED'} | ${o.kind} | ${p}`).map(([k, n]) => `  ${n}  ${k}`),
      'the problems, by what fixes them:',
      ...tally(problems, ({ a }) => (a ? `${a.fixedBy} [${a.id}]` : 'UNEXPLAINED')).map(([k, n]) => `  ${n}  ${k}`),
      ...manifest.skipped.map((s) => `not made: ${s.what}: ${s.why}`),
    ];
    console.log(lines.join('\n'));
    const unexplained = problems.filter(({ a }) => a === undefined);
    expect(unexplained.map(({ o, p }) => `${o.file} ${o.path}: ${p}`)).toEqual([]);
    const unused = allowlist.filter((a) => !problems.some((p) => p.a === a));
    expect(unused.map((a) => `${a.id} matches nothing any more: remove it and raise MIN_IDENTICAL`)).toEqual([]);
    expect(identical.length).toBeGreaterThanOrEqual(MIN_IDENTICAL - (oldH5py ? ROOT_ORDER_FILES : 0));
  });

  const outcome = (file: string, p: string): Outcome => {
    const o = outcomes.find((x) => x.file === file && x.path === p);
    if (!o) throw new Error(`no entry ${p} in ${file}`);
    return o;
  };

  test('every plugin-compressed dataset reads as h5py reads it (bitshuffle, LZ4, LZF, Blosc, BZip2)', () => {
    const datasets = theirs['plugins.h5'].filter((e) => e.kind === 'dataset' && !e.path.startsWith('/z_subnormals'));
    expect(datasets.map((e) => e.path)).toEqual(
      ['bitshuffle', 'bitshuffle_lz4', 'blosc_blosclz', 'blosc_lz4_bitshuffle', 'blosc_zstd', 'bzip2', 'lz4', 'lzf'].map((n) => `/${n}`),
    );
    for (const e of datasets) expect([e.path, outcome('plugins.h5', e.path).status]).toEqual([e.path, 'identical']);
    // PyTables' Blosc and zlib arrays too.
    for (const p of ['/run/blosc', '/run/compressed', '/run/growing']) expect([p, outcome('pytables.h5', p).status]).toEqual([p, 'identical']);
  });

  test("netCDF-C's text (ASCII-typed, holding UTF-8) reads as netCDF4-python decodes it; as bytes, as h5py gives it", () => {
    const nc = path.join(dir, 'ncgen_example.nc');
    const want = python(
      `import netCDF4
with netCDF4.Dataset(sys.argv[1]) as ds:
    v = ds['station']
    v.set_auto_mask(False)
    emit({'long_name': ds['temperature'].long_name, 'station': [b''.join(row).decode('utf-8') for row in v[:]]})`,
      [nc],
    ) as { long_name: string; station: string[] };
    expect(want).toEqual({ long_name: 'air temperature, café grade', station: ['alpha', 'béta', 'gamma'] });
    const h5pyBytes = (theirs['ncgen_example.nc'].find((e) => e.path === '/temperature@long_name')!.value as { bytes: string }).bytes;
    using f = File.open(nc, 'r');
    const t = f.get('temperature') as Dataset;
    expect(t.attrs.info('long_name').storedType.string).toEqual({ encoding: 'ascii', length: 28, padding: 'nullterm' });
    expect(t.attrs.get('long_name')).toBe(want.long_name);
    expect(Buffer.from(t.attrs.get('long_name', { strings: 'bytes' }) as unknown as Uint8Array).toString('hex')).toBe(h5pyBytes);
    // A char variable is an array of 1-byte strings: 'é' is split in two elements, each not UTF-8 by itself
    // (Latin-1 as text); joined as bytes row by row, as netCDF4-python's chars are, they decode.
    const station = f.get('station') as Dataset<'string'>;
    expect(station.read({ start: [1, 0], count: [1, 6] })).toEqual(['b', '\u00c3', '\u00a9', 't', 'a', '']);
    const bytes = station.read(undefined, { strings: 'bytes' }) as Uint8Array[];
    const rows = [0, 1, 2].map((r) => Buffer.concat(bytes.slice(r * 6, r * 6 + 6)).toString('utf8'));
    expect(rows).toEqual(want.station);
  });

  test("the NeXus master's detector frames read through its external links as h5py reads them", () => {
    for (const p of ['/entry/data/data_000001', '/entry/data/data_000002', '/entry/instrument/detector/data']) {
      const o = outcome('nexus_master.h5', p);
      expect([p, o.status]).toEqual([p, 'identical']);
      // 3 frames of 96 x 80 uint32 each, compared by their summary (sha256 of the bytes, min, max, ends).
      expect(o.h5py).toMatchObject({ dtype: '<u4', shape: [3, 96, 80], value: { n: 3 * 96 * 80, max: String(0xffffffff) } });
    }
  });

  test('2 ranks read the detector frames through the external links, independently and collectively', async () => {
    const master = path.join(dir, 'nexus_master.h5');
    const want = python(
      `import hashlib
out = {}
for k, name in enumerate(sys.argv[1:]):
    with h5py.File(name, 'r') as f:
        d = f['entry/data/data']
        out['data_%06d' % (k + 1)] = [{'frame': i, 'sha256': hashlib.sha256(np.ascontiguousarray(d[i], dtype='<u4').tobytes()).hexdigest(), 'sum': str(int(d[i].sum(dtype='u8')))} for i in range(d.shape[0])]
emit(out)`,
      ['nexus_data_000001.h5', 'nexus_data_000002.h5'].map((n) => path.join(dir, n)),
    ) as Record<string, { frame: number; sha256: string; sum: string }[]>;
    const r = await mpirun(2, path.join(PEERS, 'nexus_parallel.js'), [master], { env: { HDF5_PLUGIN_PATH: plugins } });
    expect([r.code, r.timedOut, r.results.length]).toEqual([0, false, 2]);
    expect(r.stderr).toBe('');
    type Read = { link: string; collective: boolean; driver?: string; frames?: { frame: number; sha256: string; sum: string }[]; error?: string };
    const reads = r.results.map((list) => (list.find((x) => x.label === 'reads') as { reads: Read[] }).reads);
    for (const collective of [false, true]) {
      for (const link of Object.keys(want)) {
        const got = reads.map((byRank) => byRank.find((x) => x.link === link && x.collective === collective)!);
        for (const g of got) expect({ link, collective, error: g.error, driver: g.driver }).toEqual({ link, collective, error: undefined, driver: 'mpio' });
        // Frame k on rank k % 2; together, every frame exactly as h5py reads it.
        expect(got.map((g, rank) => g.frames!.every((f) => f.frame % 2 === rank))).toEqual([true, true]);
        const frames = got.flatMap((g) => g.frames!).sort((a, b) => a.frame - b.frame);
        expect(frames.map(({ frame, sha256, sum }) => ({ frame, sha256, sum }))).toEqual(want[link]);
      }
    }
  }, 60_000);
});

describe('the comparison', () => {
  const h5py: Entry[] = [
    { path: '/', kind: 'group', members: ['a', 'b'], attrs: ['x'] },
    { path: '/@x', kind: 'attribute', dtype: '<i4', shape: [], value: '42' },
    { path: '/a', kind: 'dataset', dtype: '<f8', shape: [2], attrs: [], value: [5e-324, 'NaN'] },
    { path: '/b', kind: 'dataset', dtype: '|O', shape: [1], attrs: [], value: [{ bytes: 'ff' }] },
    { path: '/c#link', kind: 'link', value: { type: 'soft', target: '/g', file: null } },
    { path: '/c', kind: 'group', members: ['d'], attrs: [] },
    { path: '/e', kind: 'dataset', dtype: '<c16', shape: [1], excluded: 'complex' },
    { path: '/f', kind: 'dataset', dtype: '|O', shape: [1], attrs: [], value: [{ bytes: 'ff' }] },
  ];
  const h5mpi: Entry[] = [
    { path: '/', kind: 'group', members: ['b', 'a'], attrs: ['x'] },
    { path: '/@x', kind: 'attribute', dtype: '<f8', shape: [], value: 42 },
    { path: '/a', kind: 'dataset', dtype: '<f8', shape: [2], attrs: [], value: [0, 'NaN'] },
    { path: '/b', kind: 'dataset', dtype: '|O', shape: [1], attrs: [], value: ['\ufffd'] },
    { path: '/c', kind: 'group', members: ['d'], attrs: [] },
    { path: '/c/d', kind: 'group', members: [], attrs: [] },
    { path: '/e', kind: 'error', error: "H5Error UNSUPPORTED_TYPE: Dataset '/e' has an HDF5 compound type of 16 bytes" },
    { path: '/f', kind: 'dataset', dtype: '|O', shape: [1], attrs: [], value: { error: "H5Error DECODE: Dataset '/f'.read: element 0 is not valid UTF-8" } },
  ];
  const outcomes = compareFile('f.h5', h5py, h5mpi);
  const of = (p: string) => outcomes.find((o) => o.path === p)!;

  test('tells identical entries, each kind of difference, missing and extra entries, and exclusions apart', () => {
    expect(outcomes.map((o) => [o.path, o.status, o.problems])).toEqual([
      ['/', 'mismatch', ['members (order)']],
      ['/@x', 'mismatch', ['dtype (values equal)']],
      ['/a', 'mismatch', ['value']],
      ['/b', 'mismatch', ['value']],
      ['/c#link', 'mismatch', ['missing: no link entry (h5mpi describes a hard link)']],
      ['/c', 'identical', []],
      ['/e', 'excluded', ['complex']],
      ['/f', 'mismatch', ["error reading: H5Error DECODE: Dataset '…'.read: element 0 is not valid UTF-8"]],
      ['/c/d', 'mismatch', ['extra: inside a group reached through a soft or external link']],
    ]);
  });

  test('an allowance covers only the problems, kinds, files and paths it names', () => {
    const value: Allowance = { id: 'v', problem: /^value$/, kinds: ['dataset'], path: /^\/b$/, why: '', fixedBy: '' };
    expect([allowanceFor(of('/b'), 'value', [value])?.id, allowanceFor(of('/a'), 'value', [value])]).toEqual(['v', undefined]);
    expect(allowanceFor(of('/b'), 'value', [{ ...value, file: /^other\.h5$/ }])).toBeUndefined();
    expect(allowanceFor(of('/@x'), 'dtype (values equal)', [{ ...value, problem: /^dtype/ }])).toBeUndefined();
    const when: Allowance = { ...value, path: undefined, when: (o) => o.h5mpi?.dtype === '|O' };
    expect([allowanceFor(of('/b'), 'value', [when])?.id, allowanceFor(of('/a'), 'value', [when])]).toEqual(['v', undefined]);
  });
});
