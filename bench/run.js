#!/usr/bin/env node
// `npm run bench`: h5mpi against h5py (mpio driver, the same libhdf5) and C (the floor), on the same work, in
// alternating runs (each repetition runs every implementation once, the order rotating: A B C, B C A, ...),
// reported as medians with the spread (fastest and slowest run):
//   io        the write and read demos (demo/write.js, demo/read.js and their peers) at each rank count,
//             collective and independent; peak resident memory per rank of every write run (/usr/bin/time),
//             and each rank's share of the job's memory in one more write per mode (bench/share-sampler.js)
//   small     per-call cost of one-row hyperslab writes and reads (bench/small.js, peers/h5py_small.py, c_small)
//   chunking  the chunking demo's three layouts, serially (demo/chunking.js, peers/h5py_chunking.py, c_chunking)
//   check     collective-call checking on vs off: per metadata operation (bench/check-cost.js), and as a share
//             of the write demo's total time at the largest rank count
//   mpi       the OSU micro-benchmarks' measurements against mpi4py and C on the same Open MPI (bench/mpi.js,
//             peers/mpi4py_mpi.py, c_mpi): ping-pong latency of typed arrays and of a small object, osu_bw's
//             bandwidth, allreduce and alltoall at 2 and 4 ranks
//   large     (opt-in: --only large) one read of a whole 1, 2 and 4 GiB float64 dataset from the page cache,
//             serially: read(), read() on huge pages (as before 2026-11-30), readInto a plain Float64Array,
//             h5py's d[()] and C's H5Dread into malloc'd memory (bench/large.js, peers/h5py_large.py, c_large);
//             needs the largest size twice over in free memory, so run it alone
// Prints markdown tables, writes <out>/bench.json, <out>/throughput.svg and <out>/mpi-latency.svg (see --help).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { latencySvg, sizeText, throughputSvg } = require('./chart');
const { freePageReporting, holdFreedPages } = require('./freed-pages');
const { fsType } = require('../demo/common');
const { identifyMPI, launchEnv } = require('../dist/mpiimpl');

const ROOT = path.join(__dirname, '..');
const PEERS = path.join(__dirname, 'peers');
const PY = '/usr/bin/python3';
const PARTS = ['io', 'small', 'chunking', 'check', 'mpi', 'large'];
// What runs without --only: all but the large reads, which take minutes and GiB of memory.
const DEFAULT_PARTS = PARTS.filter((p) => p !== 'large');

const USAGE = `usage: npm run bench -- [--quick] [options]
  --quick          a fast smoke run: 1 and 2 ranks, one repetition, tiny sizes and iteration counts (results in
                   bench/results/tmp/)
  --only LIST      parts to run, of ${PARTS.join(',')} (default all but large)
  --reps N         repetitions of every measurement (default 3)
  --ranks LIST     rank counts of the io part (default 1,2,4,8)
  --rows R --cols C  the write/read demos' float32 dataset (default 256 x 262144, 256 MiB)
  --calls N        one-row writes, then reads, per small run (default 20000)
  --images N       the chunking demo's images of 768 x 1366 float64, tiles of 200 (default 20, 160 MiB a file)
  --check-ops N    metadata operations per timed block of the check part (default 100)
  --large-gib LIST  dataset sizes of the large part, GiB (default 1,2,4)
  --out DIR        where bench.json, bench.md and the charts go (default bench/results)
  --dir DIR        where the HDF5 files go (default a new directory under the system's temporary directory)
  --hold-freed-pages  on a virtual machine that reports free pages to its host (bench/freed-pages.js), keep
                   freed pages in the guest for 10 s during the run, and restore the setting after (root)
  --render FILE    measure nothing: print FILE's (a bench.json) tables again and rewrite bench.md and
                   the charts next to it
`;

