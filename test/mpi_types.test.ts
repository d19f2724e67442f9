// The MPI API's types turn wrong calls into compile errors. Each `@ts-expect-error` below marks a call that
// must not compile: ts-jest typechecks this file, so one that compiles fails the suite. The test at the end
// also compiles this file itself, once as it is and once without the markers, to prove that every marked
// line (and only those) is an error: nothing here depends on ts-jest's settings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import type { Comm, MPI as MPIType, ReduceOp, Status as StatusType } from '../lib';

// Never called: these only have to typecheck (or not).
export function wrongCalls(c: Comm, MPI: typeof MPIType, status: StatusType): void {
  // @ts-expect-error root is a number
  c.bcast(1, '0');
  // @ts-expect-error strings cannot be reduced
  c.allreduce('x', 'sum');
  // @ts-expect-error plain arrays cannot be reduced: use a typed array
  c.allreduce([1, 2], 'sum');
  // @ts-expect-error Uint8ClampedArray cannot be reduced
  c.allreduce(new Uint8ClampedArray(1), 'sum');
  // @ts-expect-error unknown op
  c.allreduce(1, 'xor');
  // @ts-expect-error root is a number
  c.reduce(new Float64Array(1), 'sum', '1');
  // @ts-expect-error bcastInto fills a typed array, not a plain array
  c.bcastInto([1, 2]);
  // @ts-expect-error a DataView has no element type
  c.bcastInto(new DataView(new ArrayBuffer(8)));
  // @ts-expect-error recvInto needs a source
  c.recvInto(new Float64Array(1));
  // @ts-expect-error the status is a Status
  c.recvInto(new Float64Array(1), 0, 0, {});
  // @ts-expect-error source is a number (or MPI.ANY_SOURCE)
  c.recv('0');
  // @ts-expect-error send needs a destination
  c.send(1);
  // @ts-expect-error tag is a number
  c.send(1, 0, '1');
  // @ts-expect-error color is a number or null
  c.split('red');
  // @ts-expect-error key is a number
  c.split(0, '1');
  // @ts-expect-error rank is read-only
  c.rank = 1;
  // @ts-expect-error size is read-only
  c.size = 2;
  // @ts-expect-error private
  c.invoke('barrier', () => undefined);
  // @ts-expect-error the wildcards are constants
  MPI.ANY_SOURCE = 0;
  // @ts-expect-error COMM_WORLD cannot be replaced
  MPI.COMM_WORLD = c;
  // @ts-expect-error failFast is a boolean
  MPI.failFast = 'no';
  // @ts-expect-error the exit status is a number
  MPI.abort('1');
  // @ts-expect-error reducing a Float64Array gives a Float64Array, not a number
  const sum: number = c.allreduce(new Float64Array(1), 'sum');
  // @ts-expect-error summing booleans counts them
  const all: boolean = c.allreduce(true, 'sum');
  // @ts-expect-error a bigint stays a bigint
  const big: number = c.allreduce(1n, 'max');
  // @ts-expect-error reduce returns undefined on ranks other than the root
  const onRoot: number = c.reduce(1, 'sum');
  // @ts-expect-error gather returns undefined on ranks other than the root
  const gathered: number[] = c.gather(1);
  // @ts-expect-error split may return null
  const sub: Comm = c.split(null);
  void [sum, all, big, onRoot, gathered, sub, status];
}

// Right calls, with the types they give.
export function rightCalls(c: Comm, MPI: typeof MPIType, status: StatusType): void {
  const n: number = c.allreduce(1, 'sum');
  const f: Float64Array = c.allreduce(new Float64Array(2), 'max');
  const land: boolean = c.allreduce(true, 'land');
  const count: number = c.allreduce(true, 'sum');
  const big: bigint = c.allreduce(1n, 'sum');
  const buf: Buffer = c.allreduce(Buffer.alloc(2), 'bor');
  const u64: BigUint64Array | undefined = c.reduce(new BigUint64Array(1), 'prod', 0);
  const op: ReduceOp = 'band';
  const i32: Int32Array = c.allreduce(new Int32Array(1), op);
  const g: string[] | undefined = c.gather('x', 0);
  const ag: Float32Array[] = c.allgather(new Float32Array(1));
  const obj: { a: number } = c.bcast({ a: 1 }, 0);
  const any: unknown = c.recv(MPI.ANY_SOURCE, MPI.ANY_TAG, status);
  const clamped: Uint8ClampedArray = c.bcastInto(new Uint8ClampedArray(2));
  const into: Buffer = c.recvInto(Buffer.alloc(4), 0, MPI.ANY_TAG, status);
  const sub: Comm | null = c.split(null);
  const d: Comm = c.dup();
  c.send(new BigInt64Array(1), 0, MPI.TAG_UB);
  MPI.failFast = false;
  const t: number = MPI.Wtime();
  void [n, f, land, count, big, buf, u64, i32, g, ag, obj, any, clamped, into, sub, d, t];
}

function diagnosticLines(source: string): number[] {
  const file = __filename;
  const configPath = path.join(__dirname, '..', 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    path.resolve(name) === file ? ts.createSourceFile(name, source, version) : read(name, version, ...rest);
  const program = ts.createProgram([file], { ...config.options, noEmit: true }, host);
  const sf = program.getSourceFile(file)!;
  return ts
    .getPreEmitDiagnostics(program, sf)
    .filter((d) => d.file?.fileName && path.resolve(d.file.fileName) === file)
    .map((d) => sf.getLineAndCharacterOfPosition(d.start!).line);
}

test('every marked call, and only those, fails to compile', () => {
  const source = fs.readFileSync(__filename, 'utf8');
  const lines = source.split('\n');
  const marker = '// @ts-expect-error';
  const marked = lines.flatMap((l, i) => (l.trim().startsWith(marker) ? [i + 1] : []));
  expect(marked.length).toBe(28);
  expect(diagnosticLines(source)).toEqual([]);
  const unmarked = lines.map((l) => (l.trim().startsWith(marker) ? '' : l)).join('\n');
  expect([...new Set(diagnosticLines(unmarked))].sort((a, b) => a - b)).toEqual(marked);
}, 60_000);
