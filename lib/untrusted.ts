// Untrusted files: libhdf5 (1.10 especially) crashes or hangs on some damaged or hostile files, and a crash
// in libhdf5 takes the whole Node process with it. So in untrusted mode h5mpi first walks the file's
// metadata in a child process (lib/untrusted-child.ts) under a time limit, and reads data of the kinds
// whose decoding has crashed libhdf5 (variable-length data in the global heap, filtered chunks) there
// too, passing the values back; the caller gets an UntrustedFileError instead of a dead process. Sizes the file claims are
// capped (maxBytes), so that a small file cannot make h5mpi allocate gigabytes. See docs/untrusted-files.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { deserialize } from 'node:v8';
import { H5Error, UntrustedFileError } from './errors';
import type { StoredType } from './dtype';
import { checkInt, checkOptions } from './validate';

/** The options of untrusted mode, for `File.open(path, 'r', { untrusted: true, ... })` and `File.check`. */
export interface UntrustedOptions {
  /**
   * The most bytes one read (a dataset's selection, an attribute) or one chunk may claim; larger ones throw
   * an H5Error (code TOO_LARGE) before anything is allocated. Default 1 GiB.
   */
  maxBytes?: number;
  /** Milliseconds the child process may take for the check of the file, and for each isolated read. Default 30000. */
  checkTimeout?: number;
}

/**
 * Where an untrusted file's external links may lead (`File.open`'s `externalLinks`, untrusted mode only).
 * Wherever one is followed, the file it leads to is checked first, as the untrusted file was, and every file
 * that file's own external links lead to (a chain, up to HDF5's 16 links; a cycle back to a checked file
 * ends there).
 * - `'sameDirectory'` (the default): only to files in the untrusted file's directory or below it (after
 *   symbolic links): a link to an absolute path elsewhere, or a relative one whose `..` climbs out, throws
 *   an UntrustedFileError (code `EXTERNAL_LINK`) instead of opening that file.
 * - `'anywhere'`: wherever HDF5 finds the file (any file this process may read).
 * - `'refuse'`: never: every external link throws `EXTERNAL_LINK`.
 * (HDF5's own hook for this is a link access list's `H5Pset_elink_cb`; h5py offers none.)
 */
export type ExternalLinkPolicy = 'sameDirectory' | 'anywhere' | 'refuse';

/** An external link the check found (not followed by the check). */
export interface ExternalLinkReport {
  /** The link's path in the checked file. */
  path: string;
  /** The file name stored in the link, as HDF5 looks for it (docs/untrusted-files.md). */
  file: string;
  /** The object's path in that file. */
  target: string;
}

/** What `File.check` found: a file whose metadata h5mpi walked without a failure. */
export interface CheckReport {
  /** Groups, datasets and named datatypes reached through hard links. */
  objects: number;
  /** Attributes read (those that claim more than `maxBytes` are not). */
  attributes: number;
  /** Soft and external links seen (not followed: they are checked where they lead, if that is in the file). */
  links: number;
  /** The external links among them: other files, which the check does not open (an untrusted open checks them when one is followed). */
  external: ExternalLinkReport[];
  /** Milliseconds the check took, the child process's start included. */
  ms: number;
}

/** The limits an untrusted file was opened with (FileOptions' maxBytes and checkTimeout, with their defaults). */
export interface UntrustedLimits {
  maxBytes: number;
  checkTimeout: number;
  externalLinks: ExternalLinkPolicy;
}

export const DEFAULT_MAX_BYTES = 2 ** 30;
export const DEFAULT_CHECK_TIMEOUT = 30_000;
const OPTION_NAMES = ['maxBytes', 'checkTimeout'] as const;
const POLICIES: readonly ExternalLinkPolicy[] = ['sameDirectory', 'anywhere', 'refuse'];

/** @internal The limits from the options, checked. */
export function untrustedLimits(options: UntrustedOptions & { externalLinks?: ExternalLinkPolicy }, where: string): UntrustedLimits {
  const policy: unknown = options.externalLinks;
  if (policy !== undefined && !POLICIES.includes(policy as ExternalLinkPolicy)) {
    throw new TypeError(`${where}: externalLinks must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(policy)}`);
  }
  return {
    externalLinks: (policy as ExternalLinkPolicy | undefined) ?? 'sameDirectory',
    maxBytes: options.maxBytes === undefined ? DEFAULT_MAX_BYTES : checkInt(options.maxBytes, 'maxBytes', 1, Number.MAX_SAFE_INTEGER, where),
    checkTimeout: options.checkTimeout === undefined ? DEFAULT_CHECK_TIMEOUT : checkInt(options.checkTimeout, 'checkTimeout', 1, 2 ** 31 - 1, where),
  };
}

/** @internal `File.check`'s options, checked. */
export function checkUntrustedOptions(options: unknown, where: string): UntrustedLimits {
  return untrustedLimits(checkOptions<UntrustedOptions>(options, OPTION_NAMES, where), where);
}

