/* Floor for the chunking demo: its work in C on the same HDF5, serially. The same stack of random float64 images
   goes into three files (contiguous, chunked (1, k, k), chunked + gzip 4); then every image's top-left k x k
   tile is read back, one read per tile. Generating the images is not timed. The files have demo/chunking.js's
   names and are kept (bench/run.js has the next run overwrite them, or deletes them first: see writeDemoPath).
   usage: ./c_chunking NIMGS NROWS NCOLS KSIZE DIR */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "alloc_huge.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Uniform doubles in [0, 1) with 53 random bits (xorshift64*), image i seeded by i. */
static void fill(double *out, size_t n, uint64_t seed) {
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; i++) {
    s ^= s >> 12; s ^= s << 25; s ^= s >> 27;
    out[i] = ((s * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
  }
}

int main(int argc, char **argv) {
  hsize_t nimgs = strtoull(argv[1], 0, 10), nrows = strtoull(argv[2], 0, 10), ncols = strtoull(argv[3], 0, 10),
          k = strtoull(argv[4], 0, 10);
  const char *dir = argv[5];
  size_t pixels = nrows * ncols;
  hsize_t perBatch = (512u << 20) / (pixels * 8);
  if (perBatch < 1) perBatch = 1;
  if (perBatch > nimgs) perBatch = nimgs;
  double *data = alloc_huge(perBatch * pixels * sizeof *data), *tile = alloc_huge(k * k * sizeof *tile);
  const char *names[3] = {"contiguous", "chunked", "chunked+gzip"};
  const char *files[3] = {"chunking_contig.h5", "chunking_chunked.h5", "chunking_gzip.h5"};
  printf("{\"peer\": \"c\", \"ranks\": 1, \"MB\": %g, \"layouts\": [", nimgs * pixels * 8.0 / (1 << 20));
  for (int L = 0; L < 3; L++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, files[L]);
    double t0 = now(), write_s = 0;
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[3] = {nimgs, nrows, ncols}, chunk[3] = {1, k, k};
    hid_t fs = H5Screate_simple(3, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (L > 0) H5Pset_chunk(dcpl, 3, chunk);
    if (L == 2) H5Pset_deflate(dcpl, 4);
    hid_t d = H5Dcreate2(f, "test", H5T_IEEE_F64LE, fs, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    double open_s = now() - t0;
    for (hsize_t lo = 0; lo < nimgs; lo += perBatch) {
      hsize_t n = nimgs - lo < perBatch ? nimgs - lo : perBatch;
      if (perBatch < nimgs || L == 0)
        for (hsize_t i = 0; i < n; i++) fill(data + i * pixels, pixels, lo + i);
      hsize_t start[3] = {lo, 0, 0}, count[3] = {n, nrows, ncols};
      hid_t ms = H5Screate_simple(3, count, NULL);
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
      t0 = now();
      if (H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, data) < 0) return 2;
      write_s += now() - t0;
      H5Sclose(ms);
    }
    t0 = now();
    H5Dclose(d); H5Pclose(dcpl); H5Sclose(fs); H5Fclose(f);
    double close_s = now() - t0;
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    d = H5Dopen2(f, "test", H5P_DEFAULT);
    fs = H5Dget_space(d);
    hsize_t tcount[3] = {1, k, k};
    hid_t ms = H5Screate_simple(3, tcount, NULL);
    double sum = 0;
    t0 = now();
    for (hsize_t i = 0; i < nimgs; i++) {
      hsize_t start[3] = {i, 0, 0};
      H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, tcount, NULL);
      if (H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, tile) < 0) return 2;
      sum += tile[0];
    }
    double read_s = now() - t0;
    H5Sclose(ms); H5Sclose(fs); H5Dclose(d); H5Fclose(f);
    struct stat st;
    stat(path, &st);
    printf("%s{\"layout\": \"%s\", \"total_s\": %g, \"read_s\": %g, \"file_MB\": %g, \"checksum\": %g}", L ? ", " : "", names[L],
           open_s + write_s + close_s, read_s, st.st_size / 1048576.0, sum);
  }
  printf("]}\n");
  free(data); free(tile);
  return 0;
}
