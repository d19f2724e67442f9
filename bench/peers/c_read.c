/* Floor for the read demo: h5py_read.py's work in C on the same parallel HDF5. Each rank reads its block of rows
   of 'test' (open to close is timed, less the making of the destination buffer, as demo/read.js does), then
   checks that every value lies in some writer rank's range.
   usage: mpiexec -n N ./c_read FILE [collective|independent] */
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_huge.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int collective = argc < 3 || strcmp(argv[2], "independent") != 0;
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
  hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, fapl);
  if (f < 0) MPI_Abort(MPI_COMM_WORLD, 2);
  hid_t d = H5Dopen2(f, "test", H5P_DEFAULT);
  hid_t fs = H5Dget_space(d);
  hsize_t dims[2];
  H5Sget_simple_extent_dims(fs, dims, NULL);
  double t1 = MPI_Wtime();
  hsize_t lo = rank * dims[0] / size, hi = (rank + 1) * dims[0] / size;
  hsize_t start[2] = {lo, 0}, count[2] = {hi - lo, dims[1]};
  size_t n = (size_t)count[0] * count[1];
  /* As demo/read.js: the destination is allocated and touched off the clock (its page faults are not reading). */
  float *buf = alloc_huge(n * sizeof *buf);
  memset(buf, 0, n * sizeof *buf);
  MPI_Barrier(MPI_COMM_WORLD);
  double t1b = MPI_Wtime();
  H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
  hid_t ms = H5Screate_simple(2, count, NULL);
  hid_t dx = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dx, collective ? H5FD_MPIO_COLLECTIVE : H5FD_MPIO_INDEPENDENT);
  if (H5Dread(d, H5T_NATIVE_FLOAT, ms, fs, dx, buf) < 0) MPI_Abort(MPI_COMM_WORLD, 2);
  double t2a = MPI_Wtime();
  H5Pclose(dx); H5Sclose(ms); H5Sclose(fs); H5Dclose(d); H5Fclose(f); H5Pclose(fapl);
  double t2 = MPI_Wtime();
  long bad = 0;
  for (size_t i = 0; i < n; i++) {
    double w = floor(buf[i] / 1000.0); /* the writer rank's range is [1000(w), 1000(w) + 1] */
    if (w < 1 || buf[i] > 1000.0 * w + 1) bad++;
  }
  double local[4] = {t1 - t0, t2a - t1b, t2 - t2a, (t1 - t0) + (t2 - t1b)}, mx[4];
  long totalBad;
  MPI_Reduce(local, mx, 4, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  double t = mx[3];
  MPI_Allreduce(&bad, &totalBad, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) {
    double mb = dims[0] * dims[1] * 4.0 / (1 << 20);
    printf("{\"peer\": \"c\", \"ranks\": %d, \"mode\": \"%s\", \"MB\": %g, \"open_s\": %g, \"read_s\": %g, \"close_s\": %g, \"total_s\": %g, "
           "\"MBps\": %g, \"out_of_range\": %ld}\n",
           size, collective ? "collective" : "independent", mb, mx[0], mx[1], mx[2], t, mb / t, totalBad);
  }
  free(buf);
  MPI_Finalize();
  return totalBad != 0;
}
