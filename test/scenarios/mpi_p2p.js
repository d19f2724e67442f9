// Point-to-point and requests at any rank count: every call moves real values between ranks, and each
// rank reports what it received. Ranks form a line (0 .. n-1, MPI.PROC_NULL past the ends) and a ring.
'use strict';
const v8 = require('node:v8');
const vm = require('node:vm');
const { MPI, Status, Request } = require('../..');
const { report } = require('./report');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const c = MPI.COMM_WORLD;
const r = c.rank;
const n = c.size;
const next = (r + 1) % n;
const prev = (r - 1 + n) % n;
const left = r > 0 ? r - 1 : MPI.PROC_NULL;
const right = r < n - 1 ? r + 1 : MPI.PROC_NULL;
const plainStatus = (s) => ({ source: s.source, tag: s.tag, count: s.count, bytes: s.bytes, cancelled: s.cancelled });
const caught = (f) => {
  try {
    f();
    return { ok: true };
  } catch (e) {
    return { ok: false, name: e.name, message: e.message };
  }
};

async function main() {
  // ---- sendrecv along a line: objects, PROC_NULL at both ends (undefined from it)
  {
    const st = new Status();
    const fromLeft = c.sendrecv({ from: r, right: true }, right, left, 1, 1, st);
    const fromLeftStatus = plainStatus(st);
    const fromRight = c.sendrecv({ from: r, left: true }, left, right, 2, 2);
    // Typed arrays in place, and replaced in place, around the ring.
    const into = c.sendrecvInto(Float64Array.of(r, r + 0.5), next, new Float64Array(2), prev, 3, 3, st);
    const intoStatus = plainStatus(st);
    const replaced = c.sendrecvReplace(Int32Array.of(r, -r, 7), next, prev, 4, MPI.ANY_TAG, st);
    report({ label: 'sendrecv', fromLeft, fromLeftStatus, fromRight, into: Array.from(into), intoStatus, replaced: Array.from(replaced), replacedStatus: plainStatus(st) });
  }

  // ---- one MPI message per send: a typed array's message is exactly its bytes; an object's is one message too
  {
    c.barrier();
    const nothing = c.iprobe(MPI.ANY_SOURCE, 10);
    c.barrier();
    c.send(new Uint16Array([r, 2 * r, 3 * r]), next, 10);
    const typed = plainStatus(c.probe(prev, 10));
    const got = c.recvInto(new Uint16Array(3), prev, 10);
    c.send({ r, text: 'x'.repeat(r) }, next, 11);
    const st = new Status();
    const seen = c.probe(MPI.ANY_SOURCE, MPI.ANY_TAG, st);
    const obj = c.recv(seen.source, seen.tag);
    // Typed arrays inside objects (V8's serializer: views on what it decodes) outlive the next receive.
    c.send({ inner: Int16Array.of(r, -r - 1, 7) }, next, 12);
    c.send({ inner: Int16Array.of(99, 99, 99) }, next, 13);
    const firstInner = c.recv(prev, 12).inner;
    c.recv(prev, 13);
    const innerAfter = { type: firstInner.constructor.name, values: Array.from(firstInner) };
    // After both, nothing is left with their tags: a header or a second part would still be there. (Other
    // tags may be: faster ranks go on to the next part once past the barrier.)
    c.barrier();
    const left1 = c.iprobe(MPI.ANY_SOURCE, 10) ?? c.iprobe(MPI.ANY_SOURCE, 11);
    report({ label: 'messages', nothing: nothing === undefined, typed, got: Array.from(got), object: plainStatus(st), obj, innerAfter, leftOver: left1 === undefined });
  }

  // ---- ssend: completes once the matching receive has started (posted first here)
  {
    const req = c.irecv(prev, 20);
    c.ssend(`sync from ${r}`, next, 20);
    report({ label: 'ssend', value: req.wait() });
  }

  // ---- isend / irecv with wildcards; waitall over a mix of sends and receives
  {
    const st = new Status();
    let fromAll = [];
    if (r === 0) {
      const reqs = Array.from({ length: n - 1 }, () => c.irecv(MPI.ANY_SOURCE, MPI.ANY_TAG));
      const values = MPI.waitall(reqs);
      fromAll = values.map((v, i) => ({ v, status: plainStatus(reqs[i].status) })).sort((a, b) => a.status.source - b.status.source);
    } else {
      c.isend({ hello: r }, 0, 30 + r).wait(st);
    }
    // Only after every wildcard receive has matched: they would take the ring's messages too.
    c.barrier();
    const ring = [c.irecvInto(new Float32Array(2), prev, 31), c.isend(Float32Array.of(r, -r), next, 31)];
    const [received] = MPI.waitall(ring);
    report({ label: 'wildcards', fromAll, ring: Array.from(received), ringStatus: plainStatus(ring[0].status) });
  }

  // ---- a window of many requests (more than the binding's first list of numbers holds), with one taken
  // before the waitall and one listed twice; then the same numbers reused by the next window
  {
    const W = 300;
    const windows = [];
    for (let round = 0; round < 2; round++) {
      const into = Array.from({ length: W }, () => new Int32Array(1));
      const recvs = into.map((a, k) => c.irecvInto(a, prev, 1000 + k));
      const sends = Array.from({ length: W }, (_, k) => c.isend(Int32Array.of(r * 100000 + round * 1000 + k), next, 1000 + k));
      recvs[7].wait();
      const all = [...recvs, recvs[3], ...sends];
      MPI.waitall(all);
      windows.push(into.every((a, k) => a[0] === prev * 100000 + round * 1000 + k) && all.every((q) => q.done));
    }
    report({ label: 'window', windows });
  }

  // ---- waitany / waitsome / testall: rank 0 receives one array from every other rank
  {
    let any = [];
    let some = [];
    let all;
    if (r === 0) {
      const reqs = Array.from({ length: n - 1 }, (_, i) => c.irecvInto(new Int16Array(2), i + 1, 40));
      for (;;) {
        const [i, v] = MPI.waitany(reqs);
        if (i < 0) break;
        any.push([i, Array.from(v)]);
      }
      any.sort((a, b) => a[0] - b[0]);
      const reqs2 = Array.from({ length: n - 1 }, (_, i) => c.irecvInto(new Int16Array(1), i + 1, 41));
      let done = 0;
      while (done < reqs2.length) {
        const [indices, values] = MPI.waitsome(reqs2);
        done += indices.length;
        indices.forEach((k, j) => some.push([k, Array.from(values[j])]));
      }
      some.sort((a, b) => a[0] - b[0]);
      const reqs3 = Array.from({ length: n - 1 }, (_, i) => c.irecv(i + 1, 42));
      let flag = false;
      let values;
      let polls = 0;
      while (!flag) {
        [flag, values] = MPI.testall(reqs3);
        polls++;
      }
      all = { values, polled: polls > 0 };
      const afterwards = MPI.waitany(reqs);
      any.push(afterwards);
    } else {
      c.send(Int16Array.of(r, 10 * r), 0, 40);
      c.send(Int16Array.of(-r), 0, 41);
      c.send(`all ${r}`, 0, 42);
    }
    report({ label: 'waitmany', any, some, all });
  }

  // ---- cancel: receives that nobody sends are cancelled; a completed request reports false
  {
    const typed = c.irecvInto(new Float64Array(1), r, 999);
    const obj = c.irecv(r, 998);
    const cancelledTyped = typed.cancel();
    const cancelledObj = obj.cancel();
    const after = c.isend(1, r, 50);
    const got = c.recv(r, 50);
    after.wait();
    report({
      label: 'cancel',
      cancelledTyped,
      typedStatus: plainStatus(typed.status),
      cancelledObj,
      doneAfterCancel: typed.done && obj.done,
      completedThenCancel: after.cancel(),
      got,
    });
  }

  // ---- buffers handed to irecvInto/isend stay alive whatever the garbage collector does
  {
    const BIG = 1 << 20;
    const incoming = c.irecvInto(new Float64Array(BIG), prev, 60);
    const outgoing = c.isend(Float64Array.from({ length: BIG }, (_, i) => i * (r + 1)), next, 60);
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const arr = incoming.wait();
    outgoing.wait();
    let bad = 0;
    for (let i = 0; i < BIG; i++) if (arr[i] !== i * (prev + 1)) bad++;
    report({ label: 'keepalive', bad, length: arr.length });
  }

  // ---- await: a message that arrives late settles the promise from the event loop, which stays free
  {
    c.barrier();
    const p = c.irecv(prev, 70);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    setTimeout(() => c.send({ late: r }, next, 70), 400);
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    const value = await p;
    const ms = Date.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(ticker);
    const alsoAwaitable = await c.iallreduce(r, 'sum');
    report({ label: 'await', value, waitedMs: ms, cpuMs: (cpu.user + cpu.system) / 1000, eventLoopRan: ticks > 0, alsoAwaitable, isRequest: p instanceof Request });
  }

  // ---- non-blocking collectives
  {
    const root = n - 1;
    const b = c.ibcast(r === root ? { root, list: [1, 'two', new Int8Array([3])] } : undefined, root);
    const t = c.ibcast(r === 0 ? Float32Array.of(1.5, -2) : null, 0);
    const s = c.iallreduce(Float64Array.of(r, 1), 'sum');
    const m = c.ireduce(BigInt(r), 'max', root);
    const bar = c.ibarrier();
    const [bv, tv, sv, mv] = MPI.waitall([b, t, s, m]);
    bar.wait();
    report({ label: 'nonblocking', bv, inner: bv.list[2].constructor.name, tv: { type: tv.constructor.name, values: Array.from(tv) }, sv: Array.from(sv), mv });
  }

  // ---- misuse: clear errors on the rank that made the call
  {
    report({
      label: 'errors',
      badDest: caught(() => c.isend(1, n)),
      badSource: caught(() => c.irecv(n + 1)),
      badTag: caught(() => c.issend(1, 0, -3)),
      notTyped: caught(() => c.irecvInto([1, 2], 0)),
      notRequests: caught(() => MPI.waitall([1])),
      unsendable: caught(() => c.sendrecv({ f() {} }, next, prev)),
      objectInto: await (async () => {
        const req = c.irecvInto(new Float64Array(8), prev, 80);
        c.send({ an: 'object' }, next, 80);
        return caught(() => req.wait());
      })(),
    });
  }
  c.barrier();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
