// createDatasetsPerRank: each rank passes its own datasets, every rank creates the union, each writes its
// own independently; the file is then read with h5dump, which must find every rank's own data where it
// belongs (the seed's bug was 15 of 17 datasets holding another worker's data). Also: ranks asking for
// nothing, shared paths, conflicts, bad options on one rank, existing paths - and the file stays usable.
import * as os from 'node:os';
import * as path from 'node:path';
import { h5dump } from './helpers/h5tools';
import { mpirunOk, RANK_COUNTS, reportsLabelled, tmpdir } from './helpers/mpirun';

type Report = Record<string, unknown> & { rank: number; label: string };
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const dataOf = (r: number): string[] => range(9).map((i) => String(r * 100 + i));
const nameOf = (r: number): string => `${os.hostname()}/rank ${r}`;

const byLabel = (results: Record<string, unknown>[][], label: string): Report[] => reportsLabelled<Report>(results, label);

/** Every rank's own datasets hold that rank's data, read back by h5dump. */
function expectSeedLayout(file: string, n: number): void {
  for (const r of range(n)) {
    const data = h5dump(file, `/data/id=${r}`);
    expect({ path: `/data/id=${r}`, type: data.type, dims: data.dims, values: data.values }).toEqual({
      path: `/data/id=${r}`,
      type: 'H5T_STD_I64LE',
      dims: [3, 3],
      values: dataOf(r),
    });
    const host = h5dump(file, `/hostname/id=${r}`);
    expect({ path: `/hostname/id=${r}`, strsize: host.strsize, dims: host.dims, value: host.values[0].replace(/\0+$/, '') }).toEqual({
      path: `/hostname/id=${r}`,
      strsize: '64',
      dims: null,
      value: nameOf(r),
    });
  }
}

describe.each(RANK_COUNTS)('createDatasetsPerRank on %i ranks', (n) => {
  const last = n - 1;
  let file: string;
  let results: Record<string, unknown>[][];
  beforeAll(async () => {
    file = path.join(tmpdir(), 'perrank.h5');
    results = await mpirunOk(n, 'safety_perrank.js', [file], { timeoutMs: 90_000 });
  });

  test('the seed scenario: every rank gets every dataset, and each holds its own rank data', () => {
    const keys = range(n).flatMap((r) => [`data/id=${r}`, `hostname/id=${r}`]).sort();
    for (const r of byLabel(results, 'seed')) {
      expect(r.keys).toEqual(keys);
      for (const k of keys) expect((r.shapes as Record<string, number[]>)[k]).toEqual(k.startsWith('data/') ? [3, 3] : []);
    }
    expectSeedLayout(file, n);
  });

  test('ranks asking for nothing, a shared path, initial data from the rank that brought it', () => {
    const evens = range(n).filter((r) => r % 2 === 0);
    for (const r of byLabel(results, 'mixed')) expect(r).toMatchObject({ threw: false, value: [...evens.map((e) => `even/r${e}`), 'shared/all'].sort() });
    for (const e of evens) expect(h5dump(file, `/even/r${e}`).values.map(Number)).toEqual([e, e + 0.5]);
    expect(h5dump(file, '/shared/all').values.map(Number)).toEqual(range(n));
    for (const r of byLabel(results, 'empty')) expect(r).toMatchObject({ threw: false, value: [] });
    for (const r of byLabel(results, 'group')) {
      expect(r).toMatchObject({ threw: false, value: range(n).map((k) => [`r${k}`, `/g/r${k}`]).sort() });
    }
    for (const k of range(n)) expect(h5dump(file, `/g/r${k}`)).toMatchObject({ type: 'H5T_STD_U16LE', values: [String(k + 7)] });
  });

  test('one path with different options on two ranks: every rank throws, nothing is created', () => {
    for (const r of byLabel(results, 'conflict')) {
      if (n === 1) {
        expect(r).toMatchObject({ threw: false, value: ['clash', 'free/r0'] });
        continue;
      }
      expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
      expect(r.message).toContain(`'/clash': ${last === 1 ? 'rank 0' : `ranks 0-${last - 1}`}: createDataset('/clash', [4], float32); rank ${last}: createDataset('/clash', [5], float32)`);
      expect(r.message).toMatch(/Give each rank paths of its own/);
      expect(r.calls).toEqual(range(n).map((k) => `createDataset('/clash', [${k === last ? 5 : 4}], float32)`));
    }
    for (const r of byLabel(results, 'afterConflict')) {
      expect(r).toMatchObject(n === 1 ? { threw: false, value: { clash: true, free: [true] } } : { threw: false, value: { clash: false, free: range(n).map(() => false) } });
    }
  });

  test('bad options on the last rank: it throws its TypeError, the others PeerFailedError naming it', () => {
    for (const r of byLabel(results, 'badOptions')) {
      if (r.rank === last) {
        expect(r).toMatchObject({ threw: true, name: 'TypeError' });
        expect(r.message).toMatch(new RegExp(`createDatasetsPerRank\\('bad/r${last}'\\): unknown dtype "float128"`));
      } else {
        expect(r).toMatchObject({ threw: true, name: 'PeerFailedError', ranks: [last] });
        expect(r.message).toMatch(new RegExp(`because rank ${last} failed to prepare it`));
      }
    }
    for (const r of byLabel(results, 'afterBad')) expect(r).toMatchObject({ threw: false, value: false });
  });

  test('existing paths and paths under a dataset are refused on every rank before anything is created', () => {
    for (const r of byLabel(results, 'exists')) {
      expect(r).toMatchObject({ threw: true, name: 'H5Error' });
      expect(r.message).toMatch(/'\/data\/id=0' already exists .*No dataset was created/);
    }
    for (const r of byLabel(results, 'underDataset')) {
      expect(r).toMatchObject({ threw: true, name: 'H5Error' });
      expect(r.message).toMatch(/'\/shared\/all\/x' cannot be created: '\/shared\/all' is a dataset/);
    }
  });

  test('the file stays usable: a collective write after all that, and a clean close', () => {
    for (const r of byLabel(results, 'after')) expect(r).toMatchObject({ threw: false, value: true });
    for (const r of byLabel(results, 'closed')) expect(r.label).toBe('closed');
    expect(h5dump(file, '/final').values.map(Number)).toEqual(range(n).map((r) => r * 3));
  });
});

test("the seed's 17 workers, each writing its own data/id=N and hostname/id=N: all 34 datasets hold their own rank's data", async () => {
  const file = path.join(tmpdir(), 'seed17.h5');
  const results = await mpirunOk(17, 'safety_perrank.js', [file, '--seed-only'], { timeoutMs: 120_000 });
  for (const r of byLabel(results, 'closed')) expect(r.label).toBe('closed');
  expectSeedLayout(file, 17);
});
