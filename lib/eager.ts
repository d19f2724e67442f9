// Opt-in eager compilation. V8 compiles a function when it is first called, not when its module loads, so
// a process's first File.open, get, readInto and close also compile h5mpi's functions: work Python does at
// import. With H5MPI_EAGER_COMPILE=1, h5mpi's modules are compiled as they load instead (more time at
// require, less in the first calls: for programs that time their first I/O; bench/NOTES.md has figures).
// Off by default because it changes a V8 flag of the whole process for the duration of the load.
import * as v8 from 'node:v8';

/** Whether the environment asks for eager compilation (H5MPI_EAGER_COMPILE=1). */
export function eagerCompileRequested(): boolean {
  return process.env.H5MPI_EAGER_COMPILE === '1';
}

/**
 * The built-in modules that h5mpi's modules import. They are loaded first, outside the eager window: V8
 * rejects Node's code cache for built-ins while its flags differ, and would compile them from source.
 * (A test keeps this list in step with lib/'s imports.)
 */
export const BUILTINS = ['node:child_process', 'node:crypto', 'node:fs', 'node:os', 'node:path', 'node:v8'] as const;

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
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded for their side effect only
  for (const name of BUILTINS) require(name);
  v8.setFlagsFromString('--no-lazy');
  try {
    return load();
  } finally {
    v8.setFlagsFromString('--lazy');
  }
}
