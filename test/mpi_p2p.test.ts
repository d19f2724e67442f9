// Point-to-point and requests through mpiexec at 1-4 ranks: values that crossed ranks, PROC_NULL at the
// ends of a line, wildcards with requests, cancelled receives, buffers kept alive across garbage
// collections, await from the event loop, non-blocking collectives, and errors on the rank that erred.
import { mpirunOk, RANK_COUNTS, reportsLabelled } from './helpers/mpirun';

type Report = Record<string, unknown>;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
// -x as JSON brings it back (no -0).
const neg = (x: number): number => (x === 0 ? 0 : -x);
const ok = (name: string, message: string): Report => ({ ok: false, name, message });

describe.each(RANK_COUNTS)('point-to-point on %i rank(s)', (n) => {
  let results: Report[][];
  beforeAll(async () => {
    results = await mpirunOk(n, 'mpi_p2p.js', [], { timeoutMs: 90_000 });
  });
  const each = (label: string): Report[] => reportsLabelled(results, label);
  const prevOf = (r: number): number => (r - 1 + n) % n;

  test('sendrecv: objects along a line (undefined from MPI.PROC_NULL), typed arrays in place and replaced around the ring', () => {
    each('sendrecv').forEach((s, r) => {
      const prev = prevOf(r);
      expect(s.fromLeft).toEqual(r > 0 ? { from: r - 1, right: true } : undefined);
      if (r === 0) expect(s.fromLeftStatus).toEqual({ source: -2, tag: -1, count: 0, bytes: 0, cancelled: false });
      else expect(s.fromLeftStatus).toMatchObject({ source: r - 1, tag: 1 });
      expect(s.fromRight).toEqual(r < n - 1 ? { from: r + 1, left: true } : undefined);
      expect(s.into).toEqual([prev, prev + 0.5]);
      expect(s.intoStatus).toEqual({ source: prev, tag: 3, count: 2, bytes: 16, cancelled: false });
      expect(s.replaced).toEqual([prev, neg(prev), 7]);
      expect(s.replacedStatus).toEqual({ source: prev, tag: 4, count: 3, bytes: 12, cancelled: false });
    });
  });

  test('one MPI message per send: a typed array is exactly its bytes, an object one message, nothing left over', () => {
    each('messages').forEach((m, r) => {
      const prev = prevOf(r);
      expect(m.nothing).toBe(true);
      expect(m.typed).toEqual({ source: prev, tag: 10, count: 6, bytes: 6, cancelled: false });
      expect(m.got).toEqual([prev, 2 * prev, 3 * prev]);
      expect(m.obj).toEqual({ r: prev, text: 'x'.repeat(prev) });
      expect(m.object).toMatchObject({ source: prev, tag: 11 });
      expect(m.innerAfter).toEqual({ type: 'Int16Array', values: [prev, -prev - 1, 7] });
      expect(m.leftOver).toBe(true);
    });
  });

  test('ssend completes against a posted irecv', () => {
    each('ssend').forEach((s, r) => expect(s.value).toBe(`sync from ${prevOf(r)}`));
  });

  test('isend/irecv with MPI.ANY_SOURCE and MPI.ANY_TAG, and waitall over sends and receives', () => {
    each('wildcards').forEach((w, r) => {
      const prev = prevOf(r);
      if (r === 0) {
        expect(w.fromAll).toEqual(range(n).slice(1).map((s) => ({ v: { hello: s }, status: expect.objectContaining({ source: s, tag: 30 + s }) as unknown })));
      } else {
        expect(w.fromAll).toEqual([]);
      }
      expect(w.ring).toEqual([prev, neg(prev)]);
      expect(w.ringStatus).toEqual({ source: prev, tag: 31, count: 2, bytes: 8, cancelled: false });
    });
  });

  test('waitall over a window of 600 requests, one taken before and one listed twice, twice over', () => {
    each('window').forEach((w) => expect(w.windows).toEqual([true, true]));
  });

  test('waitany until none is left, waitsome until all are in, testall polled to true', () => {
    const w = each('waitmany')[0];
    const others = range(n).slice(1);
    expect(w.any).toEqual([...others.map((s, i) => [i, [s, 10 * s]]), [-1, null]]);
    expect(w.some).toEqual(others.map((s, i) => [i, [-s]]));
    expect(w.all).toEqual({ values: others.map((s) => `all ${s}`), polled: true });
  });

  test('cancel: receives nobody sends are cancelled; a completed request is not', () => {
    for (const c of each('cancel')) {
      expect(c).toMatchObject({ cancelledTyped: true, cancelledObj: true, doneAfterCancel: true, completedThenCancel: false, got: 1 });
      expect(c.typedStatus).toMatchObject({ cancelled: true, count: 0 });
    }
  });

  test('the buffers of pending irecvInto and isend survive garbage collections: every element arrives', () => {
    for (const k of each('keepalive')) expect(k).toMatchObject({ bad: 0, length: 1 << 20 });
  });

  test('await settles from the event loop, which keeps running meanwhile', () => {
    each('await').forEach((a, r) => {
      expect(a.value).toEqual({ late: prevOf(r) });
      expect(a).toMatchObject({ eventLoopRan: true, alsoAwaitable: (n * (n - 1)) / 2, isRequest: true });
    });
  });

  test('ibcast, iallreduce, ireduce and ibarrier give what the blocking calls give', () => {
    each('nonblocking').forEach((b, r) => {
      expect(b.bv).toEqual({ root: n - 1, list: [1, 'two', [3]] });
      expect(b.inner).toBe('Int8Array');
      expect(b.tv).toEqual({ type: 'Float32Array', values: [1.5, -2] });
      expect(b.sv).toEqual([(n * (n - 1)) / 2, n]);
      expect(b.mv).toEqual(r === n - 1 ? `${n - 1}n` : undefined);
    });
  });

  test('misuse is a clear error on the rank that made the call', () => {
    for (const e of each('errors')) {
      expect(e.badDest).toEqual(ok('RangeError', `MPI.COMM_WORLD.isend: dest must be MPI.PROC_NULL or an integer in [0, ${n - 1}], got number ${n}`));
      expect(e.badSource).toEqual(ok('RangeError', `MPI.COMM_WORLD.irecv: source must be MPI.ANY_SOURCE, MPI.PROC_NULL or an integer in [0, ${n - 1}], got number ${n + 1}`));
      expect(e.badTag).toMatchObject({ ok: false, name: 'RangeError' });
      expect(e.notTyped).toEqual(ok('TypeError', 'MPI.COMM_WORLD.irecvInto: expected a typed array, got an array'));
      expect(e.notRequests).toEqual(ok('TypeError', 'MPI.waitall: expected an array of Requests'));
      expect(e.unsendable).toMatchObject({ ok: false, name: 'TypeError' });
      expect((e.unsendable as Report).message).toMatch(/^MPI\.COMM_WORLD\.sendrecv: the value cannot be sent: .* could not be cloned/);
      expect(e.objectInto).toMatchObject({ ok: false, name: 'TypeError' });
      expect((e.objectInto as Report).message).toMatch(/^MPI\.COMM_WORLD\.irecvInto: the message from rank \d+ \(tag 80\) is a value sent as an object \(not a typed array\): receive it with recv\(\)$/);
    }
  });
});
