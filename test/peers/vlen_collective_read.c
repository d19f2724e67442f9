/* HDF5 1.14's hang, in C: every rank reads a variable-length string dataset collectively from a file opened
 * with collective metadata reads on (argv[2] = 1) or off (0). The file (argv[1]) holds /s, written serially by
 * the test (parallel HDF5 cannot write variable-length data). Each rank prints what it read, one line. */
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (argc < 3) {
    fprintf(stderr, "usage: %s FILE COLLECTIVE_METADATA(0|1)\n", argv[0]);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL);
  if (atoi(argv[2])) H5Pset_all_coll_metadata_ops(fapl, 1);
  hid_t file = H5Fopen(argv[1], H5F_ACC_RDONLY, fapl);
  hid_t dset = H5Dopen2(file, "s", H5P_DEFAULT);
  hid_t space = H5Dget_space(dset);
  hssize_t n = H5Sget_simple_extent_npoints(space);
  hid_t type = H5Dget_type(dset); /* variable-length strings in the file's charset (HDF5 converts none) */
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  char** out = calloc((size_t)n, sizeof(char*));
  if (file < 0 || dset < 0 || !out || H5Dread(dset, type, H5S_ALL, H5S_ALL, dxpl, out) < 0) MPI_Abort(MPI_COMM_WORLD, 1);
  /* Rank 0 prints every rank's line: launchers forward ranks' output in pieces that can interleave mid-line
   * (seen under MPICH's hydra). */
  enum { LINE = 4096 };
  char line[LINE];
  int used = snprintf(line, LINE, "rank %d read", rank);
  for (hssize_t i = 0; i < n && used < LINE; i++) used += snprintf(line + used, (size_t)(LINE - used), " %s", out[i]);
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char* all = rank == 0 ? malloc((size_t)size * LINE) : NULL;
  MPI_Gather(line, LINE, MPI_CHAR, all, LINE, MPI_CHAR, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    for (int r = 0; r < size; r++) printf("%.*s\n", LINE, all + (size_t)r * LINE);
    fflush(stdout);
    free(all);
  }
#if H5_VERSION_GE(1, 12, 0)
  H5Treclaim(type, space, H5P_DEFAULT, out);
#else
  H5Dvlen_reclaim(type, space, H5P_DEFAULT, out);
#endif
  free(out);
  H5Pclose(dxpl);
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(dset);
  H5Fclose(file);
  H5Pclose(fapl);
  MPI_Finalize();
  return 0;
}
