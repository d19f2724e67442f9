#!/usr/bin/env node
// `npm run stress`: large data at real sizes, on this machine. Two ranks each write and read back a block of
// over 2 GiB (MPI's int count limit) of one dataset of over 4 GiB, collectively and independently; then 64-bit
// offsets past 2^32 and 2^33 in a sparse 8 GiB dataset. Every element is checked; files are removed after.
//   node bench/stress.js [--gib-per-rank 2.25] [--ranks 2] [--dir /tmp]
// Needs about ranks x gib-per-rank of free memory and of free disk. The regular tests cover the same
// arithmetic on small data (test/h5_large.test.ts).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { identifyMPI, launchEnv } = require('../dist/mpiimpl');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const gib = Number(opt('gib-per-rank', '2.25'));
const ranks = Number(opt('ranks', '2'));
const dir = fs.mkdtempSync(path.join(opt('dir', os.tmpdir()), 'h5mpi-stress-'));
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

try {
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
