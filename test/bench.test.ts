// The benchmark suite works end to end: `npm run bench -- --quick` runs every part against every
// implementation available here and writes its JSON, markdown and SVG charts. No timing is asserted (the machine is
// shared and noisy): only that each figure was measured and is a positive number.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, tmpdir } from './helpers/mpirun';

const out = tmpdir('h5mpi-bench-test-');
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}
interface BenchJson {
  meta: { options: { ranks: number[] }; unavailable: Record<string, string>; versions: Record<string, string> };
  io: { table: ({ op: string; mode: string; ranks: number; impl: string } & Stat)[] };
  memory: ({ ranks: number; impl: string; blockMiB: number; shareMiB: number } & Stat)[];
  small: { table: { impl: string; write_us: Stat; read_us: Stat }[] };
  chunking: { table: { layout: string; impl: string; write_s: Stat; read_s: Stat; file_MB: number }[] };
  check: { ranks: number; perOp: { op: string; on_us: number; off_us: number }[]; writeDemo: { on_s: Stat; off_s: Stat; estimatedShare: number } };
  mpi: {
    ranks: number[];
    plan: Record<string, string[]>;
    table: ({ test: string; ranks: number; bytes: number; impl: string; unit: string; unavailable?: string } & Omit<Stat, 'median'> & { median: number | null })[];
  };
  targets: { target: string; value: number; met: boolean }[];
}

const positive = (s: Stat): void => {
  expect(s.n).toBeGreaterThan(0);
  expect(s.median).toBeGreaterThan(0);
  expect(s.min).toBeLessThanOrEqual(s.median);
  expect(s.max).toBeGreaterThanOrEqual(s.median);
};

