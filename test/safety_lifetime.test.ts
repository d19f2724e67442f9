// Defined behaviour at the end of an object's or a process's life: use after close throws naming the
// object, closing twice does nothing, closing a file closes its datasets (which then say so), and a process
// that ends with files open leaves them closed and valid (serial always; parallel when every rank exits
// cleanly) - and when one rank of a job fails, the job ends instead of hanging in a collective close.
import * as path from 'node:path';
import { h5dump } from './helpers/h5tools';
import { describeRun, mpirun, mpirunOk, RANK_COUNTS, reportsLabelled, tmpdir } from './helpers/mpirun';

type Report = Record<string, unknown> & { rank: number; label: string; message: string };
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const rowsOf = (n: number): string[] => range(n).flatMap((r) => range(4).map((c) => String(r * 10 + c)));

const byLabel = (results: Record<string, unknown>[][], label: string): Report[] => reportsLabelled<Report>(results, label);

describe.each(RANK_COUNTS)('use after close on %i rank(s)', (n) => {
  let file: string;
  let results: Record<string, unknown>[][];
  beforeAll(async () => {
    file = path.join(tmpdir(), 'use.h5');
    results = await mpirunOk(n, 'safety_lifetime.js', ['use', file], { timeoutMs: 60_000 });
  });

  test('a closed dataset throws naming itself; closing it again does nothing', () => {
    for (const label of ['readClosedDataset', 'writeClosedDataset', 'attrsOfClosedDataset']) {
      for (const r of byLabel(results, label)) expect(r).toMatchObject({ threw: true, name: 'H5Error', message: `Dataset '/rows' is closed (in file '${file}')` });
    }
    for (const r of byLabel(results, 'closeDatasetTwice')) expect(r).toMatchObject({ threw: false });
    for (const r of byLabel(results, 'datasetClosedFlag')) expect(r).toMatchObject({ threw: false, value: true });
    for (const r of byLabel(results, 'reopenedDataset')) expect(r).toMatchObject({ threw: false, value: rowsOf(n).map(Number) });
  });

  test('closing the file closes its datasets and groups still in use: using them throws naming them and the file', () => {
    for (const r of byLabel(results, 'fileClosedFlags')) expect(r).toMatchObject({ threw: false, value: { file: true, e: true, g: true } });
    for (const label of ['readAfterFileClose', 'resizeAfterFileClose']) {
      for (const r of byLabel(results, label)) expect(r).toMatchObject({ threw: true, name: 'H5Error', message: `Dataset '/e' is closed (its file '${file}' was closed)` });
    }
    for (const r of byLabel(results, 'groupAfterFileClose')) expect(r).toMatchObject({ threw: true, name: 'H5Error', message: `Group '/g' is closed (its file '${file}' was closed)` });
    for (const label of ['createAfterFileClose', 'getAfterFileClose', 'attrsAfterFileClose', 'flushAfterFileClose']) {
      for (const r of byLabel(results, label)) expect(r).toMatchObject({ threw: true, name: 'H5Error', message: `File '${file}' is closed` });
    }
    for (const label of ['closeFileTwice', 'disposeTwice']) {
      for (const r of byLabel(results, label)) expect(r).toMatchObject({ threw: false });
    }
  });

  test('the data written before all that is intact', () => {
    for (const r of byLabel(results, 'reopened')) {
      expect(r).toMatchObject({ threw: false, value: { rows: rowsOf(n).map(Number), e: [1.5, 2.5], writers: n } });
    }
    expect(h5dump(file, '/rows').values).toEqual(rowsOf(n));
  });
});

describe('a process that ends with its file open', () => {
  // 0: plain node (serial); more: a parallel job whose ranks all end cleanly.
  test.each([
    ['exit-open', 0],
    ['exit-open', 2],
    ['exit-open', 3],
    ['exit-open', 4],
    ['exit-call', 0],
    ['exit-call', 4],
  ])('%s on %i ranks: the file is closed at exit, valid and complete', async (mode, n) => {
    const file = path.join(tmpdir(), `${mode}.h5`);
    const r = await mpirun(n, 'safety_lifetime.js', [mode, file], { timeoutMs: 60_000 });
    expect({ code: r.code, timedOut: r.timedOut, why: describeRun(r) }).toMatchObject({ code: 0, timedOut: false });
    expect(r.stderr).not.toMatch(/HDF5-DIAG|h5mpi: at exit/);
    const ranks = Math.max(1, n);
    expect(h5dump(file, '/rows').values).toEqual(rowsOf(ranks));
    expect(h5dump(file, '/writers', { attribute: true }).values.map(Number)).toEqual([ranks]);
  });

  test('serial, ending with an uncaught exception: the exception is reported, and the file is still closed and valid', async () => {
    const file = path.join(tmpdir(), 'throw.h5');
    const r = await mpirun(0, 'safety_lifetime.js', ['exit-throw', file], { timeoutMs: 60_000 });
    expect({ code: r.code, timedOut: r.timedOut }).toEqual({ code: 1, timedOut: false });
    expect(r.stderr).toContain('deliberate failure with the file open');
    expect(h5dump(file, '/rows').values).toEqual(rowsOf(1));
  });
});

describe.each([2, 3, 4])('one rank of %i failing with the file open', (n) => {
  // The others wait in a collective call the failed rank never makes; HDF5's own exit handler used to
  // close the parallel file on the failed rank too, which waited forever for the others.
  test.each([
    ['one-rank-throws', {}],
    ['one-rank-throws', { H5MPI_FAIL_FAST: '0' }],
    ['one-rank-exits', {}],
    ['one-rank-exits', { H5MPI_FAIL_FAST: '0' }],
  ])('%s (%j): the job ends with a failure status instead of hanging', async (mode, env) => {
    const file = path.join(tmpdir(), `${mode}.h5`);
    const r = await mpirun(n, 'safety_lifetime.js', [mode, file], { timeoutMs: 45_000, env });
    expect({ timedOut: r.timedOut, failed: r.code !== 0, why: describeRun(r) }).toMatchObject({ timedOut: false, failed: true });
    expect(r.results.map((rs) => rs.map((x) => x.label))).toEqual(range(n).map(() => ['written']));
    if (mode === 'one-rank-throws') expect(r.stderr).toContain(`deliberate failure on rank ${n - 1} with the file open`);
  });
});
