// Topologies with values that crossed ranks: test/mpi_topology.test.ts runs it at 1-4 ranks and checks each
// rank's report against the row-major layout it computes from the rank count alone.
'use strict';
const { MPI, Status, Comm, CartComm } = require('../..');
const { report } = require('./report');

const c = MPI.COMM_WORLD;
const r = c.rank;
const n = c.size;

/** What a call gave, or what it threw (with what the collective errors carry). */
function outcome(fn) {
  try {
    return { threw: false, value: fn() };
  } catch (e) {
    const o = { threw: true, name: e.name, message: e.message };
    for (const k of ['ranks', 'messages', 'calls']) if (e[k] !== undefined) o[k] = e[k];
    return o;
  }
}

/** A communicator a call made, summarised and freed (null stays null). */
function made(comm) {
  if (comm === null) return null;
  const out = { size: comm.size, dims: comm.dims };
  comm.free();
  return out;
}

// ---- MPI.computeDims
{
  const cases = [
    [1, 1], [4, 2], [6, 2], [12, 2], [36, 2], [7, 2], [12, 3], [30, 3], [16, 4], [1, 3],
    [12, 2, [0, 2]], [24, 3, [2, 0, 0]], [6, 2, [6, 0]], [8, 2, [2, 4]], [12, 3, [0, 1, 0]],
    // refused
    [6, 2, [4, 0]], [8, 2, [2, 2]], [0, 2], [4, 0], [4, 2, [2]], [4, 2, [-1, 0]], [2.5, 1], ['4', 1], [4, 2, 'x'], [4, 1.5],
  ];
  report({ label: 'computeDims', results: cases.map(([nn, nd, dims]) => outcome(() => MPI.computeDims(nn, nd, dims))) });
}

// ---- a 2-D grid, periodic along dimension 0 only
const dims = MPI.computeDims(n, 2);
const cart = c.createCart(dims, [true, false]);
{
  const grid = [];
  for (let i = 0; i < dims[0]; i++) for (let j = 0; j < dims[1]; j++) grid.push([i, j]);
  const shifts = [0, 1].map((dir) => [1, -1, 2, 0, 2 ** 31 - 1, -(2 ** 31)].map((disp) => cart.shift(dir, disp)));
  report({
    label: 'grid',
    procNull: MPI.PROC_NULL,
    isCartComm: cart instanceof CartComm && cart instanceof Comm,
    name: cart.name,
    rank: cart.rank,
    size: cart.size,
    dims: cart.dims,
    periods: cart.periods,
    coords: cart.coords,
    ndim: cart.ndim,
    frozen: Object.isFrozen(cart.dims) && Object.isFrozen(cart.periods) && Object.isFrozen(cart.coords),
    coordsOfAll: Array.from({ length: n }, (_, k) => cart.coordsOf(k)),
    rankOfAll: grid.map((xy) => cart.rankOf(xy)),
    offGrid: [[-1, 0], [dims[0], 0], [5 * dims[0] + 1, 0], [-(2 ** 31), 0], [0, -1], [0, dims[1]], [-1, -1]].map((xy) => cart.rankOf(xy)),
    shifts,
  });
}

