// The Comm collectives of lib/collectives.ts end to end (test/scenarios/mpi_collectives.js): scatter,
// scatterv, gatherv, allgatherv, alltoall, alltoallv, scan, exscan, reduceScatter, reduceScatterBlock with
// values that crossed ranks, checked against what the sending ranks must have sent (computed here from the
// rank count). Then ranks that disagree: with checking (H5MPI_CHECK_COLLECTIVE=1, as test/helpers/mpirun.ts
// runs every scenario) every rank throws and the job stays in step; without it, what the calls' own
// exchanges catch still throws on every rank. Then argument errors.
import { expectPeerFailure, mpirunOk, RANK_COUNTS, reportsLabelled } from './helpers/mpirun';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S = require('./scenarios/mpi_samples') as {
  ARRAY_KINDS: string[];
  sampleArray(kind: string, seed: number): unknown;
  sampleObject(seed: number): unknown;
  describe(v: unknown): unknown;
};

type Report = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const described = (v: unknown): unknown => json(S.describe(v));
const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
const unevenCount = (j: number): number => (j % 2 === 1 ? 0 : j + 1);
const rankValues = (j: number, count: number): number[] => range(count).map((i) => j * 100 + i);
const W = 'MPI.COMM_WORLD';

function checkValues(results: Report[][], n: number, r: number): void {
  const last = n - 1;
  const byLabel = (label: string): Report => reportsLabelled<Report>(results, label)[r];

  // ---- scatter
  const kind = (j: number): string => S.ARRAY_KINDS[j % S.ARRAY_KINDS.length];
  expect(byLabel('scatter')).toEqual({
    rank: r,
    label: 'scatter',
    obj: described(S.sampleObject(r)),
    array: described(S.sampleArray(kind(r), r)),
    prim: described(r % 2 === 0 ? `s${r}` : 10n ** 20n + BigInt(r)),
  });

  // ---- scatterv
  const counts = range(n).map(unevenCount);
  const before = sum(counts.slice(0, r));
  const sizes = range(n).map((j) => j + 1);
  const displs: number[] = [];
  let at = 0;
  for (let j = n - 1; j >= 0; j--) {
    displs[j] = at;
    at += sizes[j] + 1;
  }
  expect(byLabel('scatterv')).toEqual({
    rank: r,
    label: 'scatterv',
    plain: described(Float64Array.from(range(counts[r]), (k) => (before + k) * 1.5)),
    int8: described(Int8Array.from(range(r + 1), (k) => (displs[r] + k) * 50)),
    intoSame: r % 2 === 0 ? true : null,
    big: described(BigInt64Array.from(range(r === 0 ? 0 : 2), (k) => -(2n ** 62n) + BigInt(2 * (r - 1) + k))),
    buffer: { type: 'Buffer', values: [65 + r] },
  });

  // ---- gatherv / allgatherv: every rank's elements end to end, in rank order
  const everyone = range(n).flatMap((j) => rankValues(j, unevenCount(j)));
  expect(byLabel('gatherv')).toEqual({
    rank: r,
    label: 'gatherv',
    f32: r === last ? described(Float32Array.from(everyone, (x) => x + 0.5)) : null,
    i8: r === 0 ? described(Int8Array.from(everyone)) : null,
    all: described(BigInt64Array.from(everyone, (x) => BigInt(x) - 2n ** 40n)),
    allCounted: described(Float64Array.from(everyone)),
    bufs: { type: 'Buffer', values: [...Buffer.from(range(n).map((j) => `r${j}`).join(''))] },
    empty: { type: 'Uint16Array', values: [] },
  });

  // ---- alltoall: from each rank j, what j meant for this rank
  expect(byLabel('alltoall')).toEqual({
    rank: r,
    label: 'alltoall',
    objs: range(n).map((j) => described({ from: j, to: r, text: 'x'.repeat(j + r) })),
    typedInside: range(n).map((j) => described(Int16Array.from([j, r, -j * r]))),
    i32: described(Int32Array.from(range(3 * n), (i) => Math.floor(i / 3) * 1000 + r * 10 + (i % 3))),
    f32: described(Float32Array.from(range(n), (j) => j + r / 4)),
    u64: described(BigUint64Array.from(range(2 * n), (i) => 2n ** 63n + BigInt(Math.floor(i / 2) * 100 + 2 * r + (i % 2)))),
  });

  // ---- alltoallv: (j + r) % 3 elements from each rank j
  const fromAll = range(n).flatMap((j) => range((j + r) % 3).map((k) => j * 100 + r * 10 + k));
  expect(byLabel('alltoallv')).toEqual({
    rank: r,
    label: 'alltoallv',
    f64: described(Float64Array.from(fromAll, (x) => x + 0.25)),
    i8: described(Int8Array.from(fromAll)),
    big: described(BigInt64Array.from(fromAll, (x) => -BigInt(x))),
  });

  // ---- scan (ranks 0..r) / exscan (ranks 0..r-1; undefined on rank 0)
  const prefix = (upto: number) => {
    const js = range(upto);
    if (js.length === 0) return Object.fromEntries(['sum', 'prod', 'lor', 'land', 'max', 'i32', 'f32', 'u8band'].map((k) => [k, { type: 'undefined' }]));
    return {
      sum: sum(js.map((j) => j + 1)),
      prod: described(BigInt.asIntN(64, js.reduce((a, j) => a * (2n ** 20n + BigInt(j)), 1n))), // wraps past 3 ranks, as int64 does
      lor: js.some((j) => j === 1),
      land: js.every((j) => j !== 2),
      max: Math.max(...js.map((j) => (j % 2 === 0 ? j : -j))),
      i32: described(Int32Array.from([sum(js), -sum(js), sum(js.map((j) => 1 << j))])),
      f32: described(Float32Array.from([0.5, -(upto - 1)])),
      u8band: described(Uint8Array.from([js.reduce((a, j) => a & (0xff ^ (1 << j)), 0xff), js.reduce((a, j) => a & (0xf0 | j), 0xff)])),
    };
  };
  expect(byLabel('scan')).toEqual({ rank: r, label: 'scan', scan: json(prefix(r + 1)), exscan: json(prefix(r)) });

  // ---- reduceScatter / reduceScatterBlock
  const rsCounts = range(n).map((j) => (j === 0 ? 0 : j + 1));
  const from = sum(rsCounts.slice(0, r));
  const mine = range(rsCounts[r]).map((k) => from + k);
  const ranksSum = (n * (n - 1)) / 2;
  expect(byLabel('reduceScatter')).toEqual({
    rank: r,
    label: 'reduceScatter',
    i16: described(Int16Array.from(mine, (i) => ranksSum + n * i)),
    f64: described(Float64Array.from(mine, (i) => (n - 1) * 0.5 + i)),
    big: described(BigInt64Array.from(mine, (i) => 2n ** 40n * BigInt((n * (n + 1)) / 2) + BigInt(n * i))),
    block: described(Float32Array.from([2 * r, 2 * r + 1])),
    bits: described(BigUint64Array.from([range(n).reduce((a, j) => a | (1n << BigInt(j + r)), 0n)])),
    logical: described(Int32Array.from([r === last ? 1 : 0])),
  });

  // ---- large arrays (the rendezvous path)
  const BIG = 1 << 17;
  expect(byLabel('big')).toEqual({ rank: r, label: 'big', lengths: [sum(range(n).map((j) => BIG + j)), BIG + r, n * BIG], bad: [0, 0, 0] });

  // ---- the existing collectives, through the same path
  expect(byLabel('existing')).toEqual({
    rank: r,
    label: 'existing',
    bcast: { hello: last },
    bcastInto: [1, 2],
    gather: r === 0 ? range(n) : null,
    allgather: range(n).map((j) => `w${j}`),
    reduce: r === last ? last : null,
    allreduce: [ranksSum, n],
    barrier: null,
  });
}

