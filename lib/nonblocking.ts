// Non-blocking collectives: ibarrier, ibcast, ireduce, iallreduce. Each returns a Request whose wait()
// gives what the blocking call returns; values travel as they do in the blocking calls (lib/message.ts).
import { peersFailed } from './collectives';
import { decode, encode, KIND_FAILED } from './message';
import type { NativeComm } from './native';
import { OP_CODES, ReduceOp, Reduced, Reducible, reducible } from './reduce';
import { NativeRequest, Request } from './request';

declare module './native' {
  interface NativeComm {
    ibarrier(): NativeRequest;
    ibcast(kind: number, data: ArrayBufferView | undefined, root: number): NativeRequest;
    ireduce(data: ArrayBufferView, op: number, root: number): NativeRequest;
    iallreduce(data: ArrayBufferView, op: number): NativeRequest;
  }
}

/** What the non-blocking collectives need of a communicator (lib/comm.ts's Comm). */
export interface CollectiveComm {
  readonly name: string;
  readonly rank: number;
  _call<R>(method: string, f: (c: NativeComm) => R): R;
  _rankArg(name: string, v: unknown, where: string): number;
}

export function ibarrier(c: CollectiveComm): Request<void> {
  return Request._wrap(c._call('ibarrier', (n) => n.ibarrier()), () => `${c.name}.ibarrier()`, () => undefined);
}

export function ibcast<T>(c: CollectiveComm, value: T, root: number): Request<T> {
  c._rankArg('root', root, 'ibcast');
  const label = (): string => `${c.name}.ibcast(root ${root})`;
  if (c.rank === root) {
    const { kind, view, error } = encode(value, `${c.name}.ibcast`);
    const r = c._call('ibcast', (n) => n.ibcast(kind, view, root));
    // The other ranks learn of the failure from the kind; this one throws its own error at wait().
    return Request._wrap(r, label, () => {
      if (error) throw error;
      return value;
    });
  }
  const r = c._call('ibcast', (n) => n.ibcast(0, undefined, root));
  return Request._wrap(r, label, (record) => {
    const [kind, buffer] = record.result as unknown as [number, ArrayBuffer];
    if (kind === KIND_FAILED) throw peersFailed(c, 'ibcast', [root], [Buffer.from(buffer).toString()]);
    return decode(kind, buffer) as T;
  });
}

export function ireduce<T extends Reducible, O extends ReduceOp>(c: CollectiveComm, value: T, op: O, root: number): Request<Reduced<T, O> | undefined> {
  const { array, unpack } = reducible(value, op, `${c.name}.ireduce`);
  c._rankArg('root', root, 'ireduce');
  const r = c._call('ireduce', (n) => n.ireduce(array, OP_CODES[op], root));
  return Request._wrap(r, () => `${c.name}.ireduce(${op}, root ${root})`, (record) =>
    c.rank === root ? (unpack(record.result!) as Reduced<T, O>) : undefined,
  );
}

export function iallreduce<T extends Reducible, O extends ReduceOp>(c: CollectiveComm, value: T, op: O): Request<Reduced<T, O>> {
  const { array, unpack } = reducible(value, op, `${c.name}.iallreduce`);
  const r = c._call('iallreduce', (n) => n.iallreduce(array, OP_CODES[op]));
  return Request._wrap(r, () => `${c.name}.iallreduce(${op})`, (record) => unpack(record.result!) as Reduced<T, O>);
}
