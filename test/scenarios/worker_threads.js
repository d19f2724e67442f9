// h5mpi in worker threads (argv[2]: 'worker-first' or 'main-first'; argv[3]: a scratch directory). A
// Worker that loads h5mpi, or its addon directly, is refused with an error that says why; after it has
// exited, the main thread loads and uses h5mpi (HDF5 errors included) as if nothing had happened. Prints one
// JSON line: what each step saw.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const ROOT = path.join(__dirname, '..', '..');
const [order, dir] = process.argv.slice(2);

// Runs `code` in a Worker; resolves with what it posted (or its error) and how it exited.
function inWorker(code) {
  return new Promise((resolve) => {
    const w = new Worker(code, { eval: true, workerData: { ROOT } });
    let posted;
    w.on('message', (m) => (posted = m));
    w.on('error', (e) => (posted = { uncaught: `${e.name}: ${e.message}` }));
    w.on('exit', (exitCode) => resolve({ ...posted, exitCode }));
  });
}

const LOAD_PACKAGE = `
const { parentPort, workerData } = require('node:worker_threads');
try { require(workerData.ROOT); parentPort.postMessage({ loaded: true }); }
catch (e) { parentPort.postMessage({ loaded: false, name: e.name, message: e.message }); }`;

const LOAD_ADDON = `
const { parentPort, workerData } = require('node:worker_threads');
const p = require('node:path');
try { require(p.join(workerData.ROOT, 'build', 'Release', 'h5mpi.node')); parentPort.postMessage({ loaded: true }); }
catch (e) { parentPort.postMessage({ loaded: false, name: e.name, message: e.message }); }`;

// What the main thread can still do: an HDF5 error (the one that crashed after a Worker before), and a
// file written and read back.
function mainThreadWorks(h5) {
  const notHdf5 = path.join(dir, `${order}-notes.txt`);
  fs.writeFileSync(notHdf5, 'not HDF5\n');
  let error;
  try {
    h5.File.open(notHdf5, 'r');
  } catch (e) {
    error = { name: e.name, code: e.code, message: e.message };
  }
  const file = path.join(dir, `${order}.h5`);
  const f = h5.File.open(file, 'w');
  f.createDataset('x', { shape: [3], dtype: 'float64', data: [1.5, 2.5, 3.5] });
  f.attrs.set('who', 'main thread');
  f.close();
  const g = h5.File.open(file, 'r');
  const read = { x: Array.from(g.get('x').read()), who: g.attrs.get('who') };
  g.close();
  return { error, read };
}

async function main() {
  const out = { order };
  if (order === 'main-first') out.before = mainThreadWorks(require(ROOT));
  out.package = await inWorker(LOAD_PACKAGE);
  out.addon = await inWorker(LOAD_ADDON);
  out.after = mainThreadWorks(require(ROOT));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();
