// The Comm collectives of lib/collectives.ts with values that cross ranks, in one job:
// test/mpi_collectives.test.ts runs it at 1-4 ranks and checks each report against values it computes from
// the rank count. Then ranks that disagree (different ops, roots, lengths, types, calls), which must throw
// on every rank and leave the job in step, and argument errors.
//   usage: mpiexec -n N node test/scenarios/mpi_collectives.js [values|mismatch|errors]...  (default: all)
'use strict';
const { MPI } = require('../..');
const { commChecking } = require('../../dist/collectives');
const S = require('./mpi_samples');
const { report, attempt } = require('./report');

const c = MPI.COMM_WORLD;
const r = c.rank;
const n = c.size;
const last = n - 1;
const range = (k) => Array.from({ length: k }, (_, i) => i);
const parts = process.argv.length > 2 ? process.argv.slice(2) : ['values', 'mismatch', 'errors'];

function caught(fn) {
  try {
    const value = fn();
    return { threw: false, value: S.describe(value) };
  } catch (e) {
    return { threw: true, name: e.name, message: e.message, calls: e.calls, ranks: e.ranks, messages: e.messages };
  }
}

// Rank j's elements in the vector calls: a count that is 0 for some ranks, and values that say whose they are.
const unevenCount = (j) => (j % 2 === 1 ? 0 : j + 1);
const rankValues = (j, count) => range(count).map((i) => j * 100 + i);

report({ label: 'start', checking: commChecking() });

