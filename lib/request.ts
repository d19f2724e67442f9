// Non-blocking operations: a Request over the binding's NativeRequest, which owns the MPI request and keeps
// the operation's buffers alive until it completes. wait() returns what the operation produced (what a
// receive received); the Request is also a promise (`await req`) that settles from the event loop.
import { MPIError } from './errors';
import { Status, statusSlots } from './message';
import { native } from './native';
import { watched, watching } from './watchdog';

/** A completed operation: its status (from the binding's status slots) and result. */
export interface RequestRecord {
  source: number;
  tag: number;
  bytes: number;
  cancelled: boolean;
  result?: ArrayBuffer;
}

/**
 * A pending operation in the binding: the number of its slot in the binding's request table
 * (binding/request.h), free again once its outcome is taken (requestWait, or a requestCancel that cancelled).
 */
export type NativeRequest = number;

/** The record of a request whose requestWait() just returned `result`. */
function record(result: ArrayBuffer | undefined): RequestRecord {
  return { source: statusSlots[0], tag: statusSlots[1], bytes: statusSlots[2], cancelled: statusSlots[3] === 1, result };
}

declare module './native' {
  interface Native {
    /** Waits for it and takes its outcome: reports the status into lib/message.ts's statusSlots, returns the result. */
    requestWait(request: NativeRequest): ArrayBuffer | undefined;
    /** Whether it is done (requestWait then returns at once). */
    requestTest(request: NativeRequest): boolean;
    requestDone(request: NativeRequest): boolean;
    /** Whether it was cancelled (then it is over); false: it completed, requestWait takes it. */
    requestCancel(request: NativeRequest): boolean;
    // The lists: the first `count` numbers of `ids`.
    waitall(ids: Uint32Array, count: number): void;
    testall(ids: Uint32Array, count: number): boolean;
    /** Indices (in the list) of those that completed: at least one; with `one`, exactly one. */
    waitsome(ids: Uint32Array, count: number, one: boolean): number[];
  }
}

/** Turns a completed operation's record into what wait() returns (and may fill the status). */
export type Finish<T> = (record: RequestRecord, status: Status | undefined) => T;

// A promise polls: a few turns of the event loop right away (a message about to arrive), then timers
// backing off to this many milliseconds, so that a long wait costs almost no CPU.
const PROMPT_POLLS = 16;
const MAX_POLL_MS = 10;

/** A pending non-blocking operation (isend, irecv, irecvInto, ibarrier, ...). Complete it with wait() or test(). */
export class Request<T = unknown> implements PromiseLike<T> {
  readonly #native: NativeRequest;
  readonly #labelOf: () => string;
  readonly #finish: Finish<T>;
  readonly #translate: ((e: unknown) => unknown) | undefined;
  /** Bytes per element of what a receive's status counts (1: bytes). */
  readonly #unit: number;
  #outcome: { value: T; status: Status } | { error: unknown } | undefined;
  #promise: Promise<T> | undefined;

  private constructor(nativeRequest: NativeRequest, label: () => string, finish: Finish<T>, translate: ((e: unknown) => unknown) | undefined, unit: number) {
    this.#native = nativeRequest;
    this.#labelOf = label;
    this.#finish = finish;
    this.#translate = translate;
    this.#unit = unit;
  }

  /**
   * @internal A Request over a native one; `label` names the call in errors and in the watchdog's report
   * (made only when needed: most requests never fail);
   * `translate` may turn the operation's MPI error into a clearer one; `unit`: bytes per element that the
   * status's count counts.
   */
  static _wrap<T>(nativeRequest: NativeRequest, label: () => string, finish: Finish<T>, translate?: (e: unknown) => unknown, unit = 1): Request<T> {
    return new Request(nativeRequest, label, finish, translate, unit);
  }

  /** @internal */
  _native(): NativeRequest {
    return this.#native;
  }