/** "ranks 0-2: a; rank 3: b" for n ranks where only the last one differs. */
function lastDiffers(n: number, usual: string, odd: string): string {
  const others = n === 2 ? 'rank 0' : `ranks 0-${n - 2}`;
  return `${others}: ${usual}; rank ${n - 1}: ${odd}`;
}

/** Every rank threw a CollectiveMismatchError that shows each rank's call (`usual` everywhere but the last rank's `odd`). */
function expectMismatch(reports: Report[], n: number, method: (r: number) => string, usual: string, odd: string, advice: RegExp): void {
  const calls = range(n).map((k) => (k === n - 1 ? odd : usual));
  reports.forEach((x, r) => {
    expect(x).toMatchObject({ threw: true, name: 'CollectiveMismatchError', calls });
    expect(x.message).toContain(`${W}.${method(r)}: the ranks made different collective calls, so none was made: ${lastDiffers(n, usual, odd)}.`);
    expect(x.message).toMatch(advice);
  });
}

/** The rank `culprit` threw its own `name` error; every other rank a PeerFailedError naming it. */
function expectRootFailure(reports: Report[], culprit: number, method: string, name: string, message: string): void {
  reports.forEach((x, r) => {
    if (r === culprit) {
      expect(x).toEqual({ threw: true, name, message: `${W}.${method}: ${message}` });
    } else {
      expect(x).toEqual({
        threw: true,
        name: 'PeerFailedError',
        message: `${W}.${method}: rank ${culprit} could not send a value (${W}.${method}: ${message})`,
        ranks: [culprit],
        messages: [`${W}.${method}: ${message}`],
      });
    }
  });
}

