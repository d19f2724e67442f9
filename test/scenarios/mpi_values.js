// Every Comm method with values that cross ranks, in one job: test/mpi.test.ts runs it at 1-4 ranks and
// as a plain `node` process, and checks each report against values it computes from the rank count.
'use strict';
const os = require('node:os');
const { MPI, MPIError, Status } = require('../..');
const { native } = require('../../dist/native');
const S = require('./mpi_samples');
const { report, attempt } = require('./report');

// Before anything starts MPI: version() is readable without it.
const before = { initialized: MPI.initialized, version: MPI.version(), stillUninitialized: !MPI.initialized };

const c = MPI.COMM_WORLD;
const r = c.rank;
const n = c.size;
const next = (r + 1) % n;
const prev = (r - 1 + n) % n;
const BIG = 1 << 20; // 8 MiB of float64: past every eager limit, so the rendezvous path runs

// After h5mpi's own exit hook (registered when MPI started): MPI must be finalised by then.
process.on('exit', (code) => report({ label: 'exit', code, state: native.mpiState() }));

// A ring exchange that cannot deadlock on blocking sends: even ranks send first, odd ranks receive first.
function ring(sendAll, recvAll) {
  if (r % 2 === 0) {
    sendAll();
    return recvAll();
  }
  const got = recvAll();
  sendAll();
  return got;
}

function caught(fn) {
  try {
    fn();
    return { ok: true };
  } catch (e) {
    return { ok: false, name: e.name, message: e.message, isMPIError: e instanceof MPIError, errorClass: e.errorClass };
  }
}

// ---- the job, the clock, the library
{
  const times = [];
  for (let i = 0; i < 1000; i++) times.push(MPI.Wtime());
  const t0 = MPI.Wtime();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30);
  const t1 = MPI.Wtime();
  report({
    label: 'basics',
    before,
    size: n,
    initialized: MPI.initialized,
    threadLevel: MPI.threadLevel,
    tagUb: MPI.TAG_UB,
    version: MPI.version(),
    standard: MPI.standardVersion(),
    processorName: MPI.processorName(),
    hostname: os.hostname(),
    names: [c.name, MPI.COMM_SELF.name],
    failFast: MPI.failFast,
    wtimeNondecreasing: times.every((t, i) => i === 0 || t >= times[i - 1]),
    slept: t1 - t0,
  });
}

// ---- bcast: objects, primitives, every typed array kind, a big array; bcastInto in place
{
  const objRoot = n - 1;
  const obj = c.bcast(r === objRoot ? S.sampleObject(objRoot) : null, objRoot);
  const primRoot = 1 % n;
  const prims = [`text ${primRoot}`, primRoot + 0.5, null, undefined, true, -(2n ** 65n) - BigInt(primRoot)];
  const gotPrims = prims.map((p) => S.describe(c.bcast(r === primRoot ? p : 'ignored', primRoot)));
  const arrays = S.ARRAY_KINDS.map((kind, i) => {
    const root = i % n;
    return S.describe(c.bcast(r === root ? S.sampleArray(kind, root) : undefined, root));
  });
  const bigRoot = n - 1;
  let big = r === bigRoot ? Float64Array.from({ length: BIG }, (_, i) => i * 0.5 + bigRoot) : undefined;
  big = c.bcast(big, bigRoot);
  let bigBad = 0;
  for (let i = 0; i < BIG; i++) if (big[i] !== i * 0.5 + bigRoot) bigBad++;
  report({ label: 'bcast', obj: S.describe(obj), prims: gotPrims, arrays, big: { type: big.constructor.name, length: big.length, bad: bigBad } });

  const intoRoot = n - 1;
  const into = new Float64Array(5).fill(-1 - r);
  if (r === intoRoot) into.set([intoRoot, 1.5, -2, 1e300, intoRoot * 10]);
  const returned = c.bcastInto(into, intoRoot);
  const kinds = S.ARRAY_KINDS.map((kind, i) => {
    const root = (i + 1) % n;
    const sample = S.sampleArray(kind, root);
    const mine = r === root ? sample : S.make(kind, new Array(sample.length).fill(0));
    const back = c.bcastInto(mine, root);
    return { same: back === mine, value: S.describe(mine) };
  });
  const bigInto = new Float64Array(BIG);
  if (r === 0) for (let i = 0; i < BIG; i++) bigInto[i] = -i;
  c.bcastInto(bigInto, 0);
  let bigIntoBad = 0;
  for (let i = 0; i < BIG; i++) if (bigInto[i] !== -i) bigIntoBad++;
  report({ label: 'bcastInto', same: returned === into, values: Array.from(into), kinds, bigIntoBad });
}

