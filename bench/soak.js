#!/usr/bin/env node
// Soak and crash-consistency runs (test/soak.test.ts runs a few in `npm test`, bench/stress.js many):
//   flushkill  a job (serial, or mpiexec -n RANKS) steps through bench/soak-rank.js's flush loop, flushing
//              after each step, and every rank is killed with SIGKILL at a random point once each has
//              flushed a step; then the file is read with h5mpi, h5dump and h5py (when /usr/bin/python3 has
//              it), each reporting the 'steps' attribute, the dataset's shape and how many elements of the
//              flushed steps differ from what was written.
//   leak       bench/soak-rank.js's open/create/write/read/attributes/close loop on each rank, sampling
//              resident memory, V8's heap, malloc's memory in use, open HDF5 ids and file descriptors;
//              --yield-every 0 runs the loop without returning to the event loop until its end.
// Prints one JSON object: { runs: [...] } or { ranks: [...] }.
//   node bench/soak.js flushkill [--runs 3] [--ranks 2] [--cols 64] [--max-delay-ms 1500] [--dir DIR]
//   node bench/soak.js leak [--loops 2000] [--ranks 0] [--samples 10] [--yield-every 100]
// --ranks 0 runs one plain `node` process (a serial file), without mpiexec.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const RANK = path.join(__dirname, 'soak-rank.js');
const PY = '/usr/bin/python3';

const { identifyMPI, launchEnv } = require('../dist/mpiimpl');
const { options } = require('./options');

