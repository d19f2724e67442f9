// Writers outside MPI: while one process (plain node, or a whole parallel job) has a file open, another
// process that is not part of it gets a FileLockedError saying what happened and how to write in parallel,
// and the first one's file survives intact (mode 'w' used to truncate it: HDF5 truncates before it tries
// its lock; and HDF5's MPI-IO driver takes no lock at all). With HDF5_USE_FILE_LOCKING=FALSE nothing is
// locked and nothing is reported.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { h5dump } from './helpers/h5tools';
import { describeRun, mpirun, RunResult, tmpdir } from './helpers/mpirun';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh file holding x = [1000] (or [1000, 1001, ...] from a parallel creator). */
async function makeFile(): Promise<{ file: string; dir: string }> {
  const dir = tmpdir();
  const file = path.join(dir, 'shared.h5');
  const setup = path.join(dir, 'setup');
  fs.mkdirSync(setup);
  fs.writeFileSync(path.join(setup, 'release'), '');
  const r = await mpirun(0, 'safety_lock.js', ['hold', file, 'w', setup], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`setup failed: ${describeRun(r)}`);
  return { file, dir };
}

/**
 * Runs `other` while a holder (plain node when holderRanks is 0, else a parallel job) has the file open
 * with `holderMode`; returns both runs once the holder has closed it.
 */
async function whileHeld(file: string, dir: string, holderRanks: number, holderMode: string, other: () => Promise<RunResult>, env: Record<string, string> = {}) {
  const signals = fs.mkdtempSync(path.join(dir, 'signals-'));
  const holding = mpirun(holderRanks, 'safety_lock.js', ['hold', file, holderMode, signals], { timeoutMs: 60_000, env });
  let done: RunResult | undefined;
  void holding.then((r) => (done = r));
  for (let i = 0; !fs.existsSync(path.join(signals, 'ready')); i++) {
    if (done || i > 1500) throw new Error(`the holder never got the file open: ${done ? describeRun(done) : 'still starting after 30 s'}`);
    await wait(20);
  }
  let tried: RunResult;
  try {
    tried = await other();
  } finally {
    fs.writeFileSync(path.join(signals, 'release'), '');
  }
  const held = await holding;
  if (held.code !== 0 || held.timedOut) throw new Error(`the holder failed: ${describeRun(held)}`);
  return { tried, held };
}

function outcomes(r: RunResult): Record<string, unknown>[] {
  if (r.timedOut || r.code !== 0) throw new Error(describeRun(r));
  return r.results.map((rs) => rs.find((x) => x.label === 'try')!);
}

/** Who holds the file, as /proc/locks names it: the holding scenario's process. */
const HELD_BY = / It is held by process \d+ \([^)]*safety_lock\.js hold /;
const ADVICE = /run them as one MPI job \(mpiexec -n 4 node app\.js\) and open the file in every rank with File\.open\(path, mode\)/;

describe('two plain node processes, one file', () => {
  // holder's mode, the other's mode, whether the other is refused
  const cases: [string, string, boolean][] = [
    ['w', 'w', true],
    ['r+', 'w', true],
    ['r', 'w', true],
    ['w', 'r', true],
    ['r+', 'r+', true],
    ['a', 'a', true],
    ['r', 'r+', true],
    ['r+', 'x', true],
    ['r', 'r', false],
  ];
  test.each(cases)('held with %s, opened with %s', async (holderMode, otherMode, refused) => {
    const { file, dir } = await makeFile();
    const { tried } = await whileHeld(file, dir, 0, holderMode, () => mpirun(0, 'safety_lock.js', ['try', file, otherMode], { timeoutMs: 30_000 }));
    const [r] = outcomes(tried);
    if (otherMode === 'x') {
      // 'x' never opens an existing file: it says so before any lock matters.
      expect(r).toMatchObject({ threw: true, name: 'H5Error' });
      expect(r.message).toMatch(/the file exists/);
    } else if (refused) {
      expect(r).toMatchObject({ threw: true, name: 'FileLockedError' });
      expect(r.message).toContain(`File.open('${file}', '${otherMode}'): '${file}' is open`);
      expect(r.message).toMatch(otherMode === 'r' ? /is open for writing in another process, so it cannot be read consistently now/ : /is open in another process \(for writing, or for reading: a writer needs the file to itself\)/);
      expect(r.message).toMatch(ADVICE);
      expect(r.message).toMatch(HELD_BY);
    } else {
      expect(r).toMatchObject({ threw: false, keys: ['x'] });
    }
    // Whatever happened, the holder's file is whole: the data it wrote is there (nothing truncated it).
    expect(h5dump(file, '/x').values).toEqual(['1000']);
  });
});