// ---- a halo exchange over shift()'s neighbours: along each dimension every rank sends a typed array to
// `dest` and receives from `source` (phase 0), then the other way round (phase 1). Ranks with an even
// coordinate along that dimension send first and odd ones receive first, so blocking sends cannot
// deadlock; a PROC_NULL neighbour is skipped. Run on this grid and on one with the periods swapped, so
// that both a ring and a line of more than one rank carry data.
function haloExchange(grid) {
  return [0, 1].map((dir) => {
    const { source, dest } = grid.shift(dir, 1);
    const mine = (sign) => new Float64Array([r, grid.coords[0], grid.coords[1], dir, sign, r * 100 + dir]);
    const got = [null, null];
    const statuses = [null, null];
    const phases = [
      { to: dest, from: source, sign: 1 },
      { to: source, from: dest, sign: -1 },
    ];
    phases.forEach(({ to, from, sign }, phase) => {
      const tag = 10 * dir + phase;
      const send = () => {
        if (to !== MPI.PROC_NULL) grid.send(mine(sign), to, tag);
      };
      const recv = () => {
        if (from === MPI.PROC_NULL) return;
        const st = new Status();
        got[phase] = grid.recvInto(new Float64Array(6), from, tag, st);
        statuses[phase] = { source: st.source, tag: st.tag, count: st.count };
      };
      if (grid.coords[dir] % 2 === 0) {
        send();
        recv();
      } else {
        recv();
        send();
      }
    });
    return { source, dest, fromSource: got[0], fromDest: got[1], statuses };
  });
}
{
  const swapped = c.createCart(dims, [false, true]);
  report({ label: 'halo', halo: haloExchange(cart), swapped: haloExchange(swapped) });
  swapped.free();
}

// ---- sub-grids: rows and columns, with reductions over them
{
  const describeSub = (s) => ({
    name: s.name,
    size: s.size,
    rank: s.rank,
    dims: s.dims,
    periods: s.periods,
    coords: s.coords,
    sum: s.allreduce(r, 'sum'),
    members: s.allgather(r),
  });
  const row = cart.sub([false, true]);
  const col = cart.sub([true, false]);
  const all = cart.sub([true, true]);
  const none = cart.sub([false, false]);
  report({
    label: 'sub',
    row: describeSub(row),
    col: describeSub(col),
    all: describeSub(all),
    none: { ...describeSub(none), ndim: none.ndim, shift: outcome(() => none.shift(0, 1)), rankOf: none.rankOf([]) },
  });
  for (const s of [row, col, all, none]) s.free();
}

// ---- a line over all ranks but the last (which gets null), a zero-dimensional grid, a reordered 3-D torus
{
  const m = Math.max(1, n - 1);
  const line = c.createCart([m], [false]);
  const lineReport = line && {
    size: line.size,
    coords: line.coords,
    shift: line.shift(0, 1),
    back: line.shift(0, -1),
    far: line.shift(0, m),
    offGrid: [line.rankOf([-1]), line.rankOf([m])],
    sum: line.allreduce(r, 'sum'),
  };
  const point = c.createCart([], []);
  const pointReport = point && { size: point.size, dims: point.dims, coords: point.coords, ndim: point.ndim };
  const tdims = MPI.computeDims(n, 3);
  const torus = c.createCart(tdims, [true, true, true], true);
  const k = torus.coords;
  const wrapped = (d, step) => k.map((x, i) => (i === d ? (x + step + tdims[d]) % tdims[d] : x));
  const torusReport = {
    size: torus.size,
    rank: torus.rank,
    dims: torus.dims,
    rankOfOwn: torus.rankOf(k) === torus.rank,
    coordsOfOwn: torus.coordsOf(torus.rank),
    consistent: [0, 1, 2].every((d) => {
      const { source, dest } = torus.shift(d, 1);
      return dest === torus.rankOf(wrapped(d, 1)) && source === torus.rankOf(wrapped(d, -1));
    }),
    // every rank's coordinates, by its rank in the torus: each grid point exactly once
    allCoords: torus.allgather([torus.rank, ...k]),
  };
  const dup = torus.dup();
  const dupReport = { name: dup.name, isCart: dup instanceof CartComm, dims: dup.dims, periods: dup.periods, same: dup.coords.join() === k.join(), rank: dup.rank === torus.rank };
  report({ label: 'shapes', line: lineReport, point: pointReport, torus: torusReport, dup: dupReport });
  for (const x of [line, point, torus, dup]) if (x) x.free();
}