/** Only `culprit` threw (`name`, `message`); the others got `value`. */
function expectOnly(reports: Report[], culprit: number, name: string, message: string, value: unknown): void {
  reports.forEach((x, r) => expect(x).toEqual(r === culprit ? { threw: true, name, message } : { threw: false, value: json(value) }));
}

function checkMismatches(results: Report[][], n: number, checking: boolean): void {
  const last = n - 1;
  const all = reportsLabelled<Report>(results, 'mismatch');
  const cases = (name: string): Report[] => all.map((x) => x[name] as Report);
  const allreduce = (): string => 'allreduce';
  const sameOpAndKind = /Every rank must call \w+ with the same op and the same kind of value \(typed arrays: the same type and length\)\.$/;

  if (n === 1) {
    // One rank agrees with itself: every call is made, and only a rank's own bad input throws.
    const only = all[0];
    const ok = (v: unknown): unknown => ({ threw: false, value: described(v) });
    const own = (name: string, message: string): unknown => ({ threw: true, name, message });
    const expected: Record<string, unknown> = {
      gathervTypes: ok(new Int16Array(0)),
      alltoallvTypes: ok(new Float64Array(1)),
      scatterBadValues: ok(1),
      scatterUnsendable: own('TypeError', `${W}.scatter: the value cannot be sent: () => j could not be cloned.`),
      scattervBadCounts: own('RangeError', `${W}.scatterv: the counts add up to 3 elements, more than sendArray's 2`),
      scattervWrongRecv: own('RangeError', `${W}.scatterv: the root sends 1 float64 element to rank 0, which do not fit recvArray (a Float32Array of 1)`),
      scattervWrongCounts: ok(Float64Array.of(7)),
      alltoallUnsendable: own('TypeError', `${W}.alltoall: the value cannot be sent: Symbol(s) could not be cloned.`),
    };
    if (checking) {
      Object.assign(expected, {
        ops: ok(1),
        roots: ok('from 0'),
        lengths: ok(new Float64Array(4).fill(1)),
        types: ok(new Float32Array(3)),
        calls: ok(undefined),
        kinds: ok(1n),
        bcastIntoLength: ok(new Int32Array(2)),
        scanOps: ok(0),
        reduceScatterCounts: ok(new Int32Array(2)),
        alltoallKinds: ok(new Float64Array(1)),
        badCounts: own('RangeError', `${W}.gatherv: counts[0] is 3, but this rank's array has 2 elements`),
        alltoallvRecvCounts: own('RangeError', `${W}.alltoallv: recvCounts[0] is 2, but rank 0 sends 1 element here`),
      });
    }
    expect(only).toEqual({ rank: 0, label: 'mismatch', ...expected, after: 0, afterBcast: 'in step' });
    return;
  }

  const keys = ['gathervTypes', 'alltoallvTypes', 'scatterBadValues', 'scatterUnsendable', 'scattervBadCounts', 'scattervWrongRecv', 'scattervWrongCounts', 'alltoallUnsendable'];
  if (checking) {
    keys.push('ops', 'roots', 'lengths', 'types', 'calls', 'kinds', 'bcastIntoLength', 'scanOps', 'reduceScatterCounts', 'alltoallKinds', 'badCounts', 'alltoallvRecvCounts');
    expectMismatch(cases('ops'), n, allreduce, "allreduce('sum', number)", "allreduce('max', number)", sameOpAndKind);
    expectMismatch(cases('roots'), n, () => 'bcast', `bcast(root ${last})`, 'bcast(root 0)', /Every rank must call bcast with the same root\.$/);
    expectMismatch(cases('lengths'), n, allreduce, "allreduce('sum', float64[3])", "allreduce('sum', float64[4])", sameOpAndKind);
    expectMismatch(cases('types'), n, allreduce, "allreduce('sum', float64[3])", "allreduce('sum', float32[3])", sameOpAndKind);
    expectMismatch(cases('calls'), n, (r) => (r === last ? 'barrier' : 'allreduce'), "allreduce('sum', number)", 'barrier()', /The ranks are at different points of the program/);
    expectMismatch(cases('kinds'), n, allreduce, "allreduce('sum', number)", "allreduce('sum', bigint)", sameOpAndKind);
    expectMismatch(cases('bcastIntoLength'), n, () => 'bcastInto', 'bcastInto(int32[3], root 0)', 'bcastInto(int32[2], root 0)', /the same root and an array of the same type and length\.$/);
    expectMismatch(cases('scanOps'), n, () => 'scan', "scan('max', number)", "scan('min', number)", sameOpAndKind);
    const countsOf = (two: number): string => `[${range(n).map((j) => (j === two ? 2 : 1)).join(', ')}]`;
    expectMismatch(
      cases('reduceScatterCounts'),
      n,
      () => 'reduceScatter',
      `reduceScatter('sum', int32[${n + 1}], counts ${countsOf(last)})`,
      `reduceScatter('sum', int32[${n + 1}], counts ${countsOf(0)})`,
      /the same op and counts, and arrays of the same type and length\.$/,
    );
    expectMismatch(cases('alltoallKinds'), n, () => 'alltoall', 'alltoall(values)', `alltoall(float64[${n}])`, /an array of one value per rank everywhere/);
    expectPeerFailure(cases('badCounts').map((x, rank) => ({ rank, ...x })), last, 'RangeError', new RegExp(`counts\\[${last}\\] is 3, but this rank's array has 2 elements`));
    expectOnly(cases('alltoallvRecvCounts'), last, 'RangeError', `${W}.alltoallv: recvCounts[0] is 2, but rank 0 sends 1 element here`, described(Int32Array.from(range(n))));
    expectMismatch(cases('gathervTypes'), n, () => 'allgatherv', 'allgatherv(uint16)', 'allgatherv(int16)', /with arrays of one element type/);
    expectMismatch(cases('alltoallvTypes'), n, () => 'alltoallv', 'alltoallv(int64)', 'alltoallv(float64)', /with arrays of one element type/);
  } else {
    // Unchecked, the element types that allgatherv and alltoallv exchange anyway still catch a mismatch.
    const typeMismatch = (x: Report, method: string, done: string, usual: string, odd: string): void => {
      expect(x).toMatchObject({ threw: true, name: 'CollectiveMismatchError', calls: range(n).map((k) => `${method}(${k === last ? odd : usual})`) });
      expect(x.message).toBe(
        `${W}.${method}: the ranks passed arrays of different element types, so nothing was ${done}: ${lastDiffers(n, usual, odd)}. ` +
          'Every rank must pass the same type (MPI moves elements, not values: it would not convert them).',
      );
    };
    for (const x of cases('gathervTypes')) typeMismatch(x, 'allgatherv', 'gathered', 'uint16', 'int16');
    for (const x of cases('alltoallvTypes')) typeMismatch(x, 'alltoallv', 'exchanged', 'int64', 'float64');
  }
  expectRootFailure(cases('scatterBadValues'), 0, 'scatter', 'TypeError', `values must be an array of ${n} values (one per rank), got an array of 1`);
  expectRootFailure(cases('scatterUnsendable'), last, 'scatter', 'TypeError', 'the value cannot be sent: () => j could not be cloned.');
  expectRootFailure(cases('scattervBadCounts'), 0, 'scatterv', 'RangeError', `the counts add up to ${3 * n} elements, more than sendArray's 2`);
  expectRootFailure(cases('alltoallUnsendable'), last, 'alltoall', 'TypeError', 'the value cannot be sent: Symbol(s) could not be cloned.');
  expectOnly(cases('scattervWrongRecv'), last, 'RangeError', `${W}.scatterv: the root sends 1 float64 element to rank ${last}, which do not fit recvArray (a Float32Array of 1)`, described(new Float64Array(1)));
  expectOnly(cases('scattervWrongCounts'), last, 'RangeError', `${W}.scatterv: counts[${last}] is 2 here, but the root sends 1 element to rank ${last}`, described(Float64Array.of(7)));
  for (const x of all) {
    expect(Object.keys(x).sort()).toEqual(['rank', 'label', ...keys, 'after', 'afterBcast'].sort());
    // Still in step: the next collectives give the right values.
    expect(x).toMatchObject({ after: (n * (n - 1)) / 2, afterBcast: 'in step' });
  }
}

