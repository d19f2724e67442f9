// What scenarios use to tell the test what they saw: one line per report, tagged with the rank.
// Typed arrays become plain arrays and bigints strings ("12n") so that the JSON survives.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { MPI } = require('../..');

function plain(v) {
  if (typeof v === 'bigint') return `${v}n`;
  if (ArrayBuffer.isView(v)) return Array.from(v, plain);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function report(obj) {
  const rank = MPI.COMM_WORLD.rank;
  const line = `@@h5mpi ${JSON.stringify(plain({ rank, ...obj }))}\n`;
  // mpiexec may interleave long stdout lines of different ranks: the test harness reads this file instead.
  const dir = process.env.H5MPI_REPORT_DIR;
  if (dir) fs.appendFileSync(path.join(dir, `rank-${rank}.jsonl`), line);
  process.stdout.write(line);
}

/** Runs fn and reports { ok: true } or the error's name and message, so a test can assert on failures. */
function attempt(label, fn) {
  try {
    const value = fn();
    report({ label, ok: true, value });
    return value;
  } catch (e) {
    report({ label, ok: false, name: e.name, message: e.message });
    return undefined;
  }
}

module.exports = { report, attempt, plain };
