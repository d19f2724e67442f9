// Writes that start failing while a file is open, at 1, 2 and 4 ranks: a full disk (a 20 MiB tmpfs), a
// file system turned read-only under the file (ext4 on a loop device after an error, errors=remount-ro),
// a directory removed under the file, storage that runs out under the file system (thin provisioning).
// Each case runs test/scenarios/h5_faults.js under mpiexec: the first
// failure must name the file and the errno on every rank, every later call must throw at once (code
// UNUSABLE), close() must end on every rank, and the job must go on (a file elsewhere written and read back).
// Needs root (mount); skipped otherwise.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeRun, launcherMPI, mpirun, RunResult, tmpdir } from './helpers/mpirun';
import { majorVersion } from '../lib/mpiimpl';

interface Step {
  rank: number;
  label: string;
  ok?: boolean;
  ms?: number;
  name?: string;
  code?: string;
  errno?: number;
  message?: string;
  values?: number[];
  closed?: boolean;
  exists?: boolean;
  collectiveMetadataWrites?: boolean;
}

const root = process.getuid?.() === 0;
const maybe = root ? describe : describe.skip;
// Open MPI's default collective-write algorithm (OMPIO's fcoll 'vulcan') throughout: it would hang inside
// MPI_File_write_at_all when a write fails on an aggregating rank (seen at 4 ranks), which h5mpi prevents
// by agreeing before each collective write on whether it fits (binding/agreedio.cc); and a write it fails
// silently (a file system turned read-only) would hang the next MPI_File_sync, which h5mpi detects.

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: 'pipe' }).toString();