test('npm run bench -- --quick measures every part and writes bench.json, bench.md, throughput.svg and mpi-latency.svg', () => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'run.js'), '--quick', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
  expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  const json = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8')) as BenchJson;
  // h5mpi always; the peers when installed (CI installs them: scripts/install-deps.sh --with-peers).
  const impls = ['h5mpi', 'h5py', 'c'].filter((i) => !(i in json.meta.unavailable));
  expect(impls).toContain('h5mpi');
  for (const op of ['write', 'read']) {
    for (const mode of ['collective', 'independent']) {
      for (const ranks of json.meta.options.ranks) {
        for (const impl of impls) {
          const row = json.io.table.find((x) => x.op === op && x.mode === mode && x.ranks === ranks && x.impl === impl);
          expect({ op, mode, ranks, impl, found: row !== undefined }).toEqual({ op, mode, ranks, impl, found: true });
          positive(row!);
        }
      }
    }
  }
  for (const impl of impls) {
    for (const ranks of json.meta.options.ranks) {
      const m = json.memory.find((x) => x.ranks === ranks && x.impl === impl)!;
      positive(m);
      // Peak resident memory, and the rank's share of the job's memory, hold at least the rank's block; the
      // share counts the shared pages once per job, so it is at most the resident peak (with sampling slack).
      expect(m.max).toBeGreaterThan(m.blockMiB);
      expect(m.shareMiB).toBeGreaterThan(m.blockMiB);
      expect(m.shareMiB).toBeLessThan(m.max + 8);
    }
    const s = json.small.table.find((x) => x.impl === impl)!;
    positive(s.write_us);
    positive(s.read_us);
    for (const layout of ['contiguous', 'chunked', 'chunked+gzip']) {
      const c = json.chunking.table.find((x) => x.layout === layout && x.impl === impl)!;
      positive(c.write_s);
      positive(c.read_s);
      expect(c.file_MB).toBeGreaterThan(0);
    }
  }
  expect(json.check.perOp.map((p) => p.op)).toEqual(['createGroup', 'attrs.set', 'has']);
  for (const p of json.check.perOp) {
    expect(p.on_us).toBeGreaterThan(0);
    expect(p.off_us).toBeGreaterThan(0);
  }
  positive(json.check.writeDemo.on_s);
  positive(json.check.writeDemo.off_s);
  expect(json.targets.length).toBeGreaterThan(0);

  // The mpi part: every cell of every implementation here. C and mpi4py measure every cell; h5mpi measures
  // each one or says why not (a cell of a call this build lacks, such as comm.alltoall before it lands).
  const mpiImpls = ['h5mpi', 'mpi4py', 'c'].filter((i) => !((i === 'c' ? 'c_mpi' : i) in json.meta.unavailable));
  expect(mpiImpls).toContain('h5mpi');
  const sizes = (test: string): number[] => json.mpi.plan[test].map((spec) => Number(spec.split(':')[0]));
  const cells = [
    ...sizes('latency').map((bytes) => ({ test: 'latency', ranks: 2, bytes })),
    { test: 'object', ranks: 2, bytes: undefined },
    ...sizes('bandwidth').map((bytes) => ({ test: 'bandwidth', ranks: 2, bytes })),
    ...json.mpi.ranks.flatMap((ranks) => ['allreduce', 'alltoall'].flatMap((test) => sizes(test).map((bytes) => ({ test, ranks, bytes })))),
  ];
  expect(cells.length).toBe(10 + 1 + 5 + 2 * 2 * 2);
  for (const { test, ranks, bytes } of cells) {
    for (const impl of mpiImpls) {
      const row = json.mpi.table.find((x) => x.test === test && x.ranks === ranks && (bytes === undefined || x.bytes === bytes) && x.impl === impl);
      expect({ test, ranks, bytes, impl, found: row !== undefined }).toEqual({ test, ranks, bytes, impl, found: true });
      if (impl === 'h5mpi' && row!.unavailable !== undefined) {
        expect({ test, ranks, bytes, median: row!.median, n: row!.n }).toEqual({ test, ranks, bytes, median: null, n: 0 });
        expect(row!.unavailable).toMatch(/^comm\.\w+ /);
      } else {
        expect({ test, ranks, bytes, impl, unavailable: row!.unavailable }).toEqual({ test, ranks, bytes, impl, unavailable: undefined });
        positive(row as Stat);
      }
    }
  }
  for (const impl of mpiImpls) expect(json.mpi.table.find((x) => x.test === 'object' && x.impl === impl)!.bytes).toBeGreaterThan(20);
  expect(json.targets.filter((t) => t.target.startsWith('MPI latency')).length).toBe(mpiImpls.includes('mpi4py') ? 11 : 0);

  const md = fs.readFileSync(path.join(out, 'bench.md'), 'utf8');
  for (const heading of ['Write and read demos', 'Peak memory per rank', 'Small hyperslab calls', 'Chunking demo', 'Collective-call checking', 'MPI latency', 'MPI bandwidth', 'MPI collectives', 'Targets']) {
    expect(md).toContain(heading);
  }
  const svg = fs.readFileSync(path.join(out, 'throughput.svg'), 'utf8');
  expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  // A line per implementation and mode, in each of the two panels.
  expect(svg.match(/<polyline /g)?.length).toBe(2 * 2 * impls.length);
  // The mpi part's chart: latency and bandwidth against size, a line per implementation in each panel.
  const mpiSvg = fs.readFileSync(path.join(out, 'mpi-latency.svg'), 'utf8');
  expect(mpiSvg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(mpiSvg.match(/<polyline /g)?.length).toBe(2 * mpiImpls.length);
});

// --hold-freed-pages: on a kernel that reports free pages to a VM host with settable holding times (as this
// machine's), the run holds freed pages while it measures and puts the previous values back when it ends,
// also when killed; elsewhere it refuses with a one-line reason and measures nothing. The tests point the
// benchmark at parameter files of their own (H5MPI_BENCH_PAGE_REPORTING), with this machine's values where
// it has them, so that they never change the machine's setting.
// The opt-in large-read part (bench/large.js and its peers), at a size that fits the suite: every
// implementation read every value right (the run stops on a wrong one), and each cell has its figures.
test('npm run bench -- --only large measures read(), huge-page read(), readInto, h5py and C at each size', () => {
  const dir = path.join(out, 'large');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'run.js'), '--quick', '--only', 'large', '--large-gib', '0.01,0.02', '--out', dir], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'bench.json'), 'utf8')) as {
    meta: { unavailable: Record<string, string> };
    large: { GiB: number[]; impls: string[]; table: { impl: string; GiB: number; read_s: Stat; cpu_s: Stat }[] };
  };
  const impls = ['h5mpi', 'h5mpi-huge', 'h5mpi-readInto', 'h5py', 'c'].filter((i) => !(i in json.meta.unavailable));
  expect(json.large.impls).toEqual(impls);
  for (const GiB of [0.01, 0.02]) {
    for (const impl of impls) {
      const row = json.large.table.find((x) => x.GiB === GiB && x.impl === impl);
      expect({ GiB, impl, found: row !== undefined }).toEqual({ GiB, impl, found: true });
      positive(row!.read_s);
    }
  }
  expect(fs.readFileSync(path.join(dir, 'bench.md'), 'utf8')).toMatch(/\*\*Large reads\*\*/);
});