// ---- send / recv around the ring: every kind into its own kind (recvInto) and as raw bytes (recv), an
// object, a subarray, a big array; Status filled. A typed array is one plain MPI message of its datatype.
{
  const status = new Status();
  const sent = S.ARRAY_KINDS.map((kind) => S.sampleArray(kind, r));
  const got = ring(
    () => {
      sent.forEach((a, i) => c.send(a, next, 10 + i));
      sent.forEach((a, i) => c.send(a, next, 50 + i));
      c.send(S.sampleObject(r), next, 30);
      c.send(S.sampleArray('Float64Array', r).subarray(1), next, 31);
    },
    () => {
      const arrays = sent.map((a, i) => {
        const v = c.recvInto(new a.constructor(S.sampleArray(S.ARRAY_KINDS[i], prev).length), prev, 10 + i, status);
        return { value: S.describe(v), status: { ...status } };
      });
      const raw = sent.map((_, i) => {
        const v = c.recv(prev, 50 + i, status);
        return { type: v.constructor.name, hex: v.toString('hex'), status: { ...status } };
      });
      const obj = c.recv(prev, 30, status);
      const objStatus = { ...status };
      const sub = c.recvInto(new Float64Array(S.sampleArray('Float64Array', prev).length - 1), prev, 31);
      return { arrays, raw, obj: S.describe(obj), objStatus, sub: { value: S.describe(sub), byteOffset: sub.byteOffset } };
    },
  );
  let bigBad = -1;
  if (n > 1) {
    const big = Float64Array.from({ length: BIG }, (_, i) => i + r);
    const back = ring(
      () => c.send(big, next, 40),
      () => c.recvInto(new Float64Array(BIG), prev, 40),
    );
    bigBad = 0;
    for (let i = 0; i < BIG; i++) if (back[i] !== i + prev) bigBad++;
    bigBad += back.length === BIG ? 0 : 1;
  }
  // What this rank's object message is, in bytes (lib/message.ts: the mark, then the encoding).
  const objectBytes = require('../../dist/message').serializeMessage(S.sampleObject(r), 'test', true).byteLength;
  report({ label: 'sendrecv', ...got, bigBad, objectBytes });
}

// ---- wildcards: ANY_SOURCE / ANY_TAG with Status; tag-selective receives out of send order
{
  // Two phases, so that the ANY_TAG receives can only match the first kind of message.
  const fromAny = [];
  const st = new Status();
  if (r === 0) {
    for (let i = 1; i < n; i++) {
      const v = c.recv(MPI.ANY_SOURCE, MPI.ANY_TAG, st);
      fromAny.push({ value: S.describe(v), source: st.source, tag: st.tag, count: st.count });
    }
  } else {
    c.send({ from: r, word: `w${r}` }, 0, 100 + r);
  }
  c.barrier();
  if (r === 0) {
    for (let i = 1; i < n; i++) {
      const v = c.recvInto(new Int32Array(3), MPI.ANY_SOURCE, 7, st);
      fromAny.push({ value: S.describe(v), source: st.source, tag: st.tag, count: st.count });
    }
  } else {
    c.send(new Int32Array([r, r * r, -r]), 0, 7);
  }
  c.barrier();
  const order = [];
  if (n > 1) {
    if (r === 1) {
      c.send('first', 0, 1);
      c.send('second', 0, 2);
      c.send(new Uint16Array([3, 33]), 0, 3);
    } else if (r === 0) {
      order.push([c.recv(1, 2, st), st.tag]);
      order.push([c.recv(1, MPI.ANY_TAG, st), st.tag]);
      order.push([S.describe(c.recv(MPI.ANY_SOURCE, MPI.ANY_TAG, st)), st.tag, st.source, st.count]);
    }
  }
  c.barrier();
  report({ label: 'wildcards', fromAny, order });
}

