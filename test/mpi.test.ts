// MPI for Node, end to end: every Comm method with values that crossed ranks (test/scenarios/mpi_values.js),
// checked against what the sending ranks must have sent, computed here from the rank count alone.
import { serializeMessage } from '../lib/message';
import { identifyMPI } from '../lib/mpiimpl';
import { launcherMPI, mpirunOk, RANK_COUNTS } from './helpers/mpirun';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const S = require('./scenarios/mpi_samples') as {
  ARRAY_KINDS: string[];
  REDUCIBLE_KINDS: Record<string, number>;
  sampleArray(kind: string, seed: number): ArrayLike<number | bigint> & ArrayBufferView & { subarray(i: number): unknown };
  sampleObject(seed: number): unknown;
  reduceInput(kind: string, rank: number): ArrayLike<number | bigint>;
  describe(v: unknown): unknown;
  make(kind: string, numbers: number[]): unknown;
};

type Report = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const BIG = 1 << 20;
const OPS = ['sum', 'prod', 'min', 'max', 'land', 'lor', 'band', 'bor'] as const;
type Op = (typeof OPS)[number];

/** What a value looks like after the report's JSON round trip. */
const json = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const described = (v: unknown): unknown => json(S.describe(v));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
// An object message's size: the mark, then the value's encoding (lib/message.ts).
const serializedBytes = (v: unknown): number => serializeMessage(v, 'test', true).byteLength;

/** Element-wise reduction of the ranks' reduceInput arrays, in the element type's own arithmetic. */
function expectedArrayReduce(kind: string, op: Op, n: number): unknown {
  const bits = S.REDUCIBLE_KINDS[kind];
  const inputs = range(n).map((j) => Array.from(S.reduceInput(kind, j)));
  const length = inputs[0].length;
  const out: (number | bigint)[] = [];
  for (let e = 0; e < length; e++) {
    if (bits === 0) {
      // Small integers in floating point: exact in any order.
      const vals = inputs.map((a) => Number(a[e]));
      const f = { sum: (a: number, b: number) => a + b, prod: (a: number, b: number) => a * b, min: Math.min, max: Math.max }[op as 'sum'];
      out.push(vals.reduce((a, b) => f(a, b)));
      continue;
    }
    const vals = inputs.map((a) => BigInt(a[e]));
    let v: bigint;
    switch (op) {
      case 'sum': v = vals.reduce((a, b) => a + b); break;
      case 'prod': v = vals.reduce((a, b) => a * b); break;
      case 'min': v = vals.reduce((a, b) => (b < a ? b : a)); break;
      case 'max': v = vals.reduce((a, b) => (b > a ? b : a)); break;
      case 'land': v = vals.every((x) => x !== 0n) ? 1n : 0n; break;
      case 'lor': v = vals.some((x) => x !== 0n) ? 1n : 0n; break;
      case 'band': v = vals.reduce((a, b) => a & b); break;
      case 'bor': v = vals.reduce((a, b) => a | b); break;
    }
    const wrapped = BigInt.asUintN(bits, v);
    out.push(kind.startsWith('Big') ? wrapped : Number(wrapped));
  }
  // Storing into the kind's own array does the signed reinterpretation and float32 rounding.
  if (kind.startsWith('Big')) {
    const values = out as bigint[];
    return described(kind === 'BigInt64Array' ? BigInt64Array.from(values) : BigUint64Array.from(values));
  }
  return described(S.make(kind, out as number[]));
}

