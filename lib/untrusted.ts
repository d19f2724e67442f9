// Untrusted files: libhdf5 (1.10 especially) crashes or hangs on some damaged or hostile files, and a crash
// in libhdf5 takes the whole Node process with it. So in untrusted mode h5mpi first walks the file's
// metadata in a child process (lib/untrusted-child.ts) under a time limit, and reads data of the kinds
// whose decoding has crashed libhdf5 (variable-length data in the global heap, filtered chunks) there
// too, passing the values back; the caller gets an UntrustedFileError instead of a dead process. Sizes the file claims are
// capped (maxBytes), so that a small file cannot make h5mpi allocate gigabytes. The other files a file names
// (external links' targets, virtual datasets' sources) are checked the same way before HDF5 opens them, and
// held with external raw-data files to directory policies; the file HDF5 opens is compared with the one
// the check opened (FileIdentity), against a swap in between. See docs/untrusted-files.md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
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
 * Where the other files an untrusted file names may be (`File.open`'s `externalLinks`, `virtualSources` and
 * `externalStorage`, untrusted mode only); for external links:
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

/**
 * What identifies the file a check opened (fstat of the descriptor HDF5 read it through): an untrusted open
 * compares it with the file HDF5 opened in this process, so that a file swapped in between is refused
 * (code `CHANGED`). `dev`, `ino` and `mtimeNs` are decimal strings (they may pass 2^53).
 */
export interface FileIdentity {
  dev: string;
  ino: string;
  size: number;
  /** The last modification, in nanoseconds since the epoch. */
  mtimeNs: string;
}

/** A virtual dataset's source file the check found (not opened by the check). */
export interface VirtualSourceReport {
  /** The virtual dataset's path in the checked file. */
  path: string;
  /** The source's file name as stored (`'.'`: the checked file itself). */
  file: string;
  /** The source dataset's path in that file. */
  dataset: string;
}

/** A file a dataset's raw data is stored in (external storage, h5py's `external`), which the check does not read. */
export interface ExternalStorageReport {
  /** The dataset's path in the checked file. */
  path: string;
  /** The file name as stored. */
  file: string;
}

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
  /** The virtual datasets' source files (an untrusted open checks each before a read of the dataset). */
  virtualSources: VirtualSourceReport[];
  /** The files datasets keep their raw data in (an untrusted open applies `externalStorage` before a read). */
  externalStorage: ExternalStorageReport[];
  /** The file the check opened: pass the report as `File.open`'s `checked` to open that same file without a second check. */
  identity: FileIdentity;
  /** The limit the check read attributes under (`checked` serves opens with no larger `maxBytes`). */
  maxBytes: number;
  /** Milliseconds the check took, the child process's start included. */
  ms: number;
}

/** The limits an untrusted file was opened with (FileOptions' maxBytes and checkTimeout, with their defaults). */
export interface UntrustedLimits {
  maxBytes: number;
  checkTimeout: number;
  externalLinks: ExternalLinkPolicy;
  virtualSources: ExternalLinkPolicy;
  externalStorage: ExternalLinkPolicy;
}

/** @internal The policy options of untrusted mode (File.open's). */
export type PolicyOptions = { externalLinks?: ExternalLinkPolicy; virtualSources?: ExternalLinkPolicy; externalStorage?: ExternalLinkPolicy };

export const DEFAULT_MAX_BYTES = 2 ** 30;
export const DEFAULT_CHECK_TIMEOUT = 30_000;
const OPTION_NAMES = ['maxBytes', 'checkTimeout'] as const;
const POLICIES: readonly ExternalLinkPolicy[] = ['sameDirectory', 'anywhere', 'refuse'];