function checkErrors(results: Report[][], n: number, r: number): void {
  const rankRange = `an integer in [0, ${n - 1}]`;
  const counts = (i: number, what: string): string => `counts[${i}] is ${what}; expected an integer in [0, 2147483647]`;
  const expected: [string, string, string][] = [
    ['scatter root', 'RangeError', `${W}.scatter: root must be ${rankRange}, got number ${n}`],
    ['scatterv root', 'RangeError', `${W}.scatterv: root must be ${rankRange}, got number -1`],
    ['scatterv recvArray', 'TypeError', `${W}.scatterv: recvArray must be a typed array, got an array`],
    ['gatherv array', 'TypeError', `${W}.gatherv: the array must be a typed array, got an array`],
    ['gatherv counts length', 'RangeError', `${W}.gatherv: counts has ${n + 1} entries; expected ${n}, one per rank`],
    ['gatherv counts negative', 'RangeError', `${W}.gatherv: ${counts(0, '-1')}`],
    ['gatherv counts fractional', 'RangeError', `${W}.gatherv: ${counts(0, '0.5')}`],
    ['gatherv counts not an array', 'TypeError', `${W}.gatherv: counts must be an array of ${n} integers (one per rank), got number 3`],
    ['gatherv count of this rank', 'RangeError', `${W}.gatherv: counts[${r}] is 1, but this rank's array has 2 elements`],
    ['allgatherv a DataView', 'TypeError', `${W}.allgatherv: the array must be a typed array, got a DataView`],
    ['alltoall values length', 'TypeError', `${W}.alltoall: values must be an array of ${n} values (one per rank), got an array of ${n + 1}`],
    ['alltoall a number', 'TypeError', `${W}.alltoall: values must be an array of ${n} values (one per rank), got number 5`],
    ['alltoallv sendCounts sum', 'RangeError', `${W}.alltoallv: sendCounts add up to ${n} elements, more than sendArray's 0`],
    ['alltoallv recvCounts entry', 'RangeError', `${W}.alltoallv: recvCounts[0] is string x; expected an integer in [0, 2147483647]`],
    ['scan op', 'TypeError', `${W}.scan: unknown op "xor"; expected one of sum, prod, min, max, land, lor, band, bor`],
    ['exscan a string', 'TypeError', `${W}.exscan: cannot reduce string a; pass a number, bigint, boolean or typed array`],
    ['reduceScatter counts sum', 'RangeError', `${W}.reduceScatter: the counts add up to ${n}, but the array has ${n + 1} elements`],
    ['reduceScatter a number', 'TypeError', `${W}.reduceScatter: the array must be a typed array, got number 3`],
    ['reduceScatter band on floats', 'TypeError', `${W}.reduceScatter: 'band' needs integers, not a float64 array`],
    ['reduceScatterBlock clamped', 'TypeError', `${W}.reduceScatterBlock: a Uint8ClampedArray cannot be reduced (MPI's uint8 arithmetic wraps, it does not clamp); pass a Uint8Array`],
  ];
  if (n > 1) {
    expected.push(
      ['alltoall length', 'RangeError', `${W}.alltoall: the array has ${2 * n + 1} elements, not a multiple of the ${n} ranks: it is cut into one equal block per rank`],
      ['reduceScatterBlock length', 'RangeError', `${W}.reduceScatterBlock: the array has ${2 * n + 1} elements, not a multiple of the ${n} ranks: each rank gets one equal block`],
    );
  }
  const mine = results[r];
  for (const [label, name, message] of expected) {
    expect(mine.find((x) => x.label === label)).toEqual({ rank: r, label, ok: false, name, message });
  }
  if (n === 1) {
    // On one rank any length is a multiple of the size.
    expect(mine.find((x) => x.label === 'alltoall length')).toMatchObject({ ok: true });
    expect(mine.find((x) => x.label === 'reduceScatterBlock length')).toMatchObject({ ok: true });
  }
  expect(mine.find((x) => x.label === 'errorsAfter')).toEqual({ rank: r, label: 'errorsAfter', sum: n });
}

