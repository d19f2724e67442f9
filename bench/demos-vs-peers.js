#!/usr/bin/env node
// The demos next to the reference programs (../shared/peers): demo/write.js against h5py_write.py and the C
// floor c_write.c, demo/read.js against h5py_read.py, on the same sizes and rank count, in one interleaved run
// (each repetition runs every program once, in an order that rotates), reported as medians and ratios.
// The README's "Demos" table comes from this script.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const USAGE = `usage: node bench/demos-vs-peers.js [--ranks N] [--rows R] [--cols C] [--reps K] [--modes collective,independent]
                                     [--peers DIR] [--dir DIR] [--json]
  --ranks   ranks of every run (default 4)
  --rows    rows, --cols columns of float32 (default 64 x 4000000, about 1 GB)
  --reps    repetitions (default 5); medians are reported
  --modes   transfer modes to compare (default collective,independent)
  --peers   the reference programs (default ../shared/peers next to this checkout)
  --dir     where the files go (default a new directory under the system's temporary directory, removed after)
  --json    also print every sample as a JSON line
`;

function options(argv) {
  const o = { ranks: 4, rows: 64, cols: 4_000_000, reps: 5, modes: ['collective', 'independent'], peers: path.resolve(ROOT, '..', 'shared', 'peers'), dir: null, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    const count = () => {
      const v = value();
      if (!/^[1-9][0-9]*$/.test(v)) fail(`${a} takes a positive whole number, got '${v}'`);
      return Number(v);
    };
    if (a === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else if (a === '--ranks') o.ranks = count();
    else if (a === '--rows') o.rows = count();
    else if (a === '--cols') o.cols = count();
    else if (a === '--reps') o.reps = count();
    else if (a === '--modes') {
      o.modes = value().split(',');
      if (o.modes.some((m) => m !== 'collective' && m !== 'independent')) fail(`--modes takes collective and/or independent`);
    } else if (a === '--peers') o.peers = path.resolve(value());
    else if (a === '--dir') o.dir = path.resolve(value());
    else if (a === '--json') o.json = true;
    else fail(`unknown argument '${a}'`);
  }
  return o;
}

function fail(message) {
  process.stderr.write(`demos-vs-peers: ${message} (see --help)\n`);
  process.exit(2);
}

/** OpenMPI as scripts/mpienv.sh sets it: more ranks than cores, and root when we are root. */
function mpiEnv() {
  const env = { ...process.env, OMPI_MCA_rmaps_base_oversubscribe: '1', OMPI_MCA_btl_vader_single_copy_mechanism: 'none' };
  if (process.getuid && process.getuid() === 0) Object.assign(env, { OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1' });
  return env;
}

/** Runs one program on `ranks` ranks; returns its last output line, parsed. */
function runJson(ranks, argv, cwd) {
  const r = spawnSync('mpiexec', ['-n', String(ranks), ...argv], { cwd, env: mpiEnv(), encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function main() {
  const o = options(process.argv.slice(2));
  for (const p of ['h5py_write.py', 'h5py_read.py', 'c_write.c']) {
    if (!fs.existsSync(path.join(o.peers, p))) fail(`no ${p} in ${o.peers} (pass --peers DIR)`);
  }
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'h5mpi-demos-vs-peers-'));
  fs.mkdirSync(dir, { recursive: true });
  const cWrite = path.join(dir, 'c_write');
  execFileSync('h5pcc', ['-O2', '-o', cWrite, path.join(o.peers, 'c_write.c')], { stdio: ['ignore', 'ignore', 'inherit'] });

  const py = '/usr/bin/python3';
  const node = process.execPath;
  const files = { h5mpi: path.join(dir, 'h5mpi.h5'), h5py: path.join(dir, 'h5py.h5'), c: path.join(dir, 'c.h5') };
  const size = [String(o.rows), String(o.cols)];
  // Both readers read the file h5py wrote in the same repetition (any writer's file has the same layout).
  const programs = (mode) => ({
    write: [
      ['h5mpi', [node, path.join(ROOT, 'demo', 'write.js'), ...size, files.h5mpi, '--json', ...(mode === 'independent' ? ['--independent'] : [])]],
      ['h5py', [py, path.join(o.peers, 'h5py_write.py'), ...size, files.h5py, mode]],
      ['c', [cWrite, ...size, files.c, mode]],
    ],
    read: [
      ['h5mpi', [node, path.join(ROOT, 'demo', 'read.js'), files.h5py, '--json', ...(mode === 'independent' ? ['--independent'] : [])]],
      ['h5py', [py, path.join(o.peers, 'h5py_read.py'), files.h5py, mode]],
    ],
  });

  const samples = []; // { op, mode, program, rep, total_s, MB }
  const started = Date.now();
  for (let rep = 0; rep < o.reps; rep++) {
    for (const mode of o.modes) {
      const p = programs(mode);
      for (const op of ['write', 'read']) {
        const list = p[op];
        for (let k = 0; k < list.length; k++) {
          const [program, argv] = list[(k + rep) % list.length]; // rotate who goes first
          const json = runJson(o.ranks, argv, dir);
          const sample = { op, mode, program, rep, ranks: json.ranks, MB: json.MB, total_s: json.total_s };
          samples.push(sample);
          if (o.json) console.log(JSON.stringify({ ...json, ...sample }));
        }
      }
    }
    process.stderr.write(`demos-vs-peers: repetition ${rep + 1} of ${o.reps} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  if (!o.dir) fs.rmSync(dir, { recursive: true, force: true });
  else for (const f of Object.values(files)) fs.rmSync(f, { force: true });

  const mb = (o.rows * o.cols * 4) / 2 ** 20;
  const cell = (op, mode, program) => {
    const xs = samples.filter((s) => s.op === op && s.mode === mode && s.program === program).map((s) => s.total_s);
    if (xs.length === 0) return { text: '—', t: NaN };
    const t = median(xs);
    return { text: `${t.toFixed(2)} s (${(mb / t).toFixed(0)} MB/s)`, t };
  };
  console.log(`\n${o.ranks} ranks, ${o.rows} x ${o.cols} float32 (${mb.toFixed(1)} MB), median of ${o.reps} interleaved repetitions, open to close:\n`);
  console.log('| operation | mode | h5mpi (demo/) | h5py (peer) | C (c_write.c) | h5mpi / h5py time |');
  console.log('|---|---|---|---|---|---|');
  for (const op of ['write', 'read']) {
    for (const mode of o.modes) {
      const a = cell(op, mode, 'h5mpi'), b = cell(op, mode, 'h5py'), c = cell(op, mode, 'c');
      console.log(`| ${op} | ${mode} | ${a.text} | ${b.text} | ${c.text} | ${(a.t / b.t).toFixed(2)} |`);
    }
  }
}

main();