// ---- a CartComm is a Comm; splitType('shared')
{
  const asComm = {
    bcast: cart.bcast(cart.rank === 0 ? 'from cart rank 0' : null, 0),
    allreduce: cart.allreduce(1, 'sum'),
    split: (() => {
      const s = cart.split(cart.coords[1]);
      const out = { isCart: s instanceof CartComm, size: s.size };
      s.free();
      return out;
    })(),
  };
  cart.barrier();
  const shared = c.splitType('shared');
  const reversed = c.splitType('shared', -r);
  const some = c.splitType(r % 2 === 0 ? 'shared' : null);
  const ofCart = cart.splitType('shared');
  report({
    label: 'splitType',
    asComm,
    shared: { name: shared.name, size: shared.size, rank: shared.rank, isCart: shared instanceof CartComm, sum: shared.allreduce(r, 'sum') },
    reversed: { rank: reversed.rank, members: reversed.allgather(r) },
    some: some && { size: some.size, members: some.allgather(r) },
    ofCart: ofCart.size,
  });
  for (const x of [shared, reversed, some, ofCart]) if (x) x.free();
}

// ---- argument errors. Local calls throw on the calling rank; collective calls agree first, so every
// rank throws, and the communicator stays usable (the allreduce after them).
{
  const local = {
    rankOfNotArray: outcome(() => cart.rankOf(3)),
    rankOfLength: outcome(() => cart.rankOf([0])),
    rankOfFraction: outcome(() => cart.rankOf([0, 0.5])),
    rankOfBeyondInt: outcome(() => cart.rankOf([2 ** 31, 0])),
    coordsOfRange: outcome(() => cart.coordsOf(n)),
    coordsOfProcNull: outcome(() => cart.coordsOf(MPI.PROC_NULL)),
    shiftDirection: outcome(() => cart.shift(2, 1)),
    shiftNegative: outcome(() => cart.shift(-1, 1)),
    shiftDisplacement: outcome(() => cart.shift(0, 1.5)),
    shiftMissing: outcome(() => cart.shift(0)),
  };
  const everyRank = {
    dimsNotArray: outcome(() => c.createCart(4, [false])),
    dimsZero: outcome(() => c.createCart([0], [false])),
    dimsTooMany: outcome(() => c.createCart([n, 2], [false, false])),
    periodsLength: outcome(() => c.createCart([n], [false, false])),
    periodsNotBoolean: outcome(() => c.createCart([n], [1])),
    periodsMissing: outcome(() => c.createCart([n])),
    reorderNotBoolean: outcome(() => c.createCart([n], [false], 'yes')),
    subLength: outcome(() => cart.sub([true])),
    subNotBoolean: outcome(() => cart.sub([true, 0])),
    splitTypeUnknown: outcome(() => c.splitType('node')),
    splitTypeKey: outcome(() => c.splitType('shared', 0.5)),
  };
  // One rank's bad argument, and ranks passing different arguments.
  const culprit = n - 1;
  const oneRank = {
    createCart: outcome(() => c.createCart(r === culprit ? [0] : [n], [false])),
    sub: outcome(() => cart.sub(r === culprit ? [true] : [true, false])),
    splitType: outcome(() => c.splitType(r === culprit ? 'numa' : 'shared')),
  };
  const differ = {
    createCart: outcome(() => made(c.createCart(r === 0 ? [1] : [n], [false]))),
    periods: outcome(() => made(c.createCart([n], [r === 0]))),
    sub: outcome(() => made(cart.sub([r === 0, true]))),
  };
  const after = c.allreduce(r, 'sum');
  report({ label: 'errors', local, everyRank, oneRank, differ, after });
}

// ---- freed communicators
{
  const dup = c.dup();
  dup.free();
  const freedDup = outcome(() => dup.createCart([1], [false]));
  const freedSplitType = outcome(() => dup.splitType('shared'));
  cart.free();
  report({
    label: 'freed',
    freed: cart.freed,
    createCart: freedDup,
    splitType: freedSplitType,
    rankOf: outcome(() => cart.rankOf([0, 0])),
    coordsOf: outcome(() => cart.coordsOf(0)),
    shift: outcome(() => cart.shift(0, 1)),
    sub: outcome(() => cart.sub([true, false])),
    freeAgain: outcome(() => cart.free()),
    coordsKept: cart.coords,
  });
}
