// An LD_PRELOAD shim for test/h5_vulcan_abort.test.ts: a disk that fills up in the middle of a write, on
// one rank only, which no check before the write can foresee (as a quota or another process filling the
// disk would). In the process whose MPI rank is H5MPI_TEST_ENOSPC_RANK, writes to files under the directory
// H5MPI_TEST_ENOSPC_DIR succeed for the first H5MPI_TEST_ENOSPC_AFTER bytes, then every later one fails
// with ENOSPC, and statvfs there shows no room left. It wraps the C library's write calls (what Open MPI's fbtl posix, ROMIO and HDF5's sec2
// driver use), and its asynchronous aio_write (what OMPIO's collective algorithm 'vulcan' writes with: a
// failing request is not submitted, and aio_error/aio_return then report ENOSPC for it, as for a write
// that failed in the kernel: OMPIO reads aio_error's code only, errno is not set); other files and other ranks are untouched. H5MPI_TEST_ENOSPC_LOG=1 prints each wrapped
// call on stderr (to see what an MPI-IO uses).
#define _GNU_SOURCE
#include <aio.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

static long long written = 0;
static int full = 0;  // a write has failed: the disk shows no room from then on (statvfs), as a full one does

static int this_rank(void) {
  const char* r = getenv("OMPI_COMM_WORLD_RANK");
  if (!r) r = getenv("PMI_RANK");
  return r ? atoi(r) : -1;
}

// Whether a write of `bytes` to `fd` fails: a file under the directory, on the chosen rank, past the bytes.
static int fails(int fd, size_t bytes, const char* call) {
  const char* dir = getenv("H5MPI_TEST_ENOSPC_DIR");
  const char* rank = getenv("H5MPI_TEST_ENOSPC_RANK");
  const char* after = getenv("H5MPI_TEST_ENOSPC_AFTER");
  if (!dir || !rank || !after || this_rank() != atoi(rank)) return 0;
  char link[64], target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return 0;
  target[n] = '\0';
  size_t len = strlen(dir);
  if (strncmp(target, dir, len) != 0 || (target[len] != '/' && target[len] != '\0')) return 0;
  int fail = written + (long long)bytes > atoll(after);
  if (!fail) written += (long long)bytes;
  if (getenv("H5MPI_TEST_ENOSPC_LOG")) {
    fprintf(stderr, "[enospc shim] rank %d %s(%s, %zu)%s\n", this_rank(), call, target, bytes, fail ? ": ENOSPC" : "");
  }
  if (fail) errno = ENOSPC, full = 1;
  return fail;
}

static size_t total(const struct iovec* iov, int n) {
  size_t s = 0;
  for (int i = 0; i < n; i++) s += iov[i].iov_len;
  return s;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void* buf, size_t count) {
  return fails(fd, count, "write") ? -1 : REAL(write)(fd, buf, count);
}
ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  return fails(fd, count, "pwrite") ? -1 : REAL(pwrite)(fd, buf, count, offset);
}
ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  return fails(fd, count, "pwrite64") ? -1 : REAL(pwrite64)(fd, buf, count, offset);
}
ssize_t writev(int fd, const struct iovec* iov, int n) {
  return fails(fd, total(iov, n), "writev") ? -1 : REAL(writev)(fd, iov, n);
}
ssize_t pwritev(int fd, const struct iovec* iov, int n, off_t offset) {
  return fails(fd, total(iov, n), "pwritev") ? -1 : REAL(pwritev)(fd, iov, n, offset);
}
ssize_t pwritev64(int fd, const struct iovec* iov, int n, off64_t offset) {
  return fails(fd, total(iov, n), "pwritev64") ? -1 : REAL(pwritev64)(fd, iov, n, offset);
}

// The asynchronous writes that failed, until aio_return takes each (OMPIO has few in flight at once).
static const struct aiocb* failed[256];

static int was_failed(const struct aiocb* cb, int take) {
  for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++) {
    if (failed[i] != cb) continue;
    if (take) failed[i] = NULL;
    return 1;
  }
  return 0;
}

int aio_write(struct aiocb* cb) {
  if (!fails(cb->aio_fildes, cb->aio_nbytes, "aio_write")) return REAL(aio_write)(cb);
  for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++) {
    if (failed[i] == NULL) {
      failed[i] = cb;
      return 0;
    }
  }
  errno = EAGAIN;
  return -1;
}
int aio_error(const struct aiocb* cb) { return was_failed(cb, 0) ? ENOSPC : REAL(aio_error)(cb); }
ssize_t aio_return(struct aiocb* cb) { return was_failed(cb, 1) ? -1 : REAL(aio_return)(cb); }

// statvfs of a path under the directory, once the disk is full: no blocks available.
static int no_room(const char* path, struct statvfs* fs) {
  const char* dir = getenv("H5MPI_TEST_ENOSPC_DIR");
  size_t len = dir ? strlen(dir) : 0;
  if (!full || !dir || strncmp(path, dir, len) != 0 || (path[len] != '/' && path[len] != '\0')) return 0;
  fs->f_bavail = fs->f_bfree = 0;
  return 1;
}
int statvfs(const char* path, struct statvfs* fs) {
  int rc = REAL(statvfs)(path, fs);
  if (rc == 0) no_room(path, fs);
  return rc;
}
int statvfs64(const char* path, struct statvfs64* fs) {
  int rc = REAL(statvfs64)(path, fs);
  if (rc == 0) no_room(path, (struct statvfs*)fs);  // the same layout on 64-bit Linux
  return rc;
}
