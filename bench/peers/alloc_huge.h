/* The C peers' large buffers: on transparent huge pages from 4 MiB up, 2 MiB-aligned, as numpy's arrays (the
   h5py peers') and h5mpi's zeros() are. HDF5's copies into and out of them then take far fewer TLB misses
   and page faults, and the page-cache copy runs at full speed (it is slower into memory that starts 16
   bytes into a page, as malloc's large blocks do). */
#pragma once
#include <stdlib.h>
#include <sys/mman.h>

static void *alloc_huge(size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, (size_t)1 << 21, bytes ? bytes : 1) != 0) return NULL;
  if (bytes >= ((size_t)4 << 20)) madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}
