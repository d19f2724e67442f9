#!/usr/bin/env node
// `npm run stress`: large data at real sizes, on this machine, then soak and crash consistency at length.
//   large  Two ranks each write and read back a block of over 2 GiB (MPI's int count limit) of one dataset of
//          over 4 GiB, collectively and independently; then 64-bit offsets past 2^32 and 2^33 in a sparse
//          8 GiB dataset. Every element is checked; files are removed after.
//   kill   kill -9 of every rank at a random point after flushes, --kill-runs times at 2 ranks and as many
//          serially, every flushed step checked with h5mpi, h5dump and h5py (bench/soak.js)
//   leak   --leak-loops rounds of open/create/write/read/attributes/close serially, and
//          --leak-loops-parallel on each of 2 ranks (MPI-IO on COMM_SELF; slower), returning to the event
//          loop every 100 rounds (bench/soak.js)
//   node bench/stress.js [--only large,kill,leak] [--gib-per-rank 2.25] [--ranks 2] [--dir /tmp]
//                        [--kill-runs 20] [--leak-loops 50000] [--leak-loops-parallel 10000]
// The large part needs about ranks x gib-per-rank of free memory and of free disk. The regular tests cover
// the same arithmetic on small data (test/h5_large.test.ts) and a few kills and loops (test/soak.test.ts).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { identifyMPI, launchEnv } = require('../dist/mpiimpl');
const { options } = require('./options');

const o = options(
  process.argv.slice(2),
  { only: 'large,kill,leak', 'kill-runs': '20', 'leak-loops': '50000', 'leak-loops-parallel': '10000', 'gib-per-rank': '2.25', ranks: '2', dir: os.tmpdir() },
  { usage: 'usage: see the top of bench/stress.js' },
);
const only = o.only.split(',');
const killRuns = Number(o['kill-runs']);
const leakLoops = Number(o['leak-loops']);
const leakLoopsParallel = Number(o['leak-loops-parallel']);
const gib = Number(o['gib-per-rank']);
const ranks = Number(o.ranks);
const dir = fs.mkdtempSync(path.join(o.dir, 'h5mpi-stress-'));
const cols = 1024;
const rows = Math.ceil((gib * 2 ** 30 * ranks) / (4 * cols));