/** @internal A dataset read for the child: the selection's encoding (null: all), the read's form, the typed array class of a readInto. */
export interface ReadTask {
  path: string;
  code: number[] | null;
  size: number;
  form: { strings: 'text' | 'bytes'; fields: readonly string[] | undefined; records: boolean };
  into: string | undefined;
  /** Where the child writes what it read (v8.serialize), when the parent wants it. */
  out?: string;
}

/** @internal What the child is asked: the file's metadata, or one dataset read. */
export type CheckTask = { kind: 'file' } | ({ kind: 'read' } & ReadTask);

/** @internal guardRead's answer when the read is not made in a child process. */
export const NOT_ISOLATED = Symbol('not isolated');

/** @internal Makes the read in a child process and returns what it read (through a temporary file). */
export function readIsolated(filename: string, task: ReadTask, limits: UntrustedLimits, where: string): unknown {
  const dir = mkdtempSync(path.join(tmpdir(), 'h5mpi-read-'));
  try {
    const out = path.join(dir, 'value');
    runIsolated(filename, { kind: 'read', ...task, out }, limits, where);
    return deserialize(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** @internal The child's last line: success, or the first failure with where it happened. */
export type ChildVerdict =
  | ({ ok: true } & Omit<CheckReport, 'ms'>)
  | { ok: false; path: string; name: string; code: string; message: string };

// Beside this module in dist/; from lib/ (ts-jest runs the sources), the compiled one.
const CHILD = [path.join(__dirname, 'untrusted-child.js'), path.join(__dirname, '..', 'dist', 'untrusted-child.js')].find((f) => existsSync(f)) ?? 'untrusted-child.js';

/** The environment of the child: this one without the MPI launcher's variables, so that it is no rank of the job. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(OMPI_|PMIX_|PMI_|HYDRA_|MPIR_|MPI_LOCAL|OPAL_|PRTE_)/.test(k)) env[k] = v;
  env.H5MPI_CHECK_COLLECTIVE = '0';
  return env;
}

/**
 * @internal Runs `task` on `filename` in a child process under the limits; returns the child's report, or
 * throws UntrustedFileError: the child died of a signal (libhdf5 crashed), ran past the time limit (libhdf5
 * hung), or an HDF5 error (or a claimed size over maxBytes) stopped the walk. `where` starts the message.
 */
export function runIsolated(filename: string, task: CheckTask, limits: UntrustedLimits, where: string): CheckReport {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CHILD], {
    input: JSON.stringify({ filename, task, maxBytes: limits.maxBytes }),
    env: childEnv(),
    timeout: limits.checkTimeout,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'utf8',
  });
  const ms = Date.now() - started;
  const lines = (r.stdout ?? '').split('\n').filter((l) => l.length > 0);
  // The child prints each object's path before it touches it: the last one is where it crashed or hung.
  const reached = [...lines].reverse().find((l) => l.startsWith('> '))?.slice(2);
  const at = reached === undefined ? '' : ` at '${reached}'`;
  const what = task.kind === 'file' ? 'checking its metadata' : `reading '${task.path}'`;
  const timedOut = r.error !== undefined && 'code' in r.error && r.error.code === 'ETIMEDOUT';
  if (timedOut) {
    throw new UntrustedFileError(`${where}: libhdf5 hung ${what}${at} in '${filename}' (no result within the ${limits.checkTimeout} ms limit; the child process was killed)`, 'TIMEOUT', 'hang', reached);
  }
  if (r.error) throw new H5Error(`${where}: could not run the check of '${filename}' in a child process: ${r.error.message}`, 'FAILED');
  if (r.signal) {
    throw new UntrustedFileError(`${where}: libhdf5 crashed (${r.signal}) ${what}${at} in '${filename}': the file is damaged or hostile (the crash was in a child process; this one is unharmed)`, 'CRASHED', 'crash', reached, r.signal);
  }
  const last = lines.at(-1);
  let verdict: ChildVerdict | undefined;
  try {
    verdict = last?.startsWith('{') ? (JSON.parse(last) as ChildVerdict) : undefined;
  } catch {
    verdict = undefined;
  }
  if (verdict === undefined) {
    const detail = (r.stderr ?? '').trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    throw new UntrustedFileError(`${where}: the child process ${what}${at} in '${filename}' ended with exit code ${r.status} and no result${detail ? `: ${detail}` : ''}`, 'CRASHED', 'crash', reached);
  }
  if (!verdict.ok) {
    const code = verdict.code as UntrustedFileError['code'];
    throw new UntrustedFileError(`${where}: ${what} of '${filename}' failed at '${verdict.path}': ${verdict.message}`, code, code === 'TOO_LARGE' ? 'too-large' : 'error', verdict.path);
  }
  const { objects, attributes, links, external } = verdict;
  return { objects, attributes, links, external, ms };
}

/** @internal Whether reading data of this stored type decodes the global heap (variable-length data, region references). */
export function readsHeap(t: StoredType): boolean {
  if (t.className === 'vlen' || (t.className === 'string' && t.string?.length === null) || t.reference === 'region') return true;
  return (t.base !== undefined && readsHeap(t.base)) || (t.fields?.some((f) => readsHeap(f.type)) ?? false);
}

/** @internal Throws TOO_LARGE when `bytes` is over the limit. */
export function checkClaimedSize(bytes: number, limits: UntrustedLimits, where: string, what: string, path?: string): void {
  if (bytes <= limits.maxBytes) return;
  throw new UntrustedFileError(`${where}: ${what} would take ${bytes} bytes, over the untrusted-mode limit of ${limits.maxBytes} (maxBytes)`, 'TOO_LARGE', 'too-large', path);
}

// HDF5 follows at most this many soft and external links in one path (H5L_NUM_LINKS): no chain is longer.
const MAX_CHAIN = 16;

/**
 * @internal The file HDF5 opens for an external link to `name` from the file `parent`, as HDF5 (1.10 to
 * 1.14) looks for it: an absolute name as it is, and if no file is there, its last component as a relative
 * one; a relative name under each directory of HDF5_EXT_PREFIX (colon-separated; `${ORIGIN}` is the
 * parent's directory), then in the parent's directory, then from the working directory. Undefined when no
 * file is at any of those (HDF5 finds none either: the link leads nowhere). h5mpi sets no link prefix.
 */
export function externalTarget(parent: string, name: string): string | undefined {
  const isFile = (f: string): boolean => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  };
  let rel = name;
  if (name.startsWith('/')) {
    if (isFile(name)) return name;
    rel = name.slice(name.lastIndexOf('/') + 1);
  }
  const origin = path.dirname(path.resolve(parent));
  const prefixes = (process.env.HDF5_EXT_PREFIX ?? '').split(':').filter((p) => p.length > 0);
  const candidates = [...prefixes.map((p) => path.join(p.replace(/^\$\{ORIGIN\}/, origin), rel)), path.join(origin, rel), rel];
  return candidates.find(isFile);
}