function parseOptions(argv) {
  const quick = argv.includes('--quick');
  const o = quick
    ? { quick, only: DEFAULT_PARTS, reps: 1, ranks: [1, 2], rows: 16, cols: 16384, calls: 500, images: 3, image: [256, 256, 64], checkOps: 10, largeGiB: [1 / 64], out: path.join(__dirname, 'results', 'tmp'), dir: null, holdFreedPages: false }
    : { quick, only: DEFAULT_PARTS, reps: 3, ranks: [1, 2, 4, 8], rows: 256, cols: 262144, calls: 20000, images: 20, image: [768, 1366, 200], checkOps: 100, largeGiB: [1, 2, 4], out: path.join(__dirname, 'results'), dir: null, holdFreedPages: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') continue;
    if (a === '--hold-freed-pages') {
      o.holdFreedPages = true;
      continue;
    }
    if (a === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (i + 1 >= argv.length) usage(`${a} needs a value`);
    const v = argv[++i];
    const count = () => (/^[1-9][0-9]*$/.test(v) ? Number(v) : usage(`${a} takes a positive whole number, got '${v}'`));
    if (a === '--only') {
      o.only = v.split(',');
      for (const p of o.only) if (!PARTS.includes(p)) usage(`unknown part '${p}' (parts: ${PARTS.join(', ')})`);
    } else if (a === '--reps') o.reps = count();
    else if (a === '--ranks') o.ranks = v.split(',').map((x) => (/^[1-9][0-9]*$/.test(x) ? Number(x) : usage(`--ranks takes counts like 1,2,4,8`)));
    else if (a === '--rows') o.rows = count();
    else if (a === '--cols') o.cols = count();
    else if (a === '--calls') o.calls = count();
    else if (a === '--images') o.images = count();
    else if (a === '--check-ops') o.checkOps = count();
    else if (a === '--large-gib') o.largeGiB = v.split(',').map((x) => (/^[0-9]*\.?[0-9]+$/.test(x) && Number(x) > 0 ? Number(x) : usage(`--large-gib takes sizes like 1,2,4`)));
    else if (a === '--out') o.out = path.resolve(v);
    else if (a === '--dir') o.dir = path.resolve(v);
    else usage(`unknown option '${a}'`);
  }
  return o;
}

function usage(message) {
  process.stderr.write(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

// ---------------------------------------------------------------- running programs

// The MPI of the mpiexec on PATH, and what it needs here (lib/mpiimpl.ts, as scripts/mpienv.sh sets it):
// for Open MPI, more ranks than cores and root when we are root; nothing for MPICH.
const LAUNCHER = identifyMPI(spawnSync('mpiexec', ['--version'], { encoding: 'utf8' }).stdout ?? '');
function mpiEnv(extra = {}) {
  return { ...process.env, ...launchEnv(LAUNCHER, !!process.getuid && process.getuid() === 0), ...extra };
}

const RSS_MARK = 'h5mpi-bench-maxrss-kb=';
// The processes of a run that are not ranks: the launcher and the /usr/bin/time around each rank.
const NOT_RANKS = new Set(['mpiexec', 'mpirun', 'orterun', 'orted', 'prterun', 'prted', 'mpiexec.hydra', 'hydra_pmi_proxy', 'time']);

/**
 * Runs argv (under mpiexec on `ranks` ranks, unless ranks is 0) and returns its last JSON output line; with
 * `rss`, each rank runs under /usr/bin/time and its peak resident memory (MiB) comes back too (peakMiB);
 * with `share`, also the peak of its share of memory (peakShareMiB: private pages plus shared ones divided
 * among the job's ranks, sampled by bench/share-sampler.js, which takes CPU from the run: not for timed runs).
 */
function runJson(label, argv, { ranks = 1, cwd, env, rss = false, share = false, timeoutS = 900 } = {}) {
  // Start every run with no dirty pages waiting (ours or other jobs'), so that no run pays for another's
  // writeback: the largest source of spread in the write figures.
  spawnSync('sync');
  rss ||= share;
  // Each rank's /usr/bin/time appends its line to one file (one short O_APPEND write each): on stderr, the
  // ranks' lines could interleave.
  const rssFile = rss ? path.join(os.tmpdir(), `h5mpi-bench-rss-${process.pid}.txt`) : null;
  if (rss) fs.rmSync(rssFile, { force: true });
  const wrapped = rss ? ['/usr/bin/time', '-a', '-o', rssFile, '-f', `${RSS_MARK}%M`, ...argv] : argv;
  const [cmd, ...rest] = ranks > 0 ? ['mpiexec', '-n', String(ranks), ...wrapped] : wrapped;
  const shareFile = share ? path.join(os.tmpdir(), `h5mpi-bench-share-${process.pid}.json`) : null;
  const sampler = share ? spawn(process.execPath, [path.join(__dirname, 'share-sampler.js'), String(process.pid), String(Math.max(ranks, 1)), shareFile], { stdio: 'ignore' }) : null;
  const r = spawnSync(cmd, rest, { cwd, env: mpiEnv(env), encoding: 'utf8', timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
  if (sampler) sampler.kill('SIGKILL');
  if (r.status !== 0) {
    throw new Error(`bench: ${label} failed (${r.status ?? r.signal}): ${[cmd, ...rest].join(' ')}\n${r.stdout}\n${r.stderr}`);
  }
  const line = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`bench: ${label} printed no JSON line:\n${r.stdout}\n${r.stderr}`);
  const json = JSON.parse(line);
  if (rss) {
    const lines = fs.existsSync(rssFile) ? fs.readFileSync(rssFile, 'utf8').split('\n') : [];
    json.peakMiB = lines.filter((l) => l.startsWith(RSS_MARK)).map((l) => Number(l.slice(RSS_MARK.length)) / 1024);
    fs.rmSync(rssFile, { force: true });
  }
  if (share) {
    const peaks = fs.existsSync(shareFile) ? Object.values(JSON.parse(fs.readFileSync(shareFile, 'utf8'))) : [];
    json.peakShareMiB = peaks.filter((p) => !NOT_RANKS.has(p.comm)).map((p) => p.shareKiB / 1024);
    fs.rmSync(shareFile, { force: true });
  }
  return json;
}

/** Alternating runs: repetition k runs the programs starting from the k-th, so none is always first. */
function rotated(list, rep) {
  return list.map((_, i) => list[(i + rep) % list.length]);
}

function stats(values) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const m = s.length >> 1;
  return { median: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2, min: s[0], max: s[s.length - 1], n: s.length };
}

function progress(text) {
  process.stderr.write(`bench: ${text}\n`);
}

// ---------------------------------------------------------------- the implementations

// The parts that run the HDF5 peers (h5py and the C programs built with h5pcc).
const HDF5_PARTS = ['io', 'small', 'chunking', 'large'];

/**
 * The implementations each selected part can run: h5mpi always; for the HDF5 parts h5py and C (h5pcc), for
 * the mpi part mpi4py and C (mpicc). A peer that is missing is skipped, and the report says why.
 */
function findPeers(dir, parts = PARTS) {
  const available = { h5mpi: true, h5py: false, c: false };
  const why = {};
  const build = path.join(dir, 'c-peers');
  fs.mkdirSync(build, { recursive: true });
  if (parts.some((p) => HDF5_PARTS.includes(p))) {
    // Debian's h5py picks its MPI build only when started by mpiexec.
    const py = spawnSync('mpiexec', ['-n', '1', PY, '-c', 'import h5py, mpi4py, sys; sys.exit(0 if h5py.get_config().mpi else 3)'], { encoding: 'utf8', env: mpiEnv() });
    if (py.status === 0) available.h5py = true;
    else why.h5py = 'h5py with MPI is not installed for /usr/bin/python3 (bash scripts/install-deps.sh --with-peers)';
    const failures = [];
    for (const name of ['c_write', 'c_read', 'c_small', 'c_chunking', 'c_large']) {
      // -shlib: the same libhdf5 shared library h5mpi and h5py load, not the static archive h5pcc defaults to.
      const r = spawnSync('h5pcc', ['-shlib', '-O2', '-o', path.join(build, name), path.join(PEERS, `${name}.c`), '-lm'], { cwd: build, encoding: 'utf8' });
      if (r.error || r.status !== 0) failures.push(`${name}: ${r.error ? r.error.message : r.stderr.trim().split('\n')[0]}`);
    }
    if (failures.length === 0) available.c = true;
    else why.c = `the C peers did not compile with h5pcc (${failures.join('; ')})`;
  }
  // The mpi part's peers: mpi4py (with numpy) and c_mpi, built with mpicc against the Open MPI h5mpi loads.
  const mpi = { mpi4py: false, c: false };
  if (parts.includes('mpi')) {
    const py = spawnSync('mpiexec', ['-n', '1', PY, '-c', 'import mpi4py.MPI, numpy'], { encoding: 'utf8', env: mpiEnv() });
    if (py.status === 0) mpi.mpi4py = true;
    else why.mpi4py = 'mpi4py with numpy is not installed for /usr/bin/python3 (apt-get install python3-mpi4py)';
    const r = spawnSync('mpicc', ['-O2', '-o', path.join(build, 'c_mpi'), path.join(PEERS, 'c_mpi.c')], { cwd: build, encoding: 'utf8' });
    if (!r.error && r.status === 0) mpi.c = true;
    else why.c_mpi = `bench/peers/c_mpi.c did not compile with mpicc (${r.error ? r.error.message : r.stderr.trim().split('\n')[0]})`;
  }
  return {
    available,
    // impls: the available implementations, h5mpi first, in the order every part runs them (rotated per repetition).
    impls: Object.keys(available).filter((i) => available[i]),
    // The mpi part's, likewise.
    mpiImpls: ['h5mpi', ...Object.keys(mpi).filter((i) => mpi[i])],
    why,
    cBin: (name) => path.join(build, name),
  };
}

function versions(peers) {
  const h5mpi = require(ROOT);
  const v = { node: process.version, hdf5: h5mpi.versions.hdf5, mpi: h5mpi.versions.mpi.split(',')[0] };
  if (peers.available.h5py) {
    const r = spawnSync('mpiexec', ['-n', '1', PY, '-c', 'import h5py, numpy, mpi4py; print(h5py.__version__, numpy.__version__, mpi4py.__version__)'], { encoding: 'utf8', env: mpiEnv() });
    const [h5py, numpy, mpi4py] = r.stdout.trim().split(' ');
    Object.assign(v, { h5py, numpy, mpi4py });
  } else if (peers.mpiImpls.includes('mpi4py')) {
    const r = spawnSync('mpiexec', ['-n', '1', PY, '-c', 'import numpy, mpi4py; print(numpy.__version__, mpi4py.__version__)'], { encoding: 'utf8', env: mpiEnv() });
    const [numpy, mpi4py] = r.stdout.trim().split(' ');
    Object.assign(v, { numpy, mpi4py });
  }
  return v;
}

// ---------------------------------------------------------------- the parts

// Where the writes go. This VM returns free memory to its host (virtio-balloon free page reporting,
// bench/freed-pages.js), and the host then supplies those pages again on first touch: a 256 MiB write into
// new page-cache pages took 0.06-0.07 s when it started right after the previous file was deleted (2 of 4)
// and 0.8 s when it started 3 s later (4 of 4; C peer, by hand). So by default every write overwrites the
// file the previous run left (each part has one path that every implementation writes): the truncation
// frees its cached pages inside the writer's own open and its write takes them back at once, however long
// the writer took to start. The truncation costs the open time, though, and on ext4 the close then starts
// writing the file to disk (auto_da_alloc, for files rewritten through truncation), which takes 12-60 ms of
// the close depending on the disk (C peer, 256 MiB, 6 runs; a new file: 0.5 ms). With freed pages held
// (--hold-freed-pages) neither is needed: the file is deleted before the run, off the clock, and every
// write makes a new file, as the demos do. Either way the first write of a part is an untimed warm-up.
function writeDemoPath(dir) {
  return path.join(dir, 'write-demo.h5');
}

/** Before a timed write: with freed pages held, the files it will write are deleted (see writeDemoPath). */
function clearForWrite(o, files) {
  if (o.holdFreedPages) for (const f of files) fs.rmSync(f, { force: true });
}

function ioPart(o, peers, dir, results) {
  const node = process.execPath;
  const file = writeDemoPath(dir);
  const size = [String(o.rows), String(o.cols)];
  const { impls } = peers;
  const write = (impl, mode) =>
    impl === 'h5mpi'
      ? [node, path.join(ROOT, 'demo', 'write.js'), ...size, file, '--json', ...(mode === 'independent' ? ['--independent'] : [])]
      : impl === 'h5py'
        ? [PY, path.join(PEERS, 'h5py_write.py'), ...size, file, mode]
        : [peers.cBin('c_write'), ...size, file, mode];
  const read = (impl, mode) =>
    impl === 'h5mpi'
      ? [node, path.join(ROOT, 'demo', 'read.js'), file, '--json', ...(mode === 'independent' ? ['--independent'] : [])]
      : impl === 'h5py'
        ? [PY, path.join(PEERS, 'h5py_read.py'), file, mode]
        : [peers.cBin('c_read'), file, mode];
  runJson('warm-up write', write(impls[impls.length - 1], 'collective'), { ranks: 1, cwd: dir });
  const runs = [];
  for (let rep = 0; rep < o.reps; rep++) {
    for (const ranks of o.ranks) {
      for (const mode of ['collective', 'independent']) {
        // Each implementation writes the file and reads it back (from the page cache, as every one does).
        for (const impl of rotated(impls, rep)) {
          clearForWrite(o, [file]);
          const w = runJson(`${impl} write`, write(impl, mode), { ranks, rss: true, cwd: dir });
          runs.push({ op: 'write', mode, ranks, impl, rep, total_s: w.total_s, MBps: w.MBps, MB: w.MB, open_s: w.open_s, write_s: w.write_s, close_s: w.close_s, peakMiB: w.peakMiB, io: w.io });
          const r = runJson(`${impl} read`, read(impl, mode), { ranks, cwd: dir });
          if (r.out_of_range) throw new Error(`bench: ${impl} read found ${r.out_of_range} values out of range`);
          runs.push({ op: 'read', mode, ranks, impl, rep, total_s: r.total_s, MBps: r.MBps, MB: r.MB, io: r.io });
        }
      }
    }
    progress(`io: repetition ${rep + 1} of ${o.reps} done`);
  }
  // One more write per implementation, rank count and mode, untimed, with each rank's share of memory sampled.
  const shareRuns = [];
  for (const ranks of o.ranks) {
    for (const mode of ['collective', 'independent']) {
      for (const impl of impls) {
        clearForWrite(o, [file]);
        const w = runJson(`${impl} write (memory)`, write(impl, mode), { ranks, share: true, cwd: dir });
        shareRuns.push({ ranks, mode, impl, peakMiB: w.peakMiB, peakShareMiB: w.peakShareMiB });
      }
    }
  }
  fs.rmSync(file, { force: true });
  progress('io: memory done');
  const rows = [];
  for (const op of ['write', 'read']) {
    for (const mode of ['collective', 'independent']) {
      for (const ranks of o.ranks) {
        for (const impl of impls) {
          const mine = runs.filter((r) => r.op === op && r.mode === mode && r.ranks === ranks && r.impl === impl);
          const t = stats(mine.map((r) => r.MBps));
          rows.push({ op, mode, ranks, impl, ...t, total_s: stats(mine.map((r) => r.total_s)).median });
        }
      }
    }
  }
  // Peak memory: the largest rank of each write run (both modes), and the rank's block for comparison;
  // shareMiB is the largest rank's peak share of memory in the memory runs.
  const blockMiB = (ranks) => (Math.ceil(o.rows / ranks) * o.cols * 4) / 2 ** 20;
  const memory = [];
  for (const ranks of o.ranks) {
    for (const impl of impls) {
      const mine = runs.filter((r) => r.op === 'write' && r.ranks === ranks && r.impl === impl && r.peakMiB && r.peakMiB.length);
      const shares = shareRuns.filter((r) => r.ranks === ranks && r.impl === impl && r.peakShareMiB.length).map((r) => Math.max(...r.peakShareMiB));
      memory.push({ ranks, impl, blockMiB: blockMiB(ranks), ...stats(mine.map((r) => Math.max(...r.peakMiB))), shareMiB: shares.length ? Math.max(...shares) : NaN });
    }
  }
  results.io = { rows: o.rows, cols: o.cols, MB: (o.rows * o.cols * 4) / 2 ** 20, table: rows, runs, shareRuns };
  results.memory = memory;
}

function smallPart(o, peers, dir, results) {
  const { impls } = peers;
  const file = (impl) => path.join(dir, `small-${impl}.h5`);
  const argv = (impl) =>
    impl === 'h5mpi'
      ? [process.execPath, path.join(__dirname, 'small.js'), String(o.calls), '100', file(impl)]
      : impl === 'h5py'
        ? [PY, path.join(PEERS, 'h5py_small.py'), String(o.calls), '100', file(impl)]
        : [peers.cBin('c_small'), String(o.calls), '100', file(impl)];
  const runs = [];
  for (let rep = 0; rep < Math.max(o.reps, 3); rep++) {
    for (const impl of rotated(impls, rep)) {
      const j = runJson(`${impl} small`, argv(impl), { ranks: 1 });
      runs.push({ impl, rep, write_us: j.write_us_per_call, read_us: j.read_us_per_call });
      fs.rmSync(file(impl), { force: true });
    }
  }
  results.small = {
    calls: o.calls,
    cols: 100,
    table: impls.map((impl) => {
      const mine = runs.filter((r) => r.impl === impl);
      return { impl, write_us: stats(mine.map((r) => r.write_us)), read_us: stats(mine.map((r) => r.read_us)) };
    }),
    runs,
  };
  progress('small: done');
}

function chunkingPart(o, peers, dir, results) {
  const { impls } = peers;
  const [nrows, ncols, ksize] = o.image;
  const shape = [String(o.images), String(nrows), String(ncols), String(ksize)];
  const work = path.join(dir, 'chunking');
  fs.mkdirSync(work, { recursive: true });
  // The three implementations write the same three file names, kept until the end or, with freed pages
  // held, until the next run (see writeDemoPath).
  const argv = (impl) =>
    impl === 'h5mpi'
      ? [process.execPath, path.join(ROOT, 'demo', 'chunking.js'), ...shape, '--keep', '--json']
      : impl === 'h5py'
        ? [PY, path.join(PEERS, 'h5py_chunking.py'), ...shape, work]
        : [peers.cBin('c_chunking'), ...shape, work];
  const runs = [];
  const last = impls[impls.length - 1];
  runJson('chunking warm-up', argv(last), { ranks: last === 'h5py' ? 1 : 0, cwd: work });
  for (let rep = 0; rep < o.reps; rep++) {
    for (const impl of rotated(impls, rep)) {
      // Serial, as the course's chunking demo, with HDF5's default (sec2) driver. h5py starts under mpiexec -n 1
      // only so that Debian's h5py loads the same (MPI) build of libhdf5 as h5mpi and C, not the serial one.
      clearForWrite(o, fs.readdirSync(work).filter((n) => n.endsWith('.h5')).map((n) => path.join(work, n)));
      const j = runJson(`${impl} chunking`, argv(impl), { ranks: impl === 'h5py' ? 1 : 0, cwd: work });
      if (j.bad_tiles) throw new Error(`bench: the chunking demo read ${j.bad_tiles} wrong tiles`);
      for (const l of j.layouts) runs.push({ impl, rep, layout: l.layout, write_s: l.total_s, read_s: l.read_s, file_MB: l.file_MB });
    }
    progress(`chunking: repetition ${rep + 1} of ${o.reps} done`);
  }
  fs.rmSync(work, { recursive: true, force: true });
  const layouts = ['contiguous', 'chunked', 'chunked+gzip'];
  results.chunking = {
    images: o.images,
    image: o.image,
    MB: (o.images * nrows * ncols * 8) / 2 ** 20,
    table: layouts.flatMap((layout) =>
      impls.map((impl) => {
        const mine = runs.filter((r) => r.impl === impl && r.layout === layout);
        return { layout, impl, write_s: stats(mine.map((r) => r.write_s)), read_s: stats(mine.map((r) => r.read_s)), file_MB: stats(mine.map((r) => r.file_MB)).median };
      }),
    ),
    runs,
  };
}

// The large part's implementations: h5mpi's read() as it is, as it was (huge pages, forced with
// H5MPI_HUGE_PAGES=1), and readInto a plain Float64Array; the peers' whole-dataset reads.
const LARGE_IMPLS = ['h5mpi', 'h5mpi-huge', 'h5mpi-readInto', 'h5py', 'c'];

function largePart(o, peers, dir, results) {
  const impls = LARGE_IMPLS.filter((i) => !i.startsWith('h5mpi') ? peers.available[i] : true);
  const file = path.join(dir, 'large.h5');
  const script = path.join(__dirname, 'large.js');
  const argv = (impl) =>
    impl === 'h5py'
      ? [PY, path.join(PEERS, 'h5py_large.py'), file]
      : impl === 'c'
        ? [peers.cBin('c_large'), file]
        : [process.execPath, script, impl === 'h5mpi-readInto' ? 'readInto' : 'read', file];
  const runs = [];
  // One size at a time, its file made once (untimed) and read by every implementation in turn: the page
  // cache holds the file, and each reader's result is as large again.
  for (const gib of o.largeGiB) {
    runJson(`large: write ${gib} GiB`, [process.execPath, script, 'write', file, String(gib)], { ranks: 0 });
    runJson('large: warm-up read', argv('c'), { ranks: 1 });
    for (let rep = 0; rep < o.reps; rep++) {
      for (const impl of rotated(impls, rep)) {
        // Serially, every one under mpiexec -n 1: Debian's h5py loads the MPI build of libhdf5 only there.
        const j = runJson(`large: ${impl} read of ${gib} GiB`, argv(impl), { ranks: 1, env: { H5MPI_HUGE_PAGES: impl === 'h5mpi-huge' ? '1' : undefined } });
        if (j.bad) throw new Error(`bench: ${impl} read ${j.bad} wrong values of ${gib} GiB`);
        runs.push({ impl, rep, GiB: gib, read_s: j.read_s, cpu_s: j.cpu_s, minflt: j.minflt });
      }
    }
    fs.rmSync(file, { force: true });
    progress(`large: ${gib} GiB done`);
  }
  results.large = {
    GiB: o.largeGiB,
    impls,
    table: o.largeGiB.flatMap((gib) =>
      impls.map((impl) => {
        const mine = runs.filter((r) => r.impl === impl && r.GiB === gib);
        return { impl, GiB: gib, read_s: stats(mine.map((r) => r.read_s)), cpu_s: stats(mine.map((r) => r.cpu_s)), minflt: stats(mine.map((r) => r.minflt)).median };
      }),
    ),
    runs,
  };
}

function checkPart(o, dir, results) {
  const ranks = Math.max(...o.ranks);
  const rounds = o.quick ? 2 : 2 * Math.max(o.reps, 3);
  const micro = runJson('check-cost', [process.execPath, path.join(__dirname, 'check-cost.js'), dir, String(o.checkOps), String(rounds)], { ranks });
  // The write demo with checking on (the default) and off (H5MPI_CHECK_COLLECTIVE=0), alternating.
  const file = writeDemoPath(dir);
  const argv = [process.execPath, path.join(ROOT, 'demo', 'write.js'), String(o.rows), String(o.cols), file, '--json'];
  runJson('write demo, warm-up', argv, { ranks });
  const on = [], off = [];
  for (let rep = 0; rep < Math.max(o.reps, 3); rep++) {
    for (const which of rep % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
      clearForWrite(o, [file]);
      const j = runJson(`write demo, checking ${which}`, argv, { ranks, env: which === 'off' ? { H5MPI_CHECK_COLLECTIVE: '0' } : {} });
      (which === 'on' ? on : off).push(j.total_s);
    }
  }
  fs.rmSync(file, { force: true });
  // The write demo makes 4 checked collective calls: File.open, createDataset, write, close.
  const checkedCalls = 4;
  const perCheck = stats(micro.perOp.map((p) => p.on_us - p.off_us)).median;
  const onS = stats(on), offS = stats(off);
  results.check = {
    ranks,
    opsPerBlock: o.checkOps,
    perOp: micro.perOp.map((p) => ({ op: p.op, on_us: p.on_us, off_us: p.off_us, cost_us: p.on_us - p.off_us })),
    writeDemo: {
      checkedCalls,
      on_s: onS,
      off_s: offS,
      measuredShare: (onS.median - offS.median) / onS.median,
      estimatedShare: (checkedCalls * perCheck * 1e-6) / onS.median,
    },
  };
  progress('check: done');
}

// The mpi part's measurements, as the arguments every implementation takes (bench/mpi.js's usage): sizes in
// bytes, then timed iterations and untimed ones before them (as the OSU benchmarks' skip), and for the
// bandwidth the window, the messages in flight (64, as osu_bw). The quick run keeps every size and cuts the
// iterations.
const MPI_RANKS = [2, 4];
const KiB = 1024, MiB = 1024 * KiB;
const LATENCY_BYTES = [8, 16, 64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB];
const BANDWIDTH_BYTES = [64 * KiB, 256 * KiB, MiB, 4 * MiB, 16 * MiB];
const ALLREDUCE_BYTES = [8, MiB];
const ALLTOALL_BYTES = [8, KiB];

function mpiPlan(quick) {
  const spec = (...numbers) => numbers.join(':');
  if (quick) {
    return {
      latency: LATENCY_BYTES.map((b) => spec(b, 20, 2)),
      object: [spec(20, 2)],
      bandwidth: BANDWIDTH_BYTES.map((b) => spec(b, 2, 1, 4)),
      allreduce: ALLREDUCE_BYTES.map((b) => spec(b, 20, 2)),
      alltoall: ALLTOALL_BYTES.map((b) => spec(b, 20, 2)),
    };
  }
  // As the OSU benchmarks: more iterations up to 8 KiB than above, and a warm-up (skip) of a tenth, which
  // must outlast V8's tiering: with 2,000 calls h5mpi's 8-byte allreduce measured 3.5-4.4 µs, with 20,000
  // 1.8 (bench/NOTES.md). The same counts for every peer. Bandwidth: up to 100 windows (OSU's count), at most
  // 512 MiB a cell (2 windows of 16 MiB).
  const window = 64;
  const windows = (b) => Math.min(100, Math.max(2, Math.floor((512 * MiB) / (window * b))));
  return {
    latency: LATENCY_BYTES.map((b) => (b <= 8 * KiB ? spec(b, 20000, 2000) : spec(b, 1000, 100))),
    object: [spec(20000, 2000)],
    bandwidth: BANDWIDTH_BYTES.map((b) => spec(b, windows(b), Math.max(1, Math.floor(windows(b) / 10)), window)),
    allreduce: ALLREDUCE_BYTES.map((b) => (b <= 8 * KiB ? spec(b, 20000, 2000) : spec(b, 200, 20))),
    alltoall: ALLTOALL_BYTES.map((b) => spec(b, 20000, 2000)),
  };
}

function mpiPart(o, peers, results) {
  const impls = peers.mpiImpls;
  const plan = mpiPlan(o.quick);
  const args = (tests) => tests.flatMap((t) => [t, ...plan[t]]);
  // Three runs per implementation and repetition: the point-to-point tests at 2 ranks, the collectives at 2
  // and at 4.
  const jobs = [
    { ranks: 2, tests: ['latency', 'object', 'bandwidth'] },
    ...MPI_RANKS.map((ranks) => ({ ranks, tests: ['allreduce', 'alltoall'] })),
  ];
  const argv = (impl, tests) =>
    impl === 'h5mpi'
      ? [process.execPath, path.join(__dirname, 'mpi.js'), ...args(tests)]
      : impl === 'mpi4py'
        ? [PY, path.join(PEERS, 'mpi4py_mpi.py'), ...args(tests)]
        : [peers.cBin('c_mpi'), ...args(tests)];
  const runs = [];
  for (let rep = 0; rep < o.reps; rep++) {
    for (const job of jobs) {
      for (const impl of rotated(impls, rep)) {
        const j = runJson(`${impl} mpi (${job.tests.join(', ')}, ${job.ranks} ranks)`, argv(impl, job.tests), { ranks: job.ranks });
        // How the implementation did a test when it says (bandwidth_mode, alltoall_mode), and why a cell has no
        // figure when it could not measure it (h5mpi, before comm.alltoall).
        const cell = (test, c, value) =>
          runs.push({ impl, rep, test, ranks: job.ranks, bytes: c.bytes, value: value ?? NaN, ...(j[`${test}_mode`] ? { mode: j[`${test}_mode`] } : {}), ...(c.unavailable ? { unavailable: c.unavailable } : {}) });
        for (const test of job.tests) {
          if (test === 'object') cell(test, j.object, j.object.us);
          else for (const c of j[test]) cell(test, c, test === 'bandwidth' ? c.MBps : c.us);
          // h5mpi's allocating forms, beside the Into forms that match mpi4py's buffer methods.
          for (const c of j[`${test}_alloc`] ?? []) cell(`${test}_alloc`, c, c.us);
        }
      }
    }
    progress(`mpi: repetition ${rep + 1} of ${o.reps} done`);
  }
  // A row per test, rank count, size and implementation. The object's bytes are each implementation's own
  // (its serialisation of the same record), so its rows are matched by test alone.
  const table = [];
  const keys = new Set(runs.map((r) => `${r.test}/${r.ranks}/${r.test === 'object' ? 0 : r.bytes}`));
  for (const key of keys) {
    const [test, ranks, bytes] = key.split('/').map((x, i) => (i === 0 ? x : Number(x)));
    for (const impl of impls) {
      const mine = runs.filter((r) => r.impl === impl && r.test === test && r.ranks === ranks && (test === 'object' || r.bytes === bytes));
      if (mine.length === 0) continue;
      const row = { test, ranks, bytes: test === 'object' ? mine[0].bytes : bytes, impl, unit: test === 'bandwidth' ? 'MB/s' : 'us', ...stats(mine.map((r) => r.value)) };
      const missing = mine.find((r) => r.unavailable);
      if (row.n === 0 && missing) row.unavailable = missing.unavailable;
      table.push(row);
    }
  }
  const modeOf = (impl, test) => runs.find((r) => r.impl === impl && r.test === test && r.mode)?.mode;
  results.mpi = {
    ranks: MPI_RANKS,
    plan,
    modes: Object.fromEntries(impls.map((impl) => [impl, { bandwidth: modeOf(impl, 'bandwidth'), alltoall: modeOf(impl, 'alltoall') }])),
    table,
    runs,
  };
  progress('mpi: done');
}

// ---------------------------------------------------------------- reporting

const f2 = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)) : '—');
const spread = (s) => `${f2(s.median)} (${f2(s.min)}–${f2(s.max)})`;
const pct = (v) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '—');

