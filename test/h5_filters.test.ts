// The filter pipeline against h5py + hdf5plugin and h5dump: every filter written by h5mpi reads the same in
// h5py and the other way round, with the same pipeline (order, flags, parameters); plugins from Debian's
// packages (bitshuffle, LZF, LZ4, bzip2, Blosc), written serially and by 2 ranks collectively; missing
// filters named with HDF5's plugin path; the floating-point control state kept whatever plugin loads;
// option checking with h5py's spellings.
//
// h5mpi runs in child processes here (test/scenarios/h5_filters.js), so that HDF5_PLUGIN_PATH is the
// test's: HDF5 reads it once, when it first looks for a plugin.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, File, FILTER_IDS, filterAvailable, H5Error, pluginPaths } from '../lib';
import { native } from '../lib/native';
import { h5dump, hasH5py, PYTHON, python } from './helpers/h5tools';
import { describeRun, mpirun, ROOT, SCENARIOS, tmpdir } from './helpers/mpirun';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cases = require('./scenarios/h5_filters_cases.js') as {
  SHAPE: number[];
  CHUNKS: number[];
  N: number;
  CASES: Case[];
  BLOSC: Case;
  values(dtype: string): number[];
};
interface Case {
  name: string;
  dtype: string;
  h5mpi: Record<string, unknown>;
  py: string;
  filters: number[];
  lossless: boolean;
  plugin?: number;
}
interface FilterOut {
  id: number;
  name?: string;
  flags: number;
  cdValues: number[];
  description: string;
}
interface H5mpiView {
  filters: FilterOut[];
  compression: string | null;
  compressionOpts: unknown;
  shuffle: boolean;
  fletcher32: boolean;
  scaleoffset: number | null;
  chunks: number[];
  values: number[];
}
interface H5pyView {
  values: number[];
  compression: string | null;
  compressionOpts: unknown;
  shuffle: boolean;
  fletcher32: boolean;
  scaleoffset: number | null;
  chunks: number[];
  filterKeys: string[];
  pipeline: FilterOut[];
}
interface Report {
  label: string;
  ok?: boolean;
  value?: unknown;
  name?: string;
  message?: string;
  [k: string]: unknown;
}