/** @internal What the ranks share of a check's failure (an UntrustedFileError's fields). */
type SharedFailure = { message: string; code: H5ErrorCodeOf; failure: UntrustedFileError['failure']; path?: string; signal?: string } | null;
type H5ErrorCodeOf = UntrustedFileError['code'];

/**
 * @internal Runs `check` on rank 0 of `comm` (or here, serially) and throws its UntrustedFileError on every
 * rank, so that the ranks take the same branch. Any other error of the check is made one.
 */
export function sharedCheck(comm: { rank: number; bcast<T>(value: T, root: number): T } | undefined, check: () => void): void {
  const verdict = (): SharedFailure => {
    try {
      check();
      return null;
    } catch (e) {
      if (e instanceof UntrustedFileError) return { message: e.message, code: e.code, failure: e.failure, path: e.path, signal: e.signal };
      if (e instanceof H5Error) return { message: e.message, code: e.code, failure: 'error' };
      return { message: e instanceof Error ? e.message : String(e), code: 'FAILED', failure: 'error' };
    }
  };
  const shared = !comm ? verdict() : comm.bcast(comm.rank === 0 ? verdict() : null, 0);
  if (shared) throw new UntrustedFileError(shared.message, shared.code, shared.failure, shared.path, shared.signal);
}

/** The real path of a file, or its resolved path when it has none (the check itself then says why). */
function real(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** @internal The real path by which `checked` remembers a file that passed the check. */
export const checkedKey = real;

/**
 * @internal Untrusted mode, before HDF5 follows the external link at `linkPath` of `filename` (to the file
 * named `linkFile`): the file it leads to is checked in a child process, and so is every file reached from
 * there through external links, as far as HDF5 would follow them; the policy may refuse any of them.
 * `checked` holds the real paths of files that passed (the untrusted file's own among them): a cycle ends
 * there, and a file is checked once per open. Throws UntrustedFileError naming the link and the file.
 */
export function checkExternal(filename: string, linkPath: string, linkFile: string, limits: UntrustedLimits, checked: Set<string>, where: string): void {
  const root = path.dirname(real(filename));
  const follow = (parent: string, link: string, name: string, depth: number): void => {
    const at = `${where}: the external link '${link}' in '${parent}' (to '${name}')`;
    if (limits.externalLinks === 'refuse') {
      throw new UntrustedFileError(`${at} is not followed in untrusted mode with externalLinks: 'refuse'`, 'EXTERNAL_LINK', 'external', link);
    }
    const target = externalTarget(parent, name);
    if (target === undefined) return; // HDF5 finds no file either: the link leads nowhere, as get() then says
    const key = real(target);
    if (checked.has(key)) return;
    if (limits.externalLinks === 'sameDirectory' && !key.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
      throw new UntrustedFileError(
        `${at} leads to '${key}', outside the untrusted file's directory '${root}' (externalLinks: 'sameDirectory'; 'anywhere' follows it, after checking that file)`,
        'EXTERNAL_LINK',
        'external',
        link,
      );
    }
    if (depth > MAX_CHAIN) return; // HDF5 follows no longer chain of links
    const report = runIsolated(target, { kind: 'file' }, limits, at);
    checked.add(key);
    for (const x of report.external) follow(target, x.path, x.file, depth + 1);
  };
  follow(filename, linkPath, linkFile, 1);
}
