// h5mpi: parallel HDF5 and MPI for Node.js.
import { eagerCompileRequested, loadCompiled } from './eager';

// Opt-in (H5MPI_EAGER_COMPILE=1): compile h5mpi's functions as they load; see lib/eager.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the load itself is what is compiled
if (eagerCompileRequested()) loadCompiled(() => require('./api') as unknown);
export * from './api';