// ---- recvInto: in place, too long, wrong type, an object; the next recv still works
{
  const st = new Status();
  const out = ring(
    () => {
      c.send(new Float64Array([r, r + 0.5, 2 * r]), next, 20);
      c.send(new Float64Array(10).fill(r), next, 21);
      c.send(new Int32Array([r]), next, 22);
      c.send(S.sampleObject(r), next, 23);
      c.send({ after: r }, next, 24);
      c.send(Buffer.from(`rank ${r}`), next, 25);
      c.send(new Uint8ClampedArray([r, 255, 0]), next, 26);
      c.send(new BigInt64Array([-(2n ** 63n) + BigInt(r)]), next, 27);
      if (n > 1) c.send(Float64Array.from({ length: BIG }, (_, i) => i * r), next, 28);
    },
    () => {
      const res = {};
      const a = new Float64Array(5).fill(-7);
      const back = c.recvInto(a, prev, 20, st);
      res.fits = { same: back === a, values: Array.from(a), count: st.count, source: st.source, tag: st.tag };
      const b = new Float64Array(5).fill(-7);
      res.tooLong = { ...caught(() => c.recvInto(b, prev, 21)), start: Array.from(b) };
      res.wrongType = caught(() => c.recvInto(new Float64Array(5), prev, 22));
      res.object = caught(() => c.recvInto(new Float64Array(5), prev, 23));
      res.nextRecv = c.recv(prev, 24);
      const u8 = new Uint8Array(16);
      c.recvInto(u8, prev, 25, st);
      res.buffer = { text: Buffer.from(u8.buffer, 0, st.count).toString(), count: st.count };
      const cl = new Uint8ClampedArray(3);
      c.recvInto(cl, prev, 26);
      res.clamped = Array.from(cl);
      const big64 = new BigInt64Array(1);
      c.recvInto(big64, MPI.ANY_SOURCE, MPI.ANY_TAG, st);
      res.anyInto = { value: big64[0].toString(), source: st.source, tag: st.tag, count: st.count };
      if (n > 1) {
        const big = new Float64Array(BIG);
        c.recvInto(big, prev, 28, st);
        let bad = 0;
        for (let i = 0; i < BIG; i++) if (big[i] !== i * prev) bad++;
        res.big = { bad, count: st.count };
      }
      return res;
    },
  );
  report({ label: 'recvInto', ...out });
}

// ---- gather / allgather: objects, every kind, mixed kinds side by side (alignment), zero-copy views
{
  const gRoot = n - 1;
  const objs = c.gather(S.sampleObject(r), gRoot);
  const allObjs = c.allgather(S.sampleObject(r));
  const kinds = S.ARRAY_KINDS.map((kind, i) => {
    const root = i % n;
    const g = c.gather(S.sampleArray(kind, r), root);
    return { root, gathered: g === undefined ? null : g.map(S.describe), all: c.allgather(S.sampleArray(kind, r)).map(S.describe) };
  });
  const mixed = S.ARRAY_KINDS.map((_, k) => {
    const got = c.allgather(S.sampleArray(S.ARRAY_KINDS[(r + k) % S.ARRAY_KINDS.length], r));
    return { values: got.map(S.describe), sharedBuffer: new Set(got.map((a) => a.buffer)).size === 1 };
  });
  const prims = c.allgather(r === 0 ? undefined : r % 2 === 0 ? `s${r}` : r * 1.5).map(S.describe);
  const empty = c.allgather(new Float32Array(0)).map(S.describe);
  report({
    label: 'gather',
    objs: objs === undefined ? null : objs.map(S.describe),
    allObjs: allObjs.map(S.describe),
    kinds,
    mixed,
    prims,
    empty,
  });
}

