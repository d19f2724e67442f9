#!/usr/bin/env node
// What checking Comm collectives costs (lib/collectives.ts: the ranks agree on each call with an allreduce of
// its own before making it), against the smallest collective there is: an 8-byte allreduce (one number).
// Blocks of the same call alternate between checking on and off (A B B A A B ...), each block timed between
// barriers, so that both see the same machine load.
//   usage: mpiexec -n 4 node bench/comm-check-cost.js [CALLS] [ROUNDS]
// Prints one JSON line from rank 0: per case, the median over rounds of the slowest rank's microseconds per call.
'use strict';
const { MPI } = require('..');
const { setCommChecking } = require('../dist/collectives');

const [calls, rounds] = [Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 21)];
const comm = MPI.COMM_WORLD;
const one = comm.rank + 0.5;

const CASES = {
  'allreduce of one number, unchecked': [false, () => comm.allreduce(one, 'sum')],
  'allreduce of one number, checked': [true, () => comm.allreduce(one, 'sum')],
  'bcast of one number, unchecked': [false, () => comm.bcast(one, 0)],
  'bcast of one number, checked': [true, () => comm.bcast(one, 0)],
};

const times = Object.fromEntries(Object.keys(CASES).map((k) => [k, []]));
for (const [on, call] of Object.values(CASES)) {
  setCommChecking(on);
  for (let i = 0; i < calls / 10; i++) call(); // warm up
}
for (let r = 0; r < rounds; r++) {
  const names = r % 2 === 0 ? Object.keys(CASES) : Object.keys(CASES).reverse();
  for (const name of names) {
    const [on, call] = CASES[name];
    setCommChecking(on);
    comm.barrier();
    const t0 = MPI.Wtime();
    for (let i = 0; i < calls; i++) call();
    const us = ((MPI.Wtime() - t0) / calls) * 1e6;
    setCommChecking(false);
    times[name].push(comm.allreduce(us, 'max'));
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
if (comm.rank === 0) {
  const us = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, Number(median(t).toFixed(2))]));
  const cost = (what) => {
    const off = us[`${what}, unchecked`];
    const on = us[`${what}, checked`];
    return { off_us: off, on_us: on, check_us: Number((on - off).toFixed(2)), check_pct: Math.round(((on - off) / off) * 100) };
  };
  console.log(JSON.stringify({ ranks: comm.size, calls, rounds, allreduce: cost('allreduce of one number'), bcast: cost('bcast of one number'), us_per_call: us }));
}
