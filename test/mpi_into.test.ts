// The collectives into the caller's arrays (lib/into.ts) end to end (test/scenarios/mpi_into.js): every
// method at 1, 2 and 4 ranks with values that crossed ranks, for float64, int32, bigint64 and Buffer
// arrays, out of place and in place, checked against values computed here from the rank count. Then
// mistakes on every rank (each throws the same error) and on one rank only: checked, every rank throws
// before the call; unchecked, the rank takes its part and throws, the others have their values. A call
// after each shows the job still in step (a hang would time the job out).
import type { Comm } from '../lib';
import { expectPeerFailure, mpirunOk, reportsLabelled } from './helpers/mpirun';

type Report = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
const W = 'MPI.COMM_WORLD';
const TYPES = ['float64', 'int32', 'bigint64', 'buffer'];

function checkValues(results: Report[][], n: number): void {
  const last = n - 1;
  const T = (n * (n + 1)) / 2;
  let fact = 1;
  for (let k = 2; k <= n; k++) fact *= k;
  const B = 2;
  const K = 3;
  for (const type of TYPES) {
    // As report.js shows them: bigints as "3n".
    const v = (xs: number[]): unknown[] => (type === 'bigint64' ? xs.map((x) => `${x}n`) : xs);
    const is = (values: number[] | null): Report => ({ same: true, values: values && v(values) });
    const byRank = reportsLabelled<Report>(results, `values ${type}`);
    for (let r = 0; r < n; r++) {
      const perElement = (f: (i: number) => number): number[] => range(K).map(f);
      const reductions =
        type === 'buffer'
          ? {}
          : {
              allreduce: is(perElement((i) => (i + 1) * T)),
              allreduceInPlace: is(perElement((i) => (i + 1) * n)),
              reduce: is(r === last ? perElement((i) => (i + 1) * T) : null),
              reduceInPlace: is(r === 0 ? perElement((i) => (i + 1) ** n * fact) : null),
              scan: is(perElement((i) => ((i + 1) * (r + 1) * (r + 2)) / 2)),
              exscan: is(r === 0 ? [7, 7, 7] : perElement((i) => ((i + 1) * r * (r + 1)) / 2)),
              scanInPlace: is(perElement((i) => ((i + 1) * (r + 1) * (r + 2)) / 2)),
              // [5, rank, 0]: rank 0's 0 makes the middle false; 1 or 0 even on one rank.
              ...(type === 'float64' ? {} : { land: is([1, 0, 0]) }),
            };
      const blocks = (f: (j: number, i: number) => number): number[] => range(n * B).map((x) => f(Math.floor(x / B), x % B));
      const gathered = blocks((j, i) => j * 10 + i);
      expect(byRank[r]).toEqual({
        rank: r,
        label: `values ${type}`,
        ...reductions,
        alltoall: is(blocks((j, i) => r * 10 + j * 3 + i)),
        alltoallInPlace: is(blocks((j, i) => r * 10 + j * 3 + i)),
        allgather: is(gathered),
        allgatherInPlace: is(gathered),
        gather: is(r === 0 ? gathered : null),
        gatherInPlace: is(r === last ? gathered : null),
        scatter: is(range(B).map((i) => r * 10 + i)),
        scatterInPlace: is(r === 0 ? blocks((j, i) => j * 10 + i + 1) : range(B).map((i) => r * 10 + i + 1)),
      });
    }
  }
}

/** Mistakes made on every rank: the same error everywhere, checked or not. */
function checkErrors(results: Report[][], n: number, checked: boolean): void {
  const everywhere: [string, string, string][] = [
    ['recv short', 'TypeError', `${W}.allreduceInto: recv has 2 elements and send 3: recv must have 3 (as many as send)`],
    ['recv type', 'TypeError', `${W}.allreduceInto: recv is a Float32Array (float32) and send a Float64Array (float64): pass arrays of the same element type (MPI moves elements, it would not convert them)`],
    ['recv missing', 'TypeError', `${W}.scanInto: recv must be a typed array of 3 elements (as many as send), got undefined`],
    ['overlap', 'TypeError', `${W}.allreduceInto: send and recv share memory without being the same array; pass the same array as both to reduce in place (MPI_IN_PLACE)`],
    ['send a number', 'TypeError', `${W}.allreduceInto: send must be a typed array, got number 3`],
    ['op', 'TypeError', `${W}.allreduceInto: unknown op "xor"; expected one of sum, prod, min, max, land, lor, band, bor`],
    ['band on floats', 'TypeError', `${W}.allreduceInto: 'band' needs integers, not a float64 array`],
    ['allgather recv', 'TypeError', `${W}.allgatherInto: recv has ${2 * n + 1} elements and send 2: recv must have ${2 * n} (send's length times the ${n} ranks)`],
    ['root', 'RangeError', `${W}.reduceInto: root must be an integer in [0, ${n - 1}], got number ${n}`],
    ['freed', 'MPIError', `Comm(dup of ${W}).allreduceInto: the communicator has been freed`],
  ];
  if (n > 1) everywhere.push(['alltoall blocks', 'TypeError', `${W}.alltoallInto: send has ${2 * n + 1} elements, not a multiple of the ${n} ranks: it is cut into one equal block per rank`]);
  for (const [label, name, message] of everywhere) {
    for (const rep of reportsLabelled<Report>(results, label)) expect(rep).toMatchObject({ threw: true, name, message });
  }
  // Mistakes in the root's recv alone.
  const rootOnly: [string, string][] = [
    ['gather root recv', `${W}.gatherInto: recv has 1 element and send 2: recv must have ${2 * n} (send's length times the ${n} ranks)`],
    ['scatter root recv', `${W}.scatterInto: recv has 3 elements and send ${2 * n}: recv must have 2 (send's length divided by the ${n} ranks)`],
  ];
  for (const [label, message] of rootOnly) {
    const reps = reportsLabelled<Report>(results, label);
    if (checked && n > 1) {
      expectPeerFailure(reps, 0, 'TypeError', exactly(message));
    } else {
      expect(reps[0]).toMatchObject({ threw: true, name: 'TypeError', message });
      for (const rep of reps.slice(1)) expect(rep.threw).toBe(false);
    }
  }
  for (const rep of reportsLabelled<Report>(results, 'errorsAfter')) expect(rep.sum).toBe(n);
}

