// Job-wide settings on one host: H5MPI_CHECK_COLLECTIVE, H5MPI_FAIL_FAST and H5MPI_HANG_TIMEOUT are rank
// 0's on every rank (lib/jobenv.ts), whatever the other ranks' environments hold. Each rank starts through
// a shell that gives rank 0 one environment and the others another (by the launcher's rank variable, not
// MPMD app contexts, which Open MPI 5's mpiexec crashes on here): what ranks on remote hosts see without
// `mpiexec -x`. test/multihost.test.ts does the same across hosts.
import { describeRun, mpirun, reportsLabelled, RunResult } from './helpers/mpirun';

const NAMES = ['H5MPI_CHECK_COLLECTIVE', 'H5MPI_FAIL_FAST', 'H5MPI_HANG_TIMEOUT'];
const SCRIPT = 'multihost.js';

/** Shell words that give this process exactly `vars` among the job-wide names. */
function settings(vars: Record<string, string>): string {
  return NAMES.map((n) => (n in vars ? `export ${n}='${vars[n]}'` : `unset ${n}`)).join('; ');
}

/** Runs multihost.js `part` on 2 ranks: rank 0 with `root`'s settings, rank 1 with `other`'s. */
function run(part: string, root: Record<string, string>, other: Record<string, string>, timeoutMs = 30_000): Promise<RunResult> {
  // The rank as Open MPI, MPICH's hydra and Slurm's PMIx tell it, before MPI starts.
  const shell = `r=\${OMPI_COMM_WORLD_RANK:-\${PMI_RANK:-\${PMIX_RANK:-}}}; if [ "$r" = 0 ]; then ${settings(root)}; else ${settings(other)}; fi; exec "$@"`;
  return mpirun(2, SCRIPT, [part], { timeoutMs, launcher: (n) => ['mpiexec', '-n', String(n), 'sh', '-c', shell, 'sh'] });
}

type Where = { env: Record<string, string | null>; applied: Record<string, string | null>; watching: boolean; failFast: boolean; commChecking: boolean; fileChecking: boolean };

test('rank 0 alone has the settings: every rank applies them (checking, fail-fast off, the watchdog)', async () => {
  const r = await run('where', { H5MPI_CHECK_COLLECTIVE: '1', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '30' }, {});
  expect({ code: r.code, why: describeRun(r) }).toMatchObject({ code: 0 });
  const w = reportsLabelled<Where>(r.results, 'where');
  expect(w[0].env).toEqual({ H5MPI_CHECK_COLLECTIVE: '1', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '30' });
  expect(w[1].env).toEqual({ H5MPI_CHECK_COLLECTIVE: null, H5MPI_FAIL_FAST: null, H5MPI_HANG_TIMEOUT: null });
  for (const x of w) {
    expect(x.applied).toEqual({ H5MPI_CHECK_COLLECTIVE: '1', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '30' });
    expect([x.watching, x.failFast, x.commChecking, x.fileChecking]).toEqual([true, false, true, true]);
  }
});

test('the other ranks\' own settings give way to rank 0\'s, also where rank 0 has none', async () => {
  const r = await run('where', {}, { H5MPI_CHECK_COLLECTIVE: '0', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '5' });
  expect({ code: r.code, why: describeRun(r) }).toMatchObject({ code: 0 });
  const w = reportsLabelled<Where>(r.results, 'where');
  expect(w[0].env).toEqual({ H5MPI_CHECK_COLLECTIVE: null, H5MPI_FAIL_FAST: null, H5MPI_HANG_TIMEOUT: null });
  expect(w[1].env).toEqual({ H5MPI_CHECK_COLLECTIVE: '0', H5MPI_FAIL_FAST: '0', H5MPI_HANG_TIMEOUT: '5' });
  for (const x of w) {
    expect(x.applied).toEqual({ H5MPI_CHECK_COLLECTIVE: null, H5MPI_FAIL_FAST: null, H5MPI_HANG_TIMEOUT: null });
    expect([x.watching, x.failFast, x.commChecking, x.fileChecking]).toEqual([false, true, false, true]);
  }
});

test('the watchdog fires on ranks whose own environment does not set it, naming the call', async () => {
  const r = await run('hang0', { H5MPI_HANG_TIMEOUT: '2' }, {});
  // Not the exit status itself (124 from the rank): some launchers report another for a job they end.
  expect({ timedOut: r.timedOut, failed: r.code !== 0, why: describeRun(r) }).toMatchObject({ timedOut: false, failed: true });
  expect(reportsLabelled<{ watching: boolean }>(r.results, 'ready').map((x) => x.watching)).toEqual([true, true]);
  const lines = r.stderr.split('\n').filter((l) => l.includes('stuck for'));
  expect(lines.length).toBeGreaterThan(0);
  for (const line of lines) {
    expect(line).toMatch(/^\[h5mpi\] rank 1 of 2 \(.*\): stuck for [0-9.]+ s .* in MPI\.COMM_WORLD\.recv\(source 0, tag 77\)/);
    expect(line).toContain('H5MPI_HANG_TIMEOUT=2');
  }
});
