// A collective metadata call that HDF5 fails on some ranks only fails on every rank before it returns, at
// 2, 3 and 4 ranks: the failed ranks throw their own H5Error, the others a PeerFailedError naming them, the
// call and the file; the file is then unusable on every rank (the ranks' HDF5 metadata differs), close()
// ends on every rank without writing, and the file on disk keeps what the last flush wrote. A call that
// fails on every rank alike leaves the file usable. The failure is HDF5's own: test/peers/fail_on_rank.c,
// preloaded, makes the named HDF5 function fail on the ranks the scenario (test/scenarios/h5_agree.js)
// chooses, nothing in h5mpi knows of it.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeRun, expectedJobStatuses, mpirun, ROOT, tmpdir } from './helpers/mpirun';

interface Step {
  rank: number;
  label: string;
  threw: boolean;
  value?: unknown;
  name?: string;
  message?: string;
  code?: string;
  ranks?: number[];
  messages?: string[];
}

const dir = tmpdir('h5mpi-agree-');
let shim: string;
beforeAll(() => {
  shim = path.join(dir, 'fail_on_rank.so');
  execFileSync('h5pcc', ['-shared', '-fPIC', '-o', shim, path.join(ROOT, 'test', 'peers', 'fail_on_rank.c'), '-ldl'], { stdio: 'pipe' });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(n: number, which: string, failing: number[] | 'all'): Promise<{ file: string; steps: Step[][] }> {
  const file = path.join(dir, `${which}-${n}-${failing === 'all' ? 'all' : failing.join('_')}.h5`);
  // The watchdog turns a hang into a clear failure of the job well before the test's own time limit.
  const r = await mpirun(n, 'h5_agree.js', [file, which, failing === 'all' ? 'all' : failing.join(',')], {
    timeoutMs: 120_000,
    env: { LD_PRELOAD: shim, H5MPI_HANG_TIMEOUT: '40' },
  });
  if (r.code !== 0 || r.timedOut || r.results.length !== n) throw new Error(`${which} at ${n} ranks: ${describeRun(r)}`);
  return { file, steps: r.results as unknown as Step[][] };
}

const at = (steps: Step[], label: string): Step => {
  const s = steps.find((x) => x.label === label);
  if (!s) throw new Error(`no step ${label} in ${JSON.stringify(steps)}`);
  return s;
};

/** What the file holds after the setup's flush, before the call: the state a failed call keeps. */
function flushedState(steps: Step[], n: number): void {
  expect(at(steps, 'keys')).toMatchObject({ threw: false, value: ['base', 'd'] });
  expect(at(steps, 'attrs')).toMatchObject({ threw: false, value: { a: 1 } });
  expect(at(steps, 'd')).toMatchObject({ threw: false, value: Array.from({ length: n }, (_, r) => r + 0.5) });
  expect(at(steps, 'other')).toMatchObject({ threw: false, value: [['x'], 3] });
}

// [case, what the call is called in messages]
const CASES: [string, RegExp][] = [
  ['createGroup', /createGroup\('g\/new'\)/],
  ['createDataset', /createDataset\('new'\)/],
  ['attrsSetNew', /attrs\.set\('new'\)/],
  ['attrsOverwrite', /attrs\.set\('a'\)/],
  ['attrsReplaceRefused', /attrs\.set\('a'\)/],
  ['attrsDelete', /attrs\.delete\('a'\)/],
  ['softLink', /createSoftLink\('s', '\/base'\)/],
  ['hardLink', /createHardLink\('h', '\/base'\)/],
  ['deleteLink', /delete\('base'\)/],
];

function expectAgreedFailure(steps: Step[][], file: string, failing: number[], call: RegExp): void {
  const n = steps.length;
  for (const [rank, s] of steps.entries()) {
    const c = at(s, 'call');
    expect(c.threw).toBe(true);
    if (failing.includes(rank)) {
      expect(c.name).toBe('H5Error');
      expect(c.message).toContain(`in file '${file}' failed`);
    } else {
      expect(c.name).toBe('PeerFailedError');
      expect(c.ranks).toEqual(failing);
      const who = failing.length === 1 ? `rank ${failing[0]}` : `ranks ${failing.join(',')}`;
      expect(c.message).toContain(`failed on ${who} of ${n} in file '${file}'`);
      expect(c.message).toMatch(call);
      expect(c.message).toContain('the file is unusable on every rank');
      for (const m of c.messages ?? []) expect(m).toContain('H5Error');
    }
    // Unusable on every rank: the next call throws at once, close() ends and says what it did not write.
    expect(at(s, 'next')).toMatchObject({ threw: true, name: 'H5Error', code: 'UNUSABLE' });
    expect(at(s, 'close')).toMatchObject({ threw: true, name: 'H5Error', code: 'UNUSABLE' });
    expect(at(s, 'close').message).toContain('closed without writing');
    flushedState(s, n);
  }
}

describe('a collective call that fails on rank 1 of 2 fails on both', () => {
  test.each(CASES)('%s', async (which, call) => {
    const { file, steps } = await run(2, which, [1]);
    expectAgreedFailure(steps, file, [1], call);
  });
});

describe('at 3 and 4 ranks, failing on one rank or several', () => {
  test.each([
    [3, 'createGroup', [2]],
    [3, 'attrsOverwrite', [0, 2]],
    [4, 'createDataset', [3]],
    [4, 'attrsSetNew', [1, 3]],
    [4, 'softLink', [3]],
  ] as [number, string, number[]][])('%d ranks: %s failing on ranks %j', async (n, which, failing) => {
    const { file, steps } = await run(n, which, failing);
    expectAgreedFailure(steps, file, failing, CASES.find(([c]) => c === which)![1]);
  });

  // Where a rank that succeeds needs a failed one inside HDF5 (a metadata read that rank 0 makes and
  // broadcasts, here with rank 0 failed), it waits there, out of h5mpi's reach: the watchdog ends the job
  // and names the call on the ranks that wait (docs/errors.md, what stays out of reach).
  test('3 ranks: createGroup failing on rank 0, which the others wait for inside HDF5: the watchdog ends the job', async () => {
    const file = path.join(dir, 'inside-hdf5.h5');
    const r = await mpirun(3, 'h5_agree.js', [file, 'createGroup', '0'], { timeoutMs: 120_000, env: { LD_PRELOAD: shim, H5MPI_HANG_TIMEOUT: '15' } });
    expect(r.timedOut).toBe(false);
    expect(expectedJobStatuses(124, 3)).toContain(r.code);
    expect(r.stderr).toMatch(/stuck for 15\.\d s .* in File '[^']*inside-hdf5\.h5'\.createGroup\('g\/new'\)/);
  });
});

describe('a call that fails on every rank alike leaves the file usable', () => {
  // (A failed H5Awrite is not among these: HDF5 1.14 reports it as a write error, code IO, which leaves a
  // file open for writing unusable whatever the ranks agree: docs/errors.md.)
  test.each([
    [2, 'attrsReplaceRefused'],
    [3, 'createGroup'],
  ] as [number, string][])('%d ranks: %s', async (n, which) => {
    const { steps } = await run(n, which, 'all');
    for (const s of steps) {
      expect(at(s, 'call')).toMatchObject({ threw: true, name: 'H5Error' });
      expect(at(s, 'next')).toMatchObject({ threw: false, value: '/after' });
      expect(at(s, 'close')).toMatchObject({ threw: false });
      expect(at(s, 'keys')).toMatchObject({ threw: false, value: ['after', 'base', 'd'] });
      // The old value stays where HDF5 refused the new one on every rank.
      expect(at(s, 'attrs')).toMatchObject({ threw: false, value: { a: 1 } });
    }
  });
});