describe('npm run bench -- --hold-freed-pages', () => {
  const KERNEL = '/sys/module/page_reporting/parameters';
  const kernel = (name: string, otherwise: string): string => {
    try {
      return fs.readFileSync(path.join(KERNEL, name), 'utf8').trim();
    } catch {
      return otherwise;
    }
  };
  let params = '';
  let before: Record<string, string> = {};
  beforeEach(() => {
    params = fs.mkdtempSync(path.join(out, 'params-'));
    before = { page_reporting_order: kernel('page_reporting_order', '9'), min_free_ms: kernel('min_free_ms', '0'), max_waiting_mib: kernel('max_waiting_mib', '1024') };
    for (const [k, v] of Object.entries(before)) fs.writeFileSync(path.join(params, k), `${v}\n`);
  });
  const read = (name: string): string => fs.readFileSync(path.join(params, name), 'utf8').trim();
  // In a process group of its own, so that an interruption can reach it and its runs, as Ctrl-C does.
  const bench = (dir = params): ChildProcess =>
    spawn(process.execPath, [path.join(ROOT, 'bench', 'run.js'), '--quick', '--only', 'small', '--hold-freed-pages', '--out', out], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, H5MPI_BENCH_PAGE_REPORTING: dir },
    });
  const ended = (child: ChildProcess): Promise<{ code: number | null; signal: string | null; stderr: string }> =>
    new Promise((resolve) => {
      let stderr = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (d: string) => (stderr += d));
      child.stdout!.resume();
      child.on('close', (code, signal) => resolve({ code, signal, stderr }));
    });
  /** Polls the parameter until it reads `value`, for at most 60 s. */
  const until = async (name: string, value: string): Promise<void> => {
    for (const t0 = Date.now(); read(name) !== value; ) {
      if (Date.now() - t0 > 60_000) throw new Error(`${name} stayed ${read(name)}, never ${value}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  test('holds freed pages during the run and restores the setting after it', async () => {
    const child = bench();
    const done = ended(child);
    await until('min_free_ms', '10000');
    expect(read('max_waiting_mib')).toBe('16384');
    const r = await done;
    expect({ code: r.code, stderr: r.stderr.split('\n').filter((l) => !l.startsWith('bench: ')).join('\n') }).toEqual({ code: 0, stderr: '' });
    expect({ min_free_ms: read('min_free_ms'), max_waiting_mib: read('max_waiting_mib') }).toEqual({ min_free_ms: before.min_free_ms, max_waiting_mib: before.max_waiting_mib });
    const json = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8')) as { meta: { machine: { freePageReporting: unknown } } };
    expect(json.meta.machine.freePageReporting).toEqual({ params: before, held: { min_free_ms: '10000', max_waiting_mib: '16384' } });
    expect(fs.readFileSync(path.join(out, 'bench.md'), 'utf8')).toContain('freed pages were held in the guest (min_free_ms 10000, max_waiting_mib 16384, --hold-freed-pages)');
  });

  // Ctrl-C reaches the benchmark's whole process group; a SIGKILL to the benchmark alone leaves it no chance to
  // clean up: either way, its guard process puts the setting back.
  for (const [how, signal, group] of [['Ctrl-C', 'SIGINT', true], ['a SIGKILL', 'SIGKILL', false]] as const) {
    test(`restores the setting when ended by ${how}`, async () => {
      const child = bench();
      const done = ended(child);
      await until('min_free_ms', '10000');
      process.kill(group ? -child.pid! : child.pid!, signal);
      expect((await done).signal).toBe(signal);
      await until('min_free_ms', before.min_free_ms);
      expect(read('max_waiting_mib')).toBe(before.max_waiting_mib);
    });
  }

  test.each([
    ['no free page reporting', () => path.join(params, 'absent'), /^bench: --hold-freed-pages: this kernel reports no free pages to a host \(no .*absent\): nothing to hold$/],
    ['no holding parameter', () => (fs.rmSync(path.join(params, 'max_waiting_mib')), params), /^bench: --hold-freed-pages: this kernel's page reporting has no max_waiting_mib parameter \(it has min_free_ms, page_reporting_order\)$/],
  ])('refuses where there is %s, in one line, and changes nothing', async (_, dir, message) => {
    const r = await ended(bench(dir()));
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(message);
    expect(read('min_free_ms')).toBe(before.min_free_ms);
  });
});
