// What untrusted mode costs (docs/untrusted-files.md): File.check on each seed, and on a file of real size
// (a 1 GiB chunked, compressed dataset, 2,000 small datasets in 200 groups with 3 attributes each, 100,000
// variable-length strings); the open with and without the check, and the isolated read of the strings.
//   node test/fuzz/cost.js [dir]     (the real-size file is made there, ~1 GiB of disk, then removed)
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { File } = require('../../dist');
const { SEEDS, seedNames } = require('./mutate');

const dir = fs.mkdtempSync(path.join(process.argv[2] ?? os.tmpdir(), 'h5mpi-cost-'));
const ms = (fn) => {
  const t = process.hrtime.bigint();
  const r = fn();
  return [Number(process.hrtime.bigint() - t) / 1e6, r];
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = (n, fn) => median(Array.from({ length: n }, () => ms(fn)[0]));

try {
  for (const s of seedNames()) console.log(`check ${s}.h5: ${times(3, () => File.check(path.join(SEEDS, `${s}.h5`))).toFixed(0)} ms`);
  const big = path.join(dir, 'real.h5');
  const [made] = ms(() => {
    const f = File.open(big, 'w');
    const d = f.createDataset('frames', { shape: [256, 1024, 1024], dtype: 'float32', chunks: [1, 1024, 1024], compression: 'gzip', compressionOpts: 1 });
    const plane = new Float32Array(1024 * 1024).map((_, i) => Math.sin(i / 1000));
    for (let k = 0; k < 256; k++) d.write(plane, { start: [k, 0, 0], count: [1, 1024, 1024] });
    for (let g = 0; g < 200; g++) {
      const grp = f.createGroup(`run${g}`);
      grp.attrs.set('when', `2026-11-${g}`);
      for (let i = 0; i < 10; i++) {
        const x = grp.createDataset(`x${i}`, { shape: [16], dtype: 'float64', data: new Float64Array(16).fill(i) });
        x.attrs.set('units', 'm');
        x.attrs.set('scale', [1, 2, 3]);
        x.attrs.set('n', i);
      }
    }
    f.createDataset('names', { shape: [100000], dtype: 'string', data: Array.from({ length: 100000 }, (_, i) => `name ${i}`) });
    f.close();
  });
  const report = File.check(big);
  console.log(`real-size file: ${(fs.statSync(big).size / 2 ** 20).toFixed(0)} MiB, ${report.objects} objects, ${report.attributes} attributes (made in ${(made / 1000).toFixed(1)} s)`);
  console.log(`check: ${times(3, () => File.check(big)).toFixed(0)} ms`);
  console.log(`open + close, plain: ${times(3, () => File.open(big, 'r').close()).toFixed(1)} ms; untrusted: ${times(3, () => File.open(big, 'r', { untrusted: true }).close()).toFixed(0)} ms`);
  const readNames = (opts) => () => {
    const f = File.open(big, 'r', opts);
    const [t] = ms(() => f.get('names').read());
    f.close();
    return t;
  };
  console.log(`read 100,000 vlen strings, plain: ${median([0, 1, 2].map(() => readNames({})())).toFixed(0)} ms; untrusted (isolated first): ${median([0, 1, 2].map(() => readNames({ untrusted: true })())).toFixed(0)} ms`);
  const readFrame = (opts) => () => {
    const f = File.open(big, 'r', opts);
    const [t] = ms(() => f.get('frames').read({ start: [7, 0, 0], count: [1, 1024, 1024] }));
    f.close();
    return t;
  };
  console.log(`read one 4 MiB gzip chunk, plain: ${median([0, 1, 2].map(() => readFrame({})())).toFixed(0)} ms; untrusted: ${median([0, 1, 2].map(() => readFrame({ untrusted: true })())).toFixed(0)} ms`);
  console.log(`load average: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