/** @internal The limits from the options, checked. */
export function untrustedLimits(options: UntrustedOptions & PolicyOptions, where: string): UntrustedLimits {
  const policy = (name: keyof PolicyOptions): ExternalLinkPolicy => {
    const given: unknown = options[name];
    if (given !== undefined && !POLICIES.includes(given as ExternalLinkPolicy)) {
      throw new TypeError(`${where}: ${name} must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(given)}`);
    }
    return (given as ExternalLinkPolicy | undefined) ?? 'sameDirectory';
  };
  return {
    externalLinks: policy('externalLinks'),
    virtualSources: policy('virtualSources'),
    externalStorage: policy('externalStorage'),
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
  /** The file the parent has open: the child reads only from that one (else CHANGED). */
  identity?: FileIdentity;
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
  | ({ ok: true } & Omit<CheckReport, 'ms' | 'maxBytes'>)
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
    const failure = code === 'TOO_LARGE' ? 'too-large' : code === 'CHANGED' ? 'changed' : 'error';
    throw new UntrustedFileError(`${where}: ${what} of '${filename}' failed at '${verdict.path}': ${verdict.message}`, code, failure, verdict.path);
  }
  const { objects, attributes, links, external, virtualSources, externalStorage, identity } = verdict;
  return { objects, attributes, links, external, virtualSources, externalStorage, identity, maxBytes: limits.maxBytes, ms };
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
 * @internal The file HDF5 opens for an external link (or, with `env` HDF5_VDS_PREFIX, a virtual dataset's
 * source) named `name` from the file `parent`, as HDF5 (1.10 to 1.14, H5F_prefix_open_file) looks for it: an
 * absolute name as it is, and if no file is there, its last component as a relative one; a relative name
 * under each directory of the environment variable `env` (colon-separated; `${ORIGIN}` is the parent's
 * directory), then in the parent's directory, then from the working directory. Undefined when no file is at
 * any of those (HDF5 finds none either: the link leads nowhere). h5mpi sets no prefix of its own.
 */
export function externalTarget(parent: string, name: string, env: 'HDF5_EXT_PREFIX' | 'HDF5_VDS_PREFIX' = 'HDF5_EXT_PREFIX'): string | undefined {
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
  const prefixes = (process.env[env] ?? '').split(':').filter((p) => p.length > 0);
  const candidates = [...prefixes.map((p) => path.join(p.replace(/^\$\{ORIGIN\}/, origin), rel)), path.join(origin, rel), rel];
  return candidates.find(isFile);
}

// HDF5 1.10 takes HDF5_EXTFILE_PREFIX as it was when the library started (a later change of process.env
// does not reach it, tested); this module loads with the addon.
const EXTFILE_PREFIX = process.env.HDF5_EXTFILE_PREFIX;

/**
 * @internal The file HDF5 reads a dataset's external raw data from (H5D__efl_read): `name` under the prefix
 * HDF5_EXTFILE_PREFIX (`${ORIGIN}` the directory of `filename`, the file holding the dataset) when that is
 * set (when the process started) and not '.', else `name` itself, an absolute name as it is: a relative one
 * is relative to the working directory, not to the file's (HDF5's and h5py's default; h5mpi sets no prefix).
 */
export function externalStoragePath(filename: string, name: string): string {
  const prefix = EXTFILE_PREFIX;
  if (!prefix || prefix === '.' || path.isAbsolute(name)) return path.resolve(name);
  return path.resolve(prefix.replace(/^\$\{ORIGIN\}/, path.dirname(path.resolve(filename))), name);
}

/** @internal The identity of the file at `filename` now (stat, following symbolic links), for opens that have no descriptor to ask (MPI-IO). */
export function statIdentity(filename: string): FileIdentity {
  const st = statSync(filename, { bigint: true });
  return { dev: String(st.dev), ino: String(st.ino), size: Number(st.size), mtimeNs: String(st.mtimeNs) };
}

/**
 * @internal How `opened` differs from `checked` ([] when it does not). `sameHost`: whether the device
 * numbers are comparable (a shared file system mounted on another node has a device number of its own there).
 */
export function identityChanges(checked: FileIdentity, opened: FileIdentity, sameHost = true): string[] {
  const out: string[] = [];
  if (sameHost && checked.dev !== opened.dev) out.push(`device ${checked.dev} -> ${opened.dev}`);
  if (checked.ino !== opened.ino) out.push(`inode ${checked.ino} -> ${opened.ino}`);
  if (checked.size !== opened.size) out.push(`size ${checked.size} -> ${opened.size} bytes`);
  if (checked.mtimeNs !== opened.mtimeNs) out.push(`modified at ${nsText(checked.mtimeNs)} -> ${nsText(opened.mtimeNs)}`);
  return out;
}

const nsText = (ns: string): string => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();

/** @internal The host a check ran on (device numbers compare on the same host only). */
export const checkHost = hostname;

/** @internal What the ranks share of a check's failure (an UntrustedFileError's fields). */
type SharedFailure = { message: string; code: H5ErrorCodeOf; failure: UntrustedFileError['failure']; path?: string; signal?: string };
type H5ErrorCodeOf = UntrustedFileError['code'];

/**
 * @internal Runs `check` on rank 0 of `comm` (or here, serially) and throws its UntrustedFileError on every
 * rank, so that the ranks take the same branch; else returns rank 0's result on every rank. Any other
 * error of the check is made one.
 */
export function sharedCheck<T = void>(comm: { rank: number; bcast<V>(value: V, root: number): V } | undefined, check: () => T): T {
  const verdict = (): { failed: SharedFailure } | { value: T } => {
    try {
      return { value: check() };
    } catch (e) {
      if (e instanceof UntrustedFileError) return { failed: { message: e.message, code: e.code, failure: e.failure, path: e.path, signal: e.signal } };
      if (e instanceof H5Error) return { failed: { message: e.message, code: e.code, failure: 'error' } };
      return { failed: { message: e instanceof Error ? e.message : String(e), code: 'FAILED', failure: 'error' } };
    }
  };
  const shared = !comm ? verdict() : comm.bcast(comm.rank === 0 ? verdict() : null, 0)!;
  if ('failed' in shared) {
    const f = shared.failed;
    throw new UntrustedFileError(f.message, f.code, f.failure, f.path, f.signal);
  }
  return shared.value;
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

/** @internal How a file names another: an external link, or a virtual dataset's source. */
export type OtherFileVia = 'link' | 'virtual';

// A virtual dataset's source name with printf-style fields (%b: a block number, for unlimited mappings) names
// any number of files, found by HDF5 as it reads: none of them can be checked first.
const PRINTF_NAME = /%[^%]/;

/** Whether the real path `key` is inside the directory `dir` (the directory policies' test). */
function under(dir: string, key: string): boolean {
  return key.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/**
 * @internal Untrusted mode, before HDF5 opens another file for the object at `at` of `filename`: the target
 * of an external link (`via` 'link', the file named `name`) or a virtual dataset's source (`via`
 * 'virtual'). The file is checked in a child process, and so is every file reached from there through
 * external links and virtual sources, as far as HDF5 would follow them (the raw-data files those name are
 * held to the `externalStorage` policy); the policies (`externalLinks`, `virtualSources`) may refuse any
 * of them. `checked` holds the real paths of files that passed (the untrusted file's own among them): a
 * cycle ends there, and a file is checked once per open. Throws UntrustedFileError naming the object and
 * the file.
 */
export function checkOtherFile(via: OtherFileVia, filename: string, at: string, name: string, limits: UntrustedLimits, checked: Set<string>, where: string): void {
  const root = path.dirname(real(filename));
  const follow = (how: OtherFileVia, parent: string, object: string, file: string, depth: number): void => {
    const link = how === 'link';
    const option = link ? 'externalLinks' : 'virtualSources';
    const code = link ? 'EXTERNAL_LINK' : 'VIRTUAL_SOURCE';
    const policy = limits[option];
    const what = link ? `${where}: the external link '${object}' in '${parent}' (to '${file}')` : `${where}: the virtual dataset '${object}' in '${parent}' (source file '${file}')`;
    if (!link && file === '.') return; // its own file, checked already
    if (policy === 'refuse') throw new UntrustedFileError(`${what} is not followed in untrusted mode with ${option}: 'refuse'`, code, 'external', object);
    if (!link && PRINTF_NAME.test(file.replace(/%%/g, ''))) {
      throw new UntrustedFileError(`${what}: a printf-style source name, which HDF5 expands to files found as it reads, cannot be checked first, so it is not followed in untrusted mode`, code, 'external', object);
    }
    const target = externalTarget(parent, file, link ? 'HDF5_EXT_PREFIX' : 'HDF5_VDS_PREFIX');
    if (target === undefined) return; // HDF5 finds no file either: the link leads nowhere, the source reads as fill values
    const key = real(target);
    if (checked.has(key)) return;
    if (policy === 'sameDirectory' && !under(root, key)) {
      throw new UntrustedFileError(
        `${what} leads to '${key}', outside the untrusted file's directory '${root}' (${option}: 'sameDirectory'; 'anywhere' follows it, after checking that file)`,
        code,
        'external',
        object,
      );
    }
    if (depth > MAX_CHAIN) return; // HDF5 follows no longer chain of links
    const report = runIsolated(target, { kind: 'file' }, limits, what);
    checked.add(key);
    for (const s of report.externalStorage) checkStorage(target, s.path, s.file, limits, root, where);
    for (const x of report.external) follow('link', target, x.path, x.file, depth + 1);
    for (const v of report.virtualSources) follow('virtual', target, v.path, v.file, depth + 1);
  };
  follow(via, filename, at, name, 1);
}

/**
 * @internal Untrusted mode, before HDF5 reads the dataset at `dataset` of `filename` whose raw data is in
 * the file named `name` (external storage): the `externalStorage` policy, against the directory `root` of
 * the untrusted file (by default that of `filename`). HDF5 reads those bytes as the dataset's values, so a
 * hostile file could show this process's readable files (`/etc/passwd`) as data. Throws UntrustedFileError
 * (code EXTERNAL_STORAGE) naming the dataset and the file.
 */
export function checkStorage(filename: string, dataset: string, name: string, limits: UntrustedLimits, root = path.dirname(real(filename)), where = ''): void {
  const policy = limits.externalStorage;
  if (policy === 'anywhere') return;
  const what = `${where ? `${where}: ` : ''}the dataset '${dataset}' in '${filename}' keeps its data in the external file '${name}'`;
  if (policy === 'refuse') throw new UntrustedFileError(`${what}, which is not read in untrusted mode with externalStorage: 'refuse'`, 'EXTERNAL_STORAGE', 'external', dataset);
  const key = real(externalStoragePath(filename, name));
  if (!under(root, key)) {
    throw new UntrustedFileError(
      `${what}: '${key}', outside the untrusted file's directory '${root}' (externalStorage: 'sameDirectory'; 'anywhere' reads it; ` +
        'a relative name is relative to the working directory unless HDF5_EXTFILE_PREFIX is set, e.g. to ${ORIGIN})',
      'EXTERNAL_STORAGE',
      'external',
      dataset,
    );
  }
}
