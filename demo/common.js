// What the three demos share: the command line (with one-line errors and exit code 2), the seeded
// generator, spans timed as the reference programs in ../shared/peers time them (the max over ranks), the
// file system type of a path, and the closing --json line.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** The seed of the course's programs; rank r (write.js) or image i (chunking.js) adds its index to it. */
const SEED = 746574366;

/** A bad command line: reported in one line, exit code 2. */
class UsageError extends Error {}
/** A problem every rank sees alike (an input file that is not what the demo reads): rank 0 says it, exit 1. */
class DemoError extends Error {}

// What the launcher told this process, read before MPI starts (a one-process MPI start sets these too).
const LAUNCH = (() => {
  const e = process.env;
  const rank = e.OMPI_COMM_WORLD_RANK ?? e.PMIX_RANK ?? e.PMI_RANK;
  return { byMpiexec: rank !== undefined, rank: Number(rank ?? 0), size: Number(e.OMPI_COMM_WORLD_SIZE ?? e.PMI_SIZE ?? 1) };
})();

/** This process's rank as the launcher set it (0 for a plain `node` run). */
function launcherRank() {
  return LAUNCH.rank;
}

/**
 * File.open's options: on COMM_WORLD with MPI-IO whenever mpiexec started us (one rank too, as the peers
 * do), the library's default (a serial file) for a plain `node` run.
 */
function fileOptions(MPI) {
  return LAUNCH.byMpiexec ? { comm: MPI.COMM_WORLD } : {};
}

