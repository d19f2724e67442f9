// The hang watchdog: with H5MPI_HANG_TIMEOUT=2, a job whose last rank never makes a collective call ends
// with a non-zero status long before the harness's own timeout, and the waiting ranks say which call they
// were stuck in - a Comm collective, the collective-call check, or HDF5's own collective write. Without a
// hang it stays silent, and without the variable nothing is watched.
import * as path from 'node:path';
import { describeRun, expectedJobStatuses, mpirun, RANK_COUNTS, tmpdir } from './helpers/mpirun';

const HANG_EXIT_CODE = 124;
const TIMEOUT = '2';

async function hang(n: number, kind: string, env: Record<string, string | undefined> = { H5MPI_HANG_TIMEOUT: TIMEOUT }) {
  const file = path.join(tmpdir(), `hang-${kind}.h5`);
  // The harness kills the job after 45 s: a watchdog that did not fire shows as timedOut.
  const r = await mpirun(n, 'safety_hang.js', [kind, file], { timeoutMs: 45_000, env });
  return { r, file };
}

describe.each([
  ['barrier', 'MPI.COMM_WORLD.barrier()'],
  ['check', "createGroup('g') > collective-call check > MPI.COMM_WORLD.allreduce()"],
  ['hdf5', "Dataset '/x'.write (collective)"],
  ['recv', 'MPI.COMM_WORLD.recv(source LAST, tag 99)'],
  ['wait', 'MPI.COMM_WORLD.irecvInto(source LAST, tag 98).wait()'],
])('a rank that never makes the call (%s)', (kind, call) => {
  const counts = kind === 'check' ? [2, 3, 4] : [4];
  test.each(counts)('ends a %i-rank job with status 124, naming the call', async (n) => {
    const { r } = await hang(n, kind);
    const why = describeRun(r);
    expect({ timedOut: r.timedOut, why }).toMatchObject({ timedOut: false });
    // 124 from the rank the watchdog ended (MPICH's hydra: 9, the SIGKILL it ends the other ranks with).
    expect(expectedJobStatuses(HANG_EXIT_CODE, n)).toContain(r.code);
    // Every rank got to the call (the last one then went to sleep instead), none got past it.
    expect(r.results.map((rs) => rs.map((x) => x.label))).toEqual(Array.from({ length: n }, () => ['ready']));
    const lines = r.stderr.split('\n').filter((l) => l.includes('[h5mpi] rank'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(new RegExp(`^\\[h5mpi\\] rank [0-${n - 2}] of ${n} \\(.*pid \\d+\\): stuck for [0-9.]+ s \\(since \\d\\d:\\d\\d:\\d\\d\\) in `));
      expect(line).toContain(call.replace('LAST', String(n - 1)));
      expect(line).toContain(`H5MPI_HANG_TIMEOUT=${TIMEOUT}`);
    }
  });
});

describe.each(RANK_COUNTS)('no hang on %i rank(s)', (n) => {
  test('the watchdog stays silent through many collective calls that finish', async () => {
    const { r } = await hang(n, 'none');
    expect({ code: r.code, why: describeRun(r) }).toMatchObject({ code: 0 });
    expect(r.stderr).not.toContain('stuck for');
    expect(r.results.map((rs) => rs.map((x) => x.label))).toEqual(Array.from({ length: n }, () => ['ready', 'done']));
  });
});

test('without H5MPI_HANG_TIMEOUT nothing is watched: the same hang lasts until the harness kills it', async () => {
  const file = path.join(tmpdir(), 'hang-unwatched.h5');
  const r = await mpirun(2, 'safety_hang.js', ['barrier', file], { timeoutMs: 8_000, env: { H5MPI_HANG_TIMEOUT: undefined } });
  expect(r.timedOut).toBe(true);
  expect(r.stderr).not.toContain('stuck for');
});

test('a malformed H5MPI_HANG_TIMEOUT is refused by name when MPI starts', async () => {
  const { r } = await hang(2, 'none', { H5MPI_HANG_TIMEOUT: 'soon' });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain("H5MPI_HANG_TIMEOUT must be a number of seconds (0 turns the watchdog off), got 'soon'");
});
