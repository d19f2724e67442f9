// h5mpi: parallel HDF5 and MPI for Node.js.
import { eagerCompileRequested, loadCompiled } from './eager';

// Opt-in (H5MPI_EAGER_COMPILE=1): compile h5mpi's functions as they load; see lib/eager.ts.
if (eagerCompileRequested()) loadCompiled(() => require('./api'));
export * from './api';
