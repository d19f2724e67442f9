/* Floor for the mpi part: the OSU micro-benchmarks' measurements, in C on the same Open MPI as h5mpi and
   mpi4py (bench/mpi.js, mpi4py_mpi.py take the same arguments and print the same keys).
   usage: mpiexec -n N ./c_mpi [latency B:I:S ...] [object I:S] [bandwidth B:I:S:W ...]
                               [allreduce B:I:S ...] [alltoall B:I:S ...]
   B bytes (a float64 array of B / 8; alltoall: per destination), I timed iterations after S untimed ones,
   W messages in flight per iteration.
   latency    osu_latency: ping-pong between ranks 0 and 1, MPI_Send then MPI_Recv; half the round trip
   object     the same for a small record { step: 1, name: 'x', values: [1, 2, 3] }, packed into bytes by the
              sender and unpacked by the receiver, which packs it again to send it back (the floor of what a
              binding's send(obj)/recv() does: a received message of unknown length, so received into a buffer
              large enough for any, its length from MPI_Get_count)
   bandwidth  osu_bw: W MPI_Isend of B bytes (one buffer), MPI_Waitall, then a 4-byte ack from the receiver,
              which posts W MPI_Irecv and MPI_Waitall; B * W * I bytes over the time
   allreduce  osu_allreduce: MPI_Allreduce (float64 sum), each call timed alone, a barrier between calls
   alltoall   osu_alltoall: MPI_Alltoall of B bytes to and from every rank, timed as allreduce
   Collectives report the per-call time averaged over the ranks, as the OSU benchmarks do. Each mode's first
   cell runs once untimed first (a warm-up, in all three programs).
   Prints one JSON line from rank 0. */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_huge.h"

static int rank, size;

static void fail(const char *what) {
  fprintf(stderr, "c_mpi: %s\n", what);
  MPI_Abort(MPI_COMM_WORLD, 2);
}

/* The B:I:S[:W] tokens after argv[*i], up to the next mode name. */
static int specs(int argc, char **argv, int *i, long long out[][4]) {
  int n = 0;
  while (*i + 1 < argc && argv[*i + 1][0] >= '0' && argv[*i + 1][0] <= '9') {
    long long v[4] = {0, 0, 0, 0};
    sscanf(argv[++*i], "%lld:%lld:%lld:%lld", &v[0], &v[1], &v[2], &v[3]);
    memcpy(out[n++], v, sizeof v);
    if (n == 32) fail("too many sizes");
  }
  return n;
}

static void *buffer(size_t bytes, int fill) {
  void *p = alloc_huge(bytes);
  if (!p) fail("out of memory");
  memset(p, fill, bytes);
  return p;
}