// ---- reductions: numbers, bigints, booleans, typed arrays element-wise; reduce only on root
{
  const OPS = ['sum', 'prod', 'min', 'max', 'land', 'lor', 'band', 'bor'];
  const numberIn = { sum: r + 1.5, prod: r + 1.5, min: r + 1.5, max: r + 1.5, land: r + 5, lor: r * 3, band: (1 << r) | 16, bor: (1 << r) | 16 };
  const bigIn = {
    sum: 2n ** 60n + BigInt(r),
    prod: 2n ** 15n + BigInt(r),
    min: -(2n ** 62n) + BigInt(r),
    max: -(2n ** 62n) + BigInt(r),
    land: BigInt(r + 5),
    lor: BigInt(r * 3),
    band: 2n ** 40n | BigInt(1 << r),
    bor: 2n ** 40n | BigInt(1 << r),
  };
  const boolIn = { sum: r % 2 === 0, prod: r < n, min: r !== 0, max: r === n - 1, land: r >= 0, lor: r === 1, band: r % 2 === 0, bor: r === 1 };
  const root = n - 1;
  const scalars = {};
  for (const op of OPS) {
    const num = c.allreduce(numberIn[op], op);
    const big = c.allreduce(bigIn[op], op);
    const bool = c.allreduce(boolIn[op], op);
    const onRoot = c.reduce(numberIn[op], op, root);
    scalars[op] = {
      number: num,
      bigint: S.describe(big),
      boolean: { value: bool, type: typeof bool },
      reduce: onRoot === undefined ? null : onRoot,
    };
  }
  const arrays = {};
  for (const kind of Object.keys(S.REDUCIBLE_KINDS)) {
    arrays[kind] = {};
    for (const op of OPS) {
      if (S.REDUCIBLE_KINDS[kind] === 0 && ['land', 'lor', 'band', 'bor'].includes(op)) continue;
      const input = S.reduceInput(kind, r);
      const all = c.allreduce(input, op);
      const atRoot = c.reduce(S.reduceInput(kind, r), op, root);
      arrays[kind][op] = {
        all: S.describe(all),
        root: atRoot === undefined ? null : S.describe(atRoot),
        inputUntouched: S.describe(input),
      };
    }
  }
  const empty = S.describe(c.allreduce(new Int32Array(0), 'sum'));
  const big = c.allreduce(new Float64Array(BIG).fill(r + 1), 'sum');
  let bigBad = 0;
  for (let i = 0; i < BIG; i++) if (big[i] !== (n * (n + 1)) / 2) bigBad++;
  report({ label: 'reduce', scalars, arrays, empty, bigBad });
}

// ---- split / dup / free, collectives on the new communicators, messages kept apart
{
  const sub = c.split(r % 2, -r);
  const subInfo = {
    name: sub.name,
    rank: sub.rank,
    size: sub.size,
    sum: sub.allreduce(r, 'sum'),
    max: sub.reduce(r, 'max', sub.size - 1) ?? null,
    fromSubRoot: sub.bcast(sub.rank === 0 ? { world: r } : null),
    all: sub.allgather(r),
    gathered: sub.gather(`w${r}`, sub.size - 1) ?? null,
  };
  sub.barrier();
  const sNext = (sub.rank + 1) % sub.size;
  const sPrev = (sub.rank - 1 + sub.size) % sub.size;
  subInfo.ring = sub.rank % 2 === 0
    ? (sub.send(r, sNext, 3), sub.recv(sPrev, 3))
    : (() => {
        const v = sub.recv(sPrev, 3);
        sub.send(r, sNext, 3);
        return v;
      })();

  const partial = c.split(r === 0 ? null : 1);
  const partialInfo = partial === null ? null : { rank: partial.rank, size: partial.size, all: partial.allgather(r) };

  const rotated = c.split(0, (n - r) % n);
  const rotatedInfo = { rank: rotated.rank, all: rotated.allgather(r) };

  const d = c.dup();
  // The same tag on two communicators: each receive gets its own communicator's message.
  const apart = ring(
    () => {
      c.send(`world from ${r}`, next, 5);
      d.send(`dup from ${r}`, next, 5);
    },
    () => {
      const fromDup = d.recv(prev, 5);
      const fromWorld = c.recv(prev, 5);
      return { fromDup, fromWorld };
    },
  );
  const dupInfo = { name: d.name, rank: d.rank, size: d.size, all: d.allgather(r * 2), apart };

  const self = MPI.COMM_SELF;
  self.send({ me: r }, 0, 9);
  const selfInfo = {
    rank: self.rank,
    size: self.size,
    bcast: S.describe(self.bcast(S.sampleObject(r))),
    sum: self.allreduce(r + 1, 'sum'),
    all: self.allgather(r),
    recv: self.recv(0, 9),
    splitSize: (() => {
      const s = self.split(0);
      s.free();
      return s.size;
    })(),
  };

  for (const x of [sub, partial, rotated, d]) if (x) x.free();
  const freed = {
    flags: [sub.freed, rotated.freed, d.freed, c.freed],
    barrier: caught(() => sub.barrier()),
    allreduce: caught(() => d.allreduce(1, 'sum')),
    freeAgain: caught(() => d.free()),
    send: caught(() => rotated.send(1, 0)),
  };
  report({ label: 'split', sub: subInfo, partial: partialInfo, rotated: rotatedInfo, dup: dupInfo, self: selfInfo, freed });
}

