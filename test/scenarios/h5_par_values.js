// The values the parallel scenarios write: each element is a function of its global position, so any rank
// (and the test) can tell what every other rank wrote; test/h5_parallel.test.ts checks the reports and the
// files against these formulas.
'use strict';

const DTYPES = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64'];
const COLS = 3;

/** Element g (row * COLS + col) of a dataset of `dtype`: spans the type's range, 64-bit ones beyond 2^53. */
function valueAt(dtype, g) {
  switch (dtype) {
    case 'int8': return ((g * 37) % 256) - 128;
    case 'uint8': return (g * 37 + 5) % 256;
    case 'int16': return ((g * 1009) % 65536) - 32768;
    case 'uint16': return (g * 1009 + 7) % 65536;
    case 'int32': return ((g * 2654435761) % 2 ** 32) - 2 ** 31;
    case 'uint32': return (g * 2654435761 + 3) % 2 ** 32;
    case 'int64': return (g % 2 ? -1n : 1n) * (2n ** 62n + BigInt(g) * 1234567890123n);
    case 'uint64': return 2n ** 63n + BigInt(g) * 1234567890123457n;
    case 'float32': return g * 0.5 - 7.25;
    case 'float64': return ((g % 2 ? -1 : 1) * (g + 0.1)) / 3;
  }
  throw new Error(`no formula for ${dtype}`);
}

/** Rank r's rows in the uneven split: r + 1 rows starting at r(r+1)/2. */
function unevenRows(r) {
  return { start: (r * (r + 1)) / 2, count: r + 1 };
}
function unevenTotal(size) {
  return (size * (size + 1)) / 2;
}

/** The split where odd ranks have nothing: even ranks own 2 rows each. */
function sparseRows(r) {
  return r % 2 === 0 ? { start: r, count: 2 } : { start: 0, count: 0 };
}
function sparseTotal(size) {
  return 2 * Math.ceil(size / 2);
}

/** A typed array of `dtype` holding elements [from, from + n) of the formula. */
function valuesFor(dtype, from, n) {
  const { ARRAYS } = module.exports;
  const out = new ARRAYS[dtype](n);
  for (let i = 0; i < n; i++) out[i] = valueAt(dtype, from + i);
  return out;
}

/** Index of the first element of `got` that differs from the formula for [from, from + n), or -1. */
function firstMismatch(dtype, got, from, n) {
  if (got.length !== n) return -2;
  for (let i = 0; i < n; i++) {
    const want = valueAt(dtype, from + i);
    if (dtype === 'float32' ? got[i] !== Math.fround(want) : got[i] !== want) return i;
  }
  return -1;
}

/** The fixed-length strings rank r writes: several bytes of UTF-8 each, different on every row. */
function stringAt(row) {
  return `row ${row} é${'✓'.repeat(row % 3)}`;
}

module.exports = {
  DTYPES,
  COLS,
  valueAt,
  unevenRows,
  unevenTotal,
  sparseRows,
  sparseTotal,
  valuesFor,
  firstMismatch,
  stringAt,
  ARRAYS: {
    int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
    uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
  },
};
