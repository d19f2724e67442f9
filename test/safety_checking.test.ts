// Collective-call checking (every argument that can differ between ranks is caught before HDF5 sees it,
// with a message that shows each rank's call, grouped, and says what to do) and all-or-none (input failing
// on one rank makes every rank throw). After each case the file still works; h5dump checks the result.
// Then the switches: checkCollective: false and H5MPI_CHECK_COLLECTIVE=0 turn checking off.
import * as path from 'node:path';
import { h5dump } from './helpers/h5tools';
import { expectPeerFailure, mpirunOk, RANK_COUNTS, reportsLabelled, tmpdir } from './helpers/mpirun';

type Report = Record<string, unknown> & { rank: number; label: string; message: string; calls: string[] };
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const byLabel = (results: Record<string, unknown>[][], label: string): Report[] => reportsLabelled<Report>(results, label);

/** "ranks 0-2: a; rank 3: b" for n ranks where only the last one differs. */
function lastDiffers(n: number, usual: string, odd: string): string {
  const others = n === 2 ? 'rank 0' : `ranks 0-${n - 2}`;
  return `${others}: ${usual}; rank ${n - 1}: ${odd}`;
}

describe.each(RANK_COUNTS)('collective-call checking on %i rank(s)', (n) => {
  const last = n - 1;
  let dir: string;
  let results: Record<string, unknown>[][];
  beforeAll(async () => {
    dir = tmpdir();
    results = await mpirunOk(n, 'safety_check.js', [dir, 'checked'], { timeoutMs: 90_000 });
  });

  // label, what the other ranks call, what the last rank calls, a piece of the advice
  const mismatches: [string, string, string, RegExp][] = [
    ['createShape', "createDataset('/cs', [4], float64)", "createDataset('/cs', [5], float64)", /Every rank must pass the same shape, dtype, options and initial data/],
    ['createDtype', "createDataset('/cd', [4], float64)", "createDataset('/cd', [4], float32)", /the same shape, dtype/],
    ['createChunks', "createDataset('/cc', [4], float64, chunks [2])", "createDataset('/cc', [4], float64, chunks [1])", /the same shape, dtype, options/],
    ['createFill', "createDataset('/cf', [4], float64, fill 0)", "createDataset('/cf', [4], float64, fill -0)", /the same shape, dtype, options/],
    ['attrValue', "attrs.set('a' on '/', 1)", "attrs.set('a' on '/', 2)", /share it with comm\.bcast\(value\) first/],
    ['resize', "resize('/grow', [5])", "resize('/grow', [6])", /Every rank must pass the same new shape/],
    ['delete', "delete('/da')", "delete('/db')", /every rank must make the same call with the same arguments/],
    ['metadataRead', "get('/s1')", "get('/s2')", /every rank must make the same call/],
    ['differentOps', "createGroup('/h')", 'flush()', /The ranks are at different points of the program/],
    ['writeOtherDataset', "write('/s1', collective)", "write('/s2', collective)", /a rank with nothing to transfer passes an empty selection/],
  ];

  test.each(mismatches)('%s: every rank throws CollectiveMismatchError showing each rank\'s call, and what to do', (label, usual, odd, advice) => {
    for (const r of byLabel(results, label)) {
      if (n === 1) {
        expect(r).toMatchObject({ label, threw: false });
        continue;
      }
      expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
      expect(r.calls).toEqual(range(n).map((k) => (k === last ? odd : usual)));
      expect(r.message).toContain(`the ranks made different collective calls, so none was made: ${lastDiffers(n, usual, odd)}.`);
      expect(r.message).toMatch(advice);
      // The file is named: in the message, or after it where the message named only the object (lib/naming.ts).
      expect(r.message).toMatch(/Nothing was sent to HDF5; the file is still open\.( \(in file '[^']*check\.h5'\))?$/);
      expect(r.message).toContain('check.h5');
    }
  });

  test('a different path on every rank: all listed, and createDatasetsPerRank suggested', () => {
    for (const r of byLabel(results, 'createPaths')) {
      if (n === 1) {
        expect(r).toMatchObject({ threw: false, value: '/x0' });
        continue;
      }
      expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
      expect(r.message).toContain(range(n).map((k) => `rank ${k}: createDataset('/x${k}', [4], float64)`).join('; '));
      expect(r.message).toMatch(/call file\.createDatasetsPerRank\(\{ \[path\]: options \}\) on every rank/);
    }
    for (const r of byLabel(results, 'group')) {
      if (n > 1) expect(r.message).toContain(range(n).map((k) => `rank ${k}: createGroup('/g${k}')`).join('; '));
    }
  });

  test('values too long to show are compared by digest: one element in a thousand differs', () => {
    for (const label of ['createData', 'attrLongArray']) {
      for (const r of byLabel(results, label)) {
        if (n === 1) continue;
        expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
        const digests = r.calls.map((c) => /#([0-9a-f]{12})/.exec(c)?.[1]);
        expect(new Set(digests.slice(0, last)).size).toBe(1);
        expect(digests[last]).not.toBe(digests[0]);
        expect(r.calls[0]).toContain('Float64Array(1000)[0, 1, 2, 3, ...]');
      }
    }
  });

  test('the file, its mode and its settings are part of the agreement', () => {
    const other = (name: string, mode: string, extra = '') => `File.open('${path.join(dir, name)}', '${mode}'${extra})`;
    const cases: [string, string, string][] = [
      ['openName', other('other-a.h5', 'w'), other('other-b.h5', 'w')],
      ['openMode', other('other.h5', 'w'), other('other.h5', 'a')],
      ['openSetting', other('other.h5', 'w'), other('other.h5', 'w', ', checkCollective: false')],
    ];
    for (const [label, usual, odd] of cases) {
      for (const r of byLabel(results, label)) {
        if (n === 1) continue;
        expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
        expect(r.message).toContain(lastDiffers(n, usual, odd));
        expect(r.message).toMatch(/no file was opened/);
      }
    }
    for (const r of byLabel(results, 'twoFiles')) {
      if (n === 1) continue;
      expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
      expect(r.message).toContain(lastDiffers(n, `createGroup('/q') in '${path.join(dir, 'a.h5')}'`, `createGroup('/q') in '${path.join(dir, 'b.h5')}'`));
      expect(r.message).toMatch(/The ranks were working on different files.*\{ comm: MPI\.COMM_SELF \}/);
    }
  });

  // label, the last rank's own error (name, message)
  const failures: [string, string, RegExp][] = [
    ['writeLength', 'RangeError', /Dataset '\/s1'\.write: 2 values for a selection of 1 elements/],
    ['readSelection', 'RangeError', /Dataset '\/s1'\.read: the selection reaches index \d+ in dimension 0/],
    ['createBadDtype', 'TypeError', /createDataset\('bad'\): unknown dtype "float128"/],
    ['attrBadValue', 'TypeError', /attrs\.set\('b'\): cannot store an object/],
    ['groupBadPath', 'TypeError', /HDF5 paths have no '\.' or '\.\.' components: 'a\/\.\.\/b'/],
    ['resizeTooFewDims', 'RangeError', /the new shape \[5, 1\] has 2 dimensions, the dataset 1/],
  ];

  test.each(failures)('%s failing on the last rank: it throws its own error, every other rank a PeerFailedError naming it', (label, name, message) => {
    expectPeerFailure(byLabel(results, label), last, name, message);
  });

  test('nothing that was refused reached the file, and the file works on every rank afterwards', () => {
    // With one rank nothing differs: the "mismatched" calls simply happened (the last rank's version of each).
    const members = n === 1 ? ['cc', 'cd', 'cdata', 'cf', 'cs', 'da', 'g0', 'grow', 's1', 's2', 'x0'] : ['da', 'db', 'grow', 's1', 's2'];
    for (const r of byLabel(results, 'membersAfterMismatches')) expect(r).toMatchObject({ threw: false, value: members });
    for (const r of byLabel(results, 'membersAfterFailures')) expect(r).toMatchObject({ threw: false, value: members });
    for (const r of byLabel(results, 'after')) expect(r).toMatchObject({ threw: false, value: range(n).map((k) => k * 10) });
    for (const r of byLabel(results, 'closed')) expect(r.label).toBe('closed');
    const file = path.join(dir, 'check.h5');
    expect(h5dump(file, '/s1').values.map(Number)).toEqual(range(n).map((k) => k * 10));
    expect(h5dump(file, '/done', { attribute: true }).values.map(Number)).toEqual([n]);
  });
});

describe.each([2, 3, 4])('switching checking off and on, %i ranks', (n) => {
  const run = (mode: string, env: Record<string, string> = {}, flag: string[] = []) => mpirunOk(n, 'safety_check.js', [tmpdir(), mode, ...flag], { timeoutMs: 60_000, env });

  test.each([
    ['H5MPI_CHECK_COLLECTIVE=0', { H5MPI_CHECK_COLLECTIVE: '0' }, []],
    ['checkCollective: false', {}, ['--option']],
  ] as const)('%s: a differing attribute value is not caught (HDF5 takes it silently)', async (_, env, flag) => {
    const results = await run('unchecked', { ...env }, [...flag]);
    for (const r of byLabel(results, 'setting')) expect(r.checkCollective).toBe(false);
    for (const r of byLabel(results, 'attrDiffers')) expect(r).toMatchObject({ threw: false });
    for (const r of byLabel(results, 'closed')) expect(r.label).toBe('closed');
  });

  test('checkCollective: true on the file wins over H5MPI_CHECK_COLLECTIVE=0', async () => {
    const results = await run('forced', { H5MPI_CHECK_COLLECTIVE: '0' });
    for (const r of byLabel(results, 'setting')) expect(r.checkCollective).toBe(true);
    for (const r of byLabel(results, 'attrDiffers')) expect(r).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
  });
});
