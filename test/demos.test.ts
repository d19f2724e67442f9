// The course's demos (demo/*.js), run as users run them under mpiexec on small sizes: their files are read
// back with h5py, the reader takes files written with other rank counts and by the h5py peer, the chunking
// demo's three layouts hold the same images, and --json, --help and bad arguments behave.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeRun, expectedJobStatuses, mpiEnv, mpirun, RANK_COUNTS, ROOT, RunResult, tmpdir } from './helpers/mpirun';
import { hasH5py, python, PYTHON } from './helpers/h5tools';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const common = require('../demo/common.js') as { SEED: number; fillUniform64(out: Float64Array, seed: number): Float64Array };

const DEMO = path.join(ROOT, 'demo');
// The benchmark's copies of the reference programs (../shared/peers), so that the tests run from the repository alone.
const PEERS = path.join(ROOT, 'bench', 'peers');
const withH5py = hasH5py() ? describe : describe.skip;

type Json = Record<string, unknown>;

/** Runs demo/<script> on n ranks (0: plain node) in `cwd`; requires success; returns the run and its --json line (if asked for). */
async function demo(n: number, script: string, args: string[], cwd: string): Promise<{ run: RunResult; json: Json }> {
  const run = await mpirun(n, path.join(DEMO, script), args, { cwd, timeoutMs: 90_000 });
  if (run.code !== 0 || run.timedOut) throw new Error(`${script} ${args.join(' ')} on ${n} ranks failed: ${describeRun(run)}`);
  return { run, json: args.includes('--json') ? lastJson(run.stdout) : {} };
}