if (parts.includes('values')) {
  // ---- scatter: objects, typed arrays of every kind (each rank's its own kind), primitives
  {
    const objs = c.scatter(r === last ? range(n).map((j) => S.sampleObject(j)) : undefined, last);
    const kind = (j) => S.ARRAY_KINDS[j % S.ARRAY_KINDS.length];
    const arrays = c.scatter(r === 0 ? range(n).map((j) => S.sampleArray(kind(j), j)) : undefined, 0);
    const prims = c.scatter(r === 0 ? range(n).map((j) => (j % 2 === 0 ? `s${j}` : 10n ** 20n + BigInt(j))) : ['ignored'], 0);
    report({ label: 'scatter', obj: S.describe(objs), array: S.describe(arrays), prim: S.describe(prims) });
  }

  // ---- scatterv: uneven counts (zero for odd ranks), explicit displacements, recvArray, kinds kept
  {
    const counts = range(n).map(unevenCount);
    const total = counts.reduce((a, b) => a + b, 0);
    const src = r === last ? Float64Array.from(range(total), (i) => i * 1.5) : undefined;
    const plain = c.scatterv(src, r === last ? counts : undefined, undefined, undefined, last);
    // Blocks in reverse rank order with a gap of one element between them; int8 values that wrap.
    const sizes = range(n).map((j) => j + 1);
    const displs = [];
    let at = 0;
    for (let j = n - 1; j >= 0; j--) {
      displs[j] = at;
      at += sizes[j] + 1;
    }
    const i8 = r === 0 ? Int8Array.from(range(at), (i) => i * 50) : undefined;
    const into = new Int8Array(r + 1).fill(-1);
    const got = c.scatterv(i8, sizes, r === 0 ? displs : undefined, r % 2 === 0 ? into : undefined, 0);
    const bigCounts = range(n).map((j) => (j === 0 ? 0 : 2));
    const big = r === 0 ? BigInt64Array.from(range(2 * n), (i) => -(2n ** 62n) + BigInt(i)) : undefined;
    const gotBig = c.scatterv(big, bigCounts, undefined, undefined, 0);
    const buf = c.scatterv(r === 0 ? Buffer.from(range(n).map((j) => 65 + j)) : undefined, r === 0 ? range(n).map(() => 1) : undefined);
    report({
      label: 'scatterv',
      plain: S.describe(plain),
      int8: S.describe(got),
      intoSame: r % 2 === 0 ? got === into : null,
      big: S.describe(gotBig),
      buffer: S.describe(buf),
    });
  }

  // ---- gatherv / allgatherv: uneven and zero counts, with and without counts, float32 / int8 / bigint / Buffer
  {
    const mine = (ctor, conv = (x) => x) => ctor.from(rankValues(r, unevenCount(r)), conv);
    const counts = range(n).map(unevenCount);
    const f32 = c.gatherv(mine(Float32Array, (x) => x + 0.5), undefined, last);
    const i8 = c.gatherv(mine(Int8Array), counts, 0);
    const all = c.allgatherv(mine(BigInt64Array, (x) => BigInt(x) - 2n ** 40n));
    const allCounted = c.allgatherv(mine(Float64Array), counts);
    const bufs = c.allgatherv(Buffer.from(`r${r}`));
    const empty = c.allgatherv(new Uint16Array(0));
    report({
      label: 'gatherv',
      f32: f32 === undefined ? null : S.describe(f32),
      i8: i8 === undefined ? null : S.describe(i8),
      all: S.describe(all),
      allCounted: S.describe(allCounted),
      bufs: S.describe(bufs),
      empty: S.describe(empty),
    });
  }

  // ---- alltoall: any values (objects, typed arrays inside, one per destination); typed equal blocks
  {
    const objs = c.alltoall(range(n).map((j) => ({ from: r, to: j, text: 'x'.repeat(r + j) })));
    const typedInside = c.alltoall(range(n).map((j) => Int16Array.from([r, j, -r * j])));
    const block = 3;
    const i32 = c.alltoall(Int32Array.from(range(n * block), (i) => r * 1000 + Math.floor(i / block) * 10 + (i % block)));
    const f32 = c.alltoall(Float32Array.from(range(n), (j) => r + j / 4));
    const u64 = c.alltoall(BigUint64Array.from(range(2 * n), (i) => 2n ** 63n + BigInt(r * 100 + i)));
    report({
      label: 'alltoall',
      objs: objs.map(S.describe),
      typedInside: typedInside.map(S.describe),
      i32: S.describe(i32),
      f32: S.describe(f32),
      u64: S.describe(u64),
    });
  }

  // ---- alltoallv: (r + j) % 3 elements from r to j (zeros included); recvCounts exchanged or given
  {
    const sendCounts = range(n).map((j) => (r + j) % 3);
    const recvCounts = range(n).map((j) => (j + r) % 3);
    const elements = (conv) => range(n).flatMap((j) => range(sendCounts[j]).map((k) => conv(r * 100 + j * 10 + k)));
    const f64 = c.alltoallv(Float64Array.from(elements((x) => x + 0.25)), sendCounts);
    const i8 = c.alltoallv(Int8Array.from(elements((x) => x)), sendCounts, recvCounts);
    const big = c.alltoallv(BigInt64Array.from(elements((x) => -BigInt(x))), sendCounts);
    report({ label: 'alltoallv', f64: S.describe(f64), i8: S.describe(i8), big: S.describe(big) });
  }

  // ---- scan / exscan: numbers, bigints, booleans, typed arrays element-wise
  {
    const out = {};
    for (const method of ['scan', 'exscan']) {
      const f = (v, op) => S.describe(c[method](v, op));
      out[method] = {
        sum: f(r + 1, 'sum'),
        prod: f(2n ** 20n + BigInt(r), 'prod'),
        lor: f(r === 1, 'lor'),
        land: f(r !== 2, 'land'),
        max: f(r % 2 === 0 ? r : -r, 'max'),
        i32: f(Int32Array.from([r, -r, 1 << r]), 'sum'),
        f32: f(Float32Array.from([r + 0.5, -r]), 'min'),
        u8band: f(Uint8Array.from([0xff ^ (1 << r), 0xf0 | r]), 'band'),
      };
    }
    report({ label: 'scan', ...out });
  }

  // ---- reduceScatter / reduceScatterBlock
  {
    const counts = range(n).map((j) => (j === 0 ? 0 : j + 1));
    const total = counts.reduce((a, b) => a + b, 0);
    const i16 = c.reduceScatter(Int16Array.from(range(total), (i) => r + i), counts, 'sum');
    const f64 = c.reduceScatter(Float64Array.from(range(total), (i) => r * 0.5 + i), counts, 'max');
    const big = c.reduceScatter(BigInt64Array.from(range(total), (i) => BigInt(r + 1) * 2n ** 40n + BigInt(i)), counts, 'sum');
    const block = c.reduceScatterBlock(Float32Array.from(range(2 * n), (i) => (r === 0 ? i : -i)), 'max');
    const bits = c.reduceScatterBlock(BigUint64Array.from(range(n), (i) => 1n << BigInt(r + i)), 'bor');
    const logical = c.reduceScatterBlock(Int32Array.from(range(n), (i) => (r <= i ? 5 : 0)), 'land');
    report({
      label: 'reduceScatter',
      i16: S.describe(i16),
      f64: S.describe(f64),
      big: S.describe(big),
      block: S.describe(block),
      bits: S.describe(bits),
      logical: S.describe(logical),
    });
  }

  // ---- large arrays: past every eager limit, so that MPI's rendezvous path moves them
  {
    const BIG = 1 << 17;
    const bad = (a, f) => {
      let k = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== f(i)) k++;
      return k;
    };
    const lengths = range(n).map((j) => BIG + j);
    const starts = range(n).map((j) => lengths.slice(0, j).reduce((a, b) => a + b, 0));
    const all = c.allgatherv(Float64Array.from({ length: BIG + r }, (_, i) => r * 1e6 + i));
    const owner = (i) => starts.findLastIndex((s) => s <= i);
    const allBad = bad(all, (i) => owner(i) * 1e6 + (i - starts[owner(i)]));
    const total = lengths.reduce((a, b) => a + b, 0);
    const part = c.scatterv(r === 0 ? Float64Array.from({ length: total }, (_, i) => -i) : undefined, r === 0 ? lengths : undefined);
    const partBad = bad(part, (i) => -(starts[r] + i));
    const moved = c.alltoallv(Int32Array.from({ length: n * BIG }, (_, i) => r * 10 + Math.floor(i / BIG)), range(n).map(() => BIG));
    const movedBad = bad(moved, (i) => Math.floor(i / BIG) * 10 + r);
    report({ label: 'big', lengths: [all.length, part.length, moved.length], bad: [allBad, partBad, movedBad] });
  }

  // ---- the existing collectives still move values (and are checked when checking is on)
  {
    report({
      label: 'existing',
      bcast: c.bcast(r === last ? { hello: last } : null, last),
      bcastInto: Array.from(c.bcastInto(r === 0 ? Float64Array.of(1, 2) : new Float64Array(2), 0)),
      gather: c.gather(r, 0) ?? null,
      allgather: c.allgather(`w${r}`),
      reduce: c.reduce(r, 'max', last) ?? null,
      allreduce: c.allreduce(Float32Array.of(r, 1), 'sum'),
      barrier: c.barrier() ?? null,
    });
  }
}