  /** @internal Whether its outcome has been taken (by wait, test, cancel or MPI.waitall and friends). */
  get _taken(): boolean {
    return this.#outcome !== undefined;
  }

  /** @internal The call that made it, e.g. "MPI.COMM_WORLD.irecv(source 1, tag 0)". */
  get _label(): string {
    return this.#labelOf();
  }

  /** Whether the operation has completed (by wait, test or MPI.waitall and friends). */
  get done(): boolean {
    return this.#outcome !== undefined || native.requestDone(this.#native);
  }

  /** Where a completed receive's message came from (source, tag, count); undefined until it completes. */
  get status(): Status | undefined {
    const o = this.#outcome;
    return o && 'status' in o ? o.status : undefined;
  }

  /** Waits until the operation completes and returns what it produced (a receive: what arrived). Blocks. */
  wait(status?: Status): T {
    if (this.#outcome === undefined) {
      const run = (): RequestRecord => record(native.requestWait(this.#native));
      this.complete(() => (watching ? watched(`${this._label}.wait()`, run) : run()));
    }
    return this.outcome(status);
  }

  /** Completes the operation if it can without waiting: `{ done: true, value }`, or `{ done: false }`. */
  test(status?: Status): { done: true; value: T } | { done: false } {
    if (this.#outcome === undefined) {
      if (!this.call(() => native.requestTest(this.#native))) return { done: false };
      this.complete(() => record(native.requestWait(this.#native)));
    }
    return { done: true, value: this.outcome(status) };
  }

  /** Cancels a pending operation; returns whether it was cancelled (false: it had completed already). */
  cancel(): boolean {
    if (this.#outcome !== undefined) return false;
    const cancelled = this.call(() => native.requestCancel(this.#native));
    if (cancelled) {
      const status = new Status();
      status.cancelled = true;
      status.source = -2;
      this.#outcome = { value: undefined as T, status };
      return true;
    }
    this.complete(() => record(native.requestWait(this.#native)));
    return false;
  }

  /** A promise of what wait() returns, settled from the event loop: it never blocks, and waiting is cheap. */
  get promise(): Promise<T> {
    return (this.#promise ??= new Promise<T>((resolve, reject) => {
      let polls = 0;
      let delay = 1;
      const poll = (): void => {
        let r: { done: true; value: T } | { done: false };
        try {
          r = this.test();
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        if (r.done) return resolve(r.value);
        if (++polls < PROMPT_POLLS) {
          setImmediate(poll);
        } else {
          setTimeout(poll, delay);
          delay = Math.min(2 * delay, MAX_POLL_MS);
        }
      };
      poll();
    }));
  }

  /** `await request` waits through `promise`. */
  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.promise.then(onfulfilled, onrejected);
  }

  /** @internal Records the outcome of the native record `get` returns (or the error it throws). */
  complete(get: () => RequestRecord): void {
    let done: RequestRecord;
    try {
      done = this.call(get);
    } catch (error) {
      this.#outcome = { error: this.#translate ? this.#translate(error) : error };
      return;
    }
    try {
      const status = statusOf(done, done.bytes / this.#unit);
      const value = this.#finish(done, status);
      this.#outcome = { value, status };
    } catch (error) {
      this.#outcome = { error };
    }
  }

  private outcome(status: Status | undefined): T {
    const o = this.#outcome!;
    if ('error' in o) throw o.error;
    if (status) Object.assign(status, o.status);
    return o.value;
  }

  private call<R>(f: () => R): R {
    try {
      return f();
    } catch (e) {
      if (e instanceof MPIError) throw new MPIError(`${this._label}: ${e.message}`, e.errorClass, e.code);
      throw e;
    }
  }
}

/** The status of a completed record, as a Status (`count` given, or bytes). */
export function statusOf(record: RequestRecord, count = record.bytes): Status {
  const s = new Status();
  s.source = record.source;
  s.tag = record.tag;
  s.count = count;
  s.bytes = record.bytes;
  s.cancelled = record.cancelled;
  return s;
}

function checkRequests(requests: unknown, where: string): Request[] {
  if (!Array.isArray(requests) || !requests.every((r) => r instanceof Request)) {
    throw new TypeError(`${where}: expected an array of Requests`);
  }
  return requests as Request[];
}

// The numbers of the requests a wait*/test* call passes to the binding: one array, grown as needed.
let ids = new Uint32Array(64);

/** Puts the requests' numbers into `ids` (replaced when too short: read it after this); returns how many. */
function natives(requests: Request[]): number {
  if (requests.length > ids.length) ids = new Uint32Array(Math.max(requests.length, 2 * ids.length));
  for (let i = 0; i < requests.length; i++) ids[i] = requests[i]._native();
  return requests.length;
}

function waitLabel(where: string, requests: Request[]): string {
  const shown = requests.slice(0, 4).map((r) => r._label);
  return `${where}(${shown.join(', ')}${requests.length > 4 ? `, and ${requests.length - 4} more` : ''})`;
}

function blocking<R>(label: () => string, f: () => R): R {
  return watching ? watched(label(), f) : f();
}

/** The requests whose outcome is still to be taken (the binding knows only those), and their indices. */
function open(list: Request[]): [Request[], number[]] {
  const requests: Request[] = [];
  const at: number[] = [];
  for (let i = 0; i < list.length; i++) {
    if (!list[i]._taken) {
      requests.push(list[i]);
      at.push(i);
    }
  }
  return [requests, at];
}

/** Waits for every request; returns what each produced, in order. */
export function waitall<T extends readonly Request[]>(requests: T): { [K in keyof T]: T[K] extends Request<infer V> ? V : never } {
  const list = checkRequests(requests, 'MPI.waitall');
  const [pending] = open(list);
  if (pending.length > 0) {
    const n = natives(pending);
    blocking(() => waitLabel('MPI.waitall', pending), () => guard('MPI.waitall', () => native.waitall(ids, n)));
  }
  return list.map((r) => r.wait()) as { [K in keyof T]: T[K] extends Request<infer V> ? V : never };
}

/** Whether every request has completed (then what each produced); completes what it can without waiting. */
export function testall<T>(requests: readonly Request<T>[]): [true, T[]] | [false, undefined] {
  const list = checkRequests(requests, 'MPI.testall');
  const [pending] = open(list);
  const n = natives(pending);
  const all = n === 0 || guard('MPI.testall', () => native.testall(ids, n));
  return all ? [true, list.map((r) => r.wait() as T)] : [false, undefined];
}

/**
 * Waits until one request not reported before completes: [its index, what it produced]; [-1, undefined]
 * when every request has already been reported (as MPI_Waitany's MPI_UNDEFINED).
 */
export function waitany<T>(requests: readonly Request<T>[]): [number, T | undefined] {
  const list = checkRequests(requests, 'MPI.waitany');
  const [pending, at] = open(list);
  if (pending.length === 0) return [-1, undefined];
  const n = natives(pending);
  const done = blocking(() => waitLabel('MPI.waitany', pending), () => guard('MPI.waitany', () => native.waitsome(ids, n, true)));
  const i = at[done[0]];
  return [i, list[i].wait() as T];
}

/** Waits until at least one request not reported before completes: [their indices, what each produced]. */
export function waitsome<T>(requests: readonly Request<T>[]): [number[], T[]] {
  const list = checkRequests(requests, 'MPI.waitsome');
  const [pending, at] = open(list);
  if (pending.length === 0) return [[], []];
  const n = natives(pending);
  const done = blocking(() => waitLabel('MPI.waitsome', pending), () => guard('MPI.waitsome', () => native.waitsome(ids, n, false))).map((k) => at[k]);
  return [done, done.map((i) => list[i].wait() as T)];
}

function guard<R>(where: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof MPIError) throw new MPIError(`${where}: ${e.message}`, e.errorClass, e.code);
    throw e;
  }
}
