// Free page reporting: a virtual machine's kernel tells its host which of its pages are free, the host takes
// them back, and the guest's next use of such a page waits for the host to supply it again. A write into new
// page-cache pages then runs at 0.3-0.9 GB/s instead of 2-4 GB/s, depending on whether the pages it gets
// were reported, that is on how long ago they were freed: a matter of timing between runs, not of the program
// writing (bench/NOTES.md, "The VM's memory and the write figures"). Some kernels let root set how long a page must stay free before it is
// reported (min_free_ms) and how much freed memory may wait (max_waiting_mib); `--hold-freed-pages` sets
// both for the duration of a benchmark run and puts them back afterwards.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

// The kernel's parameters; test/bench.test.ts points this at a directory of its own instead, so that the
// tests exercise the holding and restoring without changing the machine's setting.
const PARAMS = process.env.H5MPI_BENCH_PAGE_REPORTING ?? '/sys/module/page_reporting/parameters';
// Long enough that the pages one run frees are still unreported when the next run starts (runs take 1-3 s),
// with room for every page of the largest run (the 8-rank write: about 1.5 GiB) to wait.
const HOLD = { min_free_ms: '10000', max_waiting_mib: '16384' };

/** This kernel's page-reporting parameters, by name, or null when it reports no free pages to a host. */
function freePageReporting() {
  let names;
  try {
    names = fs.readdirSync(PARAMS);
  } catch {
    return null;
  }
  const params = {};
  for (const name of names) {
    try {
      params[name] = fs.readFileSync(path.join(PARAMS, name), 'utf8').trim();
    } catch {
      // unreadable (write-only) parameters are left out
    }
  }
  return params;
}

function setParams(values) {
  for (const [k, v] of Object.entries(values)) fs.writeFileSync(path.join(PARAMS, k), v);
}

/**
 * Sets HOLD's parameters, given `before` (freePageReporting()'s answer), and returns { held, restore };
 * restore() puts the previous values back.
 * Should this process end without calling it, killed by Ctrl-C or anything else, a guard process started
 * here restores them when its pipe from this process closes. Throws an Error saying why when this kernel
 * has no such parameters or they cannot be written.
 */
function holdFreedPages(before) {
  if (!before) throw new Error(`--hold-freed-pages: this kernel reports no free pages to a host (no ${PARAMS}): nothing to hold`);
  const missing = Object.keys(HOLD).filter((k) => !(k in before));
  if (missing.length) throw new Error(`--hold-freed-pages: this kernel's page reporting has no ${missing.join(' or ')} parameter (it has ${Object.keys(before).join(', ')})`);
  const previous = Object.fromEntries(Object.keys(HOLD).map((k) => [k, before[k]]));
  // The guard first, then the setting: a benchmark killed in between leaves nothing held. Its own session,
  // so that the Ctrl-C that ends the benchmark leaves it to do its work.
  const guard = spawn(process.execPath, [__filename, '--restore-when-orphaned', JSON.stringify(previous)], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
  guard.unref();
  guard.stdin.unref();
  try {
    setParams(HOLD);
  } catch (e) {
    guard.kill('SIGKILL');
    try {
      setParams(previous); // in case some were set before the failure
    } catch {
      // none were
    }
    throw new Error(`--hold-freed-pages: cannot set ${PARAMS} (${e.code ?? e.message}; it needs root)`, { cause: e });
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    setParams(previous);
    guard.kill('SIGKILL');
  };
  process.on('exit', restore);
  return { held: { ...HOLD }, restore };
}

if (require.main === module && process.argv[2] === '--restore-when-orphaned') {
  const previous = JSON.parse(process.argv[3]);
  process.stdin.on('data', () => {});
  process.stdin.on('close', () => setParams(previous));
}

module.exports = { freePageReporting, holdFreedPages };
