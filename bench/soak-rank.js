// One rank (or the one process) of a soak run (bench/soak.js drives it; test/soak.test.ts and `npm run
// stress` run that).
//   flush FILE COLS PROGRESS_DIR  steps until killed: each step grows the chunked dataset 'steps' by a row,
//     each rank writes its share of the row (element c of step k is k * COLS + c), the file attribute 'steps'
//     becomes k + 1 and the file is flushed; then the rank appends "flushed k" to PROGRESS_DIR/rank-R.log (a
//     line written before the kill is kept by the kernel). The log starts with "pid P". After 1,000,000 steps
//     it closes the file and logs "done".
//   leak FILE LOOPS SAMPLES [YIELD]  LOOPS rounds of open/create/write/read/attributes/close on FILE,
//     returning to the event loop every YIELD rounds (default 100; 0: never, a loop that runs to its end
//     without, as a compute loop may); then prints one JSON line: SAMPLES samples, evenly spaced after the
//     first tenth of the loops, each after a full GC (and with YIELD, a turn of the event loop), of resident
//     memory, V8's heap, malloc's memory in use, open HDF5 ids and file descriptors; with YIELD 0 also one
//     after the loop, once the event loop has turned (Node-API runs the finalizers of collected native
//     objects only then); and how many values read back wrong.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { MPI, File } = require('..');
const { native } = require('../dist/native');

const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const [mode, file] = process.argv.slice(2, 4);

if (mode === 'flush') {
  const cols = Number(process.argv[4]);
  const log = path.join(process.argv[5], `rank-${rank}.log`);
  fs.appendFileSync(log, `pid ${process.pid}\n`);
  const f = File.open(file, 'w');
  const d = f.createDataset('steps', { shape: [0, cols], maxshape: [Infinity, cols], chunks: [1, cols], dtype: 'float64' });
  const lo = Math.floor((rank * cols) / size), hi = Math.floor(((rank + 1) * cols) / size);
  const row = new Float64Array(hi - lo);
  for (let k = 0; k < 1e6; k++) {
    d.resize([k + 1, cols]);
    for (let c = lo; c < hi; c++) row[c - lo] = k * cols + c;
    d.write(row, { start: [k, lo], count: [1, hi - lo] });
    f.attrs.set('steps', k + 1);
    f.flush();
    fs.appendFileSync(log, `flushed ${k}\n`);
  }
  f.close();
  fs.appendFileSync(log, 'done\n');
} else if (mode === 'leak') {
  leak(Number(process.argv[4]), Number(process.argv[5]), Number(process.argv[6] ?? 100));
} else {
  throw new Error(`soak-rank.js: unknown mode ${mode}`);
}

async function leak(loops, samples, yieldEvery) {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  const first = Math.floor(loops / 10);
  const every = Math.max(1, Math.floor((loops - 1 - first) / Math.max(1, samples - 1)));
  const out = { rank, loops, yieldEvery, samples: [], wrong: 0 };
  const measure = (loop) => {
    const ids = native.openIds();
    const m = process.memoryUsage();
    return {
      loop,
      rssMiB: m.rss / 2 ** 20,
      heapMiB: m.heapUsed / 2 ** 20,
      mallocMiB: native.mallocInUse() / 2 ** 20,
      ids: ids.files + ids.datasets + ids.groups + ids.datatypes + ids.attributes,
      fds: fs.readdirSync('/proc/self/fd').length,
    };
  };
  const data = Float64Array.from({ length: 1000 }, (_, i) => i * 0.5);
  const mine = file.replace(/\.h5$/, `-${rank}.h5`);
  for (let i = 0; i < loops; i++) {
    // Serial files, one per rank (MPI-IO on COMM_SELF in a job), so that the ranks run free of each other;
    // the same file again and again, created ('w') on even rounds and opened to change ('a') on odd ones.
    const f = File.open(mine, i % 2 === 0 ? 'w' : 'a', { comm: size > 1 ? MPI.COMM_SELF : undefined });
    if (i % 2 === 1) f.delete('group');
    const g = f.createGroup('group');
    const d = g.createDataset('x', { shape: [10, 100], dtype: 'float64', chunks: [5, 100], compression: 'gzip' });
    // A filtered dataset in a parallel file (here on COMM_SELF) is written collectively.
    d.write(data, undefined, { collective: size > 1 });
    d.attrs.set('round', i);
    d.attrs.set('unit', 'm/s');
    g.attrs.set('values', new Int32Array([i, -i, 7]));
    const back = d.read({ start: [2, 0], count: [3, 100] });
    if (back[0] !== 100 || back[299] !== 249.5) out.wrong++;
    if (d.attrs.get('round') !== i || d.attrs.get('unit') !== 'm/s' || g.attrs.get('values')[1] !== -i) out.wrong++;
    if (f.keys().join() !== 'group' || g.keys().join() !== 'x') out.wrong++;
    f.close();
    if (yieldEvery > 0 && (i + 1) % yieldEvery === 0) await turn();
    if (i >= first && (i - first) % every === 0 && out.samples.length < samples) {
      globalThis.gc();
      if (yieldEvery > 0) {
        await turn();
        globalThis.gc();
        await turn();
      }
      out.samples.push(measure(i + 1));
    }
  }
  if (yieldEvery === 0) {
    for (let k = 0; k < 5; k++) {
      await turn();
      globalThis.gc();
    }
    await turn();
    out.afterTurn = measure(loops);
  }
  fs.rmSync(mine, { force: true });
  console.log(JSON.stringify(out));
}
