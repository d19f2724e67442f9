// Topologies end to end (test/scenarios/mpi_topology.js): Cartesian grids, their neighbours proven by the
// values a halo exchange moves, sub-grids, splitType and computeDims, checked against the row-major layout
// computed here from the rank count alone.
import { expectPeerFailure, mpirunOk, RANK_COUNTS } from './helpers/mpirun';

type Report = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PROC_NULL = -2;
const range = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
const sum = (xs: number[]): number => xs.reduce((a, x) => a + x, 0);
const mod = (x: number, d: number): number => ((x % d) + d) % d;

/** MPI_Dims_create's balanced grids for the rank counts tested, in 2 and 3 dimensions. */
const DIMS2: Record<number, number[]> = { 1: [1, 1], 2: [2, 1], 3: [3, 1], 4: [2, 2] };
const DIMS3: Record<number, number[]> = { 1: [1, 1, 1], 2: [2, 1, 1], 3: [3, 1, 1], 4: [2, 2, 1] };

/** Row-major: the last coordinate varies fastest. */
const coordsOf = (k: number, dims: number[]): number[] => dims.map((_, i) => Math.floor(k / dims.slice(i + 1).reduce((a, d) => a * d, 1)) % dims[i]);
const rankOf = (xy: number[], dims: number[]): number => xy.reduce((a, x, i) => a * dims[i] + x, 0);

/** The rank `disp` steps from `coords` along `dir`, or PROC_NULL off a non-periodic edge. */
function neighbour(coords: number[], dims: number[], periods: boolean[], dir: number, disp: number): number {
  const x = coords[dir] + disp;
  if (!periods[dir] && (x < 0 || x >= dims[dir])) return PROC_NULL;
  return rankOf(coords.map((c, i) => (i === dir ? mod(x, dims[dir]) : c)), dims);
}

function expectedHalo(r: number, dims: number[], periods: boolean[]): unknown {
  const coords = coordsOf(r, dims);
  const payload = (k: number, dir: number, sign: number) => (k === PROC_NULL ? null : [k, ...coordsOf(k, dims), dir, sign, k * 100 + dir]);
  return [0, 1].map((dir) => {
    const source = neighbour(coords, dims, periods, dir, -1);
    const dest = neighbour(coords, dims, periods, dir, 1);
    return {
      source,
      dest,
      // what the source sent in phase 0, and the dest in phase 1: the neighbours' own coordinates
      fromSource: payload(source, dir, 1),
      fromDest: payload(dest, dir, -1),
      statuses: [
        source === PROC_NULL ? null : { source, tag: 10 * dir, count: 6 },
        dest === PROC_NULL ? null : { source: dest, tag: 10 * dir + 1, count: 6 },
      ],
    };
  });
}

const ok = (value: unknown) => ({ threw: false, value });
const threw = (name: string, message: string) => ({ threw: true, name, message });

const COMPUTE_DIMS = [
  ok([1]), ok([2, 2]), ok([3, 2]), ok([4, 3]), ok([6, 6]), ok([7, 1]), ok([3, 2, 2]), ok([5, 3, 2]), ok([2, 2, 2, 2]), ok([1, 1, 1]),
  ok([6, 2]), ok([2, 4, 3]), ok([6, 1]), ok([2, 4]), ok([4, 1, 3]),
  threw('RangeError', 'MPI.computeDims: the fixed dims of [4, 0] make 4, which does not divide n = 6'),
  threw('RangeError', 'MPI.computeDims: dims [2, 2] fix every dimension and make 4, not n = 8; pass 0 for a dimension to choose'),
  threw('RangeError', 'MPI.computeDims: n must be an integer in [1, 2147483647], got number 0'),
  threw('RangeError', 'MPI.computeDims: ndims must be an integer in [1, 2147483647], got number 0'),
  threw('RangeError', 'MPI.computeDims: dims has 1 element; ndims is 2'),
  threw('RangeError', 'MPI.computeDims: dims[0] is -1; expected an integer >= 0'),
  threw('RangeError', 'MPI.computeDims: n must be an integer in [1, 2147483647], got number 2.5'),
  threw('RangeError', 'MPI.computeDims: n must be an integer in [1, 2147483647], got string 4'),
  threw('TypeError', 'MPI.computeDims: dims must be an array of integers, got string x'),
  threw('RangeError', 'MPI.computeDims: ndims must be an integer in [1, 2147483647], got number 1.5'),
];

