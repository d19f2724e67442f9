// V8 compiles a function when it is first called, not when its module loads. The first File.open, get,
// readInto and close of a process then spend ~2 ms compiling h5mpi's own functions (at 1 rank, against a
// read of 256 MiB from the page cache that takes ~35 ms; at 8 ranks on 2 cores, every rank's compiling
// comes out of the same cores): work that Python does when a module is imported, and h5py's compiled
// extension never does. So h5mpi's modules are compiled as they load, which costs ~3 ms more at require.
import * as v8 from 'node:v8';

/**
 * The built-in modules that h5mpi's modules import. They are loaded first, outside the eager window: V8
 * rejects Node's code cache for built-ins while its flags differ, and compiling node:crypto from source
 * costs ~6 ms. (A test keeps this list in step with lib/'s imports.)
 */
export const BUILTINS = ['node:crypto', 'node:os', 'node:path', 'node:v8'] as const;

/** Whether V8 already compiles eagerly (node --no-lazy; NODE_OPTIONS cannot say so): then nothing changes. */
function alreadyEager(): boolean {
  return process.execArgv.some((a) => /^--no[-_]lazy$/.test(a));
}

/**
 * Runs `load` (which requires h5mpi's modules) with V8's lazy compilation off, then turns it back on, so
 * that every function of those modules is compiled once, now. Code loaded later is compiled lazily as usual.
 */
export function loadCompiled<T>(load: () => T): T {
  if (alreadyEager()) return load();
  for (const name of BUILTINS) require(name);
  v8.setFlagsFromString('--no-lazy');
  try {
    return load();
  } finally {
    v8.setFlagsFromString('--lazy');
  }
}