/** Runs a reference program of bench/peers with /usr/bin/python3 on n ranks; returns its JSON line. */
function peer(n: number, program: string, args: string[], cwd: string): Json {
  const r = spawnSync('mpiexec', ['-n', String(n), PYTHON, path.join(PEERS, program), ...args], { cwd, env: mpiEnv(), encoding: 'utf8', timeout: 90_000 });
  if (r.status !== 0) throw new Error(`peer ${program} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return lastJson(r.stdout);
}

function lastJson(stdout: string): Json {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Json;
}

/** Rows [lo, hi) of n owned by rank r of p: the course's decomposition, computed independently of the demos. */
function rowsOf(n: number, r: number, p: number): [number, number] {
  return [Math.floor((r * n) / p), Math.floor(((r + 1) * n) / p)];
}

function writerOfRow(row: number, nrows: number, writers: number): number {
  for (let w = 0; w < writers; w++) {
    const [lo, hi] = rowsOf(nrows, w, writers);
    if (row >= lo && row < hi) return w;
  }
  throw new Error(`row ${row} has no writer`);
}

/** What h5py sees in a write.js file: shape, dtype, attributes, and per row its min, max and number of distinct values. */
function h5pyRows(file: string): { shape: number[]; dtype: string; attrs: Record<string, number>; rows: [number, number, number][]; first: number } {
  return python(
    `f = h5py.File(sys.argv[1], 'r'); d = f['test']; a = d[()]
emit({'shape': list(d.shape), 'dtype': d.dtype.str, 'attrs': {k: float(d.attrs[k]) for k in d.attrs},
      'rows': [[float(r.min()), float(r.max()), int(np.unique(r).size)] for r in a], 'first': float(a[0, 0])})`,
    [file],
  ) as ReturnType<typeof h5pyRows>;
}

function expectTimings(json: Json, io: 'write_s' | 'read_s', ranks: number, mb: number): void {
  expect(json.ranks).toBe(ranks);
  expect(json.MB).toBeCloseTo(mb, 9);
  for (const k of ['open_s', io, 'close_s', 'total_s', 'MBps']) {
    expect(typeof json[k]).toBe('number');
    expect(json[k] as number).toBeGreaterThan(0);
  }
  // Each span is a max over ranks, so the total (also a max) is at least each of them, at most their sum.
  const spans = (json.open_s as number) + (json[io] as number) + (json.close_s as number);
  expect(json.total_s as number).toBeLessThanOrEqual(spans * (1 + 1e-9));
  expect(json.total_s as number).toBeGreaterThanOrEqual(Math.max(json.open_s as number, json[io] as number, json.close_s as number));
  expect(json.MBps as number).toBeCloseTo(mb / (json.total_s as number), 6);
}

/** The per-rank lines of read.js --verbose / --global. */
function views(stdout: string): { block: Map<number, { rows: number; first: number }>; global: Map<number, number> } {
  const block = new Map<number, { rows: number; first: number }>();
  const global = new Map<number, number>();
  for (const line of stdout.split('\n')) {
    let m = /rank (\d+): shape \[(\d+), \d+\], block\[0,0\] = ([0-9.]+)/.exec(line);
    if (m) block.set(Number(m[1]), { rows: Number(m[2]), first: Number(m[3]) });
    m = /rank (\d+): dataset\[0,0\] = ([0-9.]+)/.exec(line);
    if (m) global.set(Number(m[1]), Number(m[2]));
  }
  return { block, global };
}

withH5py('write.js and read.js', () => {
  const NROWS = 11; // splits unevenly over 2, 3 and 4 ranks
  const NCOLS = 1000;
  const MB = (NROWS * NCOLS * 4) / 2 ** 20;

  test.each(RANK_COUNTS)('write.js on %i ranks: every rank wrote all its rows in its range; read.js on another rank count checks them', async (n) => {
    const dir = tmpdir();
    const file = path.join(dir, 'test.h5');
    const w = await demo(n, 'write.js', [String(NROWS), String(NCOLS), file, '--json'], dir);
    expect(w.json).toMatchObject({ demo: 'write', mode: 'collective', io: 'collective', driver: 'mpio' });
    expect(typeof w.json.fs).toBe('string');
    expectTimings(w.json, 'write_s', n, MB);
    expect(w.run.stdout).toContain(`wrote ${NROWS} x ${NCOLS} float32`);

    const seen = h5pyRows(file);
    expect(seen.shape).toEqual([NROWS, NCOLS]);
    expect(seen.dtype).toBe('<f4');
    expect(seen.attrs).toEqual({}); // the peers' work exactly: nothing but the dataset
    seen.rows.forEach(([min, max, distinct], row) => {
      const base = 1000 * (writerOfRow(row, NROWS, n) + 1);
      expect(min).toBeGreaterThanOrEqual(base);
      expect(max).toBeLessThan(base + 1);
      expect(distinct).toBeGreaterThan(NCOLS / 2); // random, not a constant
    });

    const readers = n === 3 ? 2 : 3;
    const r = await demo(readers, 'read.js', [file, '--json', '--verbose', '--global'], dir);
    expect(r.json).toMatchObject({ demo: 'read', writer_ranks: n, checked: NROWS * NCOLS, out_of_range: 0, nrows: NROWS, ncols: NCOLS });
    expectTimings(r.json, 'read_s', readers, MB);
    expect(r.run.stdout).toContain(`all ${NROWS * NCOLS} values lie in their writer rank's range (${n} writer rank${n > 1 ? 's' : ''}, from the last row's values)`);
    // Exercise 3: the process view is each reader's own first row; the global view is [0,0] on every rank.
    const { block, global } = views(r.run.stdout);
    expect(block.size).toBe(readers);
    expect(global.size).toBe(readers);
    for (let k = 0; k < readers; k++) {
      const [lo, hi] = rowsOf(NROWS, k, readers);
      expect(block.get(k)!.rows).toBe(hi - lo);
      const base = 1000 * (writerOfRow(lo, NROWS, n) + 1);
      expect(block.get(k)!.first).toBeGreaterThanOrEqual(base);
      expect(block.get(k)!.first).toBeLessThan(base + 1);
      expect(global.get(k)).toBe(seen.first);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('--independent: write and read with independent MPI-IO on 3 ranks, read serially too', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'ind.h5');
    const w = await demo(3, 'write.js', ['7', '3000', file, '--independent', '--json'], dir);
    expect(w.json).toMatchObject({ mode: 'independent', io: 'independent', ranks: 3 });
    h5pyRows(file).rows.forEach(([min, max], row) => {
      const base = 1000 * (writerOfRow(row, 7, 3) + 1);
      expect([min >= base, max < base + 1]).toEqual([true, true]);
    });
    const r = await demo(4, 'read.js', [file, '--independent', '--json'], dir);
    expect(r.json).toMatchObject({ mode: 'independent', io: 'independent', writer_ranks: 3, out_of_range: 0, checked: 21000 });
    const s = await demo(0, 'read.js', [file, '--json'], dir);
    expect(s.json).toMatchObject({ ranks: 1, driver: 'sec2', writer_ranks: 3, out_of_range: 0 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('read.js finds values outside their writer rank\'s range and fails', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'bad.h5');
    await demo(3, 'write.js', ['9', '500', file], dir);
    python(`f = h5py.File(sys.argv[1], 'r+'); f['test'][5, 123] = 7.5; f.close(); emit(1)`, [file]);
    const bad = await mpirun(2, path.join(DEMO, 'read.js'), [file, '--json'], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain('check FAILED: 1 of 4500 values');
    expect(bad.stdout).toContain('[5, 123] = 7.5, writer rank 1 wrote [2000, 2001]');
    expect(lastJson(bad.stdout)).toMatchObject({ out_of_range: 1 });

    // A wrong writer count puts whole rows in the wrong range: a last row in rank 1's range reads as 2 writers.
    python(`f = h5py.File(sys.argv[1], 'r+'); f['test'][5, 123] = 2000.5; f['test'][8, :] = 2000.5; f.close(); emit(1)`, [file]);
    const wrong = await mpirun(0, path.join(DEMO, 'read.js'), [file], { cwd: dir });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('check FAILED: 1500 of 4500 values lie outside their writer rank\'s range (2 writer ranks'); // rows 3, 6 and 7
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('read.js reads the h5py peer\'s file on other rank counts; the JSON keys are the peers\'', async () => {
    const dir = tmpdir();
    const file = path.join(dir, 'peer.h5');
    const peerJson = peer(3, 'h5py_write.py', ['10', '4000', file], dir);
    for (const n of [2, 4]) {
      const r = await demo(n, 'read.js', [file, '--json'], dir);
      expect(r.json).toMatchObject({ writer_ranks: 3, out_of_range: 0, checked: 40000 });
      expect(r.run.stdout).toContain("(3 writer ranks, from the last row's values)");
    }
    const peerReadJson = peer(2, 'h5py_read.py', [file], dir);
    expect(peerReadJson).toMatchObject({ ranks: 2, out_of_range: 0 }); // 3 writers, 2 readers: each row checked against its writer
    const ours = await demo(2, 'read.js', [file, '--json'], dir);
    const mine = await demo(2, 'write.js', ['10', '4000', path.join(dir, 'w.h5'), '--json'], dir);
    for (const k of Object.keys(peerJson).filter((k) => k !== 'peer')) expect(mine.json).toHaveProperty(k);
    for (const k of Object.keys(peerReadJson).filter((k) => k !== 'peer')) expect(ours.json).toHaveProperty(k);
    expect(mine.json.MB).toBe(peerJson.MB);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

withH5py('chunking.js', () => {
  const [NIMGS, NROWS, NCOLS, K] = [7, 40, 50, 16]; // tiles and chunks that do not divide the images
  const FILES = ['chunking_contig.h5', 'chunking_chunked.h5', 'chunking_gzip.h5'];

  /** What h5py sees in the three files: layout, and a digest of the data. */
  function h5pyLayouts(dir: string): { chunks: number[] | null; compression: string | null; shape: number[]; sha: string; tile: number[]; last: number[] }[] {
    return python(
      `import hashlib
out = []
for name in sys.argv[2:]:
    d = h5py.File(sys.argv[1] + '/' + name, 'r')['test']; a = d[()]
    out.append({'chunks': None if d.chunks is None else list(d.chunks), 'compression': d.compression, 'shape': list(d.shape),
                'sha': hashlib.sha256(a.astype('<f8').tobytes()).hexdigest(), 'tile': [float(x) for x in a[0, 1, :3]],
                'last': [float(x) for x in a[-1, -1, -3:]]})
emit(out)`,
      [dir, ...FILES],
    ) as ReturnType<typeof h5pyLayouts>;
  }

  /** Image i's values, as the demo generates them. */
  function image(i: number): Float64Array {
    return common.fillUniform64(new Float64Array(NROWS * NCOLS), common.SEED + i);
  }

  let serialSha: string;

  test('serially: three layouts holding the same images; tiles checked; files kept with --keep', async () => {
    const dir = tmpdir();
    const { run, json } = await demo(0, 'chunking.js', [NIMGS, NROWS, NCOLS, K].map(String).concat('--keep', '--json'), dir);
    expect(run.stdout).toContain(`tiles: all ${NIMGS} equal the corners of the generated images, in every layout`);
    const stackMB = (NIMGS * NROWS * NCOLS * 8) / 2 ** 20;
    expect(json).toMatchObject({ demo: 'chunking', ranks: 1, bad_tiles: 0, nimgs: NIMGS, ksize: K });
    expectTimings(json, 'write_s', 1, 3 * stackMB);
    expect(json.read_s as number).toBeGreaterThan(0);
    const layouts = json.layouts as Json[];
    expect(layouts.map((l) => [l.layout, l.chunks, l.compression])).toEqual([
      ['contiguous', null, null],
      ['chunked', [1, K, K], null],
      ['chunked+gzip', [1, K, K], 'gzip'],
    ]);
    for (const [i, l] of layouts.entries()) expect(l.file_MB).toBeCloseTo(fs.statSync(path.join(dir, FILES[i])).size / 2 ** 20, 9);

    const seen = h5pyLayouts(dir);
    expect(seen.map((s) => [s.chunks, s.compression])).toEqual([[null, null], [[1, K, K], null], [[1, K, K], 'gzip']]);
    for (const s of seen) {
      expect(s.shape).toEqual([NIMGS, NROWS, NCOLS]);
      expect(s.sha).toBe(seen[0].sha);
    }
    // The stored values are the seeded images: image 0's second row, the last image's last values.
    expect(seen[0].tile).toEqual(Array.from(image(0).subarray(NCOLS, NCOLS + 3)));
    expect(seen[0].last).toEqual(Array.from(image(NIMGS - 1).subarray(NROWS * NCOLS - 3)));
    serialSha = seen[0].sha;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each(RANK_COUNTS)('on %i ranks: the ranks split the images; the same stack as serially, in all three layouts', async (n) => {
    const dir = tmpdir();
    const { json } = await demo(n, 'chunking.js', [NIMGS, NROWS, NCOLS, K].map(String).concat('--keep', '--json'), dir);
    expect(json).toMatchObject({ ranks: n, mode: 'collective', bad_tiles: 0 });
    const seen = h5pyLayouts(dir);
    for (const s of seen) expect(s.sha).toBe(serialSha ?? seen[0].sha);
    expect(seen[2].compression).toBe('gzip');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('tiles of 4 MiB and more per rank (arrays that zeros() puts on huge pages, inside larger buffers) check out', async () => {
    const dir = tmpdir();
    const { json } = await demo(2, 'chunking.js', ['4', '768', '768', '768', '--json'], dir);
    expect(json).toMatchObject({ ranks: 2, bad_tiles: 0, tile_MB: (4 * 768 * 768 * 8) / 2 ** 20 });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('more ranks than images (empty selections) and --independent (gzip still written collectively)', async () => {
    const dir = tmpdir();
    const few = await demo(4, 'chunking.js', ['3', String(NROWS), String(NCOLS), String(K), '--keep', '--json'], dir);
    expect(few.json).toMatchObject({ ranks: 4, bad_tiles: 0 });
    const three = h5pyLayouts(dir);
    expect(three.map((s) => s.shape[0])).toEqual([3, 3, 3]);
    for (const s of three) expect(s.sha).toBe(three[0].sha);
    expect(three[0].tile).toEqual(Array.from(image(0).subarray(NCOLS, NCOLS + 3)));

    const ind = await demo(3, 'chunking.js', [NIMGS, NROWS, NCOLS, K].map(String).concat('--independent', '--json'), dir);
    expect(ind.json).toMatchObject({ ranks: 3, mode: 'independent', bad_tiles: 0 });
    expect((ind.json.layouts as Json[]).map((l) => l.written)).toEqual(['independent', 'independent', 'collective']);
    // Without --keep the files are gone.
    for (const f of FILES) expect(fs.existsSync(path.join(dir, f))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('--help and bad arguments', () => {
  const cases: [string, string[], RegExp][] = [
    ['write.js', ['--bogus'], /^write\.js: unknown option '--bogus' \(see write\.js --help\)$/],
    ['write.js', ['12', 'many'], /^write\.js: ncols must be a whole number, got 'many'/],
    ['write.js', ['4', '4', '/no/such/dir/x.h5'], /^write\.js: file '\/no\/such\/dir\/x\.h5': directory '\/no\/such\/dir' does not exist/],
    ['read.js', ['a.h5', 'b.h5'], /^read\.js: too many arguments \(2\)/],
    ['read.js', ['/no/such/file.h5'], /^read\.js: file '\/no\/such\/file\.h5' does not exist/],
    ['chunking.js', ['5', '10', '10', '20'], /^chunking\.js: ksize 20 is larger than an image \(10 x 10\)/],
    ['chunking.js', ['0'], /^chunking\.js: nimgs must be at least 1, got 0/],
  ];

  test.each(cases)('%s %j: one line, exit code 2', async (script, args, message) => {
    const r = await mpirun(0, path.join(DEMO, script), args, { cwd: tmpdir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
  });

  test('a file that is not HDF5: one line, exit code 1, said once under mpiexec', async () => {
    const dir = tmpdir();
    fs.writeFileSync(path.join(dir, 'text.h5'), 'not hdf5\n');
    const r = await mpirun(3, path.join(DEMO, 'read.js'), ['text.h5'], { cwd: dir });
    expect(r.code).not.toBe(0);
    const ours = r.stderr.split('\n').filter((l) => l.startsWith('read.js:'));
    expect(ours).toEqual([expect.stringMatching(/^read\.js: .*'text\.h5' is not an HDF5 file/)]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('under mpiexec a bad argument is said once, and the job exits 2', async () => {
    const r = await mpirun(3, path.join(DEMO, 'write.js'), ['--nope'], { cwd: tmpdir() });
    expect(expectedJobStatuses(2, 3)).toContain(r.code); // MPICH's hydra: 9 when it had to kill a rank
    expect(r.stderr.split('\n').filter((l) => l.startsWith('write.js:'))).toEqual(["write.js: unknown option '--nope' (see write.js --help)"]);
  });

  test.each(['write.js', 'read.js', 'chunking.js'])('%s --help explains the arguments and exits 0', async (script) => {
    const r = await mpirun(0, path.join(DEMO, script), ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: .*node demo/${script.replace('.', '\\.')}`));
    for (const flag of ['--independent', '--json', '--help']) expect(r.stdout).toContain(flag);
    expect(r.stderr).toBe('');
  });
});