function expectedScalars(n: number, r: number): Report {
  const ranks = range(n);
  const sumOf = (f: (j: number) => number) => ranks.reduce((a, j) => a + f(j), 0);
  const prodOf = (f: (j: number) => number) => ranks.reduce((a, j) => a * f(j), 1);
  const big = (x: bigint) => ({ type: 'bigint', value: x.toString() });
  const bsum = ranks.reduce((a, j) => a + 2n ** 60n + BigInt(j), 0n);
  const bprod = ranks.reduce((a, j) => a * (2n ** 15n + BigInt(j)), 1n);
  const number: Record<Op, number> = {
    sum: sumOf((j) => j + 1.5),
    prod: prodOf((j) => j + 1.5),
    min: 1.5,
    max: n + 0.5,
    land: 1, // 1 or 0, also on one rank
    lor: n > 1 ? 1 : 0,
    band: ranks.reduce((a, j) => a & ((1 << j) | 16), -1),
    bor: ranks.reduce((a, j) => a | (1 << j) | 16, 0),
  };
  const bigint: Record<Op, unknown> = {
    sum: big(bsum),
    prod: big(bprod),
    min: big(-(2n ** 62n)),
    max: big(-(2n ** 62n) + BigInt(n - 1)),
    land: big(1n),
    lor: big(n > 1 ? 1n : 0n),
    band: big(ranks.reduce((a, j) => a & (2n ** 40n | BigInt(1 << j)), -1n)),
    bor: big(ranks.reduce((a, j) => a | 2n ** 40n | BigInt(1 << j), 0n)),
  };
  const boolean: Record<Op, unknown> = {
    sum: { value: Math.ceil(n / 2), type: 'number' },
    prod: { value: 1, type: 'number' },
    min: { value: false, type: 'boolean' },
    max: { value: true, type: 'boolean' },
    land: { value: true, type: 'boolean' },
    lor: { value: n > 1, type: 'boolean' },
    band: { value: n === 1, type: 'boolean' },
    bor: { value: n > 1, type: 'boolean' },
  };
  return Object.fromEntries(
    OPS.map((op) => [op, { number: number[op], bigint: bigint[op], boolean: boolean[op], reduce: r === n - 1 ? number[op] : null }]),
  );
}

function freedError(comm: string, method: string): unknown {
  return { ok: false, name: 'MPIError', message: `${comm}.${method}: the communicator has been freed`, isMPIError: true, errorClass: 5 }; // Open MPI's MPI_ERR_COMM
}