describe.each(RANK_COUNTS)('Comm collectives on %i rank(s), checked', (n) => {
  let results: Report[][];
  beforeAll(async () => {
    results = await mpirunOk(n, 'mpi_collectives.js', [], { timeoutMs: 60_000 });
  });

  test('checking is on (H5MPI_CHECK_COLLECTIVE=1 from the test helper)', () => {
    expect(reportsLabelled(results, 'start').map((x) => x.checking)).toEqual(range(n).map(() => true));
  });

  test('every call moves real values between ranks', () => {
    for (let r = 0; r < n; r++) checkValues(results, n, r);
  });

  test('ranks that disagree all throw, naming what each passed, and the job stays in step', () => {
    checkMismatches(results, n, true);
  });

  test('argument errors throw on the rank that made the call, naming the communicator and call', () => {
    for (let r = 0; r < n; r++) checkErrors(results, n, r);
  });
});

describe.each([2, 3])('Comm collectives on %i ranks, unchecked (the default)', (n) => {
  let results: Report[][];
  beforeAll(async () => {
    results = await mpirunOk(n, 'mpi_collectives.js', ['values', 'mismatch'], { timeoutMs: 60_000, env: { H5MPI_CHECK_COLLECTIVE: undefined } });
  });

  test('checking is off', () => {
    expect(reportsLabelled(results, 'start').map((x) => x.checking)).toEqual(range(n).map(() => false));
  });

  test('every call moves the same values', () => {
    for (let r = 0; r < n; r++) checkValues(results, n, r);
  });

  test('what the calls exchange anyway still makes every rank throw: element types, a root\'s bad data', () => {
    checkMismatches(results, n, false);
  });
});