maybe('faults: writes that fail while a file is open', () => {
  const full = tmpdir('h5mpi-full-');
  const healthy = tmpdir('h5mpi-healthy-');
  beforeAll(() => sh('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', full]));
  afterAll(() => {
    sh('umount', [full]);
    fs.rmSync(full, { recursive: true, force: true });
    fs.rmSync(healthy, { recursive: true, force: true });
  });

  async function run(which: string, n: number, dir = full, env: Record<string, string> = {}): Promise<{ r: RunResult; steps: Step[][] }> {
    for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    const r = await mpirun(n, 'h5_faults.js', [which, dir, healthy], { timeoutMs: 60_000, env });
    if (r.code !== 0 || r.timedOut || r.results.length !== n) throw new Error(`${which} at ${n} ranks: ${describeRun(r)}`);
    return { r, steps: r.results as unknown as Step[][] };
  }

  const at = (steps: Step[], label: string): Step => {
    const s = steps.find((x) => x.label === label);
    if (!s) throw new Error(`no step ${label} in ${JSON.stringify(steps)}`);
    return s;
  };

  /**
   * The failing step (`label`) threw on every rank an error naming the file and the errno (on a rank that
   * only learnt of another's failure, through that rank's message); every later call threw UNUSABLE at
   * once; close() threw UNUSABLE naming the file, a second close was a no-op; and the job went on.
   */
  function expectCleanEnd(steps: Step[][], label: string | ((rank: number) => string), file: string, errno: number): void {
    const n = steps.length;
    const labelOf = typeof label === 'string' ? () => label : label;
    for (const [rank, mine] of steps.entries()) {
      const failed = at(mine, labelOf(rank));
      expect(failed.ok).toBe(false);
      expect(failed.message).toContain(`'${file}'`);
      expect(failed.message).toContain(`errno ${errno}`);
      expect(['H5Error', 'PeerFailedError']).toContain(failed.name);
      for (const s of mine.filter((x) => x.label.startsWith('after.') && x.label !== 'after.closeDataset' && x !== failed)) {
        expect(s).toMatchObject({ ok: false, name: 'H5Error', code: 'UNUSABLE' });
        expect(s.message).toContain(`'${file}'`);
        expect(s.message).toContain(`errno ${errno}`);
        expect(s.ms).toBeLessThan(2000);
      }
      const close = at(mine, 'close');
      expect(close).toMatchObject({ ok: false, name: 'H5Error', code: 'UNUSABLE' });
      expect(close.message).toContain(`'${file}'`);
      expect(close.message).toContain(`errno ${errno}`);
      expect(at(mine, 'closeAgain').ok).toBe(true);
      expect(at(mine, 'closed').closed).toBe(true);
      expect(at(mine, 'afterwards').values).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
    // The rank (or ranks) where the OS failed the write carry its errno and the code IO.
    expect(steps.some((mine, rank) => at(mine, labelOf(rank)).code === 'IO' && at(mine, labelOf(rank)).errno === errno)).toBe(true);
  }

  const file = () => path.join(full, 'f.h5');
  // The failing step of each case, as the scenario labels it.
  const cases: [string, string][] = [
    ['collective-write', 'write'],
    ['independent-write', 'write'],
    ['create', 'create'],
    ['attrs', 'attrs'],
    ['flush', 'flush'],
    ['close', 'close'],
  ];
  for (const [which, label] of cases) {
    for (const n of [1, 2, 4]) {
      test(`disk full: ${which} at ${n} rank(s)`, async () => {
        const { steps } = await run(which, n, full);
        if (which === 'close') {
          for (const mine of steps) {
            const close = at(mine, 'close');
            expect(close).toMatchObject({ ok: false, name: 'H5Error', code: 'UNUSABLE' });
            expect(close.message).toContain(`'${file()}'`);
            expect(close.message).toContain('errno 28');
            expect(at(mine, 'closeAgain').ok).toBe(true);
            expect(at(mine, 'afterwards').values).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          }
          return;
        }
        // An independent write fails on the last rank only; the others learn of it at the next collective
        // call (a PeerFailedError naming that rank's error), and the file is unusable on every rank from then on.
        expectCleanEnd(steps, which === 'independent-write' ? (rank) => (rank === n - 1 ? 'write' : 'after.flush') : label, file(), 28);
        if (which === 'independent-write' && n > 1) expect(at(steps[0], 'after.flush').name).toBe('PeerFailedError');
      }, 90_000);
    }
  }

  // collectiveMetadata: false (h5py's default): HDF5 writes its metadata independently, each rank its share of
  // the cache's dirty entries at a sync point. h5mpi holds such a write's failure from HDF5 (which would
  // otherwise leave the sync point's barrier on that rank only, and its cache mid-flush: "slist already
  // enabled?", a failed close, SIGSEGV at exit) and the ranks agree on it right after the call
  // (binding/agreedio.cc AgreedWriteAt): so the call throws IO with the errno on every rank, and the job ends
  // with status 0 (run() checks it).
  for (const [which, label] of cases) {
    for (const n of [1, 2, 4]) {
      test(`disk full, collectiveMetadata: false: ${which} at ${n} rank(s)`, async () => {
        const { steps } = await run(which, n, full, { H5MPI_FAULT_COLLECTIVE_METADATA: '0' });
        for (const mine of steps) expect(at(mine, 'opened').collectiveMetadataWrites).toBe(n > 1 ? false : undefined);
        if (which === 'close') {
          for (const mine of steps) {
            const close = at(mine, 'close');
            expect(close).toMatchObject({ ok: false, name: 'H5Error', code: 'UNUSABLE', errno: 28 });
            expect(close.message).toContain(`'${file()}'`);
            expect(close.message).toContain('errno 28');
            expect(at(mine, 'closeAgain').ok).toBe(true);
            expect(at(mine, 'closed').closed).toBe(true);
            expect(at(mine, 'afterwards').values).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          }
          return;
        }
        const independent = which === 'independent-write';
        const failedAt = (rank: number) => (independent ? (rank === n - 1 ? 'write' : 'after.flush') : label);
        expectCleanEnd(steps, failedAt, file(), 28);
        // Every rank's failing call threw IO with errno 28 itself (agreed), but for the ranks that learnt of
        // another's independent write at the next call.
        for (const [rank, mine] of steps.entries()) {
          if (independent && rank !== n - 1) expect(at(mine, failedAt(rank))).toMatchObject({ name: 'PeerFailedError' });
          else expect(at(mine, failedAt(rank))).toMatchObject({ name: 'H5Error', code: 'IO', errno: 28 });
        }
      }, 90_000);
    }
  }

  // Open MPI's ROMIO 3.2.1 (OMPI_MCA_io=romio321): after a failed flush or close, a new file written in the
  // same process read back (and h5dump showed) one rank's element lost or at the other's offset in 4 of 6
  // runs; so after a write failure there, parallel files are not opened for writing again in the process.
  // Open MPI 4 only: its ROMIO is the 3.2.1 the failure was reproduced with (Open MPI 5 ships 3.4.1 as
  // `romio341`, not tried; h5mpi's refusal keys on any ROMIO under Open MPI).
  const romio321 = launcherMPI().family === 'openmpi' && majorVersion(launcherMPI()) === 4;
  (romio321 ? test.each : test.skip.each)(['flush', 'close', 'collective-write'])(
    "disk full under Open MPI's ROMIO: %s fails on both ranks, and a later parallel File.open for writing is refused",
    async (which) => {
      const { steps } = await run(which, 2, full, { OMPI_MCA_io: 'romio321' });
      const label = which === 'collective-write' ? 'write' : which;
      for (const mine of steps) {
        const failed = at(mine, label);
        expect(failed).toMatchObject({ ok: false, name: 'H5Error' });
        expect(failed.message).toContain(`'${file()}'`);
        expect(failed.message).toContain('errno 28');
        expect(at(mine, 'closeAgain').ok).toBe(true);
        const after = at(mine, 'afterwards');
        expect(after).toMatchObject({ ok: false, name: 'H5Error', code: 'UNUSABLE' });
        expect(after.message).toContain('after.h5');
        expect(after.message).toContain(`'${file()}'`);
        expect(after.message).toContain('restart the job');
      }
    },
    90_000,
  );

  test.each([2, 4])('disk full: a contiguous dataset with a fill value is refused before HDF5 at %i ranks, and the file stays usable', async (n) => {
    const { steps } = await run('create-filled', n);
    for (const mine of steps) {
      expect(at(mine, 'create')).toMatchObject({ ok: false, name: 'H5Error', code: 'IO', errno: 28 });
      expect(at(mine, 'create').message).toContain(`'${file()}'`);
      for (const label of ['after.flush', 'after.group', 'after.attr', 'after.keys', 'close']) expect(at(mine, label).ok).toBe(true);
    }
  }, 90_000);

  test.each([1, 2, 4])('a directory removed under an open file at %i rank(s): writes go on into the unlinked file, close succeeds, the file is gone', async (n) => {
    const dir = tmpdir('h5mpi-removed-');
    const sub = path.join(dir, 'd');
    fs.mkdirSync(sub);
    try {
      const { steps } = await run('removed-directory', n, sub);
      for (const mine of steps) {
        for (const label of ['write', 'flush', 'close']) expect(at(mine, label).ok).toBe(true);
        expect(at(mine, 'afterwards').values).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      }
      expect(steps[0].find((s) => s.label === 'gone')?.exists).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);

  // Failures that the free room statvfs reports cannot foresee, under Open MPI's default fcoll (vulcan):
  // an ext4 turned read-only after an error (which statvfs still reports writable) under a write large
  // enough for vulcan to loop, and storage that runs out under the file system (thin provisioning).
  describe('failures statvfs cannot foresee, default fcoll', () => {
    const work = tmpdir('h5mpi-unforeseen-');
    const back = path.join(work, 'back');
    const mnt = path.join(work, 'mnt');
    fs.mkdirSync(back);
    fs.mkdirSync(mnt);
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    /** ext4 on a loop device whose sparse `imageMiB` image lives in `back` (a tmpfs of `backMiB`), mounted at `mnt` for `fn`. */
    async function withExt4<T>(imageMiB: number, backMiB: number, fn: (device: string) => Promise<T>): Promise<T> {
      sh('mount', ['-t', 'tmpfs', '-o', `size=${backMiB}m`, 'tmpfs', back]);
      try {
        const image = path.join(back, 'ext4.img');
        fs.writeFileSync(image, '');
        fs.truncateSync(image, imageMiB * 1024 * 1024);
        sh('mkfs.ext4', ['-q', '-F', image]);
        sh('mount', ['-o', 'loop,errors=remount-ro', image, mnt]);
        try {
          return await fn(path.basename(sh('findmnt', ['-n', '-o', 'SOURCE', mnt]).trim()));
        } finally {
          sh('umount', [mnt]);
        }
      } finally {
        sh('umount', [back]);
      }
    }

    test.each([2, 4])('read-only under a write vulcan makes in several cycles, at %i ranks', async (n) => {
      await withExt4(256, 64, async (device) => {
        const { steps } = await run('read-only-large', n, mnt, { H5MPI_FAULT_TRIGGER: `/sys/fs/ext4/${device}/trigger_fs_error` });
        expectCleanEnd(steps, 'write', path.join(mnt, 'f.h5'), 30);
      });
    }, 90_000);

    test.each([2, 4])('the storage under the file system runs out (thin provisioning) at %i ranks', async (n) => {
      await withExt4(256, 8, async () => {
        const { steps } = await run('thin', n, mnt);
        // ENOSPC from the loop device, as the fsync of the rank that met it got it (no longer on the file
        // system then: it reports itself read-only), on every rank.
        expectCleanEnd(steps, 'write', path.join(mnt, 'f.h5'), 28);
        for (const mine of steps) expect(at(mine, 'write').message).not.toContain('as the file system reports it now');
      });
    }, 90_000);
  });

  describe('a file system that turns read-only under the open file (ext4, errors=remount-ro)', () => {
    const work = tmpdir('h5mpi-ro-');
    const image = path.join(work, 'ext4.img');
    const mnt = path.join(work, 'mnt');
    fs.mkdirSync(mnt);
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    test.each([1, 2, 4])('at %i rank(s)', async (n) => {
      fs.writeFileSync(image, '');
      fs.truncateSync(image, 32 * 1024 * 1024);
      sh('mkfs.ext4', ['-q', '-F', image]);
      sh('mount', ['-o', 'loop,errors=remount-ro', image, mnt]);
      try {
        const device = path.basename(sh('findmnt', ['-n', '-o', 'SOURCE', mnt]).trim());
        const trigger = `/sys/fs/ext4/${device}/trigger_fs_error`;
        const { steps } = await run('read-only', n, mnt, { H5MPI_FAULT_TRIGGER: trigger });
        expectCleanEnd(steps, 'write', path.join(mnt, 'f.h5'), 30);
      } finally {
        sh('umount', [mnt]);
      }
    }, 90_000);
  });
});
