// The collectives into the caller's arrays (lib/into.ts: allreduceInto, reduceInto, scanInto, exscanInto,
// alltoallInto, allgatherInto, gatherInto, scatterInto) with values that cross ranks, for float64, int32,
// bigint64 and uint8 (a Buffer) arrays, out of place and in place; then errors on every rank, then errors
// on one rank only, each followed by a call that shows the job is still in step.
// test/mpi_into.test.ts runs it and computes what every rank must have received.
//   usage: mpiexec -n N node test/scenarios/mpi_into.js [values|errors|oneRank]...  (default: all)
'use strict';
const { MPI } = require('../..');
const { commChecking } = require('../../dist/collectives');
const { report } = require('./report');

const c = MPI.COMM_WORLD;
const r = c.rank;
const n = c.size;
const last = n - 1;
const parts = process.argv.length > 2 ? process.argv.slice(2) : ['values', 'errors', 'oneRank'];

const TYPES = {
  float64: (k, f) => Float64Array.from({ length: k }, (_, i) => f(i)),
  int32: (k, f) => Int32Array.from({ length: k }, (_, i) => f(i)),
  bigint64: (k, f) => BigInt64Array.from({ length: k }, (_, i) => BigInt(f(i))),
  buffer: (k, f) => Buffer.from(Array.from({ length: k }, (_, i) => f(i) & 0xff)),
};

function caught(fn) {
  try {
    const value = fn();
    return { threw: false, value };
  } catch (e) {
    return { threw: true, name: e.name, message: e.message, ranks: e.ranks, messages: e.messages };
  }
}

/** What a call returned: its values, and whether it is the very array given as recv. */
function got(out, recv) {
  return { same: out === recv, values: out === undefined ? null : out };
}

report({ label: 'start', checking: commChecking() });

if (parts.includes('values')) {
  for (const [type, make] of Object.entries(TYPES)) {
    const K = 3;
    const mine = (i) => (r + 1) * (i + 1); // rank r's element i in the reductions
    const out = {};
    if (type !== 'buffer') {
      let recv = make(K, () => 0);
      out.allreduce = got(c.allreduceInto(make(K, mine), recv, 'sum'), recv);
      const inPlace = make(K, mine);
      out.allreduceInPlace = got(c.allreduceInto(inPlace, inPlace, 'max'), inPlace);
      recv = r === last ? make(K, () => 0) : undefined;
      out.reduce = got(c.reduceInto(make(K, mine), recv, 'sum', last), recv);
      const rooted = make(K, mine);
      out.reduceInPlace = got(c.reduceInto(rooted, r === 0 ? rooted : undefined, 'prod', 0), r === 0 ? rooted : undefined);
      recv = make(K, () => 0);
      out.scan = got(c.scanInto(make(K, mine), recv, 'sum'), recv);
      recv = make(K, () => 7); // rank 0's stays as it was
      out.exscan = got(c.exscanInto(make(K, mine), recv, 'sum'), recv);
      const scanned = make(K, mine);
      out.scanInPlace = got(c.scanInto(scanned, scanned, 'sum'), scanned);
      if (type !== 'float64') {
        recv = make(K, () => 9);
        out.land = got(c.allreduceInto(make(K, (i) => (i === 0 ? 5 : i === 1 ? r : 0)), recv, 'land'), recv);
      }
    }
    // Exchanges: element i of the block for rank j is j * 10 + r * 3 + i (small enough for a byte).
    const B = 2;
    let recv = make(B * n, () => 0);
    out.alltoall = got(c.alltoallInto(make(B * n, (x) => Math.floor(x / B) * 10 + r * 3 + (x % B)), recv), recv);
    const swapped = make(B * n, (x) => Math.floor(x / B) * 10 + r * 3 + (x % B));
    out.alltoallInPlace = got(c.alltoallInto(swapped, swapped), swapped);
    recv = make(B * n, () => 0);
    out.allgather = got(c.allgatherInto(make(B, (i) => r * 10 + i), recv), recv);
    const all = make(B * n, (x) => (Math.floor(x / B) === r ? r * 10 + (x % B) : 99));
    out.allgatherInPlace = got(c.allgatherInto(all, all), all);
    recv = r === 0 ? make(B * n, () => 0) : undefined;
    out.gather = got(c.gatherInto(make(B, (i) => r * 10 + i), recv, 0), recv);
    const atRoot = make(B * n, (x) => (Math.floor(x / B) === last ? last * 10 + (x % B) : 99));
    const gSend = r === last ? atRoot : make(B, (i) => r * 10 + i);
    out.gatherInPlace = got(c.gatherInto(gSend, r === last ? atRoot : undefined, last), r === last ? atRoot : undefined);
    recv = make(B, () => 0);
    out.scatter = got(c.scatterInto(r === last ? make(B * n, (x) => Math.floor(x / B) * 10 + (x % B)) : undefined, recv, last), recv);
    const whole = make(B * n, (x) => Math.floor(x / B) * 10 + (x % B) + 1);
    const piece = r === 0 ? whole : make(B, () => 0);
    out.scatterInPlace = got(c.scatterInto(r === 0 ? whole : undefined, piece, 0), piece);
    report({ label: `values ${type}`, ...out });
  }
}