/** One rank's recv does not fit (rank 1). */
function checkOneRank(results: Report[][], n: number, checked: boolean): void {
  const cases: [string, string, (r: number) => unknown][] = [
    ['one recv short', `${W}.allreduceInto: recv has 1 element and send 2: recv must have 2 (as many as send)`, () => [T(n), 10 * T(n)]],
    ['one recv type', `${W}.alltoallInto: recv is a Uint32Array (uint32) and send a Int32Array (int32): pass arrays of the same element type (MPI moves elements, it would not convert them)`, () => range(n)],
    ['one root recv', `${W}.reduceInto: recv has 3 elements and send 1: recv must have 1 (as many as send)`, () => undefined],
  ];
  for (const [label, message, value] of cases) {
    const reps = reportsLabelled<Report>(results, label);
    if (checked) {
      expectPeerFailure(reps, 1, 'TypeError', exactly(message));
    } else {
      reps.forEach((rep, r) => {
        if (r === 1) expect(rep).toMatchObject({ threw: true, name: 'TypeError', message });
        else expect(rep).toEqual({ rank: r, label, threw: false, ...(value(r) === undefined ? {} : { value: value(r) }) });
      });
    }
  }
  if (checked) {
    for (const rep of reportsLabelled<Report>(results, 'one in place')) {
      expect(rep).toMatchObject({ threw: true, name: 'CollectiveMismatchError' });
      expect(rep.message).toContain(`rank 1: allreduceInto('sum', float64[1], in place)`);
      expect(rep.message).toContain(`allreduceInto('sum', float64[1])`);
    }
  }
  for (const rep of reportsLabelled<Report>(results, 'oneAfter')) expect(rep.sum).toBe(n);
}

/** A message as expectPeerFailure matches it (the peers' copy has the error's name before it). */
function exactly(message: string): RegExp {
  return new RegExp(`${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

function T(n: number): number {
  return (n * (n + 1)) / 2;
}

test('TypeScript takes a recv of the send\'s element type only (tsc checks this file)', () => {
  const calls = (c: Comm): void => {
    c.allreduceInto(new Float64Array(1), new Float64Array(1), 'sum');
    c.allreduceInto(Buffer.alloc(1), new Uint8Array(1), 'max');
    c.alltoallInto(new BigInt64Array(2), new BigInt64Array(2));
    const got: Int32Array = c.scatterInto(undefined, new Int32Array(2));
    // @ts-expect-error a Float32Array recv for a Float64Array send
    c.allreduceInto(new Float64Array(1), new Float32Array(1), 'sum');
    // @ts-expect-error an Int32Array recv for a BigInt64Array send
    c.allgatherInto(new BigInt64Array(1), new Int32Array(2));
    void got;
  };
  expect(typeof calls).toBe('function');
});

describe.each([1, 2, 4])('collectives into the caller\'s arrays on %i rank(s), checked', (n) => {
  let results: Report[][];
  beforeAll(async () => {
    results = await mpirunOk(n, 'mpi_into.js', [], { timeoutMs: 90_000 });
  });

  test('checking is on (the test helper sets H5MPI_CHECK_COLLECTIVE=1)', () => {
    expect(reportsLabelled(results, 'start').map((x) => x.checking)).toEqual(range(n).map(() => true));
  });

  test('every method moves real values between ranks, in place too, into the very array given', () => {
    checkValues(results, n);
  });

  test('a mistake on every rank throws the same error on every rank', () => {
    checkErrors(results, n, true);
  });

  if (n > 1) {
    test('a recv that does not fit on one rank makes every rank throw before anything is sent', () => {
      checkOneRank(results, n, true);
    });
  }
});

describe.each([2, 4])('collectives into the caller\'s arrays on %i ranks, unchecked (the default)', (n) => {
  let results: Report[][];
  beforeAll(async () => {
    results = await mpirunOk(n, 'mpi_into.js', [], { timeoutMs: 90_000, env: { H5MPI_CHECK_COLLECTIVE: undefined } });
  });

  test('checking is off', () => {
    expect(reportsLabelled(results, 'start').map((x) => x.checking)).toEqual(range(n).map(() => false));
  });

  test('every method moves the same values', () => {
    checkValues(results, n);
  });

  test('a mistake on every rank throws the same error on every rank; one in the root\'s recv on the root alone', () => {
    checkErrors(results, n, false);
  });

  test('a recv that does not fit on one rank: that rank takes its part and throws, the others have their values, no hang', () => {
    checkOneRank(results, n, false);
  });
});