function targets(results) {
  const t = [];
  if (results.io) {
    for (const row of results.io.table.filter((r) => r.impl === 'h5mpi')) {
      const peer = (impl) => results.io.table.find((r) => r.op === row.op && r.mode === row.mode && r.ranks === row.ranks && r.impl === impl);
      const h5py = peer('h5py'), c = peer('c');
      if (h5py) t.push({ target: `${row.op} ${row.mode} ${row.ranks} ranks: h5mpi >= h5py`, value: row.median / h5py.median, need: 1, met: row.median >= h5py.median });
      if (c) t.push({ target: `${row.op} ${row.mode} ${row.ranks} ranks: h5mpi >= 0.95 x C`, value: row.median / c.median, need: 0.95, met: row.median >= 0.95 * c.median });
    }
  }
  if (results.small) {
    const get = (impl) => results.small.table.find((r) => r.impl === impl);
    const a = get('h5mpi'), b = get('h5py');
    if (a && b) {
      t.push({ target: 'small write: h5mpi <= h5py / 3', value: a.write_us.median / b.write_us.median, need: 1 / 3, met: a.write_us.median <= b.write_us.median / 3, lowerIsBetter: true });
      t.push({ target: 'small read: h5mpi <= h5py / 3', value: a.read_us.median / b.read_us.median, need: 1 / 3, met: a.read_us.median <= b.read_us.median / 3, lowerIsBetter: true });
    }
  }
  if (results.memory) {
    for (const m of results.memory.filter((r) => r.impl === 'h5mpi')) {
      const limit = (80 * 1e6) / 2 ** 20;
      t.push({ target: `peak memory per rank (RSS), ${m.ranks} ranks: <= block + 80 MB`, value: m.max - m.blockMiB, need: limit, met: m.max <= m.blockMiB + limit, unit: 'MiB over the block', lowerIsBetter: true });
      if (Number.isFinite(m.shareMiB)) {
        t.push({ target: `peak memory per rank (share), ${m.ranks} ranks: <= block + 80 MB`, value: m.shareMiB - m.blockMiB, need: limit, met: m.shareMiB <= m.blockMiB + limit, unit: 'MiB over the block', lowerIsBetter: true });
      }
    }
  }
  if (results.mpi) {
    const { table } = results.mpi;
    const peer = (row, impl) => table.find((r) => r.test === row.test && r.ranks === row.ranks && (r.test === 'object' || r.bytes === row.bytes) && r.impl === impl);
    for (const row of table.filter((r) => r.impl === 'h5mpi')) {
      const what = row.test === 'object' ? 'a small object' : sizeText(row.bytes);
      const mpi4py = peer(row, 'mpi4py'), c = peer(row, 'c');
      if ((row.test === 'latency' || row.test === 'object') && mpi4py) {
        t.push({ target: `MPI latency, ${what}: h5mpi <= mpi4py`, value: row.median / mpi4py.median, need: 1, met: row.median <= mpi4py.median, lowerIsBetter: true });
      }
      if (row.test === 'bandwidth' && row.bytes >= 2 ** 20 && c) {
        const blocking = /blocking/.test(results.mpi.modes.h5mpi?.bandwidth ?? '') ? ' (h5mpi: blocking sends)' : '';
        t.push({ target: `MPI bandwidth, ${what}: h5mpi >= 0.95 x C${blocking}`, value: row.median / c.median, need: 0.95, met: row.median >= 0.95 * c.median });
      }
      // The Into forms against mpi4py's buffer methods (Allreduce, Alltoall), as the mission asks.
      if ((row.test === 'allreduce' || row.test === 'alltoall') && mpi4py) {
        t.push({ target: `MPI ${row.test}, ${what}, ${row.ranks} ranks: h5mpi ${row.test}Into <= mpi4py`, value: row.median / mpi4py.median, need: 1, met: row.median <= mpi4py.median, lowerIsBetter: true });
      }
    }
  }
  if (results.large) {
    for (const gib of results.large.GiB) {
      const get = (impl) => results.large.table.find((r) => r.GiB === gib && r.impl === impl);
      const a = get('h5mpi'), b = get('h5py');
      if (a && b) t.push({ target: `large read, ${f2(gib)} GiB: h5mpi read() <= h5py d[()] in time`, value: a.read_s.median / b.read_s.median, need: 1, met: a.read_s.median <= b.read_s.median, lowerIsBetter: true });
    }
  }
  if (results.check) {
    const s = results.check.writeDemo;
    t.push({ target: `collective checking <= 5% of the write demo at ${results.check.ranks} ranks (estimated from the per-call cost)`, value: s.estimatedShare, need: 0.05, met: s.estimatedShare <= 0.05, lowerIsBetter: true });
  }
  return t;
}