function checkRank(all: Report[][], n: number, r: number): void {
  const reportOf = (rank: number, label: string): Report => {
    const found = all[rank].find((x) => x.label === label);
    if (!found) throw new Error(`rank ${rank} did not report '${label}'`);
    return found;
  };
  const byLabel = (label: string): Report => reportOf(r, label);
  const prev = (r - 1 + n) % n;
  const last = n - 1;

  // ---- basics
  const b = byLabel('basics');
  expect(b.before).toEqual({ initialized: false, version: b.version as string, stillUninitialized: true });
  // The first line of the library's text, of the launcher's implementation ("Open MPI v4.1.4, ...",
  // "MPICH Version: 4.0.2").
  expect(b.version).not.toContain('\n');
  expect(identifyMPI(b.version as string)).toMatchObject({ family: launcherMPI().family, version: expect.stringMatching(/^\d+\.\d+/) as string });
  expect(b.standard).toMatch(/^\d\.\d$/);
  expect(b.size).toBe(n);
  expect(b.initialized).toBe(true);
  expect(['funneled', 'serialized', 'multiple']).toContain(b.threadLevel);
  expect(b.tagUb).toBeGreaterThanOrEqual(32767);
  expect(b.processorName).toBe(b.hostname);
  expect(b.names).toEqual(['MPI.COMM_WORLD', 'MPI.COMM_SELF']);
  expect(b.failFast).toBe(true);
  expect(b.wtimeNondecreasing).toBe(true);
  expect(b.slept).toBeGreaterThanOrEqual(0.02); // slept 30 ms: Wtime counts seconds, forward
  expect(b.slept).toBeLessThan(60);

  // ---- bcast
  const bc = byLabel('bcast');
  expect(bc.obj).toEqual(described(S.sampleObject(last)));
  const primRoot = 1 % n;
  expect(bc.prims).toEqual(
    [`text ${primRoot}`, primRoot + 0.5, null, undefined, true, -(2n ** 65n) - BigInt(primRoot)].map(described),
  );
  expect(bc.arrays).toEqual(S.ARRAY_KINDS.map((kind, i) => described(S.sampleArray(kind, i % n))));
  expect(bc.big).toEqual({ type: 'Float64Array', length: BIG, bad: 0 });

  const bi = byLabel('bcastInto');
  expect(bi.same).toBe(true);
  expect(bi.values).toEqual([last, 1.5, -2, 1e300, last * 10]);
  expect(bi.kinds).toEqual(S.ARRAY_KINDS.map((kind, i) => ({ same: true, value: described(S.sampleArray(kind, (i + 1) % n)) })));
  expect(bi.bigIntoBad).toBe(0);

  // ---- send / recv
  const sr = byLabel('sendrecv');
  expect(sr.arrays).toEqual(
    S.ARRAY_KINDS.map((kind, i) => {
      const sent = S.sampleArray(kind, prev);
      return { value: described(sent), status: { source: prev, tag: 10 + i, count: sent.length, bytes: sent.byteLength, cancelled: false } };
    }),
  );
  // recv() of a typed array's message: its bytes, as a C or mpi4py rank sent them.
  expect(sr.raw).toEqual(
    S.ARRAY_KINDS.map((kind, i) => {
      const sent = S.sampleArray(kind, prev);
      const hex = Buffer.from(sent.buffer, sent.byteOffset, sent.byteLength).toString('hex');
      return { type: 'Buffer', hex, status: { source: prev, tag: 50 + i, count: sent.byteLength, bytes: sent.byteLength, cancelled: false } };
    }),
  );
  expect(sr.obj).toEqual(described(S.sampleObject(prev)));
  const prevObjectBytes = reportOf(prev, 'sendrecv').objectBytes as number;
  expect(sr.objStatus).toEqual({ source: prev, tag: 30, count: prevObjectBytes, bytes: prevObjectBytes, cancelled: false });
  expect(sr.sub).toEqual({ value: described(S.sampleArray('Float64Array', prev).subarray(1)), byteOffset: 0 });
  expect(sr.bigBad).toBe(n > 1 ? 0 : -1);

  // ---- wildcards
  const w = byLabel('wildcards');
  if (r === 0) {
    const others = range(n).slice(1);
    const fromAny = w.fromAny as Report[];
    const objs = fromAny.slice(0, n - 1).sort((x, y) => x.source - y.source);
    const arrays = fromAny.slice(n - 1).sort((x, y) => x.source - y.source);
    expect(objs).toEqual(
      others.map((s) => ({ value: described({ from: s, word: `w${s}` }), source: s, tag: 100 + s, count: serializedBytes({ from: s, word: `w${s}` }) })),
    );
    expect(arrays).toEqual(others.map((s) => ({ value: described(new Int32Array([s, s * s, -s])), source: s, tag: 7, count: 3 })));
    expect(w.order).toEqual(n > 1 ? [['second', 2], ['first', 1], [described(Buffer.from(new Uint16Array([3, 33]).buffer)), 3, 1, 4]] : []);
  } else {
    expect(w.fromAny).toEqual([]);
  }

  // ---- recvInto
  const ri = byLabel('recvInto');
  const refused = (tag: number, name: string, what: string) => ({
    ok: false,
    name,
    message: `MPI.COMM_WORLD.recvInto: the message from rank ${prev} (tag ${tag}) is ${what}`,
    isMPIError: false,
  });
  expect(ri.fits).toEqual({ same: true, values: [prev, prev + 0.5, 2 * prev, -7, -7], count: 3, source: prev, tag: 20 });
  const tooLong = 'longer than the Float64Array of 5 it was received into; it has been taken off the wire (whether the array now holds its start is up to the MPI library)';
  // MPI leaves a truncated receive's buffer to the implementation: Open MPI (and MPICH between a rank and
  // itself) copy the message's start, MPICH between ranks leaves the array as it was.
  expect(ri.tooLong).toEqual({ ...refused(21, 'RangeError', tooLong), start: expect.any(Array) as unknown });
  expect([[prev, prev, prev, prev, prev], [-7, -7, -7, -7, -7]]).toContainEqual((ri.tooLong as { start: number[] }).start);
  expect(ri.wrongType).toEqual(refused(22, 'RangeError', '4 bytes, not a whole number of Float64Array elements'));
  // An object message longer than the array is recognised as one where MPI put its start in the array;
  // otherwise it is refused as too long.
  expect([refused(23, 'TypeError', 'a value sent as an object (not a typed array): receive it with recv()'), refused(23, 'RangeError', tooLong)]).toContainEqual(ri.object);
  if (launcherMPI().family === 'openmpi') expect(ri.object).toMatchObject({ name: 'TypeError' });
  expect(ri.nextRecv).toEqual({ after: prev });
  expect(ri.buffer).toEqual({ text: `rank ${prev}`, count: `rank ${prev}`.length });
  expect(ri.clamped).toEqual([prev, 255, 0]);
  expect(ri.anyInto).toEqual({ value: (-(2n ** 63n) + BigInt(prev)).toString(), source: prev, tag: 27, count: 1 });
  if (n > 1) expect(ri.big).toEqual({ bad: 0, count: BIG });

  // ---- gather / allgather
  const g = byLabel('gather');
  const objects = range(n).map((j) => described(S.sampleObject(j)));
  expect(g.objs).toEqual(r === last ? objects : null);
  expect(g.allObjs).toEqual(objects);
  expect(g.kinds).toEqual(
    S.ARRAY_KINDS.map((kind, i) => {
      const everyRank = range(n).map((j) => described(S.sampleArray(kind, j)));
      return { root: i % n, gathered: r === i % n ? everyRank : null, all: everyRank };
    }),
  );
  expect(g.mixed).toEqual(
    S.ARRAY_KINDS.map((_, k) => ({
      values: range(n).map((j) => described(S.sampleArray(S.ARRAY_KINDS[(j + k) % S.ARRAY_KINDS.length], j))),
      sharedBuffer: true, // every rank's array is a view into the one receive buffer: no copy
    })),
  );
  expect(g.prims).toEqual(range(n).map((j) => described(j === 0 ? undefined : j % 2 === 0 ? `s${j}` : j * 1.5)));
  expect(g.empty).toEqual(range(n).map(() => ({ type: 'Float32Array', values: [] })));

  // ---- reductions
  const red = byLabel('reduce');
  expect(red.scalars).toEqual(expectedScalars(n, r));
  for (const kind of Object.keys(S.REDUCIBLE_KINDS)) {
    const ops = S.REDUCIBLE_KINDS[kind] === 0 ? OPS.slice(0, 4) : OPS;
    const expected = Object.fromEntries(
      ops.map((op) => {
        const result = expectedArrayReduce(kind, op, n);
        return [op, { all: result, root: r === last ? result : null, inputUntouched: described(S.reduceInput(kind, r)) }];
      }),
    );
    expect({ kind, ops: (red.arrays as Record<string, unknown>)[kind] }).toEqual({ kind, ops: expected });
  }
  expect(red.empty).toEqual({ type: 'Int32Array', values: [] });
  expect(red.bigBad).toBe(0);

  // ---- split / dup / free
  const sp = byLabel('split');
  const color = r % 2;
  const members = range(n).filter((j) => j % 2 === color).reverse(); // key -rank: highest world rank first
  const subRank = members.indexOf(r);
  expect(sp.sub).toEqual({
    name: `Comm(split of MPI.COMM_WORLD, color ${color})`,
    rank: subRank,
    size: members.length,
    sum: members.reduce((a, j) => a + j, 0),
    max: subRank === members.length - 1 ? Math.max(...members) : null,
    fromSubRoot: { world: members[0] },
    all: members,
    gathered: subRank === members.length - 1 ? members.map((j) => `w${j}`) : null,
    ring: members[(subRank - 1 + members.length) % members.length],
  });
  expect(sp.partial).toEqual(r === 0 ? null : { rank: r - 1, size: n - 1, all: range(n).slice(1) });
  expect(sp.rotated).toEqual({ rank: r === 0 ? 0 : n - r, all: [0, ...range(n).slice(1).reverse()] });
  expect(sp.dup).toEqual({
    name: 'Comm(dup of MPI.COMM_WORLD)',
    rank: r,
    size: n,
    all: range(n).map((j) => 2 * j),
    apart: { fromDup: `dup from ${prev}`, fromWorld: `world from ${prev}` },
  });
  expect(sp.self).toEqual({ rank: 0, size: 1, bcast: described(S.sampleObject(r)), sum: r + 1, all: [r], recv: { me: r }, splitSize: 1 });
  expect(sp.freed).toEqual({
    flags: [true, true, true, false],
    barrier: freedError(`Comm(split of MPI.COMM_WORLD, color ${color})`, 'barrier'),
    allreduce: freedError('Comm(dup of MPI.COMM_WORLD)', 'allreduce'),
    freeAgain: freedError('Comm(dup of MPI.COMM_WORLD)', 'free'),
    send: freedError('Comm(split of MPI.COMM_WORLD, color 0)', 'send'),
  });

  // ---- argument errors: thrown on the calling rank, naming the communicator and the call
  const rankRange = `an integer in [0, ${n - 1}]`;
  const expectedErrors: [string, string, string][] = [
    ['bcast root too big', 'RangeError', `MPI.COMM_WORLD.bcast: root must be ${rankRange}, got number ${n}`],
    ['bcast root negative', 'RangeError', `MPI.COMM_WORLD.bcast: root must be ${rankRange}, got number -1`],
    ['bcast root fractional', 'RangeError', `MPI.COMM_WORLD.bcast: root must be ${rankRange}, got number 0.5`],
    ['gather root', 'RangeError', `MPI.COMM_WORLD.gather: root must be ${rankRange}, got number ${n}`],
    ['reduce root', 'RangeError', `MPI.COMM_WORLD.reduce: root must be ${rankRange}, got number ${n}`],
    ['send dest', 'RangeError', `MPI.COMM_WORLD.send: dest must be MPI.PROC_NULL or ${rankRange}, got number ${n}`],
    ['send tag negative', 'RangeError', `MPI.COMM_WORLD.send: tag must be an integer in [0, ${b.tagUb}], got number -1`],
    ['send tag above TAG_UB', 'RangeError', `MPI.COMM_WORLD.send: tag must be an integer in [0, ${b.tagUb}], got number ${b.tagUb + 1}`],
    ['send tag string', 'RangeError', `MPI.COMM_WORLD.send: tag must be an integer in [0, ${b.tagUb}], got string 3`],
    ['recv source', 'RangeError', `MPI.COMM_WORLD.recv: source must be MPI.ANY_SOURCE, MPI.PROC_NULL or ${rankRange}, got number ${n}`],
    ['recv tag', 'RangeError', `MPI.COMM_WORLD.recv: tag must be MPI.ANY_TAG or an integer in [0, ${b.tagUb}], got number -2`],
    ['unknown op', 'TypeError', 'MPI.COMM_WORLD.allreduce: unknown op "xor"; expected one of sum, prod, min, max, land, lor, band, bor'],
    ['band on floats', 'TypeError', "MPI.COMM_WORLD.allreduce: 'band' needs integers, not a float64 array"],
    ['bor on a fractional number', 'TypeError', "MPI.COMM_WORLD.allreduce: 'bor' needs an integer, got 1.5"],
    ['reduce a string', 'TypeError', 'MPI.COMM_WORLD.allreduce: cannot reduce string x; pass a number, bigint, boolean or typed array'],
    ['bigint beyond int64', 'RangeError', `MPI.COMM_WORLD.allreduce: ${2n ** 64n} does not fit in int64; pass a BigUint64Array to reduce unsigned 64-bit values`],
    ['reduce clamped', 'TypeError', "MPI.COMM_WORLD.allreduce: a Uint8ClampedArray cannot be reduced (MPI's uint8 arithmetic wraps, it does not clamp); pass a Uint8Array"],
    ['bcastInto a plain array', 'TypeError', 'MPI.COMM_WORLD.bcastInto: expected a typed array, got an array'],
    ['bcastInto root', 'RangeError', `MPI.COMM_WORLD.bcastInto: root must be ${rankRange}, got number ${n}`],
    ['recvInto a DataView', 'TypeError', 'MPI.COMM_WORLD.recvInto: expected a typed array, got a DataView'],
    ['split negative color', 'RangeError', 'MPI.COMM_WORLD.split: color must be null or an integer in [0, 2147483647], got number -1'],
    ['split key out of int32', 'RangeError', 'MPI.COMM_WORLD.split: key must be an integer in [-2147483648, 2147483647], got number 2147483648'],
    ['abort code', 'RangeError', 'MPI.COMM_WORLD.abort: code must be an integer in [0, 255], got number 256'],
    ['free COMM_WORLD', 'TypeError', 'MPI.COMM_WORLD.free: only communicators made by split() or dup() can be freed'],
    ['free COMM_SELF', 'TypeError', 'MPI.COMM_SELF.free: only communicators made by split() or dup() can be freed'],
  ];
  for (const [label, name, message] of expectedErrors) {
    expect(byLabel(label)).toEqual({ rank: r, label, ok: false, name, message });
  }

  // ---- MPI's own error codes come back as MPIError (MPI_ERRORS_RETURN), with MPI's text
  // One line of the library's text: Open MPI's "MPI_ERR_RANK: invalid rank", MPICH's "Invalid rank".
  const invalidRank = (prefix: string, call: string) => ({
    ok: false,
    name: 'MPIError',
    message: expect.stringMatching(new RegExp(`^${`${prefix}${call}`.replace(/[.()]/g, '\\$&')} failed: (MPI_ERR_RANK: )?invalid rank$`, 'i')) as string,
    isMPIError: true,
    errorClass: 6, // MPI_ERR_RANK (Open MPI's and MPICH's)
  });
  const e = byLabel('errors');
  expect(e.mpiErrors).toEqual({
    binding: invalidRank('', 'MPI_Send'),
    bindingRecv: invalidRank('', 'MPI_Mprobe'),
    world: invalidRank('MPI.COMM_WORLD.send: ', 'MPI_Send'),
    dup: invalidRank('Comm(dup of MPI.COMM_WORLD).recv: ', 'MPI_Mprobe'),
  });
  const cannotSend = (call: string, what: string) => ({
    ok: false,
    name: 'TypeError',
    message: `MPI.COMM_WORLD.${call}: the value cannot be sent: ${what} could not be cloned.`,
    isMPIError: false,
  });
  const peerFailed = (call: string, failing: number, what: string) => ({
    ok: false,
    name: 'PeerFailedError',
    message: `MPI.COMM_WORLD.${call}: rank ${failing} could not send a value (MPI.COMM_WORLD.${call}: the value cannot be sent: ${what} could not be cloned.)`,
    isMPIError: false,
  });
  expect(e.unsendable).toEqual({
    bcast: r === last ? cannotSend('bcast', '() => 1') : peerFailed('bcast', last, '() => 1'),
    allgather: r === 0 ? cannotSend('allgather', 'Symbol(s)') : peerFailed('allgather', 0, 'Symbol(s)'),
    gather: r === 0 ? cannotSend('gather', 'Symbol(s)') : r === last ? peerFailed('gather', 0, 'Symbol(s)') : { ok: true },
    send: cannotSend('send', '() => 2'),
  });
  expect(e.after).toBe((n * (n - 1)) / 2);

  // ---- MPI was finalised at exit, after h5mpi's exit hook
  expect(byLabel('exit')).toEqual({ rank: r, label: 'exit', code: 0, state: { initialized: true, finalized: true } });
}

describe.each(RANK_COUNTS)('MPI Comm on %i ranks (mpiexec)', (n) => {
  test('every method moves real values between ranks', async () => {
    const results = await mpirunOk(n, 'mpi_values.js', [], { timeoutMs: 120_000 });
    for (let r = 0; r < n; r++) checkRank(results, n, r);
  });
});

test('a plain `node` process is a one-rank job', async () => {
  const results = await mpirunOk(0, 'mpi_values.js', [], { timeoutMs: 120_000 });
  checkRank(results, 1, 0);
});
