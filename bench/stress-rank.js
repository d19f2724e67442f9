// One rank of `npm run stress` (bench/stress.js runs it under mpiexec). Prints one JSON line per rank.
//   big FILE ROWS COLS: each rank writes a block of ROWS/size rows of COLS float32 (over 2 GiB), collectively
//     and then independently (where h5mpi cuts the transfer into pieces), reads each back and checks every
//     element; the dataset is over 4 GiB.
//   sparse FILE N: a contiguous 1-D uint8 dataset of N elements (N > 2^33; the file stays sparse); each rank
//     writes and reads back 1 MiB at offsets past 2^32 and 2^33, and an untouched stretch reads back as 0.
'use strict';
const { MPI, File, zeros } = require('..');

const comm = MPI.COMM_WORLD;
const { rank, size } = comm;
const [mode, path] = process.argv.slice(2, 4);
const t0 = Date.now();
const out = { rank, mode };

function fill(a, base, modulus, add) {
  for (let i = 0; i < a.length; i++) a[i] = ((base + i) % modulus) + add;
}
function mismatches(a, base, modulus, add) {
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== ((base + i) % modulus) + add) bad++;
  return bad;
}

if (mode === 'big') {
  const rows = Number(process.argv[4]), cols = Number(process.argv[5]);
  const lo = Math.floor((rank * rows) / size), hi = Math.floor(((rank + 1) * rows) / size);
  const sel = { start: [lo, 0], count: [hi - lo, cols] };
  const block = zeros('float32', [hi - lo, cols]);
  out.blockBytes = block.byteLength;
  const base = lo * cols; // the block's first element's index in the dataset: exact past 2^32
  const f = File.open(path, 'w');
  const d = f.createDataset('x', { shape: [rows, cols], dtype: 'float32' });
  for (const [how, modulus, add] of [['collective', 1000003, 0], ['independent', 999983, 0.5]]) {
    const options = { collective: how === 'collective' };
    fill(block, base, modulus, add);
    let t = Date.now();
    d.write(block, sel, options);
    f.flush();
    out[`${how}WriteS`] = (Date.now() - t) / 1000;
    block.fill(0);
    t = Date.now();
    d.readInto(block, sel, options);
    out[`${how}ReadS`] = (Date.now() - t) / 1000;
    out[`${how}Mismatches`] = mismatches(block, base, modulus, add);
    out[`${how}Transfer`] = d.lastTransfer && d.lastTransfer.mode;
  }
  out.datasetBytes = d.nbytes;
  f.close();
} else if (mode === 'sparse') {
  const n = Number(process.argv[4]);
  const f = File.open(path, 'w');
  const d = f.createDataset('bytes', { shape: [n], dtype: 'uint8' });
  const piece = new Uint8Array(1 << 20);
  const offsets = [2 ** 32 + 4099 + rank * piece.length, 2 ** 33 + 17 + rank * piece.length];
  offsets.forEach((start, k) => {
    fill(piece, start + k, 251, 0);
    d.write(piece, { start: [start], count: [piece.length] }, { collective: true });
  });
  f.flush();
  out.mismatches = offsets.map((start, k) => mismatches(d.read({ start: [start], count: [piece.length] }), start + k, 251, 0));
  // Nobody wrote below 2^32: HDF5 gives the default fill value, 0.
  out.untouchedNonZero = d.read({ start: [2 ** 32 - 4096], count: [4096] }).reduce((a, b) => a + (b !== 0 ? 1 : 0), 0);
  out.datasetBytes = d.nbytes;
  f.close();
} else {
  throw new Error(`stress-rank.js: unknown mode ${mode}`);
}
out.seconds = (Date.now() - t0) / 1000;
// VmHWM: this rank's peak resident memory.
out.peakRssMiB = Number(/VmHWM:\s*(\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const all = comm.gather(out, 0);
if (rank === 0) for (const o of all) console.log(JSON.stringify(o));