function checkRank(all: Report[][], n: number, r: number): void {
  const byLabel = (label: string, rank = r): Report => {
    const found = all[rank].find((x) => x.label === label);
    if (!found) throw new Error(`rank ${rank} did not report '${label}'`);
    return found;
  };
  const dims = DIMS2[n];
  const periods = [true, false];
  const coords = coordsOf(r, dims);
  const cartName = `CartComm(createCart of MPI.COMM_WORLD, dims [${dims.join(', ')}])`;

  expect(byLabel('computeDims').results).toEqual(COMPUTE_DIMS);

  // ---- the grid: MPI's coordinates, ranks and neighbours are the row-major layout's
  const g = byLabel('grid');
  const cells = range(dims[0]).flatMap((i) => range(dims[1]).map((j) => [i, j]));
  const DISPS = [1, -1, 2, 0, 2 ** 31 - 1, -(2 ** 31)];
  expect(g).toEqual({
    rank: r,
    label: 'grid',
    procNull: PROC_NULL,
    isCartComm: true,
    name: cartName,
    size: n,
    dims,
    periods,
    coords,
    ndim: 2,
    frozen: true,
    coordsOfAll: range(n).map((k) => coordsOf(k, dims)),
    rankOfAll: cells.map((xy) => rankOf(xy, dims)),
    // periodic dimension 0 wraps (also from -2^31); non-periodic dimension 1 gives PROC_NULL off the grid
    offGrid: [
      rankOf([dims[0] - 1, 0], dims),
      0,
      rankOf([1 % dims[0], 0], dims),
      rankOf([mod(-(2 ** 31), dims[0]), 0], dims),
      PROC_NULL,
      PROC_NULL,
      PROC_NULL,
    ],
    shifts: [0, 1].map((dir) =>
      DISPS.map((disp) => ({ source: neighbour(coords, dims, periods, dir, -disp), dest: neighbour(coords, dims, periods, dir, disp) })),
    ),
  });

  // ---- the halo exchange: each received array is the neighbour's own (rank, coordinates, direction)
  const h = byLabel('halo');
  expect(h.halo).toEqual(expectedHalo(r, dims, periods));
  expect(h.swapped).toEqual(expectedHalo(r, dims, [false, true]));

  // ---- sub-grids: this rank's row and column, the whole grid, and a zero-dimensional one
  const members = (keep: boolean[]) => range(n).filter((k) => coordsOf(k, dims).every((x, i) => keep[i] || x === coords[i]));
  const sub = (keep: boolean[]) => {
    const m = members(keep);
    return {
      name: `CartComm(sub of ${cartName}, remain [${keep.join(', ')}])`,
      size: m.length,
      rank: m.indexOf(r),
      dims: dims.filter((_, i) => keep[i]),
      periods: periods.filter((_, i) => keep[i]),
      coords: coords.filter((_, i) => keep[i]),
      sum: sum(m),
      members: m,
    };
  };
  const s = byLabel('sub');
  expect(s.row).toEqual(sub([false, true]));
  expect((s.row as Report).members).toEqual(range(dims[1]).map((j) => rankOf([coords[0], j], dims)));
  expect(s.col).toEqual(sub([true, false]));
  expect((s.col as Report).members).toEqual(range(dims[0]).map((i) => rankOf([i, coords[1]], dims)));
  expect(s.all).toEqual(sub([true, true]));
  expect(s.none).toEqual({
    ...sub([false, false]),
    ndim: 0,
    shift: threw('RangeError', `CartComm(sub of ${cartName}, remain [false, false]).shift: the grid has no dimension to shift along`),
    rankOf: 0,
  });

  // ---- a line of all ranks but the last, a zero-dimensional grid, a reordered 3-D torus and its dup
  const sh = byLabel('shapes');
  const m = Math.max(1, n - 1);
  expect(sh.line).toEqual(
    r < m
      ? {
          size: m,
          coords: [r],
          shift: { source: r > 0 ? r - 1 : PROC_NULL, dest: r + 1 < m ? r + 1 : PROC_NULL },
          back: { source: r + 1 < m ? r + 1 : PROC_NULL, dest: r > 0 ? r - 1 : PROC_NULL },
          far: { source: PROC_NULL, dest: PROC_NULL },
          offGrid: [PROC_NULL, PROC_NULL],
          sum: sum(range(m)),
        }
      : null,
  );
  expect(sh.point).toEqual(r === 0 ? { size: 1, dims: [], coords: [], ndim: 0 } : null);
  const tdims = DIMS3[n];
  // MPI may renumber the ranks (reorder: true), but a grid's own ranks are always row-major in it
  const torusRank = (sh.torus as Report).rank as number;
  expect(sh.torus).toEqual({
    size: n,
    rank: torusRank,
    dims: tdims,
    rankOfOwn: true,
    coordsOfOwn: coordsOf(torusRank, tdims),
    consistent: true,
    allCoords: range(n).map((k) => [k, ...coordsOf(k, tdims)]),
  });
  expect(range(n).map((k) => (byLabel('shapes', k).torus as Report).rank as number).sort()).toEqual(range(n));
  expect(sh.dup).toEqual({
    name: `CartComm(dup of CartComm(createCart of MPI.COMM_WORLD, dims [${tdims.join(', ')}]))`,
    isCart: true,
    dims: tdims,
    periods: [true, true, true],
    same: true,
    rank: true,
  });

  // ---- a CartComm is a Comm; splitType('shared') groups the ranks of this one host
  const st = byLabel('splitType');
  expect(st.asComm).toEqual({ bcast: 'from cart rank 0', allreduce: n, split: { isCart: false, size: dims[0] } });
  expect(st.shared).toEqual({ name: 'Comm(splitType of MPI.COMM_WORLD, shared)', size: n, rank: r, isCart: false, sum: sum(range(n)) });
  expect(st.reversed).toEqual({ rank: n - 1 - r, members: range(n).reverse() });
  const evens = range(n).filter((k) => k % 2 === 0);
  expect(st.some).toEqual(r % 2 === 0 ? { size: evens.length, members: evens } : null);
  expect(st.ofCart).toBe(n);

  // ---- argument errors
  const e = byLabel('errors');
  const int32 = 'an integer in [-2147483648, 2147483647]';
  expect(e.local).toEqual({
    rankOfNotArray: threw('TypeError', `${cartName}.rankOf: coords must be an array of integers, got number 3`),
    rankOfLength: threw('RangeError', `${cartName}.rankOf: coords has 1 element; the grid has 2 dimensions`),
    rankOfFraction: threw('RangeError', `${cartName}.rankOf: coords[1] must be ${int32}, got number 0.5`),
    rankOfBeyondInt: threw('RangeError', `${cartName}.rankOf: coords[0] must be ${int32}, got number 2147483648`),
    coordsOfRange: threw('RangeError', `${cartName}.coordsOf: rank must be an integer in [0, ${n - 1}], got number ${n}`),
    coordsOfProcNull: threw('RangeError', `${cartName}.coordsOf: rank must be an integer in [0, ${n - 1}], got number -2`),
    shiftDirection: threw('RangeError', `${cartName}.shift: direction must be an integer in [0, 1], got number 2`),
    shiftNegative: threw('RangeError', `${cartName}.shift: direction must be an integer in [0, 1], got number -1`),
    shiftDisplacement: threw('RangeError', `${cartName}.shift: displacement must be ${int32}, got number 1.5`),
    shiftMissing: threw('RangeError', `${cartName}.shift: displacement must be ${int32}, got undefined`),
  });
  const world = 'MPI.COMM_WORLD';
  expect(e.everyRank).toEqual({
    dimsNotArray: threw('TypeError', `${world}.createCart: dims must be an array of integers, got number 4`),
    dimsZero: threw('RangeError', `${world}.createCart: dims[0] is 0; expected an integer >= 1`),
    dimsTooMany: threw('RangeError', `${world}.createCart: dims [${n}, 2] make a grid of ${2 * n} processes, more than the ${n} of ${world}`),
    periodsLength: threw('RangeError', `${world}.createCart: periods has 2 elements; expected 1, one per dimension`),
    periodsNotBoolean: threw('TypeError', `${world}.createCart: periods[0] must be a boolean, got number 1`),
    periodsMissing: threw('TypeError', `${world}.createCart: periods must be an array of booleans, got undefined`),
    reorderNotBoolean: threw('TypeError', `${world}.createCart: reorder must be a boolean, got string yes`),
    subLength: threw('RangeError', `${cartName}.sub: remainDims has 1 element; expected 2, one per dimension`),
    subNotBoolean: threw('TypeError', `${cartName}.sub: remainDims[1] must be a boolean, got number 0`),
    splitTypeUnknown: threw('TypeError', `${world}.splitType: type must be 'shared' or null, got string node`),
    splitTypeKey: threw('RangeError', `${world}.splitType: key must be ${int32}, got number 0.5`),
  });
  if (n > 1) {
    const mismatch = (where: string, calls: string[]) => {
      const groups = new Map<string, number[]>();
      calls.forEach((c, k) => groups.set(c, [...(groups.get(c) ?? []), k]));
      const text = [...groups].map(([c, ks]) => `${ks.length === 1 ? 'rank' : 'ranks'} ${ks.join(', ')}: ${c}`).join('; ');
      const comm = where.slice(0, where.lastIndexOf('.'));
      return { ...threw('CollectiveMismatchError', `${where}: the ranks passed different arguments, so none made the call: ${text}. Every rank of ${comm} passes the same ones.`), calls };
    };
    expect(e.differ).toEqual({
      createCart: mismatch(`${world}.createCart`, range(n).map((k) => `createCart([${k === 0 ? 1 : n}], [false], false)`)),
      periods: mismatch(`${world}.createCart`, range(n).map((k) => `createCart([${n}], [${k === 0}], false)`)),
      sub: mismatch(`${cartName}.sub`, range(n).map((k) => `sub([${k === 0}, true])`)),
    });
  } else {
    // one rank cannot disagree with itself
    expect(e.differ).toEqual({ createCart: ok({ size: 1, dims: [1] }), periods: ok({ size: 1, dims: [1] }), sub: ok({ size: 1, dims: [1, 1] }) });
  }
  expect(e.after).toBe(sum(range(n)));

  // ---- freed communicators
  const freed = (comm: string, call: string) => threw('MPIError', `${comm}.${call}: the communicator has been freed`);
  expect(byLabel('freed')).toEqual({
    rank: r,
    label: 'freed',
    freed: true,
    createCart: freed('Comm(dup of MPI.COMM_WORLD)', 'createCart'),
    splitType: freed('Comm(dup of MPI.COMM_WORLD)', 'splitType'),
    rankOf: freed(cartName, 'rankOf'),
    coordsOf: freed(cartName, 'coordsOf'),
    shift: freed(cartName, 'shift'),
    sub: freed(cartName, 'sub'),
    freeAgain: freed(cartName, 'free'),
    coordsKept: coords,
  });
}

