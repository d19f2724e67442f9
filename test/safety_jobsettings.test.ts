// Job-wide settings on one host: H5MPI_CHECK_COLLECTIVE, H5MPI_FAIL_FAST and H5MPI_HANG_TIMEOUT are rank
// 0's on every rank (lib/jobenv.ts), whatever the other ranks' environments hold. Each job is started as
// two app contexts of one mpiexec (rank 0 with one environment, the others with another), which is what
// ranks on remote hosts see without `mpiexec -x`; test/multihost.test.ts does the same across hosts.
import * as path from 'node:path';
import { describeRun, mpirun, reportsLabelled, RunResult, SCENARIOS } from './helpers/mpirun';

const NAMES = ['H5MPI_CHECK_COLLECTIVE', 'H5MPI_FAIL_FAST', 'H5MPI_HANG_TIMEOUT'];
const SCRIPT = 'multihost.js';

/** `env` words that give a rank exactly `vars` among the job-wide names (unset for the others). */
function envWords(vars: Record<string, string>): string[] {
  return ['env', ...NAMES.filter((n) => !(n in vars)).flatMap((n) => ['-u', n]), ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)];
}

/** Runs multihost.js `part` on n ranks: rank 0 with `root`'s settings, the others with `others`'. */
function run(n: number, part: string, root: Record<string, string>, others: Record<string, string>, timeoutMs = 30_000): Promise<RunResult> {
  const file = path.join(SCENARIOS, SCRIPT);
  return mpirun(n, SCRIPT, [part], {
    timeoutMs,
    env: { H5MPI_CHECK_COLLECTIVE: undefined },
    launcher: (k) => ['mpiexec', '-n', '1', ...envWords(root), process.execPath, file, part, ':', '-n', String(k - 1), ...envWords(others)],
  });
}

type Where = { env: Record<string, string | null>; applied: Record<string, string | null>; watching: boolean; failFast: boolean; commChecking: boolean; fileChecking: boolean };

test('rank 0 alone has the settings: every rank applies them (checking, fail-fast off, the watchdog)', async () => {
  const r = await run(3, 'where', { H5MPI_CHECK_COLLECTIVE: '1', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '30' }, {});
  expect({ code: r.code, why: describeRun(r) }).toMatchObject({ code: 0 });
  const w = reportsLabelled<Where>(r.results, 'where');
  expect(w[1].env).toEqual({ H5MPI_CHECK_COLLECTIVE: null, H5MPI_FAIL_FAST: null, H5MPI_HANG_TIMEOUT: null });
  for (const x of w) {
    expect(x.applied).toEqual({ H5MPI_CHECK_COLLECTIVE: '1', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '30' });
    expect([x.watching, x.failFast, x.commChecking, x.fileChecking]).toEqual([true, false, true, true]);
  }
});

test('the other ranks\' own settings give way to rank 0\'s, also where rank 0 has none', async () => {
  const r = await run(3, 'where', {}, { H5MPI_CHECK_COLLECTIVE: '0', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '5' });
  expect({ code: r.code, why: describeRun(r) }).toMatchObject({ code: 0 });
  const w = reportsLabelled<Where>(r.results, 'where');
  expect(w[2].env).toEqual({ H5MPI_CHECK_COLLECTIVE: '0', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '5' });
  for (const x of w) {
    expect(x.applied).toEqual({ H5MPI_CHECK_COLLECTIVE: null, H5MPI_FAIL_FAST: null, H5MPI_HANG_TIMEOUT: null });
    expect([x.watching, x.failFast, x.commChecking, x.fileChecking]).toEqual([false, true, false, true]);
  }
});

test('the watchdog fires on ranks whose own environment does not set it, naming the call', async () => {
  const r = await run(3, 'hang0', { H5MPI_HANG_TIMEOUT: '2' }, {});
  // Not the exit status itself (124 from the rank): some launchers report another for a job they end.
  expect({ timedOut: r.timedOut, failed: r.code !== 0, why: describeRun(r) }).toMatchObject({ timedOut: false, failed: true });
  expect(reportsLabelled<{ watching: boolean }>(r.results, 'ready').map((x) => x.watching)).toEqual([true, true, true]);
  const lines = r.stderr.split('\n').filter((l) => l.includes('stuck for'));
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).toMatch(/^\[h5mpi\] rank [12] of 3 \(.*\): stuck for [0-9.]+ s .* in MPI\.COMM_WORLD\.recv\(source 0, tag 77\)/);
    expect(line).toContain('H5MPI_HANG_TIMEOUT=2');
  }
});
