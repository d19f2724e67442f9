// How one walk of one file ends (run.js and test/fuzz_corpus.test.ts): the walker (walk.js for h5mpi,
// walk.py for h5py) in a child process with a time limit, classified as
//   crash   the child died of a signal (SIGSEGV, SIGABRT from glibc's heap checks, SIGFPE, ...)
//   hang    still running at the time limit (killed)
//   type    a TypeError (or another non-H5Error, in Python a TypeError) that the seed did not give
//   error   a clear error (H5Error; in Python any exception) that the seed did not give
//   same    nothing the seed did not give (the mutation hit unused bytes or data values)
'use strict';
const path = require('node:path');
const { spawn } = require('node:child_process');

const OUTCOMES = ['crash', 'hang', 'type', 'error', 'same'];

/**
 * Runs one walker on `file`; resolves to { outcome, detail, errors, ms }. `baseline` is the seed's own walk
 * (its errors are not counted), `lib` another h5mpi build to walk with, `args` more arguments for walk.js,
 * `visit` a visit() of the whole tree first (both walkers).
 */
function walk(tool, file, { baseline, untrusted = false, timeoutS = 10, lib, args = [], visit = false } = {}) {
  const both = visit ? ['--visit'] : [];
  const cmd = tool === 'h5py' ? ['/usr/bin/python3', [path.join(__dirname, 'walk.py'), file, ...both]] : [process.execPath, [path.join(__dirname, 'walk.js'), file, ...both, ...(untrusted ? ['--untrusted'] : []), ...args]];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(cmd[0], cmd[1], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, H5MPI_CHECK_COLLECTIVE: '0', ...(lib ? { H5MPI_FUZZ_LIB: lib } : {}) } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err = (err + d).slice(-2000)));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      if (hung) return resolve({ outcome: 'hang', detail: `killed after ${timeoutS} s`, ms });
      if (signal) return resolve({ outcome: 'crash', detail: `${signal}: ${lastLine(err)}`, ms });
      let r;
      try {
        r = JSON.parse(out.trim().split('\n').pop());
      } catch {
        return resolve({ outcome: 'crash', detail: `exit ${code}: ${lastLine(err)}`, ms });
      }
      const seen = new Set(baseline?.errors.map((e) => `${e.path} ${e.name}`) ?? []);
      const fresh = r.errors.filter((e) => !seen.has(`${e.path} ${e.name}`));
      const typeErr = fresh.find((e) => (tool === 'h5py' ? e.name === 'TypeError' : !['H5Error', 'FileLockedError', 'UntrustedFileError'].includes(e.name)));
      const outcome = typeErr ? 'type' : fresh.length ? 'error' : 'same';
      resolve({ outcome, detail: (typeErr ?? fresh[0]) ? `${(typeErr ?? fresh[0]).name} at ${(typeErr ?? fresh[0]).path}: ${(typeErr ?? fresh[0]).message}` : '', errors: r.errors, ms });
    });
  });
}
const lastLine = (s) => s.trim().split('\n').filter(Boolean).pop() ?? '';


module.exports = { walk, OUTCOMES };
