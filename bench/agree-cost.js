// Wall time of N collective metadata calls (attrs.set, then createGroup, in turns) in a parallel file: what
// the agreement on each call's outcome (lib/context.ts `agreed`) costs. Prints rank 0's time in ms.
// usage: mpiexec -n 2 node bench/agree-cost.js [N=2000] [FILE] [ROOT: an h5mpi checkout; default this one]
'use strict';
const path = require('node:path');
const os = require('node:os');
const n = Number(process.argv[2] ?? 2000);
const file = process.argv[3] ?? path.join(os.tmpdir(), `h5mpi-agree-cost-${process.pid}.h5`);
const { MPI, File } = require(process.argv[4] ?? path.join(__dirname, '..'));

const world = MPI.COMM_WORLD;
const f = File.open(file, 'w', { comm: world });
const g = f.createGroup('g');
world.barrier();
const t0 = process.hrtime.bigint();
for (let i = 0; i < n / 2; i++) {
  g.attrs.set(`a${i % 50}`, i);
  g.createGroup(`g${i}`);
}
world.barrier();
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
f.close();
if (world.rank === 0) {
  require('node:fs').rmSync(file, { force: true });
  console.log(JSON.stringify({ ranks: world.size, calls: n, ms: Math.round(ms), usPerCall: Math.round((ms * 1000) / n) }));
}
