// The child process of untrusted mode (lib/untrusted.ts runs it): opens the file serially, read-only, and
// either walks its metadata (every group's members, every link, every object reached through hard links
// with its type, shape, chunks and filters, every attribute read) or makes one dataset read. Before each
// object it prints "> path" so that the parent knows where libhdf5 was if it crashes or hangs; last, one
// JSON line (ChildVerdict). A failure that is no danger to the process (a type h5mpi cannot read, a string
// that is not valid UTF-8: a TypeError or such an H5Error) does not fail the check; the first other
// H5Error does. What claims more than maxBytes is not read (the parent refuses to read it too).
import { readFileSync, writeFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { Dataset, File, Group } from './api';
import type { H5Object } from './object';
import { H5Error } from './errors';
import { identityChanges } from './untrusted';
import type { ChildVerdict, CheckTask, ExternalLinkReport, ExternalStorageReport, VirtualSourceReport } from './untrusted';

interface Input {
  filename: string;
  task: CheckTask;
  maxBytes: number;
}

const HARMLESS = new Set(['UNSUPPORTED_TYPE', 'DECODE', 'UNSUPPORTED']);
const MAX_DEPTH = 64;
const MAX_VISITS = 1_000_000;

/** Ends the walk with its verdict. */
class Stop extends Error {
  constructor(readonly verdict: ChildVerdict) {
    super('stop');
  }
}

const counts = { objects: 0, attributes: 0, links: 0 };
const external: ExternalLinkReport[] = [];
const virtualSources: VirtualSourceReport[] = [];
const externalStorage: ExternalStorageReport[] = [];
const MAX_EXTERNAL = 100_000;
let visits = 0;
const at = (path: string): void => {
  process.stdout.write(`> ${path}\n`); // a pipe: written before the next HDF5 call, even if that one crashes
};

/** Runs `fn` at `path`; a harmful failure stops the walk with its verdict, a harmless one is skipped. */
function step<T>(path: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof Stop) throw e;
    if (e instanceof H5Error && !HARMLESS.has(e.code)) throw new Stop({ ok: false, path, name: e.name, code: e.code, message: e.message });
    return undefined;
  }
}

function attributes(obj: H5Object, path: string, maxBytes: number): void {
  at(`${path}@`);
  const names = step(`${path}@`, () => obj.attrs.keys()) ?? [];
  for (const n of names) {
    const where = `${path}@${n}`;
    at(where);
    const info = step(where, () => obj.attrs.info(n));
    if (info === undefined) continue;
    // One that claims more than maxBytes is not read here, and reading it in the parent throws TOO_LARGE.
    if (info.size * info.storedType.size > maxBytes) continue;
    step(where, () => obj.attrs.get(n));
    counts.attributes++;
  }
}

function dataset(d: Dataset, path: string, maxBytes: number): void {
  // Opening read the type, shape, layout and filters; these make sure each of them was read.
  step(path, () => [d.shape, d.maxshape, d.dtype, d.fileType, d.chunks, d.filters, d.fillValue, d.isVirtual]);
  // The other files a read of it opens or reads: reported, not opened (the parent checks them before a read).
  if (virtualSources.length + externalStorage.length + (d.external?.length ?? 0) > MAX_EXTERNAL) {
    throw new Stop({ ok: false, path, name: 'UntrustedFileError', code: 'TOO_LARGE', message: `more than ${MAX_EXTERNAL} other files named` });
  }
  for (const e of d.external ?? []) externalStorage.push({ path, file: e.name });
  if (d.isVirtual) {
    const files = step(path, () => [...new Set(d.virtualSources().map((m) => `${m.file}\0${m.path}`))]) ?? [];
    for (const f of files) virtualSources.push({ path, file: f.slice(0, f.indexOf('\0')), dataset: f.slice(f.indexOf('\0') + 1) });
  }
  attributes(d, path, maxBytes);
}

