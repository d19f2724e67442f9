// The fuzz run (`npm run fuzz`): mutants of the seeds, each walked by h5mpi (walk.js) and by h5py (walk.py)
// in a child process with a time limit, classified by outcome.js (crash, hang, type, error, same)
// and the counts printed side by side. Deterministic: the same options give the same mutants.
//   node test/fuzz/run.js [--count 2000] [--first 0] [--jobs 2] [--timeout 10] [--no-h5py] [--untrusted]
//                         [--ids a:1,b:2] [--json out.json] [--corpus] [--lib DIR] [--visit]
// --lib DIR walks with another h5mpi checkout's build (its dist/ and build/Release/), e.g. the one before a fix.
// --visit makes each walk call visit() on the whole tree first (h5py's visit: HDF5's walk by name).
// --corpus prints the crashing and hanging mutants as test/fuzz/corpus.json wants them.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { mutant, mutantIds, seedNames, SEEDS } = require('./mutate');
const { walk: walkWith, OUTCOMES } = require('./outcome');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const count = Number(opt('--count', 2000));
const first = Number(opt('--first', 0));
const jobs = Number(opt('--jobs', 2));
const timeoutS = Number(opt('--timeout', 10));
const withH5py = !args.includes('--no-h5py');
const untrusted = args.includes('--untrusted');
const ids = opt('--ids') ? opt('--ids').split(',') : mutantIds(count, first);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'h5mpi-fuzz-'));

async function pool(items, fn) {
  let next = 0;
  const results = new Array(items.length);
  await Promise.all(Array.from({ length: jobs }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }));
  return results;
}

// In untrusted mode the check's own limit is half the walk's, so that a libhdf5 hang ends as its TIMEOUT.
const checkArgs = untrusted ? ['--timeout', String(timeoutS * 500)] : [];
const walk = (tool, file, baseline) => walkWith(tool, file, { baseline, untrusted, timeoutS, lib: opt('--lib'), args: checkArgs, visit: args.includes('--visit') });

async function main() {
  const tools = withH5py ? ['h5mpi', 'h5py'] : ['h5mpi'];
  const baselines = {};
  for (const s of seedNames()) {
    baselines[s] = {};
    for (const t of tools) baselines[s][t] = await walk(t, path.join(SEEDS, `${s}.h5`));
  }
  const started = Date.now();
  const rows = await pool(ids, async (id, i) => {
    const m = mutant(id);
    const file = path.join(dir, `${id.replace(':', '_')}.h5`);
    fs.writeFileSync(file, m.bytes);
    const row = { id, what: m.what };
    for (const t of tools) row[t] = await walk(t, file, baselines[id.split(':')[0]][t]);
    fs.rmSync(file, { force: true });
    if ((i + 1) % 100 === 0) process.stderr.write(`${i + 1}/${ids.length} (${Math.round((Date.now() - started) / 1000)} s)\n`);
    return row;
  });
  fs.rmSync(dir, { recursive: true, force: true });
  const tally = (t) => Object.fromEntries(OUTCOMES.map((o) => [o, rows.filter((r) => r[t]?.outcome === o).length]));
  console.log(`${ids.length} mutants of ${seedNames().length} seeds${untrusted ? ', h5mpi in untrusted mode' : ''}, time limit ${timeoutS} s`);
  console.log(['outcome'.padEnd(8), ...tools.map((t) => t.padStart(7))].join(' '));
  for (const o of OUTCOMES) console.log([o.padEnd(8), ...tools.map((t) => String(tally(t)[o]).padStart(7))].join(' '));
  if (withH5py) {
    const both = (o) => rows.filter((r) => r.h5mpi.outcome === o && r.h5py.outcome === o).length;
    console.log(`crash in both: ${both('crash')}, hang in both: ${both('hang')}`);
  }
  for (const r of rows) if (r.h5mpi.outcome === 'crash' || r.h5mpi.outcome === 'hang') console.log(`  ${r.id} [${r.what}] h5mpi ${r.h5mpi.outcome}: ${r.h5mpi.detail}${withH5py ? ` | h5py ${r.h5py.outcome}` : ''}`);
  if (opt('--json')) fs.writeFileSync(opt('--json'), JSON.stringify(rows, null, 1));
  if (args.includes('--corpus')) {
    const bad = rows.filter((r) => r.h5mpi.outcome === 'crash' || r.h5mpi.outcome === 'hang');
    console.log(JSON.stringify(bad.map((r) => ({ id: r.id, outcome: r.h5mpi.outcome, detail: r.h5mpi.detail })), null, 1));
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
