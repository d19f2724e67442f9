/* The large-read case's C peer (bench/large.js says what is measured): malloc the result, then one H5Dread of
   the whole dataset into it, as a C program would.
   usage: ./c_large FILE */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void cpu(double *s, long *minflt) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  *s = r.ru_utime.tv_sec + 1e-6 * r.ru_utime.tv_usec + r.ru_stime.tv_sec + 1e-6 * r.ru_stime.tv_usec;
  *minflt = r.ru_minflt;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return 2;
  hid_t d = H5Dopen2(f, "x", H5P_DEFAULT);
  hid_t fs = H5Dget_space(d);
  hsize_t n;
  H5Sget_simple_extent_dims(fs, &n, NULL);
  double c0, c1;
  long m0, m1;
  cpu(&c0, &m0);
  double t0 = now();
  double *a = malloc(n * sizeof *a);
  if (!a || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) < 0) return 3;
  double s = now() - t0;
  cpu(&c1, &m1);
  int bad = (a[0] != 0) + (a[n >> 1] != (double)(n >> 1)) + (a[n - 1] != (double)(n - 1));
  H5Sclose(fs);
  H5Dclose(d);
  H5Fclose(f);
  printf("{\"impl\": \"c\", \"n\": %llu, \"GiB\": %g, \"read_s\": %g, \"cpu_s\": %g, \"minflt\": %ld, \"bad\": %d}\n", (unsigned long long)n,
         n * 8.0 / (1 << 30), s, c1 - c0, m1 - m0, bad);
  free(a);
  return 0;
}
