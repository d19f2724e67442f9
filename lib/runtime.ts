// Process lifetime: the files still open at exit are closed before HDF5 and MPI shut down.
import { native } from './native';

export interface Closable {
  /** Closes at process exit; `collectiveOk` is false when other ranks may not be closing too. */
  closeAtExit(collectiveOk: boolean): void;
}

const open = new Set<Closable>();
let installed = false;

export function trackOpen(x: Closable): void {
  open.add(x);
  installExitHook();
}

export function untrack(x: Closable): void {
  open.delete(x);
}

function installExitHook(): void {
  if (installed) return;
  installed = true;
  process.on('exit', (code) => {
    // After a failure on one rank the others are not closing: a collective close would hang, so only
    // serial files are closed, and MPI is left for mpiexec to tear down.
    const clean = code === 0;
    for (const x of [...open]) {
      try {
        x.closeAtExit(clean);
      } catch (e) {
        process.stderr.write(`h5mpi: at exit: ${(e as Error).message}\n`);
      }
    }
    open.clear();
    if (clean) native.shutdown();
  });
}

export function ensureExitHook(): void {
  installExitHook();
}