// Every mode on 2 ranks; on 3, the one that used to destroy the other process's file.
const PARALLEL: [number, string[]][] = [
  [2, ['w', 'r+', 'r']],
  [3, ['w']],
];

describe.each(PARALLEL)('a parallel job of %i ranks and a plain node process', (n, modes) => {
  test.each(modes)("a serial writer holds the file: the job's File.open(%s) fails on every rank, the file stays whole", async (mode) => {
    const { file, dir } = await makeFile();
    const { tried } = await whileHeld(file, dir, 0, 'r+', () => mpirun(n, 'safety_lock.js', ['try', file, mode], { timeoutMs: 30_000 }));
    const rs = outcomes(tried);
    expect(rs).toHaveLength(n);
    for (const r of rs) {
      expect(r).toMatchObject({ threw: true, name: 'FileLockedError' });
      expect(r.message).toMatch(
        mode === 'r'
          ? /is open for writing in another process outside this file's communicator, so it cannot be read consistently now/
          : /is open in another process outside this file's communicator \(for writing, or for reading: a writer needs the file to itself\)\. /,
      );
      expect(r.message).toMatch(HELD_BY); // the plain node process, as rank 0's machine sees it
      expect(r.message).toMatch(ADVICE);
    }
    expect(h5dump(file, '/x').values).toEqual(['1000']);
  });

  test.each(modes)('the job holds the file for writing: a plain node File.open(%s) fails, the job\'s data survives', async (mode) => {
    const { file, dir } = await makeFile();
    const { tried } = await whileHeld(file, dir, n, 'w', () => mpirun(0, 'safety_lock.js', ['try', file, mode], { timeoutMs: 30_000 }));
    const [r] = outcomes(tried);
    expect(r).toMatchObject({ threw: true, name: 'FileLockedError' });
    expect(r.message).toMatch(ADVICE);
    expect(r.message).toMatch(HELD_BY); // the job's rank 0
    expect(h5dump(file, '/x').values).toEqual(Array.from({ length: n }, (_, k) => String(1000 + k)));
  });
});

test('parallel jobs that only read share the file with plain readers', async () => {
  const { file, dir } = await makeFile();
  const { tried } = await whileHeld(file, dir, 2, 'r', () => mpirun(0, 'safety_lock.js', ['try', file, 'r'], { timeoutMs: 30_000 }));
  expect(outcomes(tried)[0]).toMatchObject({ threw: false, keys: ['x'] });
});

test('HDF5_USE_FILE_LOCKING=FALSE: no lock and no error - a second writer gets in (and nothing protects the file)', async () => {
  const env = { HDF5_USE_FILE_LOCKING: 'FALSE' };
  const { file, dir } = await makeFile();
  const { tried } = await whileHeld(file, dir, 0, 'r+', () => mpirun(0, 'safety_lock.js', ['try', file, 'r+'], { timeoutMs: 30_000, env }), env);
  expect(outcomes(tried)[0]).toMatchObject({ threw: false, keys: ['x'] });
  const parallel = await whileHeld(file, dir, 0, 'r+', () => mpirun(2, 'safety_lock.js', ['try', file, 'r+'], { timeoutMs: 30_000, env }), env);
  for (const r of outcomes(parallel.tried)) expect(r).toMatchObject({ threw: false, keys: ['x'], parallel: true });
});
