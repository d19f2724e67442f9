// demo/heat.js, the 2-D heat solver: its field is bit-identical to a serial reference computed here at 1,
// 2, 3 and 4 ranks (read back from the file with h5mpi, and by the --json digest), with or without the
// overlap of the halo exchange, when a run stopped at a checkpoint is restarted at another rank count (into
// the same file or a new one); its checkpoints carry their attributes; bad arguments fail in one line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, File, Group } from '../lib';
import { h5dump } from './helpers/h5tools';
import { describeRun, expectedJobStatuses, mpirun, ROOT, RunResult, tmpdir, withoutLauncherNotice } from './helpers/mpirun';

const HEAT = path.join(ROOT, 'demo', 'heat.js');
const NX = 37; // 37 x 29 splits unevenly over 2, 3 and 4 ranks ([2, 1], [3, 1], [2, 2])
const NY = 29;
const STEPS = 60;
const EVERY = 20;
const ALPHA = 0.1;
const SMALL = ['--nx', String(NX), '--ny', String(NY), '--every', String(EVERY)];

type Json = Record<string, unknown>;

const dir = tmpdir('h5mpi-heat-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs demo/heat.js on n ranks (0: plain node) in the test's directory; requires success; returns its --json line. */
async function heat(n: number, args: string[]): Promise<Json> {
  const r = await mpirun(n, HEAT, [...args, '--json'], { cwd: dir, timeoutMs: 60_000 });
  if (r.code !== 0 || r.timedOut) throw new Error(`heat.js ${args.join(' ')} on ${n} ranks failed: ${describeRun(r)}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as Json;
}

/** The initial field of demo/heat.js (its README states it): a hot disc and a warm bar. */
function initial(i: number, j: number, nx: number, ny: number): number {
  const di = i - nx / 3;
  const dj = j - ny / 2;
  const r = Math.min(nx, ny) / 5;
  if (di * di + dj * dj <= r * r) return 100;
  if (i >= Math.floor((3 * nx) / 4) && i < Math.floor((7 * nx) / 8) && j >= Math.floor(ny / 2)) return 40;
  return 0;
}

/**
 * The field after each step up to `steps`, computed serially on the whole grid with a ring of zeros round
 * it: result[s] is the nx x ny field after step s. The same expression, in the same order, as the demo.
 */
function reference(nx: number, ny: number, steps: number, alpha: number): Float64Array[] {
  const W = ny + 2;
  let u = new Float64Array((nx + 2) * W);
  let v = new Float64Array((nx + 2) * W);
  for (let i = 0; i < nx; i++) for (let j = 0; j < ny; j++) u[(i + 1) * W + j + 1] = initial(i, j, nx, ny);
  const strip = (a: Float64Array): Float64Array => {
    const out = new Float64Array(nx * ny);
    for (let i = 0; i < nx; i++) out.set(a.subarray((i + 1) * W + 1, (i + 1) * W + 1 + ny), i * ny);
    return out;
  };
  const fields = [strip(u)];
  for (let s = 1; s <= steps; s++) {
    for (let i = 1; i <= nx; i++) {
      for (let k = i * W + 1; k <= i * W + ny; k++) {
        const c = u[k];
        v[k] = c + alpha * (u[k - W] + u[k + W] + u[k - 1] + u[k + 1] - 4 * c);
      }
    }
    [u, v] = [v, u];
    fields.push(strip(u));
  }
  return fields;
}

const REF = reference(NX, NY, STEPS, ALPHA);

/** The sum of the float64 bit patterns modulo 2^64, as the demo's digest ("0x" and 16 hex digits). */
function digestOf(a: Float64Array): string {
  let sum = 0n;
  for (const bits of new BigUint64Array(a.buffer, a.byteOffset, a.length)) sum = (sum + bits) & 0xffffffffffffffffn;
  return `0x${sum.toString(16).padStart(16, '0')}`;
}

/** Throws unless a and b hold the same bits, naming the first cell that differs. */
function expectSameBits(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length).toBe(b.length);
  if (Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))) return;
  const k = a.findIndex((x, i) => !Object.is(x, b[i]));
  throw new Error(`${what}: cell [${Math.floor(k / NY)}, ${k % NY}] is ${a[k]}, expected ${b[k]}`);
}

interface Stored {
  shape: number[];
  data: Float64Array;
  attrs: Record<string, unknown>;
}

/** What a heat.js file holds, read serially with h5mpi: the root's attributes, each dataset with its attributes. */
function readFile(file: string): { root: Record<string, unknown>; checkpoints: Map<number, Stored>; final: Stored } {
  const f = File.open(file, 'r');
  try {
    const attrsOf = (d: Dataset | File): Record<string, unknown> => Object.fromEntries(d.attrs.keys().map((k) => [k, d.attrs.get(k)]));
    const stored = (d: Dataset): Stored => ({ shape: d.shape, data: d.read() as Float64Array, attrs: attrsOf(d) });
    const checkpoints = new Map<number, Stored>();
    const group = f.get('checkpoints') as Group;
    for (const name of group.keys()) checkpoints.set(Number(/^step_(\d{6})$/.exec(name)![1]), stored(group.get(name) as Dataset));
    return { root: attrsOf(f), checkpoints, final: stored(f.get('final') as Dataset) };
  } finally {
    f.close();
  }
}

const DIMS: Record<number, number[]> = { 1: [1, 1], 2: [2, 1], 3: [3, 1], 4: [2, 2] };

/** The attributes a checkpoint (or /final) of `step` carries, written by `ranks` ranks. */
function expectedAttrs(step: number, ranks: number): Record<string, unknown> {
  return { step: BigInt(step), time: step * ALPHA, alpha: ALPHA, nx: BigInt(NX), ny: BigInt(NY), dims: Int32Array.from(DIMS[ranks]), ranks: BigInt(ranks) };
}

describe('the field is bit-identical at any rank count', () => {
  test.each([1, 2, 3, 4])('on %i ranks: every checkpoint and /final equal the serial reference, bit for bit; the digest says so', async (n) => {
    const file = `full_${n}.h5`;
    const json = await heat(n, [...SMALL, '--steps', String(STEPS), '--out', file]);
    expect(json).toMatchObject({ demo: 'heat', ranks: n, dims: DIMS[n], nx: NX, ny: NY, alpha: ALPHA, steps: STEPS, start_step: 0, every: EVERY });
    expect(json).toMatchObject({ overlap: true, checkpoints: [20, 40, 60], file, restart: null });
    expect(json.digest).toBe(digestOf(REF[STEPS]));
    // The float64 sum is rounded in an order that depends on the ranks: close, not necessarily equal.
    const exactSum = REF[STEPS].reduce((a, x) => a + x, 0);
    expect(json.sum as number).toBeCloseTo(exactSum, 9);
    for (const k of ['compute_s', 'halo_s', 'wait_s', 'checkpoint_s', 'loop_s', 'total_s']) expect(json[k] as number).toBeGreaterThan(0);
    expect(json.restart_s).toBe(0);

    const seen = readFile(path.join(dir, file));
    expect([...seen.checkpoints.keys()]).toEqual([20, 40, 60]);
    for (const [step, c] of seen.checkpoints) {
      expect(c.shape).toEqual([NX, NY]);
      expectSameBits(c.data, REF[step], `${n} ranks, step ${step}`);
      expect(c.attrs).toEqual(expectedAttrs(step, n));
    }
    expectSameBits(seen.final.data, REF[STEPS], `${n} ranks, /final`);
    expect(seen.final.attrs).toEqual(expectedAttrs(STEPS, n));
    expect(seen.root).toMatchObject({ nx: BigInt(NX), ny: BigInt(NY), alpha: ALPHA });
    expect(seen.root.scheme).toMatch(/^u_new = u \+ alpha/);
  });

  test('h5dump reads the same /final and the attributes as the types they are', () => {
    const file = path.join(dir, 'full_4.h5');
    const d = h5dump(file, '/final');
    expect(d.type).toBe('H5T_IEEE_F64LE');
    expect(d.dims).toEqual([NX, NY]);
    expect(Float64Array.from(d.values.map(Number))).toEqual(REF[STEPS]);
    const step = h5dump(file, '/checkpoints/step_000040/step', { attribute: true });
    expect(step).toMatchObject({ type: 'H5T_STD_I64LE', dims: null, values: ['40'] });
    const dims = h5dump(file, '/checkpoints/step_000040/dims', { attribute: true });
    expect(dims).toMatchObject({ type: 'H5T_STD_I32LE', dims: [2], values: ['2', '2'] });
  });

  test('--no-overlap (wait for the halo, then update every cell) gives the same bits', async () => {
    const json = await heat(3, [...SMALL, '--steps', String(STEPS), '--out', 'no_overlap.h5', '--no-overlap']);
    expect(json).toMatchObject({ ranks: 3, overlap: false, digest: digestOf(REF[STEPS]) });
    expectSameBits(readFile(path.join(dir, 'no_overlap.h5')).final.data, REF[STEPS], '--no-overlap');
  });

  test('rows past the eager limit and an interior updated in several bands: the same digest at 1, 2 and 4 ranks', async () => {
    // 600 x 700: rows of 700 float64 (5600 bytes) go by rendezvous; bands of 94 rows, so several per block.
    const args = ['--nx', '600', '--ny', '700', '--steps', '8', '--every', '8'];
    const digests = [];
    for (const n of [1, 2, 4]) digests.push((await heat(n, [...args, '--out', `wide_${n}.h5`])).digest);
    expect(digests[0]).toBe(digestOf(reference(600, 700, 8, ALPHA)[8]));
    expect(new Set(digests).size).toBe(1);
  });
});

describe('restart from the last checkpoint at another rank count', () => {
  test('stopped at step 40 on 4 ranks, continued on 3 into the same file and on 2 into a new one: the uninterrupted result', async () => {
    const stopped = await heat(4, [...SMALL, '--steps', '40', '--out', 'stopped.h5']);
    expect(stopped).toMatchObject({ checkpoints: [20, 40], digest: digestOf(REF[40]) });
    fs.copyFileSync(path.join(dir, 'stopped.h5'), path.join(dir, 'continued.h5'));

    // Into the same file: its checkpoints so far stay, the new ones and /final are added or rewritten.
    const same = await heat(3, ['--restart', 'continued.h5', '--out', 'continued.h5', '--every', String(EVERY), '--steps', String(STEPS)]);
    expect(same).toMatchObject({ ranks: 3, dims: [3, 1], nx: NX, ny: NY, alpha: ALPHA, start_step: 40, steps: STEPS, checkpoints: [60] });
    expect(same.digest).toBe(digestOf(REF[STEPS]));
    expect(same.restart_s as number).toBeGreaterThan(0);
    const c = readFile(path.join(dir, 'continued.h5'));
    expect([...c.checkpoints.keys()]).toEqual([20, 40, 60]);
    expect(c.checkpoints.get(40)!.attrs).toEqual(expectedAttrs(40, 4)); // written by the first run
    expect(c.checkpoints.get(60)!.attrs).toEqual(expectedAttrs(60, 3));
    for (const [step, cp] of c.checkpoints) expectSameBits(cp.data, REF[step], `continued, step ${step}`);
    expectSameBits(c.final.data, REF[STEPS], 'continued, /final');
    expect(c.final.attrs).toEqual(expectedAttrs(STEPS, 3));
    expect(c.root.restarted_from).toBe('continued.h5 /checkpoints/step_000040');

    // Into a new file, which starts with the checkpoint it continues from; the old file is left as it was.
    const other = await heat(2, ['--restart', 'stopped.h5', '--out', 'other.h5', '--every', '15', '--steps', String(STEPS)]);
    expect(other).toMatchObject({ ranks: 2, start_step: 40, checkpoints: [40, 45, 60], digest: digestOf(REF[STEPS]), restart: 'stopped.h5' });
    const o = readFile(path.join(dir, 'other.h5'));
    expect([...o.checkpoints.keys()]).toEqual([40, 45, 60]);
    for (const [step, cp] of o.checkpoints) {
      expectSameBits(cp.data, REF[step], `other, step ${step}`);
      expect(cp.attrs).toEqual(expectedAttrs(step, 2));
    }
    expectSameBits(o.final.data, REF[STEPS], 'other, /final');
    expect([...readFile(path.join(dir, 'stopped.h5')).checkpoints.keys()]).toEqual([20, 40]);

    // A run already at its last step rewrites /final only.
    const none = await heat(1, ['--restart', 'other.h5', '--out', 'other.h5', '--steps', String(STEPS)]);
    expect(none).toMatchObject({ start_step: 60, checkpoints: [], digest: digestOf(REF[STEPS]) });
  });
});

describe('bad arguments', () => {
  const cases: [string, string[], RegExp][] = [
    ['no --out', ['--nx', '8'], /^heat\.js: --out is required: the HDF5 file the checkpoints go to \(see heat\.js --help\)$/],
    ['an unstable alpha', ['--out', 'x.h5', '--alpha', '0.3'], /^heat\.js: --alpha must be in \(0, 0\.25\] for the explicit scheme to be stable, got 0\.3 /],
    ['a non-number', ['--out', 'x.h5', '--alpha', 'hot'], /^heat\.js: --alpha must be a number, got 'hot' /],
    ['a zero size', ['--out', 'x.h5', '--nx', '0'], /^heat\.js: --nx must be at least 1, got 0 /],
    ['a missing value', ['--out', 'x.h5', '--every'], /^heat\.js: --every needs a value /],
    ['an unknown option', ['--out', 'x.h5', '--nz', '3'], /^heat\.js: unknown option '--nz' /],
    ['a positional argument', ['heat.h5'], /^heat\.js: unexpected argument 'heat\.h5'; every argument is an option /],
    ['a missing directory', ['--out', '/no/such/dir/h.h5'], /^heat\.js: --out '\/no\/such\/dir\/h\.h5': directory '\/no\/such\/dir' does not exist /],
    ['a missing restart file', ['--out', 'x.h5', '--restart', 'none.h5'], /^heat\.js: --restart 'none\.h5' does not exist /],
    ['a size with --restart', ['--out', 'x.h5', '--restart', 'stopped.h5', '--nx', '40'], /^heat\.js: --nx cannot be given with --restart: it comes from the checkpoint /],
    ['steps before the checkpoint', ['--out', 'x.h5', '--restart', 'stopped.h5', '--steps', '30'], /^heat\.js: --steps 30 is before the last checkpoint of 'stopped\.h5', step 40 /],
  ];

  beforeAll(async () => {
    if (!fs.existsSync(path.join(dir, 'stopped.h5'))) await heat(2, [...SMALL, '--steps', '40', '--out', 'stopped.h5']);
  });

  // Under mpiexec every rank exits with `code`; MPICH's hydra may report 9 instead (it kills the ranks still
  // running) and box the failure on its stdout.
  const once = (r: RunResult, code: number, message: RegExp, ranks = 1): void => {
    expect(expectedJobStatuses(code, ranks)).toContain(r.code);
    expect(withoutLauncherNotice(r.stdout)).toBe('');
    const ours = r.stderr.split('\n').filter((l) => l.startsWith('heat.js:'));
    expect(ours).toEqual([expect.stringMatching(message)]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  test.each(cases)('%s: one line, exit code 2', async (_what, args, message) => {
    const r = await mpirun(0, HEAT, args, { cwd: dir });
    once(r, 2, message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('under mpiexec, a grid smaller than the grid of ranks is said once, exit code 2', async () => {
    const r = await mpirun(3, HEAT, ['--out', 'x.h5', '--nx', '2', '--ny', '9'], { cwd: dir });
    once(r, 2, /^heat\.js: a 2 x 9 grid is too small for 3 ranks: they form a 3 x 1 grid, and each needs at least one row and one column /, 3);
  });

  test('under mpiexec, restarting from a file without checkpoints is said once, exit code 1', async () => {
    await heat(2, ['--nx', '5', '--ny', '5', '--steps', '3', '--every', '5', '--out', 'early.h5']);
    const r = await mpirun(2, HEAT, ['--out', 'x.h5', '--restart', 'early.h5'], { cwd: dir });
    once(r, 1, /^heat\.js: 'early\.h5' has no group \/checkpoints: it was not written by heat\.js, or its run ended before the first checkpoint$/, 2);
    fs.writeFileSync(path.join(dir, 'text.h5'), 'not hdf5\n');
    const t = await mpirun(2, HEAT, ['--out', 'x.h5', '--restart', 'text.h5'], { cwd: dir });
    once(t, 1, /^heat\.js: --restart: .*'text\.h5' is not an HDF5 file/, 2);
  });

  test('--help explains the options and exits 0', async () => {
    const r = await mpirun(0, HEAT, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: mpiexec -n NPROCS node demo\/heat\.js --out FILE/);
    for (const o of ['--nx', '--ny', '--steps', '--every', '--alpha', '--restart', '--no-overlap', '--json', '--help']) expect(r.stdout).toContain(o);
    expect(r.stderr).toBe('');
  });
});
