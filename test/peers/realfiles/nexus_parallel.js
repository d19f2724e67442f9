// Reads a NeXus master file's detector frames through its external links in a parallel job: every rank
// opens the master (MPI-IO on COMM_WORLD), follows /entry/data/data_NNNNNN into the data files, and reads
// its share of the frames (frame k on rank k % size), independently and then collectively. Reports, per
// rank, each frame's sha256 and sum, so the test can compare them with h5py's.
//   usage: mpiexec -n N node nexus_parallel.js MASTER
'use strict';
const crypto = require('node:crypto');
const { MPI, File } = require('../../..');
const { report } = require('../../scenarios/report');

const comm = MPI.COMM_WORLD;
const f = File.open(process.argv[2], 'r');
const links = f.get('entry/data').keys().filter((k) => k.startsWith('data_'));
const reads = [];
for (const collective of [false, true]) {
  for (const link of links) {
    try {
      const d = f.get(`entry/data/${link}`);
      const [n, h, w] = d.shape;
      const out = [];
      // Every rank makes the same number of collective calls: the ranks with no frame left read nothing.
      for (let first = 0; first < n; first += comm.size) {
        const k = first + comm.rank;
        const sel = k < n ? { start: [k, 0, 0], count: [1, h, w] } : { start: [0, 0, 0], count: [0, h, w] };
        const a = d.read(sel, { collective });
        if (k >= n) continue;
        let sum = 0n;
        for (const v of a) sum += BigInt(v);
        out.push({ frame: k, dtype: d.dtype, sha256: crypto.createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex'), sum: sum.toString() });
      }
      reads.push({ link, collective, driver: f.driver, frames: out });
    } catch (e) {
      reads.push({ link, collective, error: `${e.name}: ${e.message}` });
    }
  }
}
report({ label: 'reads', reads });
f.close();