// What the mpiexec on PATH needs here (lib/mpiimpl.ts, as scripts/mpienv.sh sets it).
const launcher = identifyMPI(spawnSync('mpiexec', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const env = { ...process.env, ...launchEnv(launcher, !!process.getuid && process.getuid() === 0) };

function run(label, rankArgs, timeoutS) {
  console.log(`stress: ${label}`);
  const r = spawnSync('mpiexec', ['-n', String(ranks), process.execPath, path.join(__dirname, 'stress-rank.js'), ...rankArgs], {
    env,
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    throw new Error(`${label}: mpiexec exited ${r.status}${r.signal ? ` (${r.signal})` : ''}\n${r.stdout}\n${r.stderr}`);
  }
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  if (lines.length !== ranks) throw new Error(`${label}: expected ${ranks} reports, got:\n${r.stdout}\n${r.stderr}`);
  for (const l of lines) console.log(`  ${JSON.stringify(l)}`);
  return lines;
}

const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

/** Resident memory may grow while it warms up, then levels off: over the last quarter of the loops, this much at most. */
const LEAK_LAST_QUARTER_MIB = 8;

async function kills() {
  const { flushKill } = require('./soak');
  for (const r of [2, 0]) {
    console.log(`stress: flush, then kill -9 of every rank, ${killRuns} times ${r ? `at ${r} ranks` : 'serially'}`);
    const { runs, h5py } = await flushKill({ runs: killRuns, ranks: r, cols: 64, maxDelayMs: 2000, dir });
    const readers = ['h5mpi', 'h5dump', ...(h5py ? ['h5py'] : [])];
    const bad = runs.filter((run) => run.flushedSteps < 1 || readers.some((k) => run[k].error || run[k].wrong !== 0 || run[k].checked !== run.flushedSteps * 64 || run[k].steps < run.flushedSteps));
    for (const run of bad) console.log(`  ${JSON.stringify(run)}`);
    const steps = runs.map((run) => run.flushedSteps);
    check(bad.length === 0, `${runs.length - bad.length} of ${runs.length} kills left every flushed step intact, read by ${readers.join(', ')} (flushed steps ${Math.min(...steps)}-${Math.max(...steps)})`);
  }
}

function leaks() {
  const { leak } = require('./soak');
  for (const r of [0, 2]) {
    const loops = r ? leakLoopsParallel : leakLoops;
    console.log(`stress: ${loops} loops of open/create/write/read/attributes/close ${r ? `at ${r} ranks` : 'serially'}`);
    const { ranks: per } = leak({ loops, ranks: r, samples: 20, dir });
    for (const p of per) {
      const s = p.samples;
      const quarter = s[s.length - 1].rssMiB - s[Math.floor((3 * s.length) / 4)].rssMiB;
      const grew = (k) => s[s.length - 1][k] - s[0][k];
      console.log(`  rank ${p.rank}: RSS ${s.map((x) => x.rssMiB.toFixed(1)).join(' ')} MiB; malloc ${s.map((x) => x.mallocMiB.toFixed(2)).join(' ')} MiB; heap ${s.map((x) => x.heapMiB.toFixed(2)).join(' ')} MiB; ids ${[...new Set(s.map((x) => x.ids))].join(',')}; fds ${[...new Set(s.map((x) => x.fds))].join(',')}`);
      check(p.wrong === 0 && s.every((x) => x.ids === 0) && s.every((x) => x.fds === s[0].fds), `rank ${p.rank}: every value right, no HDF5 id or descriptor left open`);
      check(grew('mallocMiB') < 2 && grew('heapMiB') < 4, `rank ${p.rank}: native memory grew ${grew('mallocMiB').toFixed(2)} MiB (< 2), V8's heap ${grew('heapMiB').toFixed(2)} MiB (< 4)`);
      check(quarter < LEAK_LAST_QUARTER_MIB, `rank ${p.rank}: resident memory grew ${quarter.toFixed(1)} MiB over the last quarter (< ${LEAK_LAST_QUARTER_MIB})`);
    }
  }
}

async function main() {
  try {
    if (only.includes('large')) large();
    if (only.includes('kill') || only.includes('soak')) await kills();
    if (only.includes('leak') || only.includes('soak')) leaks();
  } catch (e) {
    failures.push(e.message);
    console.error(e.message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length) {
    console.error(`stress: ${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log('stress: all passed');
}

function large() {
  const big = path.join(dir, 'big.h5');
  const perRank = run(`${ranks} ranks x ${gib} GiB blocks of float32 [${rows}, ${cols}]`, ['big', big, String(rows), String(cols)], 1800);
  check(perRank.every((o) => o.blockBytes > 2 ** 31), `every rank's block is over 2 GiB (${perRank.map((o) => o.blockBytes).join(', ')} bytes)`);
  check(perRank[0].datasetBytes > 2 ** 32, `the dataset is over 4 GiB (${perRank[0].datasetBytes} bytes)`);
  check(perRank.every((o) => o.collectiveMismatches === 0), 'collective write and read back: every element right');
  check(perRank.every((o) => o.collectiveTransfer === 'collective'), 'HDF5 did the collective transfer collectively');
  check(perRank.every((o) => o.independentMismatches === 0), 'independent write and read back (in pieces): every element right');
  fs.rmSync(big, { force: true });

  const sparse = path.join(dir, 'sparse.h5');
  const n = 2 ** 33 + 2 ** 22;
  const s = run(`64-bit offsets: a sparse uint8 dataset of ${n} elements`, ['sparse', sparse, String(n)], 600);
  check(s.every((o) => o.mismatches.every((m) => m === 0)), 'writes and reads past 2^32 and 2^33: every byte right');
  check(s.every((o) => o.untouchedNonZero === 0), 'an untouched stretch reads back as the fill value');
}

main();