let launcher;
/** What the mpiexec on PATH needs here (lib/mpiimpl.ts); `sessionBase` for a job this kills. */
function mpiEnv(sessionBase) {
  launcher ??= identifyMPI(spawnSync('mpiexec', ['--version'], { encoding: 'utf8' }).stdout ?? '');
  return { ...process.env, ...launchEnv(launcher, !!process.getuid && process.getuid() === 0, sessionBase) };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Each rank's log: its pid and the last step it logged as flushed (-1: none), and whether it finished. */
function readLogs(dir, ranks) {
  return Array.from({ length: Math.max(ranks, 1) }, (_, r) => {
    const file = path.join(dir, `rank-${r}.log`);
    const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n') : [];
    const pid = lines.find((l) => l.startsWith('pid '));
    const flushed = lines.filter((l) => l.startsWith('flushed ')).map((l) => Number(l.slice(8)));
    return { pid: pid ? Number(pid.slice(4)) : undefined, lastFlushed: flushed.length ? flushed[flushed.length - 1] : -1, done: lines.includes('done') };
  });
}

/** The file as h5mpi reads it (in a child process, so that this one never holds the file). */
function checkWithH5mpi(file, steps, cols) {
  const code = `
    const { File } = require(${JSON.stringify(path.join(__dirname, '..'))});
    const f = File.open(${JSON.stringify(file)}, 'r');
    const d = f.get('steps');
    const out = { steps: f.attrs.get('steps'), shape: d.shape, checked: 0, wrong: 0 };
    if (${steps} > 0) {
      const a = d.read({ start: [0, 0], count: [${steps}, ${cols}] });
      for (let i = 0; i < a.length; i++) { out.checked++; if (a[i] !== i) out.wrong++; }
    }
    f.close();
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { error: `${r.stderr}`.trim().split('\n').slice(0, 6).join('\n') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** The file as h5dump reads it: the whole file's structure (-H), then the attribute and the flushed rows. */
function checkWithH5dump(file, steps, cols) {
  const header = spawnSync('h5dump', ['-H', file], { encoding: 'utf8', timeout: 60_000 });
  if (header.status !== 0) return { error: `h5dump -H exited ${header.status}: ${header.stderr.trim()}` };
  const shape = /DATASPACE\s+SIMPLE \{ \( (\d+), (\d+) \)/.exec(header.stdout);
  const attr = spawnSync('h5dump', ['-w', '0', '-y', '-a', '/steps', file], { encoding: 'utf8', timeout: 60_000 });
  const stepsAttr = /DATA \{\s*\(0\): (\d+)/.exec(attr.stdout) ?? /DATA \{\s*(\d+)/.exec(attr.stdout);
  const out = { steps: stepsAttr ? Number(stepsAttr[1]) : null, shape: shape ? [Number(shape[1]), Number(shape[2])] : null, checked: 0, wrong: 0 };
  if (steps > 0) {
    const data = spawnSync('h5dump', ['-w', '0', '-y', '-m', '%.17g', '-d', '/steps', '-s', '0,0', '-c', `${steps},${cols}`, file], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 28 });
    if (data.status !== 0) return { ...out, error: `h5dump -d exited ${data.status}: ${data.stderr.trim()}` };
    const body = data.stdout.slice(data.stdout.indexOf('DATA {') + 6);
    const values = body.slice(0, body.indexOf('}')).split(/[\s,]+/).filter((s) => s.length > 0);
    values.forEach((v, i) => {
      out.checked++;
      if (Number(v) !== i) out.wrong++;
    });
  }
  return out;
}

const H5PY_CHECK = `
import json, sys
import numpy as np
import h5py
path, steps, cols = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with h5py.File(path, 'r') as f:
    d = f['steps']
    out = {'steps': int(f.attrs['steps']), 'shape': list(d.shape), 'checked': 0, 'wrong': 0}
    if steps > 0:
        a = d[:steps, :cols]
        out['checked'] = int(a.size)
        out['wrong'] = int(np.count_nonzero(a.reshape(-1) != np.arange(a.size, dtype=np.float64)))
print(json.dumps(out))
`;

function hasH5py() {
  return spawnSync(PY, ['-c', 'import h5py'], { stdio: 'ignore' }).status === 0;
}

function checkWithH5py(file, steps, cols) {
  const r = spawnSync(PY, ['-c', H5PY_CHECK, file, String(steps), String(cols)], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return { error: r.stderr.trim().split('\n').slice(-3).join('\n') };
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** One job killed at a random point after every rank flushed a step; what it left, read three ways. */
async function flushKillRun({ ranks, cols, maxDelayMs, dir, withH5py }) {
  const work = fs.mkdtempSync(path.join(dir, 'flushkill-'));
  const file = path.join(work, 'steps.h5');
  const args = [RANK, 'flush', file, String(cols), work];
  const [cmd, argv] = ranks > 0 ? ['mpiexec', ['-n', String(ranks), process.execPath, ...args]] : [process.execPath, args];
  const started = Date.now();
  const child = spawn(cmd, argv, { env: mpiEnv(work), detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  let exited = null;
  closed.then((e) => (exited = e));
  // Wait until every rank has flushed a step (or the job ended, or 60 s passed).
  let logs = readLogs(work, ranks);
  while (!exited && Date.now() - started < 60_000 && !logs.every((l) => l.pid && l.lastFlushed >= 0)) {
    await sleep(10);
    logs = readLogs(work, ranks);
  }
  const delayMs = Math.round(Math.random() * maxDelayMs);
  await sleep(delayMs);
  // kill -9 of every rank at once, then of mpiexec and anything left in the job's process group.
  const pids = readLogs(work, ranks).map((l) => l.pid).filter((p) => p !== undefined);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  const exit = await closed;
  logs = readLogs(work, ranks);
  // Steps every rank logged as flushed: flush is collective, so each of them is on disk from every rank.
  const flushedSteps = Math.min(...logs.map((l) => l.lastFlushed)) + 1;
  const run = {
    ranks,
    delayMs,
    seconds: (Date.now() - started) / 1000,
    exit,
    killed: pids.length,
    lastFlushed: logs.map((l) => l.lastFlushed),
    done: logs.some((l) => l.done),
    flushedSteps,
    fileExists: fs.existsSync(file),
    h5mpi: checkWithH5mpi(file, flushedSteps, cols),
    h5dump: checkWithH5dump(file, flushedSteps, cols),
    h5py: withH5py ? checkWithH5py(file, flushedSteps, cols) : null,
  };
  if (run.h5mpi.error || run.h5dump.error || run.h5py?.error) run.stderr = stderr.slice(-2000);
  fs.rmSync(work, { recursive: true, force: true });
  return run;
}

async function flushKill(o) {
  const dir = o.dir ?? os.tmpdir();
  const withH5py = hasH5py();
  const runs = [];
  for (let i = 0; i < o.runs; i++) runs.push(await flushKillRun({ ranks: o.ranks, cols: o.cols, maxDelayMs: o.maxDelayMs, dir, withH5py }));
  return { mode: 'flushkill', h5py: withH5py, runs };
}

function leak(o) {
  const dir = fs.mkdtempSync(path.join(o.dir ?? os.tmpdir(), 'leak-'));
  const args = ['--expose-gc', RANK, 'leak', path.join(dir, 'leak.h5'), String(o.loops), String(o.samples), String(o.yieldEvery ?? 100)];
  const [cmd, argv] = o.ranks > 0 ? ['mpiexec', ['-n', String(o.ranks), process.execPath, ...args]] : [process.execPath, args];
  const r = spawnSync(cmd, argv, { env: mpiEnv(), encoding: 'utf8', timeout: 3_600_000, maxBuffer: 1 << 24 });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`soak leak: ${cmd} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  const ranks = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).sort((a, b) => a.rank - b.rank);
  return { mode: 'leak', loops: o.loops, ranks };
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  const v = options(
    rest,
    { runs: '3', ranks: mode === 'leak' ? '0' : '2', cols: '64', 'max-delay-ms': '1500', loops: '2000', samples: '10', 'yield-every': '100', dir: undefined },
    { usage: 'usage: node bench/soak.js flushkill|leak [options] (see the top of bench/soak.js)' },
  );
  const o = {
    runs: Number(v.runs),
    ranks: Number(v.ranks),
    cols: Number(v.cols),
    maxDelayMs: Number(v['max-delay-ms']),
    loops: Number(v.loops),
    samples: Number(v.samples),
    yieldEvery: Number(v['yield-every']),
    dir: v.dir,
  };
  let out;
  if (mode === 'flushkill') out = await flushKill(o);
  else if (mode === 'leak') out = leak(o);
  else {
    console.error('usage: node bench/soak.js flushkill|leak [options] (see the top of bench/soak.js)');
    process.exit(2);
  }
  console.log(JSON.stringify(out));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { flushKill, leak };