function resolveSoft(group: Group, name: string): void {
  try {
    group.get(name);
  } catch (e) {
    if (!(e instanceof H5Error && e.code === 'NOT_FOUND')) throw e;
  }
}

function walk(group: Group, path: string, depth: number, maxBytes: number): void {
  attributes(group, path, maxBytes);
  // A damaged file can link a group into itself: a cycle is cut by depth (a real tree is not that deep).
  if (depth >= MAX_DEPTH) return;
  at(path);
  const names = step(path, () => group.keys()) ?? [];
  for (const n of names) {
    const child = path === '/' ? `/${n}` : `${path}/${n}`;
    if (++visits > MAX_VISITS) throw new Stop({ ok: false, path: child, name: 'UntrustedFileError', code: 'TOO_LARGE', message: `more than ${MAX_VISITS} objects to visit (or hard links in a cycle)` });
    at(child);
    const link = step(child, () => group.getLink(n));
    if (link === undefined) continue;
    if (link.type !== 'hard') {
      // A soft link is resolved (that walks the file's name index again), not walked: it leads to an object
      // reached through hard links, or nowhere (no error). External links lead to other files: reported, not
      // opened (an untrusted open checks that file when the link is followed).
      counts.links++;
      if (link.type === 'soft') step(child, () => resolveSoft(group, n));
      if (link.type === 'external') {
        if (external.length >= MAX_EXTERNAL) throw new Stop({ ok: false, path: child, name: 'UntrustedFileError', code: 'TOO_LARGE', message: `more than ${MAX_EXTERNAL} external links` });
        external.push({ path: child, file: link.file, target: link.target });
      }
      continue;
    }
    const obj = step(child, () => group.get(n));
    if (obj) counts.objects++;
    if (obj instanceof Group) walk(obj, child, depth + 1, maxBytes);
    else if (obj instanceof Dataset) dataset(obj, child, maxBytes);
    else if (obj) attributes(obj, child, maxBytes);
  }
}

function run(input: Input): ChildVerdict {
  const { filename, task, maxBytes } = input;
  at('/');
  const f = step('/', () => File.open(filename, 'r'));
  if (f === undefined) return { ok: false, path: '/', name: 'TypeError', code: 'FAILED', message: 'the file did not open' };
  const identity = f._identity();
  if (task.kind === 'file') {
    counts.objects = 1;
    walk(f, '/', 0, maxBytes);
  } else {
    // The parent has a file open that passed its check: this must be the same file, or what it reads is another's.
    const changes = task.identity ? identityChanges(task.identity, identity) : [];
    if (changes.length > 0) return { ok: false, path: '/', name: 'UntrustedFileError', code: 'CHANGED', message: `the file is no longer the one that was checked and opened (${changes.join(', ')})` };
    at(task.path);
    const d = step(task.path, () => f.get(task.path));
    if (!(d instanceof Dataset)) return { ok: false, path: task.path, name: 'H5Error', code: 'NOT_FOUND', message: `'${task.path}' is no dataset` };
    // Any failure of the read itself is the parent's (a DECODE error too): it throws it in its place.
    let value: unknown;
    try {
      value = d._readIsolated(task.code, task.size, task.form, task.into);
    } catch (e) {
      const err = e as { name?: string; code?: unknown; message?: string };
      return { ok: false, path: task.path, name: err.name ?? 'Error', code: typeof err.code === 'string' ? err.code : 'FAILED', message: err.message ?? String(e) };
    }
    if (task.out !== undefined) writeFileSync(task.out, serialize(value));
  }
  return { ok: true, ...counts, external, virtualSources, externalStorage, identity };
}

let verdict: ChildVerdict;
try {
  verdict = run(JSON.parse(readFileSync(0, 'utf8')) as Input);
} catch (e) {
  if (!(e instanceof Stop)) throw e;
  verdict = e.verdict;
}
process.stdout.write(`${JSON.stringify(verdict)}\n`);
