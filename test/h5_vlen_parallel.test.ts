// Variable-length data read in parallel files, and the HDF5 1.14 hang behind lib/hdf5compat.ts: with HDF5's
// collective metadata reads on, 1.14 reads the global heap (where variable-length data and region references
// live) collectively inside H5Dread, so a collective read of variable-length strings never returns, in C as
// in h5mpi. h5mpi keeps those reads off where that happens (collective metadata writes stay on); the reads
// here, collective and independent, uneven and empty, come back with their values on every version.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { File, Points, versions } from '../lib';
import { collectiveMetadataReadsSafe } from '../lib/hdf5compat';
import { mpirun, mpirunOk, reportsLabelled, ROOT, tmpdir } from './helpers/mpirun';

const STRINGS = ['alpha', '', 'gamma', 'δέλτα', 'e'.repeat(300), 'zeta', 'η', 'theta', 'iota', 'kappa', 'λ'];
const SEQUENCES = STRINGS.map((s, i) => Array.from({ length: i % 4 }, (_, k) => 10 * i + k));

let dir: string;
let file: string;
beforeAll(() => {
  dir = tmpdir('h5mpi-vlenpar-');
  file = path.join(dir, 'vlen.h5');
  // Written serially: parallel HDF5 writes no variable-length data, nor region references into datasets.
  using f = File.open(file, 'w');
  f.createDataset('s', { shape: [STRINGS.length], dtype: 'string', data: STRINGS });
  f.createDataset('q', { shape: [SEQUENCES.length], dtype: { vlen: 'int32' }, data: SEQUENCES });
  const x = f.createDataset('x', { shape: [4, 5], dtype: 'float64', data: Float64Array.from({ length: 20 }, (_, i) => i) });
  f.createDataset('rr', {
    shape: [3],
    dtype: 'regionReference',
    data: [{ dataset: x, selection: { start: [1, 2], count: [2, 2] } }, null, { dataset: x, selection: new Points([[0, 1], [3, 4]]) }],
  });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Rank r's slice in the scenario: elements r - 1, r - 1 + (size - 1), ... for r > 0; none for rank 0. */
function slice<T>(all: T[], rank: number, size: number): T[] {
  if (rank === 0) return [];
  const step = Math.max(size - 1, 1);
  return all.filter((_, i) => i >= rank - 1 && (i - (rank - 1)) % step === 0);
}

describe.each([1, 2, 3, 4])('on %i rank(s), in a file opened with collective metadata (the default)', (size) => {
  test('variable-length strings, sequences and region references read back collectively and independently, without hanging', async () => {
    const results = await mpirunOk(size, 'h5_vlen_read_par.js', [file], { timeoutMs: 60_000 });
    reportsLabelled<Record<string, unknown>>(results, 'vlen').forEach((r, rank) => {
      const own = slice(STRINGS, rank, size);
      const ownSeq = slice(SEQUENCES, rank, size);
      expect(r).toEqual({
        rank,
        label: 'vlen',
        all: STRINGS,
        own,
        ownSeq,
        independent: rank === 0 ? null : own,
        independentSeq: rank === 0 ? null : ownSeq,
        regions: rank === size - 1 ? ['/x[start 1, 2, count 2, 2]', 'null', '/x[points (0, 1) (3, 4)]'] : null,
        values: [[7, 8, 12, 13], null, [1, 19]],
        collectiveMetadata: size > 1,
      });
    });
  });
});

// The same read in C, straight on HDF5: what this HDF5 does with its collective metadata reads on is what
// lib/hdf5compat.ts says it does (a hang where it is not safe), and with them off it always reads.
describe(`HDF5 ${versions.hdf5} in C: a collective read of variable-length strings`, () => {
  let exe: string;
  beforeAll(() => {
    exe = path.join(dir, 'vlen_collective_read');
    execFileSync('h5pcc', ['-o', exe, path.join(ROOT, 'test', 'peers', 'vlen_collective_read.c')], { stdio: 'pipe' });
  });
  const lines = (stdout: string): string[] => stdout.trim().split('\n').filter((l) => l.startsWith('rank ')).sort();
  const expected = [0, 1].map((r) => `rank ${r} read ${STRINGS.join(' ')}`);

  test('with collective metadata reads off: reads on every rank', async () => {
    const r = await mpirun(2, exe, [file, '0'], { executable: true, timeoutMs: 60_000 });
    expect({ code: r.code, timedOut: r.timedOut }).toEqual({ code: 0, timedOut: false });
    expect(lines(r.stdout)).toEqual(expected);
  });

  test(`with collective metadata reads on: ${collectiveMetadataReadsSafe() ? 'reads on every rank' : 'hangs (so h5mpi keeps them off)'}`, async () => {
    const r = await mpirun(2, exe, [file, '1'], { executable: true, timeoutMs: collectiveMetadataReadsSafe() ? 60_000 : 15_000 });
    if (collectiveMetadataReadsSafe()) {
      expect({ code: r.code, timedOut: r.timedOut }).toEqual({ code: 0, timedOut: false });
      expect(lines(r.stdout)).toEqual(expected);
    } else {
      expect({ timedOut: r.timedOut, read: lines(r.stdout) }).toEqual({ timedOut: true, read: [] });
    }
  }, 90_000);
});