/** The mpi part's tables: point-to-point latency, bandwidth, collectives (cells without a figure say n/a, and why). */
function mpiMarkdown(mpi) {
  const out = [];
  const impls = ['h5mpi', 'mpi4py', 'c'];
  const missing = new Map();
  const cell = (row) => {
    if (!row) return '—';
    if (row.unavailable) {
      missing.set(`${row.impl} ${row.test}: ${row.unavailable}`, true);
      return 'n/a';
    }
    return spread(row);
  };
  const ratio = (a, b, k = 'median') => (a && b && !a.unavailable && !b.unavailable ? f2(a[k] / b[k]) : '—');
  const rowsOf = (test, ranks, bytes) => Object.fromEntries(impls.map((i) => [i, mpi.table.find((r) => r.test === test && r.ranks === ranks && (test === 'object' || r.bytes === bytes) && r.impl === i)]));
  const sizes = (test) => [...new Set(mpi.table.filter((r) => r.test === test).map((r) => r.bytes))].sort((a, b) => a - b);
  // The fastest runs (the least disturbed): the smallest times, the largest bandwidths.
  const line = (label, r, fastest, peer) => `| ${label} | ${cell(r.h5mpi)} | ${cell(r.mpi4py)} | ${cell(r.c)} | ${ratio(r.h5mpi, r.mpi4py)} | ${ratio(r.h5mpi, r.c)} | ${ratio(r.h5mpi, r[peer], fastest)} |`;
  const obj = rowsOf('object', 2, 0);
  const objBytes = impls.filter((i) => obj[i]).map((i) => `${i === 'c' ? 'C' : i} ${obj[i].bytes} B`).join(', ');
  out.push(`\n**MPI latency**, 2 ranks, µs one way (half a ping-pong's round trip, as osu_latency). Typed arrays (float64): h5mpi \`comm.send\` + \`comm.recvInto\`, mpi4py \`Send\`/\`Recv\` on numpy arrays, C \`MPI_Send\`/\`MPI_Recv\`. The object \`{ step: 1, name: 'x', values: [1, 2, 3] }\`: h5mpi \`comm.send\`/\`comm.recv\`, mpi4py \`send\`/\`recv\` (pickle), C packed and unpacked by hand (as sent: ${objBytes}):\n`);
  out.push('| message | h5mpi | mpi4py | C | h5mpi / mpi4py | h5mpi / C | fastest: h5mpi / mpi4py |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const b of sizes('latency')) out.push(line(sizeText(b), rowsOf('latency', 2, b), 'min', 'mpi4py'));
  if (obj.h5mpi) out.push(line('object', obj, 'min', 'mpi4py'));
  const modes = Object.entries(mpi.modes).filter(([, m]) => m.bandwidth).map(([i, m]) => `${i === 'c' ? 'C' : i}: ${m.bandwidth}`);
  const window = mpi.plan.bandwidth[0]?.split(':')[3];
  out.push(`\n**MPI bandwidth**, 2 ranks, MB/s (10^6 bytes/s), as osu_bw: windows of ${window} messages in flight from one buffer, then an ack (${modes.join('; ')}):\n`);
  out.push('| message | h5mpi | mpi4py | C | h5mpi / mpi4py | h5mpi / C | fastest: h5mpi / C |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const b of sizes('bandwidth')) out.push(line(sizeText(b), rowsOf('bandwidth', 2, b), 'max', 'c'));
  out.push(`\n**MPI collectives**, µs per call, each call timed alone with a barrier between calls and averaged over the ranks (as the OSU benchmarks). allreduce: a float64 sum of the size shown (h5mpi \`comm.allreduceInto(send, recv, 'sum')\` into an array made once, mpi4py \`Allreduce\`; the allocating row: \`comm.allreduce(array, 'sum')\`, a new array per call); alltoall: blocks of the size shown to and from every rank (h5mpi ${mpi.modes.h5mpi?.alltoall?.startsWith('comm.') ? `\`${mpi.modes.h5mpi.alltoall}\`` : 'n/a'}, mpi4py \`Alltoall\`; the allocating row: \`comm.alltoall(array)\`); C \`MPI_Allreduce\`, \`MPI_Alltoall\`. ${Math.max(...mpi.ranks)} ranks oversubscribe 2 cores:\n`);
  out.push('| operation | ranks | size | h5mpi | mpi4py | C | h5mpi / mpi4py | h5mpi / C | fastest: h5mpi / mpi4py |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const test of ['allreduce', 'alltoall']) {
    for (const ranks of mpi.ranks) {
      for (const b of sizes(test)) {
        const rows = rowsOf(test, ranks, b);
        out.push(line(`${test} | ${ranks} | ${sizeText(b)}`, rows, 'min', 'mpi4py'));
        // The allocating form against the same peers' buffer methods.
        const alloc = rowsOf(`${test}_alloc`, ranks, b).h5mpi;
        if (alloc) out.push(line(`${test} (allocating) | ${ranks} | ${sizeText(b)}`, { ...rows, h5mpi: alloc }, 'min', 'mpi4py'));
      }
    }
  }
  if (missing.size) out.push(`\nn/a: not measured, ${[...missing.keys()].join('; ')}.`);
  return out.join('\n');
}

const LARGE_NAMES = { h5mpi: 'h5mpi read()', 'h5mpi-huge': 'read() on huge pages (before)', 'h5mpi-readInto': 'readInto(new Float64Array)', h5py: 'h5py d[()]', c: 'C malloc + H5Dread' };

/** The large part's table: seconds of the one call (wall), and the process's CPU seconds over it. */
function largeMarkdown(large) {
  const out = [];
  const cell = (gib, impl) => large.table.find((r) => r.GiB === gib && r.impl === impl);
  out.push(`\n**Large reads**, one read of a whole 1-D float64 dataset from the page cache, serial (sec2), the result's allocation included; seconds of the call, and in a second row the CPU seconds (user + system) the process spent in it, which other jobs' load does not inflate:\n`);
  out.push(`| GiB | | ${large.impls.map((i) => LARGE_NAMES[i]).join(' | ')} | read() / h5py |`);
  out.push(`|---:|---|${large.impls.map(() => '---:').join('|')}|---:|`);
  for (const gib of large.GiB) {
    for (const k of ['read_s', 'cpu_s']) {
      const a = cell(gib, 'h5mpi'), b = cell(gib, 'h5py');
      out.push(`| ${k === 'read_s' ? f2(gib) : ''} | ${k === 'read_s' ? 'wall' : 'CPU'} | ${large.impls.map((i) => spread(cell(gib, i)[k])).join(' | ')} | ${a && b ? f2(a[k].median / b[k].median) : '—'} |`);
    }
  }
  return out.join('\n');
}

/** What the run's machine did with freed memory (see bench/freed-pages.js), for the report's first lines. */
function freePagesText({ params, held }) {
  const list = (values) => Object.entries(values).map(([k, v]) => `${k} ${v}`).join(', ');
  const own = Object.fromEntries(Object.entries(params).filter(([k]) => ['page_reporting_order', 'min_free_ms', 'max_waiting_mib'].includes(k)));
  return held
    ? `This virtual machine reports free pages to its host (${list(own)}); during this run freed pages were held in the guest (${list(held)}, --hold-freed-pages), so that a write's new page-cache pages come from memory its predecessors freed rather than from the host, and every write made a new file (the previous one deleted before the run).`
    : `This virtual machine reports free pages to its host (${list(own)}): a write into new page-cache pages runs at host speed or several times slower, depending on how long ago its pages were freed. Every write overwrote the previous run's file, which limits that; --hold-freed-pages removes it (bench/NOTES.md).`;
}

function markdown(results) {
  const out = [];
  const m = results.meta;
  // The file system, and what the VM does with freed memory, matter to the parts that write files.
  const writes = Boolean(results.io || results.small || results.chunking || results.check || results.large);
  out.push(`Measured ${m.date} on ${m.machine.cpus} cores (${m.machine.model}), ${m.machine.memGiB} GiB, load average ${m.machine.loadBefore.map(f2).join(' ')} before and ${m.machine.loadAfter.map(f2).join(' ')} after` +
    ` (a shared machine: other jobs were running). ${m.versions.hdf5 ? `HDF5 ${m.versions.hdf5}, ${m.versions.mpi}, Node ${m.versions.node}` : ''}` +
    `${m.versions.h5py ? `, h5py ${m.versions.h5py}` : ''}${results.mpi && m.versions.mpi4py ? `, mpi4py ${m.versions.mpi4py}, numpy ${m.versions.numpy}` : ''}. Medians of ${m.options.reps} alternating repetitions, (fastest–slowest) in brackets.` +
    `${m.dir && writes ? ` Files in ${m.dir.path} (${m.dir.fileSystem}).` : ''}`);
  if (m.machine.freePageReporting && writes) out.push(`\n${freePagesText(m.machine.freePageReporting)}`);
  for (const [impl, why] of Object.entries(m.unavailable)) out.push(`\n${impl} not measured: ${why}.`);
  if (results.io) {
    const io = results.io;
    out.push(`\n**Write and read demos**, ${io.rows} x ${io.cols} float32 (${f2(io.MB)} MiB), MB/s from open to close (each read follows its own write, so it comes from the page cache). Ratios of medians, and of the fastest runs (the least disturbed):\n`);
    out.push('| demo | mode | ranks | h5mpi | h5py | C | h5mpi / h5py | h5mpi / C | fastest: h5mpi / C |');
    out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const op of ['write', 'read']) {
      for (const mode of ['collective', 'independent']) {
        for (const ranks of m.options.ranks) {
          const cell = (impl) => io.table.find((r) => r.op === op && r.mode === mode && r.ranks === ranks && r.impl === impl);
          const a = cell('h5mpi'), b = cell('h5py'), c = cell('c');
          out.push(`| ${op} | ${mode} | ${ranks} | ${a ? spread(a) : '—'} | ${b ? spread(b) : '—'} | ${c ? spread(c) : '—'} | ${a && b ? f2(a.median / b.median) : '—'} | ${a && c ? f2(a.median / c.median) : '—'} | ${a && c ? f2(a.max / c.max) : '—'} |`);
        }
      }
    }
  }
  if (results.memory) {
    out.push(`\n**Peak memory per rank** in the write demo, MiB, the largest rank (target for h5mpi: the rank's block + 80 MB, 76.3 MiB). RSS: peak resident set (/usr/bin/time, the largest of all write runs), which counts the shared pages of the executable and libraries in full in every rank; share: the peak of private pages plus shared pages divided among the job's ranks, which hold one copy of them (sampled every 20 ms in one more write per mode):\n`);
    out.push('| ranks | block | RSS h5mpi | RSS h5py | RSS C | share h5mpi | share h5py | share C |');
    out.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const ranks of m.options.ranks) {
      const cell = (impl) => results.memory.find((r) => r.ranks === ranks && r.impl === impl);
      const v = (impl, k) => (cell(impl) ? f2(cell(impl)[k]) : '—');
      out.push(`| ${ranks} | ${f2(cell('h5mpi') ? cell('h5mpi').blockMiB : NaN)} | ${v('h5mpi', 'max')} | ${v('h5py', 'max')} | ${v('c', 'max')} | ${v('h5mpi', 'shareMiB')} | ${v('h5py', 'shareMiB')} | ${v('c', 'shareMiB')} |`);
    }
  }
  if (results.small) {
    out.push(`\n**Small hyperslab calls**, one row of 100 float32, ${results.small.calls} writes then ${results.small.calls} reads, 1 rank, µs per call:\n`);
    out.push('| | h5mpi | h5py | C | h5mpi / h5py |');
    out.push('|---|---:|---:|---:|---:|');
    for (const k of ['write_us', 'read_us']) {
      const cell = (impl) => results.small.table.find((r) => r.impl === impl);
      const a = cell('h5mpi'), b = cell('h5py'), c = cell('c');
      out.push(`| ${k === 'write_us' ? 'write' : 'read'} | ${spread(a[k])} | ${b ? spread(b[k]) : '—'} | ${c ? spread(c[k]) : '—'} | ${b ? f2(a[k].median / b[k].median) : '—'} |`);
    }
  }
  if (results.chunking) {
    const ch = results.chunking;
    out.push(`\n**Chunking demo**, ${ch.images} images of ${ch.image[0]} x ${ch.image[1]} float64 (${f2(ch.MB)} MiB a file), serial; writes in seconds (open to close), the ${ch.images} tile reads (${ch.image[2]} x ${ch.image[2]}, one per image) in milliseconds:\n`);
    out.push('| layout | write h5mpi | write h5py | write C | tiles h5mpi | tiles h5py | tiles C | file MiB |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const layout of ['contiguous', 'chunked', 'chunked+gzip']) {
      const cell = (impl) => ch.table.find((r) => r.layout === layout && r.impl === impl);
      const w = (impl) => (cell(impl) ? spread(cell(impl).write_s) : '—');
      const ms = (x) => ({ median: 1000 * x.median, min: 1000 * x.min, max: 1000 * x.max });
      const r = (impl) => (cell(impl) ? spread(ms(cell(impl).read_s)) : '—');
      out.push(`| ${layout} | ${w('h5mpi')} | ${w('h5py')} | ${w('c')} | ${r('h5mpi')} | ${r('h5py')} | ${r('c')} | ${f2(cell('h5mpi').file_MB)} |`);
    }
  }
  if (results.check) {
    const c = results.check;
    out.push(`\n**Collective-call checking** at ${c.ranks} ranks, µs per metadata call (median of blocks of ${c.opsPerBlock}):\n`);
    out.push('| operation | checking on | off | cost of the check |');
    out.push('|---|---:|---:|---:|');
    for (const p of c.perOp) out.push(`| ${p.op} | ${f2(p.on_us)} | ${f2(p.off_us)} | ${f2(p.cost_us)} |`);
    const w = c.writeDemo;
    out.push(`\nThe write demo at ${c.ranks} ranks makes ${w.checkedCalls} checked calls: estimated share of its time ${pct(w.estimatedShare)}` +
      ` (median total ${f2(w.on_s.median)} s); measured on vs off: ${f2(w.on_s.median)} s vs ${f2(w.off_s.median)} s (${pct(w.measuredShare)}, within the run-to-run spread of ${f2(w.on_s.min)}–${f2(w.on_s.max)} s).`);
  }
  if (results.mpi) out.push(mpiMarkdown(results.mpi));
  if (results.large) out.push(largeMarkdown(results.large));
  const t = results.targets;
  if (t.length) {
    out.push('\n**Targets**:\n');
    out.push('| target | measured | met |');
    out.push('|---|---:|:---:|');
    for (const x of t) out.push(`| ${x.target} | ${x.unit ? `${f2(x.value)} ${x.unit}` : x.target.includes('%') ? pct(x.value) : `${f2(x.value)}x`} | ${x.met ? 'yes' : '**no**'} |`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------- main

function writeReports(results, out) {
  const md = markdown(results);
  console.log(md);
  fs.writeFileSync(path.join(out, 'bench.md'), `${md}\n`);
  if (results.io) {
    const m = results.meta;
    const svg = throughputSvg(results.io.table, {
      title: `Write and read demos: ${f2(results.io.MB)} MiB of float32, throughput against ranks`,
      subtitle: `HDF5 ${m.versions.hdf5}, ${m.versions.mpi}, ${m.machine.cpus} cores shared with other jobs (load ${m.machine.loadBefore[0].toFixed(1)}-${m.machine.loadAfter[0].toFixed(1)}); ${m.date.slice(0, 10)}`,
    });
    fs.writeFileSync(path.join(out, 'throughput.svg'), svg);
  }
  if (results.mpi) {
    const m = results.meta;
    const svg = latencySvg(results.mpi.table, {
      title: 'MPI: h5mpi, mpi4py and C on the same Open MPI, against message size',
      subtitle: `${m.versions.mpi}, ${m.machine.cpus} cores shared with other jobs (load ${m.machine.loadBefore[0].toFixed(1)}-${m.machine.loadAfter[0].toFixed(1)}); ${m.date.slice(0, 10)}`,
    });
    fs.writeFileSync(path.join(out, 'mpi-latency.svg'), svg);
  }
}

function main() {
  const render = process.argv.indexOf('--render');
  if (render >= 0) {
    const file = path.resolve(process.argv[render + 1] ?? usage('--render needs a bench.json'));
    const results = JSON.parse(fs.readFileSync(file, 'utf8'));
    results.targets = targets(results);
    writeReports(results, path.dirname(file));
    return;
  }
  const o = parseOptions(process.argv.slice(2));
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'h5mpi-bench-'));
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(o.out, { recursive: true });
  const started = Date.now();
  const reporting = freePageReporting();
  let hold = null;
  if (o.holdFreedPages) {
    try {
      hold = holdFreedPages(reporting);
    } catch (e) {
      usage(e.message);
    }
  }
  const peers = findPeers(dir, o.only);
  const results = {
    meta: {
      date: new Date().toISOString(),
      dir: { path: dir, fileSystem: fsType(dir) },
      options: { quick: o.quick, reps: o.reps, ranks: o.ranks, rows: o.rows, cols: o.cols, calls: o.calls, images: o.images, image: o.image, checkOps: o.checkOps, largeGiB: o.largeGiB, parts: o.only },
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', memGiB: Math.round(os.totalmem() / 2 ** 30), loadBefore: os.loadavg(), freePageReporting: reporting && { params: reporting, held: hold?.held ?? null } },
      versions: versions(peers),
      unavailable: Object.fromEntries(Object.entries(peers.why)),
      note: 'Shared, loaded machine: figures are indicative; compare implementations within this run, by ratios.',
    },
  };
  try {
    if (o.only.includes('io')) ioPart(o, peers, dir, results);
    if (o.only.includes('small')) smallPart(o, peers, dir, results);
    if (o.only.includes('chunking')) chunkingPart(o, peers, dir, results);
    if (o.only.includes('check')) checkPart(o, dir, results);
    if (o.only.includes('mpi')) mpiPart(o, peers, results);
    if (o.only.includes('large')) largePart(o, peers, dir, results);
  } finally {
    hold?.restore();
    if (!o.dir) fs.rmSync(dir, { recursive: true, force: true });
  }
  results.meta.machine.loadAfter = os.loadavg();
  results.meta.seconds = (Date.now() - started) / 1000;
  results.targets = targets(results);
  fs.writeFileSync(path.join(o.out, 'bench.json'), `${JSON.stringify(results, null, 1)}\n`);
  writeReports(results, o.out);
  progress(`done in ${results.meta.seconds.toFixed(0)} s; wrote ${path.join(o.out, 'bench.json')}, bench.md${results.io ? ', throughput.svg' : ''}${results.mpi ? ', mpi-latency.svg' : ''}`);
}

main();
