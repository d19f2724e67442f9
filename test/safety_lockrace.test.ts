// Creating one new file from two places at the same moment: two parallel jobs, or a job and a plain node
// process, none sharing a communicator. Both used to find no file, both create it and both write it (in most
// rounds). Now exactly one gets it, every round: the other gets a FileLockedError on every rank naming the
// file and who holds it (or, with 'x', the file exists), and the file holds what the winner wrote. Each
// race runs its rounds in one pair of processes (test/scenarios/safety_lockrace.js), meeting through
// marker files before each open and again before each close, so that the two opens always overlap.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { h5dump } from './helpers/h5tools';
import { describeRun, mpirun, RunResult, tmpdir } from './helpers/mpirun';

interface Round {
  rank: number;
  round: number;
  threw: boolean;
  name?: string;
  code?: string;
  message?: string;
}

function rounds(r: RunResult, who: string): Round[][] {
  if (r.timedOut || r.code !== 0) throw new Error(`participant ${who}: ${describeRun(r)}`);
  return r.results.map((list) => list.filter((x) => x.label === 'round') as unknown as Round[]);
}

// name, ranks of A and B (0: plain node), their modes, rounds
const RACES: [string, number, number, string, string, number][] = [
  ['two 2-rank jobs, both with mode w', 2, 2, 'w', 'w', 20],
  ['a 2-rank job and a plain node process, both with mode w', 2, 0, 'w', 'w', 20],
  ["a 2-rank job with mode a and a plain node process with mode w", 2, 0, 'a', 'w', 10],
  ['two 2-rank jobs, both with mode x', 2, 2, 'x', 'x', 10],
];

test.each(RACES)('%s: exactly one gets the new file, every round', async (_name, ranksA, ranksB, modeA, modeB, n) => {
  const dir = tmpdir('h5mpi-lockrace-');
  const run = (ranks: number, me: string, other: string, mode: string) =>
    mpirun(ranks, 'safety_lockrace.js', [dir, me, other, String(n), mode], { timeoutMs: 120_000 });
  const [a, b] = await Promise.all([run(ranksA, 'A', 'B', modeA), run(ranksB, 'B', 'A', modeB)]);
  const byRank = { A: rounds(a, 'A'), B: rounds(b, 'B') };
  expect(byRank.A).toHaveLength(Math.max(ranksA, 1));
  expect(byRank.B).toHaveLength(Math.max(ranksB, 1));

  const outcomes: string[] = [];
  for (let k = 0; k < n; k++) {
    const file = path.join(dir, `race-${k}.h5`);
    const won = (['A', 'B'] as const).filter((p) => byRank[p].every((ranks) => ranks[k].round === k && !ranks[k].threw));
    outcomes.push(won.length === 1 ? 'one winner' : `round ${k}: ${won.length} winners`);
    if (won.length !== 1) continue;
    const loser = won[0] === 'A' ? 'B' : 'A';
    const loserMode = loser === 'A' ? modeA : modeB;
    for (const ranks of byRank[loser]) {
      const r = ranks[k];
      if (loserMode === 'x') {
        // 'x' never opens an existing file: the file it did not get exists.
        expect(r).toMatchObject({ threw: true, name: 'H5Error', code: 'EXISTS' });
      } else {
        expect(r).toMatchObject({ threw: true, name: 'FileLockedError', code: 'LOCKED' });
        expect(r.message).toContain(`File.open('${file}', '${loserMode}'): '${file}' is open in another process`);
        // Named from /proc/locks: the winner's process (its rank 0), found by the loser's rank 0.
        expect(r.message).toMatch(new RegExp(` It is held by process \\d+ \\([^)]*safety_lockrace\\.js ${dir} ${won[0]} `));
      }
    }
    // The winner's file, whole: the loser neither truncated it nor wrote to it.
    expect(h5dump(file, '/who', { attribute: true }).values).toEqual([won[0]]);
  }
  expect(outcomes).toEqual(Array.from({ length: n }, () => 'one winner'));
  // No temporary names left behind by the creations.
  expect(fs.readdirSync(dir).filter((f) => !/^(race-\d+\.h5|(start|tried)-\d+\.[AB])$/.test(f))).toEqual([]);
  fs.rmSync(dir, { recursive: true, force: true });
}, 180_000);
