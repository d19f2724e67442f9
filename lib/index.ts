// h5mpi: parallel HDF5 and MPI for Node.js.
import { loadCompiled } from './eager';

loadCompiled(() => require('./api'));
export * from './api';
