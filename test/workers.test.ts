// h5mpi and worker_threads: MPI runs at thread level 'funneled' and Debian's parallel HDF5 is not
// thread-safe, so h5mpi loads on the main thread only; a Worker is refused at load with the reason, and the
// main thread keeps working after any Worker has tried and exited (native state is per environment).
import { ROOT, mpirun, describeRun, tmpdir } from './helpers/mpirun';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = tmpdir('h5mpi-workers-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Seen {
  loaded: boolean;
  name?: string;
  message?: string;
  exitCode: number;
}

const REASON = /h5mpi can only be loaded on the main thread of a process, not in a worker thread: this HDF5 is built without thread safety .* and MPI runs at thread level 'funneled'/;

interface MainThread {
  error: { name: string; code: string; message: string };
  read: unknown;
}

function expectMainThreadWorks(seen: MainThread): void {
  expect(seen.error).toMatchObject({ name: 'H5Error', code: 'NOT_HDF5' });
  expect(seen.error.message).toMatch(/is not an HDF5 file/);
  expect(seen.read).toEqual({ x: [1.5, 2.5, 3.5], who: 'main thread' });
}

test.each(['worker-first', 'main-first'])('%s: the Worker is refused with the reason, the main thread goes on', async (order) => {
  const run = await mpirun(0, path.join(ROOT, 'test', 'scenarios', 'worker_threads.js'), [order, dir], { timeoutMs: 60_000 });
  if (run.code !== 0 || run.signal) throw new Error(describeRun(run));
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { package: Seen; addon: Seen; after: MainThread; before?: MainThread };
  for (const seen of [out.package, out.addon]) {
    expect(seen).toMatchObject({ loaded: false, name: 'Error', exitCode: 0 });
    expect(seen.message).toMatch(REASON);
  }
  expectMainThreadWorks(out.after);
  if (order === 'main-first') expectMainThreadWorks(out.before!);
  expect(run.stderr).toBe('');
});
