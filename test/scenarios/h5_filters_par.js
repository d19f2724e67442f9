// Filtered datasets written in parallel: every rank creates each case (collectively), writes its own rows
// collectively, and reads everything back collectively; an independent write is refused with HDF5's rule.
// Usage: h5_filters_par.js <file> <case names...>
'use strict';
const { MPI, File } = require('../..');
const { report, attempt } = require('./report');
const { SHAPE, CHUNKS, CASES, values } = require('./h5_filters_cases');

const [file, ...names] = process.argv.slice(2);
const { rank, size } = MPI.COMM_WORLD;
const Types = { float64: Float64Array, float32: Float32Array, int32: Int32Array, int16: Int16Array };
const rows = SHAPE[0] / size;
const mine = { start: [rank * rows, 0], count: [rows, SHAPE[1]] };

const f = File.open(file, 'w');
for (const name of names) {
  const c = CASES.find((x) => x.name === name);
  const all = Types[c.dtype].from(values(c.dtype));
  const d = f.createDataset(name, { shape: SHAPE, dtype: c.dtype, chunks: CHUNKS, ...c.h5mpi });
  const part = all.subarray(rank * rows * SHAPE[1], (rank + 1) * rows * SHAPE[1]);
  attempt(`${name} independent`, () => d.write(part, mine));
  d.write(part, mine, { collective: true });
  report({ label: name, filters: d.filters.map((x) => x.id), transfer: d.lastTransfer, back: Array.from(d.collective.read()) });
}
f.close();
