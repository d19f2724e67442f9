#!/usr/bin/env node
// CPU time a rank spends awaiting a message that arrives late: rank 1 sends after DELAY ms, rank 0 awaits
// an irecv (the promise polls from the event loop) and reports its CPU time over the wait, beside a
// blocking wait() on the same late message for comparison (MPI spins there).
// usage: mpiexec -n 2 node bench/await-cpu.js [DELAY_MS=2000]
'use strict';
const { MPI } = require('..');

const delay = Number(process.argv[2] ?? 2000);
const c = MPI.COMM_WORLD;
if (c.size !== 2) throw new Error('bench/await-cpu.js: run with mpiexec -n 2');

async function main() {
  const out = {};
  for (const how of ['await', 'wait']) {
    c.barrier();
    if (c.rank === 1) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      c.send({ how }, 0, 1);
      continue;
    }
    const req = c.irecv(1, 1);
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const value = how === 'await' ? await req : req.wait();
    const wall = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    if (value.how !== how) throw new Error(`bench/await-cpu.js: got ${JSON.stringify(value)}`);
    out[how] = { wall_ms: Math.round(wall), cpu_ms: Math.round((cpu.user + cpu.system) / 100) / 10 };
  }
  if (c.rank === 0) console.log(JSON.stringify({ delay_ms: delay, ...out }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
