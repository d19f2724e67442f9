// MPI implementations: recognised at run time (MPI.implementation), one-line versions and error texts,
// UCX's hooks off before libmpi loads, sends to oneself on every MPI, and a launcher of another MPI
// stopped at start (test/scenarios/mpi_impl.js); the launch settings each implementation gets.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { identifyMPI, jobExitStatuses, launchEnv, launcherJob, launchedByMPI, launcherNotice, majorVersion, sizeMismatch } from '../lib/mpiimpl';
import { describeRun, launcherMPI, mpiEnv, mpirun, mpirunOk, RANK_COUNTS, reportsLabelled, SCENARIOS, tmpdir } from './helpers/mpirun';

type Report = Record<string, unknown>;
interface InfoReport {
  implementation: { name: string; version: string; family: string };
  frozen: boolean;
  version: string;
  libraryVersion: string;
  versionsMpi: string;
  size: number;
  ucxAtStart: string | null;
  ucx: string | null;
  mpiError: { name: string; message: string; code: string; errorClass: number; detail: string | null };
}

// Version texts as the libraries and launchers print them (MPI_Get_library_version, `mpiexec --version`).
const TEXTS: [string, string, { name: string; version: string; family: string }][] = [
  ['Open MPI 4 library', 'Open MPI v4.1.4, package: Debian OpenMPI, ident: 4.1.4, repo rev: v4.1.4, May 26, 2022', { name: 'Open MPI', version: '4.1.4', family: 'openmpi' }],
  ['Open MPI 5 library', 'Open MPI v5.0.7, package: Debian OpenMPI, ident: 5.0.7, repo rev: v5.0.7, Feb 14, 2025', { name: 'Open MPI', version: '5.0.7', family: 'openmpi' }],
  ['Open MPI 4 mpiexec', 'mpiexec (OpenRTE) 4.1.4\n\nReport bugs to http://www.open-mpi.org/community/help/\n', { name: 'Open MPI', version: '4.1.4', family: 'openmpi' }],
  ['Open MPI 5 mpiexec', 'mpiexec (Open MPI) 5.0.7\n\nReport bugs to https://www.open-mpi.org/community/help/\n', { name: 'Open MPI', version: '5.0.7', family: 'openmpi' }],
  ['MPICH library', 'MPICH Version:      4.0.2\nMPICH Release date: Thu Apr  7 12:34:45 CDT 2022\nMPICH ABI:          14:2:2\nMPICH Device:       ch4:ucx\n', { name: 'MPICH', version: '4.0.2', family: 'mpich' }],
  ['MPICH mpiexec', 'HYDRA build details:\n    Version:                                 4.0.2\n    Release Date:                            Thu Apr  7 12:34:45 CDT 2022\n', { name: 'MPICH', version: '4.0.2', family: 'mpich' }],
  ['Intel MPI library', 'Intel(R) MPI Library 2021.10 for Linux* OS\n\n', { name: 'Intel MPI', version: '2021.10', family: 'mpich' }],
  ['Intel MPI mpiexec', 'Intel(R) MPI Library for Linux* OS, Version 2021.6 Build 20220227 (id: 28877f3f32)\nCopyright 2003-2022, Intel Corporation.', { name: 'Intel MPI', version: '2021.6', family: 'mpich' }],
  ['MVAPICH2 library', 'MVAPICH2 Version      :\t2.3.7\nMVAPICH2 Release date :\tWed March 02 22:00:00 EST 2022\nMVAPICH2 Device       :\tch3:mrail\n', { name: 'MVAPICH', version: '2.3.7', family: 'mpich' }],
  ['Cray MPICH library', 'MPI VERSION    : CRAY MPICH version 8.1.25.17 (ANL base 3.4a2)\nMPI BUILD INFO : Sun Feb 26 15:15 2023 (git hash aecd99f)\n', { name: 'Cray MPICH', version: '8.1.25.17', family: 'mpich' }],
  ['something else', 'FooMPI 1.0', { name: 'unknown', version: '', family: 'unknown' }],
];

describe('recognising an implementation from its version text', () => {
  test.each(TEXTS)('%s', (_what, text, expected) => {
    expect(identifyMPI(text)).toEqual(expected);
  });
});