// ---- ranks that disagree: every rank throws, and the job stays in step (the last allreduce is right)
if (parts.includes('mismatch')) {
  const odd = r === last;
  // What only checking catches: unchecked, these would give wrong results or hang.
  const checked = {
    ops: () => c.allreduce(r + 1, odd ? 'max' : 'sum'),
    roots: () => c.bcast(r === 0 ? 'from 0' : r === last ? 'from last' : null, odd ? 0 : last),
    lengths: () => c.allreduce(new Float64Array(odd ? 4 : 3).fill(1), 'sum'),
    types: () => c.allreduce(odd ? new Float32Array(3) : new Float64Array(3), 'sum'),
    calls: () => (odd ? c.barrier() : c.allreduce(1, 'sum')),
    kinds: () => c.allreduce(odd ? 1n : 1, 'sum'),
    bcastIntoLength: () => c.bcastInto(new Int32Array(odd ? 2 : 3), 0),
    scanOps: () => c.scan(r, odd ? 'min' : 'max'),
    reduceScatterCounts: () => c.reduceScatter(new Int32Array(n + 1), range(n).map((j) => (j === (odd ? 0 : last) ? 2 : 1)), 'sum'),
    alltoallKinds: () => (odd ? c.alltoall(new Float64Array(n)) : c.alltoall(range(n))),
    // One rank's bad argument: it throws its own error, the others a PeerFailedError.
    badCounts: () => c.gatherv(new Float64Array(2), range(n).map((j) => (j === r && odd ? 3 : 2)), 0),
    // Counts given that do not match what is sent: the exchange that checking adds finds them.
    alltoallvRecvCounts: () => c.alltoallv(new Int32Array(n).fill(r), range(n).map(() => 1), range(n).map((j) => (odd && j === 0 ? 2 : 1))),
  };
  // What the calls' own exchanges catch, checking or not.
  const always = {
    gathervTypes: () => c.allgatherv(odd ? new Int16Array(r) : new Uint16Array(r)),
    alltoallvTypes: () => c.alltoallv(odd ? new Float64Array(n) : new BigInt64Array(n), range(n).map(() => 1)),
    // The root's bad data travels as a failure: the root throws its own error, the others PeerFailedError.
    scatterBadValues: () => c.scatter(r === 0 ? [1] : undefined, 0),
    scatterUnsendable: () => c.scatter(r === last ? range(n).map((j) => (j === 0 ? () => j : j)) : undefined, last),
    scattervBadCounts: () => c.scatterv(r === 0 ? new Float64Array(2) : undefined, r === 0 ? range(n).map(() => 3) : undefined),
    // A rank expecting something other than what the root sends: it throws, the others have their values.
    scattervWrongRecv: () => c.scatterv(r === 0 ? new Float64Array(n) : undefined, range(n).map(() => 1), undefined, odd ? new Float32Array(1) : undefined),
    scattervWrongCounts: () => c.scatterv(r === 0 ? new Float64Array(n).fill(7) : undefined, range(n).map((j) => (odd && j === r && r !== 0 ? 2 : 1))),
    alltoallUnsendable: () => c.alltoall(range(n).map((j) => (odd && j === 0 ? Symbol('s') : j))),
  };
  const cases = commChecking() ? { ...checked, ...always } : always;
  const out = Object.fromEntries(Object.entries(cases).map(([k, f]) => [k, caught(f)]));
  report({ label: 'mismatch', ...out, after: c.allreduce(r, 'sum'), afterBcast: c.bcast(r === 0 ? 'in step' : null, 0) });
}