/** One rank's bad argument: it throws its own error, every other rank a PeerFailedError naming it. */
function checkOneRankFailures(all: Report[][], n: number): void {
  const culprit = n - 1;
  const reports = (call: string) => all.map((list, rank) => ({ rank, ...(list.find((x) => x.label === 'errors')!.oneRank as Report)[call] as Report }));
  const cartName = `CartComm(createCart of MPI.COMM_WORLD, dims [${DIMS2[n].join(', ')}])`;
  expectPeerFailure(reports('createCart'), culprit, 'RangeError', /^(RangeError: )?MPI\.COMM_WORLD\.createCart: dims\[0\] is 0; expected an integer >= 1$/);
  expectPeerFailure(reports('sub'), culprit, 'RangeError', new RegExp(`^(RangeError: )?${cartName.replace(/[()[\]]/g, '\\$&')}\\.sub: remainDims has 1 element; expected 2, one per dimension$`));
  expectPeerFailure(reports('splitType'), culprit, 'TypeError', /^(TypeError: )?MPI\.COMM_WORLD\.splitType: type must be 'shared' or null, got string numa$/);
}

describe.each(RANK_COUNTS)('topologies on %i ranks (mpiexec)', (n) => {
  test('grids, neighbours, halos, sub-grids, splitType and computeDims move and report real values', async () => {
    const results = await mpirunOk(n, 'mpi_topology.js', [], { timeoutMs: 60_000 });
    for (let r = 0; r < n; r++) checkRank(results, n, r);
    checkOneRankFailures(results, n);
  });
});
