/* Floor for the small-call benchmark: h5py_small.py's work (one-row hyperslab writes, then reads, independent
   MPI-IO) in C on the same libhdf5, doing per call what a binding must do at least: select the row in the
   file dataspace and call H5Dwrite/H5Dread (the memory dataspace is made once; the transfer plist is HDF5's
   default, which is independent MPI-IO and which HDF5 reads from a cache rather than property by property).
   usage: mpiexec -n N ./c_small NROWS NCOLS FILE */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  hsize_t nrows = strtoull(argv[1], 0, 10), ncols = strtoull(argv[2], 0, 10);
  float *row = malloc(ncols * sizeof *row), *back = malloc(ncols * sizeof *back);
  for (hsize_t i = 0; i < ncols; i++) row[i] = (float)i;
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
  hid_t f = H5Fcreate(argv[3], H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  hsize_t dims[2] = {nrows * size, ncols};
  hid_t fs = H5Screate_simple(2, dims, NULL);
  hid_t d = H5Dcreate2(f, "small", H5T_NATIVE_FLOAT, fs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hsize_t count[2] = {1, ncols};
  hid_t ms = H5Screate_simple(2, count, NULL);
  hid_t dx = H5P_DEFAULT;
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  for (hsize_t i = rank * nrows; i < (rank + 1) * nrows; i++) {
    hsize_t start[2] = {i, 0};
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    if (H5Dwrite(d, H5T_NATIVE_FLOAT, ms, fs, dx, row) < 0) MPI_Abort(MPI_COMM_WORLD, 2);
  }
  double t1 = MPI_Wtime();
  double check = 0;
  for (hsize_t i = rank * nrows; i < (rank + 1) * nrows; i++) {
    hsize_t start[2] = {i, 0};
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    if (H5Dread(d, H5T_NATIVE_FLOAT, ms, fs, dx, back) < 0) MPI_Abort(MPI_COMM_WORLD, 2);
    check += back[ncols - 1];
  }
  double t2 = MPI_Wtime();
  if (check != (double)nrows * (ncols - 1)) MPI_Abort(MPI_COMM_WORLD, 3);
  H5Sclose(ms); H5Sclose(fs); H5Dclose(d); H5Fclose(f); H5Pclose(fapl);
  double local[2] = {(t1 - t0) / nrows * 1e6, (t2 - t1) / nrows * 1e6}, mx[2];
  MPI_Reduce(local, mx, 2, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0)
    printf("{\"peer\": \"c\", \"ranks\": %d, \"calls\": %llu, \"write_us_per_call\": %g, \"read_us_per_call\": %g}\n", size,
           (unsigned long long)nrows, mx[0], mx[1]);
  free(row); free(back);
  MPI_Finalize();
  return 0;
}