// ---- argument errors: thrown on the rank that made the call (here every rank makes the same bad call)
if (parts.includes('errors')) {
  attempt('scatter root', () => c.scatter([], n));
  attempt('scatterv root', () => c.scatterv(undefined, undefined, undefined, undefined, -1));
  attempt('scatterv recvArray', () => c.scatterv(undefined, undefined, undefined, [1], 0));
  attempt('gatherv array', () => c.gatherv([1, 2]));
  attempt('gatherv counts length', () => c.gatherv(new Float64Array(1), range(n + 1)));
  attempt('gatherv counts negative', () => c.gatherv(new Float64Array(1), range(n).map(() => -1)));
  attempt('gatherv counts fractional', () => c.gatherv(new Float64Array(1), range(n).map(() => 0.5)));
  attempt('gatherv counts not an array', () => c.gatherv(new Float64Array(1), 3));
  attempt('gatherv count of this rank', () => c.gatherv(new Float64Array(2), range(n).map(() => 1)));
  attempt('allgatherv a DataView', () => c.allgatherv(new DataView(new ArrayBuffer(8))));
  attempt('alltoall length', () => c.alltoall(new Float64Array(2 * n + 1)));
  attempt('alltoall values length', () => c.alltoall(range(n + 1)));
  attempt('alltoall a number', () => c.alltoall(5));
  attempt('alltoallv sendCounts sum', () => c.alltoallv(new Float64Array(0), range(n).map(() => 1)));
  attempt('alltoallv recvCounts entry', () => c.alltoallv(new Float64Array(n), range(n).map(() => 1), range(n).map(() => 'x')));
  attempt('scan op', () => c.scan(1, 'xor'));
  attempt('exscan a string', () => c.exscan('a', 'sum'));
  attempt('reduceScatter counts sum', () => c.reduceScatter(new Float64Array(n + 1), range(n).map(() => 1), 'sum'));
  attempt('reduceScatter a number', () => c.reduceScatter(3, range(n).map(() => 1), 'sum'));
  attempt('reduceScatter band on floats', () => c.reduceScatter(new Float64Array(n), range(n).map(() => 1), 'band'));
  attempt('reduceScatterBlock length', () => c.reduceScatterBlock(new Int32Array(2 * n + 1), 'sum'));
  attempt('reduceScatterBlock clamped', () => c.reduceScatterBlock(new Uint8ClampedArray(n), 'sum'));
  report({ label: 'errorsAfter', sum: c.allreduce(1, 'sum') });
}