const { SHAPE, CASES, BLOSC } = cases;
const HAVE_H5PY = hasH5py() && spawnSync(PYTHON, ['-c', 'import hdf5plugin'], { stdio: 'ignore' }).status === 0;
const dir = tmpdir('h5mpi-filters-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const SCRIPT = path.join(SCENARIOS, 'h5_filters.js');
const PEER = path.join(ROOT, 'test', 'peers', 'h5_filters.py');

/** h5py runs serially, with its own plugin path (hdf5plugin registers the system's plugins). */
function pyEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('OMPI_') || k.startsWith('PMIX_') || k === 'HDF5_PLUGIN_PATH') delete env[k];
  return env;
}
function peer<T>(args: string[]): T {
  const out = execFileSync(PYTHON, [PEER, ...args], { encoding: 'utf8', env: pyEnv(), maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/** Runs the scenario in a plain node process with `env`; returns its reports (and its stderr, which must stay empty). */
function scenario(args: string[], env: Record<string, string | undefined>): { reports: Report[]; stderr: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: childEnv, cwd: ROOT, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`node h5_filters.js ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  const reports = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('@@h5mpi '))
    .map((l) => JSON.parse(l.slice('@@h5mpi '.length)) as Report);
  return { reports, stderr: r.stderr };
}

// Where the parallel HDF5 looks for plugins by default (Debian: .../hdf5/openmpi/plugins, with LZF and
// bitshuffle), and the serial HDF5's directory beside it (Debian: LZ4, bzip2, Blosc, built for the serial
// library). The parallel directory goes first: where both have a plugin, it is the one built for h5mpi's HDF5.
const DEFAULT_PATHS = scenario(['probe'], { HDF5_PLUGIN_PATH: undefined }).reports[0].paths as string[];
const SERIAL_DIR = DEFAULT_PATHS.length > 0 ? path.join(DEFAULT_PATHS[0], '..', '..', 'serial', 'plugins') : '';
const PLUGIN_PATH = [...DEFAULT_PATHS, ...(fs.existsSync(SERIAL_DIR) ? [path.resolve(SERIAL_DIR)] : [])].join(':');
const ENV = { HDF5_PLUGIN_PATH: PLUGIN_PATH };
const probe = scenario(['probe'], ENV).reports[0].ids as Record<string, { id: number; available: boolean }>;
const h5mpiHas = (id: number): boolean => Object.values(probe).some((p) => p.id === id && p.available);
const pyProbe = HAVE_H5PY ? peer<{ ids: Record<string, boolean>; subnormalBefore: boolean; subnormalAfter: boolean }>(['probe']) : undefined;
const h5pyHas = (id: number): boolean => !!pyProbe?.ids[String(id)];

/** Why a case cannot run here, or '' when it can: only a plugin that is truly absent skips one. */
function whyNot(c: Case): string {
  if (!HAVE_H5PY) return 'h5py or hdf5plugin is not installed (scripts/install-deps.sh --with-peers)';
  if (c.plugin === undefined) return '';
  const missing = [...(h5mpiHas(c.plugin) ? [] : [`h5mpi's HDF5 (HDF5_PLUGIN_PATH=${PLUGIN_PATH})`]), ...(h5pyHas(c.plugin) ? [] : ['h5py + hdf5plugin'])];
  return missing.length > 0 ? `no plugin for filter ${c.plugin} in ${missing.join(' nor in ')}` : '';
}
const runnable = CASES.filter((c) => whyNot(c) === '');
const skipped = CASES.filter((c) => whyNot(c) !== '');
/** `test`, or `test.skip` with the reason in the name. */
function testFor(c: Case): [jest.It, string] {
  const why = whyNot(c);
  return why ? [test.skip, ` (skipped: ${why})`] : [test, ''];
}

const FROM_H5MPI = path.join(dir, 'from-h5mpi.h5');
const FROM_H5PY = path.join(dir, 'from-h5py.h5');
let mine: Record<string, Report>; // h5mpi's view of the file it wrote, as it wrote it
let mineReopened: Record<string, Report>; // the same, opened again (lossy filters apply when chunks are written out)
let theirsByH5mpi: Record<string, Report>; // h5mpi's view of h5py's file
let mineByH5py: Record<string, H5pyView>; // h5py's view of h5mpi's file
let theirs: Record<string, H5pyView>; // h5py's view of its own file

/** Writes both files and reads each with both tools (in the first describe that needs them). */
function crossTool(): void {
  if (!HAVE_H5PY || mine !== undefined) return;
  const spec = path.join(dir, 'cases.json');
  const withBlosc = h5pyHas(BLOSC.plugin!) ? [BLOSC] : [];
  fs.writeFileSync(spec, JSON.stringify({ shape: SHAPE, chunks: cases.CHUNKS, cases: [...runnable, ...withBlosc].map((c) => ({ ...c, values: cases.values(c.dtype) })) }));
  peer(['write', FROM_H5PY, spec]);
  const names = runnable.map((c) => c.name);
  const byLabel = (rs: Report[]): Record<string, Report> => Object.fromEntries(rs.map((r) => [r.label, r]));
  const w = scenario(['write', FROM_H5MPI, ...names], ENV);
  mine = byLabel(w.reports);
  const r = scenario(['read', FROM_H5PY, ...names, ...withBlosc.map((c) => c.name)], ENV);
  theirsByH5mpi = byLabel(r.reports);
  const again = scenario(['read', FROM_H5MPI, ...names], ENV);
  mineReopened = byLabel(again.reports);
  expect(w.stderr + r.stderr + again.stderr).toBe('');
  mineByH5py = peer(['read', FROM_H5MPI, ...names]);
  theirs = peer(['read', FROM_H5PY, ...names]);
}

function ok(r: Report | undefined, what: string): H5mpiView {
  if (!r?.ok) throw new Error(`${what} failed: ${r?.name}: ${r?.message}`);
  return r.value as H5mpiView;
}
const expected = (c: Case): number[] => {
  const Types: Record<string, Float64ArrayConstructor | Float32ArrayConstructor | Int32ArrayConstructor | Int16ArrayConstructor> = {
    float64: Float64Array, float32: Float32Array, int32: Int32Array, int16: Int16Array,
  };
  return Array.from(Types[c.dtype].from(cases.values(c.dtype)));
};
/**
 * What both sides report of a pipeline: the filters' ids, flags and parameters, in order. Scale-offset's
 * parameters end with the fill value's bytes and then slots HDF5 leaves uninitialised (h5py's files carry
 * whatever was in memory there): compared up to the fill value.
 */
const pipelineOf = (fs: FilterOut[]): [number, number, number[]][] =>
  fs.map((f) => [f.id, f.flags, f.id === FILTER_IDS.scaleoffset ? f.cdValues.slice(0, 10) : f.cdValues]);
/** h5py's properties, as h5mpi names them. */
const h5pyProps = (v: H5pyView | H5mpiView) => ({
  compression: v.compression,
  compressionOpts: v.compressionOpts,
  shuffle: v.shuffle,
  fletcher32: v.fletcher32,
  scaleoffset: v.scaleoffset,
});

describe('each filter, h5mpi -> h5py', () => {
  beforeAll(crossTool);
  (HAVE_H5PY ? test : test.skip)("only cases whose plugin is absent are skipped; the parallel HDF5's default plugin directory has bitshuffle and LZF", () => {
    expect(skipped.every((c) => c.plugin !== undefined)).toBe(true);
    expect(h5mpiHas(FILTER_IDS.bitshuffle) && h5mpiHas(FILTER_IDS.lzf)).toBe(true);
    expect(runnable.map((c) => c.name)).toEqual(expect.arrayContaining(['lzf', 'bitshuffle', 'bitshuffle_lz4', 'nbit', 'szip_nn', 'scaleoffset_float']));
  });

  for (const c of CASES) {
    const [t, why] = testFor(c);
    t(`${c.name}: h5py reads h5mpi's values, pipeline and properties${why}`, () => {
      const m = ok(mine[c.name], `h5mpi writing ${c.name}`);
      const p = mineByH5py[c.name];
      expect(m.filters.map((f) => f.id)).toEqual(c.filters);
      expect(pipelineOf(p.pipeline)).toEqual(pipelineOf(m.filters));
      expect(p.pipeline.map((f) => f.description)).toEqual(m.filters.map((f) => f.description));
      expect(h5pyProps(m)).toEqual(h5pyProps(p));
      expect(m.chunks).toEqual(p.chunks);
      const stored = ok(mineReopened[c.name], `h5mpi reading ${c.name} again`).values;
      expect(p.values).toEqual(stored);
      if (c.lossless) expect([m.values, stored]).toEqual([expected(c), expected(c)]);
      else stored.forEach((v, i) => expect(Math.abs(v - expected(c)[i])).toBeLessThanOrEqual(0.005 + 1e-9)); // 2 decimal digits, rounded
      if (!c.lossless) expect(stored).not.toEqual(expected(c)); // the filter did something
    });
  }
});

describe('each filter, h5py -> h5mpi', () => {
  beforeAll(crossTool);
  for (const c of CASES) {
    const [t, why] = testFor(c);
    t(`${c.name}: h5mpi reads h5py's values, pipeline and properties${why}`, () => {
      const m = ok(theirsByH5mpi[c.name], `h5mpi reading h5py's ${c.name}`);
      const p = theirs[c.name];
      expect(pipelineOf(m.filters)).toEqual(pipelineOf(p.pipeline));
      expect(m.filters.map((f) => f.description)).toEqual(p.pipeline.map((f) => f.description));
      expect(h5pyProps(m)).toEqual(h5pyProps(p));
      expect(m.values).toEqual(p.values);
      if (c.lossless) expect(m.values).toEqual(expected(c));
    });

    t(`${c.name}: the same pipeline as h5py makes (h5dump -p)${why}`, () => {
      const block = (file: string) => /\n {3}FILTERS \{[\s\S]*?\n {3}\}/.exec(h5dump(file, `/${c.name}`, { properties: true }).text)?.[0];
      const ours = block(FROM_H5MPI);
      expect(ours).toBeDefined();
      expect(ours).toEqual(block(FROM_H5PY));
      // Ids, parameters and flags, as h5py lists them: the same, except where h5mpi was asked for a
      // mandatory filter (h5py adds plugins as optional).
      const mandatory = ((c.h5mpi.filters as { optional?: boolean }[] | undefined) ?? []).some((f) => !f.optional);
      const flagless = (x: [number, number, number[]][]) => x.map(([id, , cd]) => [id, cd]);
      const mp = pipelineOf(ok(mine[c.name], c.name).filters), pp = pipelineOf(theirs[c.name].pipeline);
      expect(mandatory ? flagless(mp) : mp).toEqual(mandatory ? flagless(pp) : pp);
    });
  }

  const bloscWhy = !HAVE_H5PY ? 'no h5py' : !h5pyHas(BLOSC.plugin!) ? 'h5py has no Blosc plugin' : !h5mpiHas(BLOSC.plugin!) ? `no Blosc plugin on ${PLUGIN_PATH}` : '';
  (bloscWhy ? test.skip : test)(`blosc: h5mpi reads h5py's Blosc data${bloscWhy ? ` (skipped: ${bloscWhy})` : ''}`, () => {
    const m = ok(theirsByH5mpi.blosc, "h5mpi reading h5py's blosc");
    expect(m.values).toEqual(expected(BLOSC));
    expect(m.filters.map((f) => [f.id, f.name])).toEqual([[32001, 'blosc']]);
  });
});

describe('Blosc written by h5mpi', () => {
  // Debian ships Blosc only for the serial HDF5: that plugin loads the serial libhdf5 and calls it to set up a
  // dataset, which fails on h5mpi's ids. With a Blosc plugin built for h5mpi's HDF5 the write works.
  const blosc = h5mpiHas(BLOSC.plugin!);
  (blosc ? test : test.skip)(`a Blosc plugin built for another HDF5 is an error naming the filter and both libraries; nothing is printed${blosc ? '' : ' (skipped: no Blosc plugin)'}`, () => {
    const { reports, stderr } = scenario(['blosc', path.join(dir, 'blosc.h5')], ENV);
    const [create, after] = reports;
    if (create.ok) {
      expect((create.value as H5mpiView).values).toEqual(expected(BLOSC));
    } else {
      expect(create.name).toBe('H5Error');
      expect(create.message).toMatch(/createDataset\('blosc'\): filter 32001 \(blosc\) failed to set up the dataset/);
      expect(create.message).toMatch(/A plugin loaded another HDF5 library into this process \(\S*libhdf5_serial\S*\)/);
      expect(create.message).toMatch(/HDF5_PLUGIN_PATH/);
      expect(after).toMatchObject({ has: false, keys: [] });
    }
    expect(stderr).toBe('');
  });
});

describe('2 ranks write filtered datasets collectively', () => {
  const names = ['bitshuffle_lz4', 'lzf_shuffle_fletcher32', 'gzip9_shuffle_fletcher32', 'lz4', 'scaleoffset_int'].filter((n) => runnable.some((c) => c.name === n));
  (HAVE_H5PY ? test : test.skip)(`${names.join(', ')}: h5py reads what the ranks wrote${HAVE_H5PY ? '' : ' (skipped: no h5py)'}`, async () => {
    expect(names).toContain('bitshuffle_lz4');
    const file = path.join(dir, 'par.h5');
    const r = await mpirun(2, 'h5_filters_par.js', [file, ...names], { env: ENV });
    if (r.code !== 0) throw new Error(describeRun(r));
    expect(r.stderr).toBe('');
    const back = peer<Record<string, H5pyView>>(['read', file, ...names]);
    for (const rank of [0, 1]) {
      const reports = r.results[rank] as Report[];
      for (const name of names) {
        const c = CASES.find((x) => x.name === name)!;
        const independent = reports.find((x) => x.label === `${name} independent`)!;
        expect(independent.ok).toBe(false);
        expect(independent.message).toMatch(/in parallel, a filtered .* dataset is written collectively/);
        const got = reports.find((x) => x.label === name)!;
        expect(got.filters).toEqual(c.filters);
        expect(got.transfer).toMatchObject({ requested: 'collective', mode: 'collective' });
        expect(got.back).toEqual(expected(c));
      }
    }
    for (const name of names) {
      expect(back[name].values).toEqual(expected(CASES.find((x) => x.name === name)!));
      expect(back[name].pipeline.map((f) => f.id)).toEqual(CASES.find((x) => x.name === name)!.filters);
    }
  });
});

describe('a missing filter', () => {
  beforeAll(crossTool);
  test('a made-up filter id is refused before the dataset exists, naming the id and HDF5_PLUGIN_PATH', () => {
    const file = path.join(dir, 'made-up.h5');
    using f = File.open(file, 'w');
    const make = () => f.createDataset('x', { shape: [10], dtype: 'int32', filters: [{ id: 40000, cdValues: [1] }] });
    expect(make).toThrow(H5Error);
    try {
      make();
    } catch (e) {
      expect((e as H5Error).code).toBe('FILTER');
      expect((e as H5Error).message).toMatch(/^File '.*made-up\.h5'\.createDataset\('x'\): filter 40000 is not available: HDF5 has it neither built in nor as a plugin on its plugin path \(HDF5_PLUGIN_PATH/);
    }
    expect(f.keys()).toEqual([]);
    expect(filterAvailable(40000)).toEqual({ id: 40000, name: 'filter 40000', available: false, encode: false, decode: false });
  });

  (HAVE_H5PY && h5pyHas(32008) ? test : test.skip)('with HDF5_PLUGIN_PATH pointing nowhere: reading and creating name bitshuffle and the path; nothing printed; the file stays usable', () => {
    const nowhere = path.join(dir, 'no-plugins-here');
    const input = path.join(dir, 'missing-in.h5');
    fs.copyFileSync(FROM_H5PY, input);
    const { reports, stderr } = scenario(['missing', input, path.join(dir, 'missing-out.h5')], { HDF5_PLUGIN_PATH: nowhere });
    const by = Object.fromEntries(reports.map((r) => [r.label, r]));
    expect(by.opened).toMatchObject({ filters: [[32008, 'bitshuffle']], shape: SHAPE });
    for (const call of ['read', 'readInto']) {
      expect(by[call]).toMatchObject({ ok: false, name: 'H5Error' });
      expect(by[call].message).toMatch(
        new RegExp(`^Dataset '/bitshuffle_lz4'\\.read: filter 32008 \\(bitshuffle\\) is not available: .*HDF5_PLUGIN_PATH is "${nowhere}"`),
      );
    }
    expect(by.write).toMatchObject({ ok: false, name: 'H5Error' });
    expect(by.write.message).toMatch(/^Dataset '\/bitshuffle_lz4'\.write: filter 32008 \(bitshuffle\) is not available/);
    const back = peer<Record<string, H5pyView>>(['read', input, 'bitshuffle_lz4']).bitshuffle_lz4;
    expect(back.values).toEqual(expected(CASES.find((c) => c.name === 'bitshuffle_lz4')!));
    expect(peer<number[]>(['masks', input, 'bitshuffle_lz4']).every((m) => m === 0)).toBe(true);
    expect(by['gzip still reads'].sum).toBe(expected(CASES[0]).reduce((a, b) => a + b, 0));
    expect(by['create plugin']).toMatchObject({ ok: false, name: 'H5Error' });
    expect(by['create plugin'].message).toMatch(/createDataset\('b'\): filter 32008 \(bitshuffle\) is not available: .*HDF5_PLUGIN_PATH is "/);
    expect(by['create made-up'].message).toMatch(/createDataset\('m'\): filter 40000 is not available/);
    expect(by.after).toMatchObject({ keys: [], available: { id: 32008, available: false } });
    expect(by.usable.ok).toEqual([1, 2, 3, 4]);
    expect(stderr).toBe('');
  });

  (HAVE_H5PY && h5pyHas(32008) ? test : test.skip)('a plugin only some ranks find: a collective read throws on every rank instead of hanging', async () => {
    const r = await mpirun(2, 'h5_filters_par_missing.js', [FROM_H5PY], { env: { HDF5_PLUGIN_PATH: DEFAULT_PATHS.join(':') }, timeoutMs: 60_000 });
    if (r.code !== 0 || r.timedOut) throw new Error(describeRun(r));
    const [r0, r1] = r.results as Report[][];
    for (const label of ['collective read', 'collective readInto']) {
      const on1 = r1.find((x) => x.label === label)!;
      expect(on1).toMatchObject({ ok: false, name: 'H5Error' });
      expect(on1.message).toMatch(/filter 32008 \(bitshuffle\) is not available: .*HDF5_PLUGIN_PATH is "\/nonexistent-h5mpi-plugins"/);
      expect(r0.find((x) => x.label === label)).toMatchObject({ ok: false, name: 'PeerFailedError' });
    }
    for (const rs of [r0, r1]) expect(rs.find((x) => x.label === 'after')!.gzip).toEqual(expected(CASES[0]).slice(0, 2));
    expect(r.stderr).toBe('');
  });

  test('a filter HDF5 can only decode (szip built without its encoder) is a clear error', () => {
    // The addon's function, put back afterwards as it was.
    const saved = Object.getOwnPropertyDescriptor(native, 'filterInfo')!;
    const real = native.filterInfo.bind(native);
    native.filterInfo = (id: number) => (id === FILTER_IDS.szip ? { available: true, encode: false, decode: true } : real(id));
    try {
      using f = File.open(path.join(dir, 'szip.h5'), 'w');
      expect(() => f.createDataset('s', { shape: [64], dtype: 'int32', compression: 'szip' })).toThrow(
        `createDataset('s'): this HDF5 (${native.hdf5Version()}) was built without the filter 4 (szip) encoder: it reads such data but cannot write it`,
      );
      expect(f.keys()).toEqual([]);
    } finally {
      Object.defineProperty(native, 'filterInfo', saved);
    }
  });

  test('filterAvailable and pluginPaths say what HDF5 has and where it looks', () => {
    expect(filterAvailable('gzip')).toEqual({ id: 1, name: 'gzip', available: true, encode: true, decode: true });
    expect(filterAvailable(FILTER_IDS.shuffle).available).toBe(true);
    expect(() => filterAvailable('zip' as never)).toThrow(/"zip" is not a filter h5mpi knows by name/);
    expect(() => filterAvailable(70000)).toThrow(RangeError);
    expect(pluginPaths().length).toBeGreaterThan(0);
  });
});

describe('the floating-point control state', () => {
  beforeAll(crossTool);
  // Debian's bitshuffle and LZF plugins are built with -ffast-math: loading one sets flush-to-zero and
  // denormals-are-zero for the thread. h5py shows it: after `import hdf5plugin`, numpy's 5e-324 > 0 is false.
  // Debian 13's plugins leave the state alone (h5py keeps its subnormals there): then there is nothing to show.
  const flushes = HAVE_H5PY && pyProbe?.subnormalAfter === false;
  (flushes ? test : test.skip)(
    `loading the plugins flushes subnormals in a process that does not guard against it (h5py)${flushes ? '' : ': skipped, h5py is not installed or this system\'s plugins do not flush'}`,
    () => {
      expect(pyProbe).toMatchObject({ subnormalBefore: true, subnormalAfter: false });
    },
  );

  const IEEE = { minPositive: true, doubled: 1e-323, quarterOfMin: 2.2250738585072014e-308 / 4, sum: true };
  // 'read' and 'write' use h5py's file.
  const STRINGS = Array.from({ length: 40 }, (_, i) => `string ${i} `.repeat(i % 5));
  // Debian ships LZF and bitshuffle plugins for its Open MPI and serial HDF5 only: the MPICH build's
  // default directory has none, so nothing there can change the state.
  const fastMath = scenario(['probe'], { HDF5_PLUGIN_PATH: DEFAULT_PATHS.join(':') }).reports[0].ids as Record<string, { id: number; available: boolean }>;
  const fastMathPlugins = [32000, 32008].every((id) => Object.values(fastMath).some((p) => p.id === id && p.available));
  const ways = HAVE_H5PY ? ['create', 'read', 'write', 'search', 'copy'] : ['create', 'search', 'copy'];
  const why = `no LZF and bitshuffle plugins in the parallel HDF5's directory ${DEFAULT_PATHS.join(':')}`;
  (fastMathPlugins ? test.each(ways) : test.skip.each(ways))(`after a plugin is loaded to %s, subnormals still work in JavaScript${fastMathPlugins ? '' : ` (skipped: ${why})`}`, (how) => {
    const file = path.join(dir, `fp-${how}.h5`);
    if (how === 'read' || how === 'write') fs.copyFileSync(FROM_H5PY, file);
    const src = path.join(dir, 'fp-copy-source.h5');
    if (how === 'copy') {
      // Made here, so that the scenario's process first loads LZF inside the copy.
      using f = File.open(src, 'w');
      f.createDataset('strings', { shape: [STRINGS.length], dtype: 'string', chunks: [8], compression: 'lzf', data: STRINGS });
    }
    // The parallel HDF5's own plugin directory: bitshuffle and LZF, both built with -ffast-math.
    const { reports, stderr } = scenario(['fp', file, how, ...(how === 'copy' ? [src] : [])], { HDF5_PLUGIN_PATH: DEFAULT_PATHS.join(':') });
    expect(reports.map((r) => r.label)).toEqual(how === 'write' ? ['start', 'written', 'write'] : how === 'copy' ? ['start', 'copy', 'copied'] : ['start', how]);
    if (how === 'copy') expect(reports.pop()).toMatchObject({ label: 'copied', values: STRINGS, filters: ['lzf'] });
    for (const r of reports) expect({ label: r.label, minPositive: r.minPositive, doubled: r.doubled, quarterOfMin: r.quarterOfMin, sum: r.sum }).toEqual({ label: r.label, ...IEEE });
    if (how === 'read') expect(reports[1].first).toBe(expected(CASES.find((c) => c.name === 'bitshuffle_lz4')!)[1]);
    // The write went through the filter: HDF5 1.10 stores a chunk unfiltered when an optional filter's
    // plugin is not loaded yet at write time, so h5mpi loads it before the first write.
    if (how === 'write') expect(peer<number[]>(['masks', file, 'bitshuffle_lz4'])).toEqual([0, 0, 0, 0]);
    expect(stderr).toBe('');
  });
});

describe('createDataset options', () => {
  const file = path.join(dir, 'options.h5');
  let f: File;
  beforeAll(() => (f = File.open(file, 'w')));
  afterAll(() => f.close());
  const make = (o: Record<string, unknown>) => () => f.createDataset('o', { shape: [8], dtype: 'float64', ...o } as never);

  test.each([
    ['compression_opts', { compression: 'gzip', compression_opts: 4 }, /unknown option 'compression_opts' \(did you mean 'compressionOpts'\?\); accepted: shape, dtype, .*compressionOpts.*filters/],
    ['fillvalue', { fillvalue: 1 }, /unknown option 'fillvalue' \(did you mean 'fillValue'\?\)/],
    ['maxShape', { maxShape: [16] }, /unknown option 'maxShape' \(did you mean 'maxshape'\?\)/],
    ['scale_offset', { scale_offset: 2 }, /unknown option 'scale_offset' \(did you mean 'scaleoffset'\?\)/],
    ['a typo', { compresion: 'gzip' }, /unknown option 'compresion'; accepted: /],
    ['cd_values in a filter', { filters: [{ id: 32008, cd_values: [0, 2] }] }, /filters\[0\]: unknown option 'cd_values' \(did you mean 'cdValues'\?\); accepted: id, cdValues, optional/],
  ])('h5py spellings and typos are TypeErrors naming the camelCase option: %s', (_label, o, message) => {
    expect(make(o)).toThrow(TypeError);
    expect(make(o)).toThrow(message);
    expect(f.keys()).toEqual([]);
  });

  test.each([
    ['an unknown compression name', { compression: 'bitshuffle' }, TypeError, /compression string bitshuffle is not 'gzip', 'lzf', 'szip' or a filter id; a plugin goes by its id/],
    ['a built-in filter as a compression id', { compression: 2 }, TypeError, /compression 2 is HDF5's built-in filter 2 \(shuffle\): use shuffle: true/],
    ['a filter id out of range', { compression: 70000 }, RangeError, /compression must be a filter id \(an integer 1-65535\)/],
    ['options for lzf', { compression: 'lzf', compressionOpts: 3 }, TypeError, /lzf takes no compressionOpts/],
    ['a gzip level of 10', { compression: 'gzip', compressionOpts: 10 }, RangeError, /gzip's compressionOpts is its level, an integer 0-9; got number 10/],
    ['gzip level twice', { compression: 'gzip', compressionOpts: 3, compressionLevel: 3 }, TypeError, /not both/],
    ['szip options', { compression: 'szip', compressionOpts: ['nn', 7] }, TypeError, /szip's compressionOpts must be \['ec' \| 'nn', pixels per block: an even integer 2-32\]/],
    ['compressionOpts alone', { compressionOpts: 4 }, TypeError, /compressionOpts needs a compression/],
    ['scaleoffset true for floats', { scaleoffset: true }, TypeError, /scaleoffset for float64 is the number of decimal digits to keep/],
    ['scaleoffset with fletcher32', { scaleoffset: 2, fletcher32: true }, TypeError, /fletcher32 cannot be used with the scale-offset filter/],
    ['negative cd_values', { filters: [{ id: 32008, cdValues: [-1] }] }, RangeError, /filters\[0\]: cdValues\[0\] is number -1; expected an unsigned 32-bit integer/],
    ['a filter twice', { compression: 32008, filters: [{ id: 'bitshuffle' }] }, TypeError, /filter 32008 \(bitshuffle\) is in the pipeline twice/],
    ['a built-in filter in filters', { filters: [{ id: 'gzip', cdValues: [4] }] }, TypeError, /filters\[0\]: filter 1 \(gzip\) is built into HDF5 and has an option of its own: use compression: 'gzip'/],
    ['a filtered scalar', { shape: [], compression: 'gzip' }, TypeError, /a scalar dataset cannot be chunked, resized or compressed/],
  ])('%s is refused before the dataset exists', (_label, o, type, message) => {
    expect(make(o)).toThrow(type);
    expect(make(o)).toThrow(message);
    expect(f.keys()).toEqual([]);
  });

  test('string datasets take no numeric filters', () => {
    for (const o of [{ scaleoffset: 2 }, { nbit: true }, { compression: 'szip' }]) {
      expect(() => f.createDataset('s', { shape: [4], dtype: 'string', ...o } as never)).toThrow(/for numeric dtypes|compresses numbers/);
    }
    expect(f.keys()).toEqual([]);
  });

  test('an unknown File.open option and an unknown transfer option are TypeErrors listing the accepted names', () => {
    expect(() => File.open(path.join(dir, 'x.h5'), 'w', { driver: 'mpio' } as never)).toThrow(/unknown option 'driver'; accepted: comm, info, collectiveMetadata, checkCollective/);
    expect(() => File.open(path.join(dir, 'x.h5'), 'w', { collective_metadata: false } as never)).toThrow(/did you mean 'collectiveMetadata'/);
    expect(fs.existsSync(path.join(dir, 'x.h5'))).toBe(false);
    const d = f.createDataset('t', { shape: [2], dtype: 'int32', data: [1, 2] });
    expect(() => d.read(undefined, { independent: true } as never)).toThrow(/unknown option 'independent'; accepted: collective/);
    expect(() => d.write([3, 4], undefined, { colective: true } as never)).toThrow(TypeError);
    expect(Array.from(d.read())).toEqual([1, 2]);
    f.delete('t');
  });

  (HAVE_H5PY ? test : test.skip)('fillValue is the dataset fill value: h5py and h5dump read it, and unwritten elements read as it', () => {
    const filled = path.join(dir, 'filled.h5');
    {
      using g = File.open(filled, 'w');
      const d = g.createDataset('filled', { shape: [6], dtype: 'int16', chunks: [2], compression: 'gzip', fillValue: -7 });
      d.write(new Int16Array([1, 2]), { start: [2], count: [2] });
      expect(d.fillValue).toBe(-7);
      expect(Array.from(d.read())).toEqual([-7, -7, 1, 2, -7, -7]);
    }
    expect(h5dump(filled, '/filled', { properties: true }).text).toMatch(/FILLVALUE \{\s+FILL_TIME \S+\s+VALUE\s+-7\s+\}/);
    const got = python(`f = h5py.File(sys.argv[1], 'r'); d = f['filled']; emit([int(d.fillvalue), d[()].tolist()])`, [filled]);
    expect(got).toEqual([-7, [-7, -7, 1, 2, -7, -7]]);
    using g = File.open(filled, 'r');
    expect((g.get('filled') as Dataset<'int16'>).fillValue).toBe(-7);
  });

  test('Dataset.filters is read-only and complete; the h5py properties derive from it', () => {
    const d = f.createDataset('p', { shape: [64], dtype: 'int32', scaleoffset: true, shuffle: true, compression: 'gzip', compressionOpts: 2, fletcher32: false });
    expect(d.filters.map((x) => [x.id, x.name, x.optional])).toEqual([[6, 'scaleoffset', true], [2, 'shuffle', true], [1, 'gzip', true]]);
    expect([d.compression, d.compressionOpts, d.compressionLevel, d.shuffle, d.fletcher32, d.scaleoffset, d.nbit]).toEqual(['gzip', 2, 2, true, false, 0, false]);
    expect(Object.isFrozen(d.filters) && Object.isFrozen(d.filters[0]) && Object.isFrozen(d.filters[0].cdValues)).toBe(true);
    f.delete('p');
  });
});