function parseCount(name, text, min) {
  if (!/^[0-9]+$/.test(text)) throw new UsageError(`${name} must be a whole number, got '${text}'`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be at least ${min}, got ${text}`);
  return n;
}

function parseNumber(name, text) {
  const n = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n)) throw new UsageError(`${name} must be a number, got '${text}'`);
  return n;
}

/**
 * Parses `argv` by `spec`: { name, usage, positional: [{ name, kind: 'count' | 'path', default, min? }],
 * options?: [{ name, kind: 'count' | 'number' | 'path', default, min? }], flags: ['independent', ...] }.
 * Returns { [positional or option name]: value, flags: { [flag]: boolean }, given: Set of the options
 * given }. An option takes its value as `--name value` or `--name=value`. --help prints the usage and
 * exits 0; anything wrong prints one line and exits 2 (rank 0 speaks for all).
 */
function parseArgs(spec, argv = process.argv.slice(2)) {
  try {
    const out = { flags: {}, given: new Set() };
    const options = spec.options ?? [];
    for (const f of spec.flags) out.flags[f] = false;
    for (const o of options) out[o.name] = o.default;
    const positional = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === '--help' || a === '-h') {
        if (launcherRank() === 0) process.stdout.write(spec.usage);
        process.exit(0);
      }
      if (a.startsWith('-') && a !== '-') {
        const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a.replace(/^--?/, ''), undefined];
        const option = a.startsWith('--') ? options.find((o) => o.name === flag) : undefined;
        if (option) {
          const text = inline ?? argv[++i];
          if (text === undefined) throw new UsageError(`--${flag} needs a value`);
          if (out.given.has(flag)) throw new UsageError(`--${flag} is given twice`);
          out.given.add(flag);
          const what = `--${flag}`;
          if (option.kind === 'count') out[flag] = parseCount(what, text, option.min ?? 1);
          else if (option.kind === 'number') out[flag] = parseNumber(what, text);
          else if (text.length === 0) throw new UsageError(`${what} must not be empty`);
          else out[flag] = text;
          continue;
        }
        if (!a.startsWith('--') || inline !== undefined || !spec.flags.includes(flag)) {
          throw new UsageError(`unknown option '${a}'`);
        }
        out.flags[flag] = true;
      } else {
        positional.push(a);
      }
    }
    if (positional.length > 0 && spec.positional.length === 0) throw new UsageError(`unexpected argument '${positional[0]}'; every argument is an option`);
    if (positional.length > spec.positional.length) {
      throw new UsageError(`too many arguments (${positional.length}); expected at most ${spec.positional.length}: ${spec.positional.map((p) => p.name).join(' ')}`);
    }
    spec.positional.forEach((p, i) => {
      const text = positional[i];
      if (text === undefined) out[p.name] = p.default;
      else if (p.kind === 'count') out[p.name] = parseCount(p.name, text, p.min ?? 1);
      else if (text.length === 0) throw new UsageError(`${p.name} must not be empty`);
      else out[p.name] = text;
    });
    return out;
  } catch (e) {
    if (e instanceof UsageError) usageExit(spec.name, e.message);
    throw e;
  }
}

function usageExit(name, message) {
  // Every rank sees the same command line, so rank 0 alone speaks and sets the job's status (2); the others
  // leave quietly. Had they exited non-zero too, mpiexec could kill rank 0 before its message was out.
  if (launcherRank() !== 0) process.exit(0);
  process.stderr.write(`${name}: ${message} (see ${name} --help)\n`);
  process.exit(2);
}

/** Throws a UsageError unless `file` can be created: its directory must exist. */
function checkWritablePath(what, file) {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`${what} '${file}': directory '${dir}' does not exist`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`${what} '${file}' is a directory`);
}

/** Throws a UsageError unless `file` is an existing regular file. */
function checkReadablePath(what, file) {
  if (!fs.existsSync(file)) throw new UsageError(`${what} '${file}' does not exist`);
  if (!fs.statSync(file).isFile()) throw new UsageError(`${what} '${file}' is not a regular file`);
}

/** The package (the demos run from a checkout: `require('..')`); a missing build is one line, exit 1. */
function h5mpi(name) {
  try {
    return require('..');
  } catch (e) {
    process.stderr.write(`${name}: cannot load h5mpi (${e.message.split('\n')[0]}); build it with npm run build\n`);
    process.exit(1);
  }
}

/**
 * Runs a demo's body. A UsageError exits 2 and a DemoError 1, reported once by rank 0; any other error is
 * reported by each rank it happened on (a peer's failure is named in rank 0's message), exit 1.
 */
function run(name, main) {
  try {
    main();
  } catch (e) {
    if (e instanceof UsageError) usageExit(name, e.message);
    const rank = launcherRank();
    const peer = e && e.name === 'PeerFailedError';
    const shared = e instanceof DemoError;
    if (rank === 0 || (!peer && !shared)) {
      const who = shared || LAUNCH.size === 1 ? '' : `rank ${rank}: `;
      const what = e instanceof Error ? (shared ? e.message : `${e.name}: ${e.message}`) : String(e);
      process.stderr.write(`${name}: ${who}${what.split('\n')[0]}\n`);
      process.exit(1);
    }
    // Rank 0 reports this one: give it time to, since mpiexec ends the job as soon as any rank fails.
    setTimeout(() => process.exit(1), 10_000);
  }
}

// ---- data ----

// splitmix32's finaliser: turns neighbouring seeds into unrelated generator states.
function mix(seed) {
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return z === 0 ? 1 : z;
}

let collectGarbage;
/**
 * Runs V8's garbage collector now, before a clock starts. Allocating a large typed array (a rank's block, a
 * read's destination) leaves a collection pending (external memory pressure) that V8 runs at the next
 * allocation: without this, a 2-4 ms mark-compact landed inside the first timed call, and whether it did
 * depended on the heap's layout. C and numpy have no deferred work of the kind.
 */
function settleHeap() {
  if (!collectGarbage) {
    require('node:v8').setFlagsFromString('--expose-gc');
    collectGarbage = require('node:vm').runInNewContext('gc');
  }
  collectGarbage();
}

/**
 * Fills a Float32Array with uniform values in [base, base + 1) from `seed`, each one exactly a float32 (so
 * storing it cannot round up to base + 1): base plus a random multiple of the float32 spacing at base.
 */
function fillRange32(out, seed, base) {
  if (!(base >= 0 && base + 1 < 2 ** 23)) throw new RangeError(`fillRange32: base ${base} is outside [0, 2^23 - 1)`);
  const bits = 23 - Math.floor(Math.log2(base + 1));
  const shift = 32 - bits, step = 2 ** -bits;
  // Marsaglia's xorshift128 (period 2^128 - 1), inlined: a call per value would double the time.
  let a = mix(seed), b = mix(a), c = mix(b), d = mix(c);
  for (let i = 0; i < out.length; i++) {
    const t = a ^ (a << 11);
    a = b;
    b = c;
    c = d;
    d = d ^ (d >>> 19) ^ (t ^ (t >>> 8));
    out[i] = base + (d >>> shift) * step;
  }
  return out;
}

/**
 * Fills a Float64Array with uniform values in [0, 1) from `seed`, with all 53 bits random as numpy's
 * (fewer would leave zero bits that gzip squeezes out, flattering compression).
 */
function fillUniform64(out, seed) {
  let a = mix(seed), b = mix(a), c = mix(b), d = mix(c);
  for (let i = 0; i < out.length; i++) {
    let t = a ^ (a << 11);
    a = b;
    b = c;
    c = d;
    d = d ^ (d >>> 19) ^ (t ^ (t >>> 8));
    const high = d >>> 5; // 27 bits
    t = a ^ (a << 11);
    a = b;
    b = c;
    c = d;
    d = d ^ (d >>> 19) ^ (t ^ (t >>> 8));
    out[i] = (high * 67108864 + (d >>> 6)) * 1.1102230246251565e-16; // (27 bits * 2^26 + 26 bits) / 2^53
  }
  return out;
}

/** Rows [lo, hi) of `n` that rank `r` of `p` owns: the course's block decomposition. */
function blockOf(n, r, p) {
  return [Math.floor((r * n) / p), Math.floor(((r + 1) * n) / p)];
}

// ---- timing and reporting ----

/**
 * The max over ranks of each named span, on every rank; as the peers report them (each span's slowest
 * rank), `spans` maps names to this rank's seconds.
 */
function maxOverRanks(comm, spans) {
  const names = Object.keys(spans);
  const mine = Float64Array.from(names.map((k) => spans[k]));
  const max = comm.size > 1 ? comm.allreduce(mine, 'max') : mine;
  return Object.fromEntries(names.map((k, i) => [k, max[i]]));
}

/** The file system type of the path (or of the directory it would be created in), as `df -PT` shows it. */
function fsType(target) {
  let p = path.resolve(target);
  while (!fs.existsSync(p) && path.dirname(p) !== p) p = path.dirname(p);
  try {
    const lines = execFileSync('df', ['-PT', p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    return lines[lines.length - 1].split(/\s+/)[1] || 'unknown';
  } catch {
    return 'unknown';
  }
}

const MB = 2 ** 20;

/** "1.234 s" with enough digits for short spans. */
function secs(s) {
  return `${s < 0.01 ? s.toFixed(4) : s.toFixed(3)} s`;
}

/** A number of megabytes with three significant digits or more: "4882.8", "45.8", "0.0458". */
function mbText(mb) {
  return mb >= 100 ? mb.toFixed(1) : mb.toPrecision(3);
}

/** "open 0.01 s, write 1.2 s, close 0.1 s: total 1.3 s, 420.3 MB/s" */
function spanLine(t, io, mb) {
  return `open ${secs(t.open_s)}, ${io} ${secs(t[`${io}_s`])}, close ${secs(t.close_s)}: total ${secs(t.total_s)}, ${mbText(mb / t.total_s)} MB/s`;
}

/** Prints the --json line: the peers' keys first, then the demo's own. */
function printJson(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

module.exports = {
  settleHeap,
  SEED,
  MB,
  UsageError,
  DemoError,
  launcherRank,
  fileOptions,
  parseArgs,
  checkWritablePath,
  checkReadablePath,
  h5mpi,
  run,
  fillRange32,
  fillUniform64,
  blockOf,
  maxOverRanks,
  fsType,
  secs,
  mbText,
  spanLine,
  printJson,
};
