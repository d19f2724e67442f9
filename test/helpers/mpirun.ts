// Runs a scenario script under `mpiexec -n N node`, bounded in time, and collects what each rank reported.
// Scenarios report with test/scenarios/report.js; a failing run's message shows every rank's output.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { identifyMPI, jobExitStatuses, launchEnv, launcherNotice, MPIImplementation } from '../../lib/mpiimpl';

export const SCENARIOS = path.join(__dirname, '..', 'scenarios');
export const ROOT = path.join(__dirname, '..', '..');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
  /** Reports by rank: results[rank] is the list of objects that rank reported, in order. */
  results: Record<string, unknown>[][];
}

export interface RunOptions {
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** `script` is a program to run as it is (a compiled C peer, by absolute path), not a scenario for node. */
  executable?: boolean;
  /** The command that starts n ranks, in place of `mpiexec -n n` (test/multihost.test.ts: another host's mpiexec, srun). */
  launcher?: (n: number) => string[];
}

let launcher: MPIImplementation | undefined;

/**
 * The MPI implementation of the `mpiexec` on PATH (from `mpiexec --version`): what the environment, the
 * launcher's flags and the exit statuses the tests expect are chosen by (lib/mpiimpl.ts).
 */
export function launcherMPI(): MPIImplementation {
  if (!launcher) {
    const r = spawnSync('mpiexec', ['--version'], { encoding: 'utf8', timeout: 30_000 });
    launcher = identifyMPI(`${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  }
  return launcher;
}

/**
 * The environment the MPI here needs (lib/mpiimpl.ts launchEnv: for Open MPI, oversubscription on 2 cores
 * and root only when we are root; nothing for MPICH). And H5MPI_CHECK_COLLECTIVE=1, so that every
 * scenario's Comm collectives are checked too (opt-in for users, as it doubles a small collective's cost):
 * a rank that calls out of step fails the test with a clear error.
 */
export function mpiEnv(extra: Record<string, string | undefined> = {}, sessionBase?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...launchEnv(launcherMPI(), !!process.getuid && process.getuid() === 0, sessionBase),
    H5MPI_CHECK_COLLECTIVE: '1',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/**
 * The exit statuses a job of `ranks` may end with when a rank ends it with `rankStatus` on its own (the
 * watchdog, an exit): the status itself under Open MPI; under MPICH's hydra also SIGKILL's 9, with which
 * it ends the other ranks (lib/mpiimpl.ts jobExitStatuses).
 */
export function expectedJobStatuses(rankStatus: number, ranks: number): number[] {
  return jobExitStatuses(launcherMPI(), rankStatus, ranks);
}

/** `mpiexec`'s stdout without the launcher's own notice of a failed job (MPICH's hydra prints a box there). */
export function withoutLauncherNotice(stdout: string): string {
  const notice = launcherNotice(launcherMPI());
  if (!notice) return stdout;
  return stdout
    .split('\n')
    .filter((l) => !notice.test(l))
    .join('\n')
    .replace(/^\n+$/, '');
}

const MARK = '@@h5mpi ';

function parse(stdout: string): Record<string, unknown>[][] {
  const results: Record<string, unknown>[][] = [];
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(MARK);
    if (i < 0) continue;
    const obj = JSON.parse(line.slice(i + MARK.length)) as Record<string, unknown>;
    const r = obj.rank as number;
    (results[r] ??= []).push(obj);
  }
  return results;
}

/** Runs `node script args` on n ranks (n = 0: plain `node`, no mpiexec); with `executable`, `script args`. */
export function mpirun(n: number, script: string, args: string[] = [], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const file = path.isAbsolute(script) ? script : path.join(SCENARIOS, script);
  const program = opts.executable ? [file, ...args] : [process.execPath, file, ...args];
  const launch = opts.launcher?.(n) ?? ['mpiexec', '-n', String(n)];
  const [cmd, argv] = n === 0 ? [program[0], program.slice(1)] : [launch[0], [...launch.slice(1), ...program]];
  const started = Date.now();
  return new Promise((resolve) => {
    // mpiexec forwards each rank's stdout in chunks that can interleave mid-line with other ranks' output
    // (seen with reports of a few KB), so report.js also appends each rank's reports to a file of its own.
    const reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5mpi-reports-'));
    // Where a job this kills leaves its session directory (lib/mpiimpl.ts launchEnv), removed with it.
    const sessionBase = fs.mkdtempSync(path.join(os.tmpdir(), 'h5mpi-session-'));
    const env = mpiEnv({ H5MPI_REPORT_DIR: reportDir, ...opts.env }, sessionBase);
    const child = spawn(cmd, argv, { env, cwd: opts.cwd ?? ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const kill = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, signal); // the whole process group: mpiexec (and Open MPI's ranks)
      } catch {
        /* already gone */
      }
    };
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      // MPICH's hydra starts each rank in a session of its own, out of the group's reach: a terminated
      // mpiexec ends its ranks itself; whatever is left gets SIGKILL.
      kill('SIGTERM');
      hardKill = setTimeout(() => kill('SIGKILL'), 3000);
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(hardKill);
      const files = fs.readdirSync(reportDir).sort();
      const reports = files.map((f) => fs.readFileSync(path.join(reportDir, f), 'utf8')).join('');
      fs.rmSync(reportDir, { recursive: true, force: true });
      fs.rmSync(sessionBase, { recursive: true, force: true });
      resolve({ code, signal, timedOut, stdout, stderr, ms: Date.now() - started, results: parse(files.length > 0 ? reports : stdout) });
    });
  });
}

/** Explains a run for a failed assertion. */
export function describeRun(r: RunResult): string {
  return `exit ${r.code}${r.signal ? ` (signal ${r.signal})` : ''}${r.timedOut ? ' TIMED OUT' : ''} after ${r.ms} ms\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Runs and requires success; returns the results by rank. */
export async function mpirunOk(n: number, script: string, args: string[] = [], opts: RunOptions = {}): Promise<Record<string, unknown>[][]> {
  const r = await mpirun(n, script, args, opts);
  if (r.code !== 0 || r.timedOut) throw new Error(`mpiexec -n ${n} ${script} ${args.join(' ')} failed: ${describeRun(r)}`);
  const expected = n === 0 ? 1 : n;
  if (r.results.length !== expected) throw new Error(`expected reports from ${expected} ranks, got ${r.results.length}: ${describeRun(r)}`);
  return r.results;
}

/** A fresh temporary directory for a test's files. */
export function tmpdir(prefix = 'h5mpi-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Rank counts every multi-rank behaviour is tested at: 1, 2, 4 and an odd count. */
export const RANK_COUNTS = [1, 2, 3, 4];

/** Each rank's one report labelled `label`, by rank (a missing or repeated label is an error). */
export function reportsLabelled<T = Record<string, unknown>>(results: Record<string, unknown>[][], label: string): T[] {
  return results.map((list, rank) => {
    const found = list.filter((o) => o.label === label);
    if (found.length !== 1) throw new Error(`rank ${rank} made ${found.length} reports labelled '${label}': ${JSON.stringify(list)}`);
    return found[0] as T;
  });
}

/**
 * The all-or-none rule, as reported: rank `culprit` threw its own error (`name`, matching `message`); every
 * other rank threw a PeerFailedError naming it and carrying its message.
 */
export function expectPeerFailure(reports: Record<string, unknown>[], culprit: number, name: string, message: RegExp): void {
  for (const r of reports) {
    if (r.rank === culprit) {
      expect(r).toMatchObject({ threw: true, name });
      expect(r.message).toMatch(message);
    } else {
      expect(r).toMatchObject({ threw: true, name: 'PeerFailedError', ranks: [culprit] });
      expect(r.message).toContain(`not started on any rank because rank ${culprit} failed to prepare it`);
      expect((r.messages as string[])[0]).toMatch(message);
    }
  }
}