if (parts.includes('errors')) {
  // The same mistake on every rank: every rank throws the same error, and the job stays in step.
  const f = (k) => new Float64Array(k);
  report({ label: 'recv short', ...caught(() => c.allreduceInto(f(3), f(2), 'sum')) });
  report({ label: 'recv type', ...caught(() => c.allreduceInto(f(3), new Float32Array(3), 'sum')) });
  report({ label: 'recv missing', ...caught(() => c.scanInto(f(3), undefined, 'sum')) });
  report({ label: 'overlap', ...caught(() => { const a = f(4); return c.allreduceInto(a.subarray(0, 2), a.subarray(1, 3), 'sum'); }) });
  report({ label: 'send a number', ...caught(() => c.allreduceInto(3, f(1), 'sum')) });
  report({ label: 'op', ...caught(() => c.allreduceInto(f(1), f(1), 'xor')) });
  report({ label: 'band on floats', ...caught(() => c.allreduceInto(f(1), f(1), 'band')) });
  report({ label: 'alltoall blocks', ...caught(() => c.alltoallInto(new Int32Array(2 * n + 1), new Int32Array(2 * n + 1))) });
  report({ label: 'allgather recv', ...caught(() => c.allgatherInto(new BigInt64Array(2), new BigInt64Array(2 * n + 1))) });
  report({ label: 'gather root recv', ...caught(() => c.gatherInto(new Int32Array(2), r === 0 ? new Int32Array(1) : undefined, 0)) });
  report({ label: 'scatter root recv', ...caught(() => c.scatterInto(r === 0 ? new Int32Array(2 * n) : undefined, new Int32Array(r === 0 ? 3 : 2), 0)) });
  report({ label: 'root', ...caught(() => c.reduceInto(f(1), f(1), 'sum', n)) });
  const d = c.dup();
  d.free();
  report({ label: 'freed', ...caught(() => d.allreduceInto(f(1), f(1), 'sum')) });
  report({ label: 'errorsAfter', sum: c.allreduceInto(new Float64Array([1]), new Float64Array(1), 'sum')[0] });
}

if (parts.includes('oneRank') && n > 1) {
  // One rank's recv does not fit: checked, every rank throws before the call; unchecked, that rank takes its
  // part (the others get their values) and then throws. Never a hang.
  const bad = 1;
  const send = new Float64Array([r + 1, 10 * (r + 1)]);
  report({ label: 'one recv short', ...caught(() => c.allreduceInto(send, new Float64Array(r === bad ? 1 : 2), 'sum')) });
  report({ label: 'one recv type', ...caught(() => c.alltoallInto(new Int32Array(n).fill(r), r === bad ? new Uint32Array(n) : new Int32Array(n))) });
  report({ label: 'one root recv', ...caught(() => c.reduceInto(new BigInt64Array([BigInt(r)]), r === bad ? new BigInt64Array(3) : undefined, 'sum', bad)) });
  if (commChecking()) {
    // In place on one rank only: MPI wants it on all or none (Allreduce, Alltoall, Allgather).
    const a = new Float64Array([r]);
    report({ label: 'one in place', ...caught(() => c.allreduceInto(a, r === bad ? a : new Float64Array(1), 'sum')) });
  }
  report({ label: 'oneAfter', sum: c.allreduceInto(new Float64Array([1]), new Float64Array(1), 'sum')[0] });
}