describe("what a launcher's environment says about the job", () => {
  test('the launchers own variables first, then a Slurm step; a batch script alone is no job', () => {
    expect(launcherJob({ OMPI_COMM_WORLD_SIZE: '4', SLURM_PROCID: '0', SLURM_STEP_NUM_TASKS: '2' })).toEqual({ size: 4, variable: 'OMPI_COMM_WORLD_SIZE', launcher: "Open MPI's mpiexec" });
    expect(launcherJob({ PMI_SIZE: '3', PMI_RANK: '1', MPI_LOCALNRANKS: '3' })).toMatchObject({ size: 3, variable: 'PMI_SIZE' });
    expect(launcherJob({ MPI_LOCALNRANKS: '2' })).toMatchObject({ size: 2, variable: 'MPI_LOCALNRANKS' });
    expect(launcherJob({ SLURM_PROCID: '1', SLURM_STEP_NUM_TASKS: '8', SLURM_NTASKS: '8' })).toEqual({ size: 8, variable: 'SLURM_STEP_NUM_TASKS', launcher: 'srun' });
    expect(launcherJob({ SLURM_NTASKS: '8', SLURM_JOB_ID: '12' })).toBeUndefined(); // `node app.js` in a batch script
    expect(launcherJob({})).toBeUndefined();
    expect(launchedByMPI({ PMIX_RANK: '0' })).toBe(true);
    expect(launchedByMPI({ SLURM_NTASKS: '8' })).toBe(false);
  });

  test('a mismatch only when the launcher says more than one rank and MPI says one', () => {
    const impl = { name: 'MPICH', version: '4.0.2', family: 'mpich' as const };
    const job = { size: 2, variable: 'OMPI_COMM_WORLD_SIZE', launcher: "Open MPI's mpiexec" };
    expect(sizeMismatch(job, 2, impl)).toBeUndefined();
    expect(sizeMismatch({ ...job, size: 1 }, 1, impl)).toBeUndefined();
    expect(sizeMismatch(undefined, 1, impl)).toBeUndefined();
    expect(sizeMismatch(job, 1, impl)).toMatch(/^MPI\.COMM_WORLD: the launcher started this process as one of 2 ranks \(OMPI_COMM_WORLD_SIZE=2, set by Open MPI's mpiexec\), but MPI \(MPICH 4\.0\.2, which h5mpi is built with\) runs it as a job of 1 rank/);
  });
});

describe('launch settings by implementation', () => {
  test("Open MPI gets its OMPI_* settings (root's only as root); the MPICH family gets none", () => {
    const ompi = identifyMPI('mpiexec (OpenRTE) 4.1.4');
    expect(launchEnv(ompi, false)).toEqual({ OMPI_MCA_rmaps_base_oversubscribe: '1', OMPI_MCA_btl_vader_single_copy_mechanism: 'none' });
    expect(launchEnv(ompi, true)).toMatchObject({ OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' });
    for (const text of TEXTS.filter(([, , e]) => e.family !== 'openmpi').map(([, t]) => t)) {
      expect(launchEnv(identifyMPI(text), true)).toEqual({});
    }
    // Open MPI 5 launches through PRRTE: oversubscription through its mapping policy, and the weighted
    // reachability component (netlink's pairs no container interfaces, and every rank says so on stderr).
    expect(launchEnv(identifyMPI('mpiexec (Open MPI) 5.0.7'), false)).toEqual({
      OMPI_MCA_rmaps_base_oversubscribe: '1',
      OMPI_MCA_btl_vader_single_copy_mechanism: 'none',
      PRTE_MCA_rmaps_default_mapping_policy: ':oversubscribe',
      OMPI_MCA_reachable: 'weighted',
    });
    expect(launchEnv(identifyMPI('mpiexec (Open MPI) 5.0.7'), true)).toMatchObject({ PRTE_ALLOW_RUN_AS_ROOT: '1', PRTE_ALLOW_RUN_AS_ROOT_CONFIRM: '1' });
    expect(launchEnv(ompi, true)).not.toHaveProperty('PRTE_ALLOW_RUN_AS_ROOT');
    expect(launchEnv(identifyMPI('mpiexec (Open MPI) 5.0.7'), false, '/x')).toMatchObject({ PRTE_MCA_prte_tmpdir_base: '/x' });
    expect(launchEnv(ompi, false, '/x')).not.toHaveProperty('PRTE_MCA_prte_tmpdir_base');
    const mpich = identifyMPI('MPICH Version: 4.0.2');
    expect(jobExitStatuses(ompi, 124, 3)).toEqual([124]);
    expect(jobExitStatuses(mpich, 124, 3)).toEqual([124, 9]);
    expect(jobExitStatuses(mpich, 124, 1)).toEqual([124]);
    expect(launcherNotice(ompi)).toBeUndefined();
    const box = ['', '===================================================================================', '=   BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES', '=   PID 10532 RUNNING AT vm', '=   EXIT CODE: 9', '=   CLEANING UP REMAINING PROCESSES', '=   YOU CAN IGNORE THE BELOW CLEANUP MESSAGES', '==================================================================================='];
    expect(box.filter((l) => l !== '' && !launcherNotice(mpich)!.test(l))).toEqual([]);
    expect(launcherNotice(mpich)!.test('heat.js: a 2 x 9 grid is too small')).toBe(false);
  });

  test("the launcher on PATH is recognised, and scripts/mpienv.sh sets OMPI_* exactly when it is Open MPI's", () => {
    const launcher = launcherMPI();
    expect(launcher.family).not.toBe('unknown');
    expect(launcher.version).toMatch(/^\d+\.\d+/);
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith('OMPI_') || k.startsWith('PRTE_') || k === 'UCX_MEM_EVENTS') delete env[k];
    const script = path.join(__dirname, '..', 'scripts', 'mpienv.sh');
    const out = execFileSync('bash', ['-c', `source ${script} && env`], { env, encoding: 'utf8' });
    const set = Object.fromEntries(out.split('\n').filter((l) => /^(OMPI_|PRTE_|UCX_MEM_EVENTS=)/.test(l)).map((l) => l.split('=', 2) as [string, string]));
    const expected = { ...launchEnv(launcher, process.getuid?.() === 0), UCX_MEM_EVENTS: 'no' };
    expect(set).toEqual(expected);
  });
});

// Open MPI 5's launcher refuses to start when a session directory named after its pid exists, which a killed
// job leaves behind (CI saw 7 tests fail so once pids had wrapped). Every pid's directory is planted in the
// launcher's default base: a job given a base of its own starts; one without fails, as the CI's did.
test('a session directory left by a killed job does not stop the next job (Open MPI 5; others: nothing to do)', async () => {
  const launcher = launcherMPI();
  if (launcher.family !== 'openmpi' || majorVersion(launcher) < 5) {
    expect(mpiEnv({}, '/x')).not.toHaveProperty('PRTE_MCA_prte_tmpdir_base');
    return;
  }
  const pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
  expect(pidMax).toBeLessThanOrEqual(1 << 22);
  const stale = tmpdir();
  const host = os.hostname();
  for (let pid = 1; pid <= pidMax; pid++) fs.mkdirSync(path.join(stale, `prterun.${host}.${pid}.0`));
  try {
    const refused = spawnSync('mpiexec', ['-n', '1', 'true'], { env: mpiEnv({ TMPDIR: stale }), encoding: 'utf8', timeout: 60_000 });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('prte_session_dir failed');
    const r = await mpirun(2, 'mpi_impl.js', ['info'], { env: { TMPDIR: stale } });
    if (r.code !== 0) throw new Error(describeRun(r));
    expect(r.results.map((l) => l[0].size)).toEqual([2, 2]);
  } finally {
    fs.rmSync(stale, { recursive: true, force: true });
  }
}, 120_000);

describe.each(RANK_COUNTS)('on %i rank(s)', (n) => {
  test('MPI.implementation is the launcher’s MPI; version() is one line of libraryVersion(); MPI errors are one line', async () => {
    const results = await mpirunOk(n, 'mpi_impl.js', ['info'], { env: { UCX_MEM_EVENTS: undefined } });
    const { family } = launcherMPI();
    for (const r of reportsLabelled<InfoReport>(results, 'info')) {
      expect(r.implementation.family).toBe(family);
      expect(r.implementation.version).toMatch(/^\d+\.\d+/);
      expect(r.implementation.name).not.toBe('unknown');
      expect(r.frozen).toBe(true);
      expect(r.version).not.toContain('\n');
      expect(r.version).toBe(r.libraryVersion.trim().split('\n')[0].trim());
      expect(r.versionsMpi).toBe(r.version);
      expect(r.libraryVersion).toContain(r.implementation.version);
      expect(r.size).toBe(n);
      // Set by the loader before the addon (and libmpi) loaded, as the user had not set it.
      expect({ before: r.ucxAtStart, after: r.ucx }).toEqual({ before: null, after: 'no' });
      expect(r.mpiError).toMatchObject({ name: 'MPIError', code: 'MPI_ERR_RANK', errorClass: 6 });
      expect(r.mpiError.message).toMatch(/^MPI_Send failed: \S.*$/);
      expect(r.mpiError.message).not.toContain('\n');
      // MPICH's whole error stack stays available; Open MPI's text is one line already.
      if (r.mpiError.detail !== null) expect(r.mpiError.detail.split('\n').length).toBeGreaterThan(1);
    }
  });

  test('sends to oneself on COMM_WORLD and COMM_SELF complete before their receive: small, object, 4 MiB, 200 in a row', async () => {
    const results = await mpirunOk(n, 'mpi_impl.js', ['self'], { timeoutMs: 90_000 });
    for (const [rank, r] of reportsLabelled<Report>(results, 'self').entries()) {
      for (const comm of ['world', 'self']) {
        expect(r[comm]).toEqual({ one: [rank + 0.5], object: { from: rank, text: 'to myself' }, bigOk: true });
      }
      expect(r.manyInOrder).toBe(true);
      if (n > 1) expect(r.ring).toBe((rank - 1 + n) % n);
    }
  });
});

test('a UCX_MEM_EVENTS the user set is kept', async () => {
  const results = await mpirunOk(1, 'mpi_impl.js', ['info'], { env: { UCX_MEM_EVENTS: 'yes' } });
  expect(results[0][0]).toMatchObject({ ucxAtStart: 'yes', ucx: 'yes' });
});

describe('a launcher of another MPI', () => {
  // The other family's variable, as its mpiexec sets it; MPI itself, started by no launcher of its own, runs
  // the process as a one-rank job.
  const foreign = (): Record<string, string> => (launcherMPI().family === 'openmpi' ? { PMI_SIZE: '3', PMI_RANK: '1' } : { OMPI_COMM_WORLD_SIZE: '3', OMPI_COMM_WORLD_RANK: '1' });

  test('stops at start with an MPIError naming both (its variables on a plain node)', async () => {
    const r = await mpirun(0, 'mpi_impl.js', ['start'], { env: foreign() });
    const [variable] = Object.keys(foreign());
    expect({ code: r.code, why: describeRun(r) }).toMatchObject({ code: 0 });
    const impl = launcherMPI();
    expect(r.results[0][0]).toMatchObject({ label: 'start', name: 'MPIError', code: 'MPI_ERR_OTHER' });
    const message = r.results[0][0].message as string;
    expect(message).toContain(`the launcher started this process as one of 3 ranks (${variable}=3`);
    expect(message).toContain(`but MPI (${impl.name} ${impl.version}, which h5mpi is built with) runs it as a job of 1 rank`);
    expect(message).toContain('npm rebuild h5mpi');
  });

  // The classic for real: MPICH's mpiexec (from the mpich environment root, scripts/envroot.sh) starting
  // this machine's Open MPI build. Root only, where that root exists.
  const hydra = '/var/cache/h5mpi/envroots/mpich/usr/bin/mpiexec.hydra';
  const canRun = launcherMPI().family === 'openmpi' && fs.existsSync(hydra);
  (canRun ? test : test.skip)("MPICH's mpiexec starting an Open MPI build: every rank stops, naming PMI_SIZE", () => {
    const lib = path.join(path.dirname(path.dirname(hydra)), 'lib', 'x86_64-linux-gnu');
    // hydra needs the root's libraries; the ranks must not see them.
    const r = spawnSync(hydra, ['-n', '2', 'env', '-u', 'LD_LIBRARY_PATH', process.execPath, path.join(SCENARIOS, 'mpi_impl.js'), 'start'], {
      env: { ...process.env, LD_LIBRARY_PATH: lib },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('@@h5mpi '));
    expect({ status: r.status, lines: lines.length, stderr: r.stderr }).toMatchObject({ status: 0, lines: 2 });
    for (const l of lines) {
      const o = JSON.parse(l.slice(8)) as Report;
      expect(o).toMatchObject({ name: 'MPIError', code: 'MPI_ERR_OTHER' });
      expect(o.message).toContain('one of 2 ranks (PMI_SIZE=2, set by an MPICH-family mpiexec');
      expect(o.message).toContain(`but MPI (Open MPI ${launcherMPI().version}`);
    }
  });
});
