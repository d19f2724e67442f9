// What scenarios use to tell the test what they saw: one line per report, tagged with the rank.
// Typed arrays become plain arrays and bigints strings ("12n") so that the JSON survives.
'use strict';
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
  process.stdout.write(`@@h5mpi ${JSON.stringify(plain({ rank, ...obj }))}\n`);
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