static double latency(long long bytes, long long iters, long long skip) {
  size_t n = (size_t)bytes / 8;
  double *s = buffer(n * 8, 0), *r = buffer(n * 8, 0);
  for (size_t k = 0; k < n; k++) s[k] = (double)k;
  double t0 = 0;
  for (long long i = 0; i < iters + skip; i++) {
    if (i == skip) t0 = MPI_Wtime();
    if (rank == 0) {
      MPI_Send(s, (int)n, MPI_DOUBLE, 1, 1, MPI_COMM_WORLD);
      MPI_Recv(r, (int)n, MPI_DOUBLE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else if (rank == 1) {
      MPI_Recv(r, (int)n, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(r, (int)n, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD);
    }
  }
  double us = (MPI_Wtime() - t0) * 1e6 / (2.0 * iters);
  if (rank == 0 && n > 0 && r[n - 1] != (double)(n - 1)) fail("latency: the message came back changed");
  free(s); free(r);
  return us;
}

/* The record an object message carries, and its packing: step, the name's length and bytes, the values. */
struct record {
  int64_t step;
  char name[16];
  int32_t nvalues;
  double values[8];
};

static int pack(const struct record *x, char *p) {
  char *q = p;
  int32_t len = (int32_t)strlen(x->name);
  memcpy(q, &x->step, 8); q += 8;
  memcpy(q, &len, 4); q += 4;
  memcpy(q, x->name, len); q += len;
  memcpy(q, &x->nvalues, 4); q += 4;
  memcpy(q, x->values, 8 * x->nvalues); q += 8 * x->nvalues;
  return (int)(q - p);
}

static void unpack(const char *p, int bytes, struct record *x) {
  int32_t len;
  memcpy(&x->step, p, 8); p += 8;
  memcpy(&len, p, 4); p += 4;
  if (len < 0 || len > 15) fail("object: bad name length");
  memcpy(x->name, p, len); x->name[len] = 0; p += len;
  memcpy(&x->nvalues, p, 4); p += 4;
  if (x->nvalues < 0 || x->nvalues > 8 || 16 + len + 8 * x->nvalues != bytes) fail("object: bad record");
  memcpy(x->values, p, 8 * x->nvalues);
}

static double object(long long iters, long long skip, int *bytes) {
  struct record x = {1, "x", 3, {1, 2, 3}}, y;
  char out[256], in[256];
  double t0 = 0;
  for (long long i = 0; i < iters + skip; i++) {
    if (i == skip) t0 = MPI_Wtime();
    MPI_Status st;
    int n;
    if (rank == 0) {
      n = pack(&x, out);
      MPI_Send(out, n, MPI_BYTE, 1, 2, MPI_COMM_WORLD);
      MPI_Recv(in, sizeof in, MPI_BYTE, 1, 2, MPI_COMM_WORLD, &st);
      MPI_Get_count(&st, MPI_BYTE, &n);
      unpack(in, n, &y);
      *bytes = n;
    } else if (rank == 1) {
      MPI_Recv(in, sizeof in, MPI_BYTE, 0, 2, MPI_COMM_WORLD, &st);
      MPI_Get_count(&st, MPI_BYTE, &n);
      unpack(in, n, &y);
      n = pack(&y, out);
      MPI_Send(out, n, MPI_BYTE, 0, 2, MPI_COMM_WORLD);
    }
  }
  double us = (MPI_Wtime() - t0) * 1e6 / (2.0 * iters);
  if (rank == 0 && (y.step != 1 || strcmp(y.name, "x") || y.nvalues != 3 || y.values[2] != 3)) fail("object: the record came back changed");
  return us;
}

static double bandwidth(long long bytes, long long iters, long long skip, long long window) {
  char *s = buffer((size_t)bytes, 'a'), *r = buffer((size_t)bytes, 'b'), ack[4] = {0};
  MPI_Request *req = malloc(window * sizeof *req);
  double t0 = 0;
  for (long long i = 0; i < iters + skip; i++) {
    if (i == skip) t0 = MPI_Wtime();
    if (rank == 0) {
      for (long long w = 0; w < window; w++) MPI_Isend(s, (int)bytes, MPI_BYTE, 1, 100, MPI_COMM_WORLD, &req[w]);
      MPI_Waitall((int)window, req, MPI_STATUSES_IGNORE);
      MPI_Recv(ack, 4, MPI_BYTE, 1, 101, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else if (rank == 1) {
      for (long long w = 0; w < window; w++) MPI_Irecv(r, (int)bytes, MPI_BYTE, 0, 100, MPI_COMM_WORLD, &req[w]);
      MPI_Waitall((int)window, req, MPI_STATUSES_IGNORE);
      MPI_Send(ack, 4, MPI_BYTE, 0, 101, MPI_COMM_WORLD);
    }
  }
  double mbps = (double)bytes * window * iters / (MPI_Wtime() - t0) / 1e6;
  if (rank == 1 && r[bytes - 1] != 'a') fail("bandwidth: the message arrived changed");
  free(s); free(r); free(req);
  return mbps;
}

/* Per-call time of a collective, each call timed alone with a barrier between, averaged over the ranks. */
static double collective(int alltoall, long long bytes, long long iters, long long skip) {
  size_t n = (size_t)bytes / 8, total = alltoall ? n * size : n;
  double *s = buffer(total * 8, 0), *r = buffer(total * 8, 0);
  for (size_t k = 0; k < total; k++) s[k] = alltoall ? rank * 1000.0 + (double)(k / n) : 1.0;
  double timer = 0;
  MPI_Barrier(MPI_COMM_WORLD);
  for (long long i = 0; i < iters + skip; i++) {
    double t0 = MPI_Wtime();
    if (alltoall)
      MPI_Alltoall(s, (int)n, MPI_DOUBLE, r, (int)n, MPI_DOUBLE, MPI_COMM_WORLD);
    else
      MPI_Allreduce(s, r, (int)n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    double t1 = MPI_Wtime();
    if (i >= skip) timer += t1 - t0;
    MPI_Barrier(MPI_COMM_WORLD);
  }
  if (alltoall ? r[n * (size - 1)] != (size - 1) * 1000.0 + rank : r[n - 1] != size) fail("collective: wrong result");
  double local = timer * 1e6 / iters, sum;
  MPI_Reduce(&local, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  free(s); free(r);
  return sum / size;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  static char json[65536];
  int at = snprintf(json, sizeof json, "{\"peer\": \"c\", \"ranks\": %d", size);
  long long v[32][4];
  for (int i = 1; i < argc; i++) {
    const char *mode = argv[i];
    // Every mode's first cell runs once untimed before the cells are measured, in all three programs: the
    // warm-up a JIT needs, as Node optimises a loop while its first cell runs, however many iterations that
    // skips (bench/NOTES.md).
    if (!strcmp(mode, "object")) {
      int n = specs(argc, argv, &i, v), bytes = 0;
      if (n != 1 || size != 2) fail("object takes one I:S, on 2 ranks");
      object(v[0][0], v[0][1], &bytes);
      double us = object(v[0][0], v[0][1], &bytes);
      at += snprintf(json + at, sizeof json - at, ", \"object\": {\"bytes\": %d, \"iters\": %lld, \"us\": %.6g}", bytes, v[0][0], us);
      continue;
    }
    int n = specs(argc, argv, &i, v);
    if (!strcmp(mode, "latency") || !strcmp(mode, "bandwidth")) {
      if (size != 2) fail("latency and bandwidth run on 2 ranks");
    } else if (strcmp(mode, "allreduce") && strcmp(mode, "alltoall")) {
      fail("unknown mode (latency, object, bandwidth, allreduce, alltoall)");
    }
    at += snprintf(json + at, sizeof json - at, ", \"%s\": [", mode);
    for (int k = n ? -1 : 0; k < n; k++) {
      long long bytes = v[k < 0 ? 0 : k][0], iters = v[k < 0 ? 0 : k][1], skip = v[k < 0 ? 0 : k][2], window = v[k < 0 ? 0 : k][3];
      if (bytes < 8 || bytes % 8 || iters < 1) fail("sizes are multiples of 8 bytes, iterations at least 1");
      if (!strcmp(mode, "bandwidth") && window < 1) fail("bandwidth takes B:I:S:W");
      double x = !strcmp(mode, "latency")     ? latency(bytes, iters, skip)
                 : !strcmp(mode, "bandwidth") ? bandwidth(bytes, iters, skip, window)
                                              : collective(!strcmp(mode, "alltoall"), bytes, iters, skip);
      if (k < 0) continue;
      const char *sep = k ? ", " : "";
      if (!strcmp(mode, "bandwidth"))
        at += snprintf(json + at, sizeof json - at, "%s{\"bytes\": %lld, \"iters\": %lld, \"window\": %lld, \"MBps\": %.6g}", sep, bytes, iters, window, x);
      else
        at += snprintf(json + at, sizeof json - at, "%s{\"bytes\": %lld, \"iters\": %lld, \"us\": %.6g}", sep, bytes, iters, x);
    }
    at += snprintf(json + at, sizeof json - at, "]");
    if (!strcmp(mode, "bandwidth"))
      at += snprintf(json + at, sizeof json - at, ", \"bandwidth_mode\": \"MPI_Isend x window, MPI_Waitall, ack (osu_bw)\"");
    if (!strcmp(mode, "alltoall")) at += snprintf(json + at, sizeof json - at, ", \"alltoall_mode\": \"MPI_Alltoall\"");
  }
  if (rank == 0) printf("%s}\n", json);
  MPI_Finalize();
  return 0;
}
