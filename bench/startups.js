#!/usr/bin/env node
// Many short 2-rank jobs in a row, to count the ones that crash: what found UCX's memory hooks crashing
// ranks inside V8's garbage collector (docs/platforms.md, "UCX's memory hooks"). Each job loads h5mpi,
// churns the garbage collector while messages and collectives go between the ranks, and exits.
// usage: node bench/startups.js [--runs N] [--ranks N] [--ucx-mem-events yes|no|unset]
//   --ucx-mem-events  what UCX_MEM_EVENTS the jobs start with (default: unset, so h5mpi's own default)
// Prints one JSON line: runs, failures by exit status or signal, and the first failure's stderr.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { identifyMPI, launchEnv } = require('../dist/mpiimpl');
const { options } = require('./options');

if (process.argv[2] === '--rank') {
  // One rank of one job.
  const { MPI } = require('..');
  const c = MPI.COMM_WORLD;
  let keep = [];
  for (let i = 0; i < 200; i++) {
    keep.push(new Float64Array(4096 + i).fill(i), { i, s: `x${i}`.repeat(20) });
    if (keep.length > 50) keep = [];
    const sum = c.allreduce(i, 'sum');
    if (sum !== (i * c.size)) throw new Error(`allreduce gave ${sum}`);
    const peer = (c.rank + 1) % c.size;
    c.sendrecv(new Float64Array(1024).fill(i), peer, (c.rank - 1 + c.size) % c.size);
  }
  c.barrier();
  process.exit(0);
}

const o = options(process.argv.slice(2), { runs: '100', ranks: '2', 'ucx-mem-events': 'unset' }, { usage: 'usage: node bench/startups.js [--runs N] [--ranks N] [--ucx-mem-events yes|no|unset]' });
const runs = Number(o.runs);
const ranks = Number(o.ranks);
const events = o['ucx-mem-events'];
const launcher = identifyMPI(spawnSync('mpiexec', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const env = { ...process.env, ...launchEnv(launcher, !!process.getuid && process.getuid() === 0) };
delete env.UCX_MEM_EVENTS;
if (events !== 'unset') env.UCX_MEM_EVENTS = events;

const failures = {};
let firstFailure;
const started = Date.now();
for (let i = 0; i < runs; i++) {
  const r = spawnSync('mpiexec', ['-n', String(ranks), process.execPath, __filename, '--rank'], { env, encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0) continue;
  const why = r.signal ? `signal ${r.signal}` : `status ${r.status}`;
  failures[why] = (failures[why] ?? 0) + 1;
  firstFailure ??= `${r.stdout}\n${r.stderr}`.trim().slice(0, 2000);
}
const failed = Object.values(failures).reduce((a, b) => a + b, 0);
console.log(JSON.stringify({ mpi: `${launcher.name} ${launcher.version}`, ucxMemEvents: events, ranks, runs, failed, failures, seconds: Math.round((Date.now() - started) / 1000), firstFailure: firstFailure ?? null, script: path.relative(process.cwd(), __filename) }));