// ---- errors: argument checks (thrown before anything is sent), and MPI's own error codes
{
  const tooBig = n;
  attempt('bcast root too big', () => c.bcast(1, tooBig));
  attempt('bcast root negative', () => c.bcast(1, -1));
  attempt('bcast root fractional', () => c.bcast(1, 0.5));
  attempt('gather root', () => c.gather(1, tooBig));
  attempt('reduce root', () => c.reduce(1, 'sum', tooBig));
  attempt('send dest', () => c.send(1, tooBig));
  attempt('send tag negative', () => c.send(1, 0, -1));
  attempt('send tag above TAG_UB', () => c.send(1, 0, MPI.TAG_UB + 1));
  attempt('send tag string', () => c.send(1, 0, '3'));
  attempt('recv source', () => c.recv(tooBig));
  attempt('recv tag', () => c.recv(0, -2));
  attempt('unknown op', () => c.allreduce(1, 'xor'));
  attempt('band on floats', () => c.allreduce(new Float64Array(2), 'band'));
  attempt('bor on a fractional number', () => c.allreduce(1.5, 'bor'));
  attempt('reduce a string', () => c.allreduce('x', 'sum'));
  attempt('bigint beyond int64', () => c.allreduce(2n ** 64n, 'sum'));
  attempt('reduce clamped', () => c.allreduce(new Uint8ClampedArray(1), 'sum'));
  attempt('bcastInto a plain array', () => c.bcastInto([1, 2]));
  attempt('bcastInto root', () => c.bcastInto(new Float64Array(1), tooBig));
  attempt('recvInto a DataView', () => c.recvInto(new DataView(new ArrayBuffer(8)), 0));
  attempt('split negative color', () => c.split(-1));
  attempt('split key out of int32', () => c.split(0, 2 ** 31));
  attempt('abort code', () => c.abort(256));
  attempt('free COMM_WORLD', () => c.free());
  attempt('free COMM_SELF', () => MPI.COMM_SELF.free());

  // MPI's own errors, returned (MPI_ERRORS_RETURN) rather than fatal: a rank that does not exist, asked
  // of MPI directly (the API checks it first), on COMM_WORLD and on a communicator h5mpi made.
  const u8 = new Uint8Array(1);
  const d = c.dup();
  const mpiErrors = {
    binding: caught(() => c.native.send(u8, n + 5, 0, false, false)),
    bindingRecv: caught(() => c.native.recv(n + 5, 0)),
    world: caught(() => c._call('send', (nc) => nc.send(u8, n + 5, 0, false, false))),
    dup: caught(() => d._call('recv', (nc) => nc.recv(n + 5, 0))),
  };
  d.free();

  // A value that cannot be serialised: the collective still happens on every rank, and every rank throws
  // (the sender its own TypeError, the others a PeerFailedError naming it) instead of waiting.
  const unsendable = {
    bcast: caught(() => c.bcast(r === n - 1 ? { f: () => 1 } : null, n - 1)),
    allgather: caught(() => c.allgather(r === 0 ? Symbol('s') : r)),
    gather: caught(() => c.gather(r === 0 ? Symbol('s') : r, n - 1)),
    send: caught(() => c.send(() => 2, next)),
  };
  // Still in step after all of that.
  report({ label: 'errors', mpiErrors, unsendable, after: c.allreduce(r, 'sum') });
}
