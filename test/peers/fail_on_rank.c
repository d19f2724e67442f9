// An LD_PRELOAD shim for test/h5_agree.test.ts: makes chosen HDF5 calls fail in the process where the
// environment variable H5MPI_TEST_FAIL lists them (comma-separated names; a scenario sets it on the ranks that
// are to fail, just before the call). The failure is HDF5's own: the real function is called with an invalid
// identifier, so HDF5 refuses it before changing anything and leaves its error stack as for any other
// failure. Calls the binding makes into libhdf5 resolve here first (LD_PRELOAD); libhdf5's internal calls do not.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

static int failing(const char* name) {
  const char* list = getenv("H5MPI_TEST_FAIL");
  if (!list) return 0;
  size_t n = strlen(name);
  for (const char* p = strstr(list, name); p; p = strstr(p + 1, name)) {
    if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) return 1;
  }
  return 0;
}

// The libhdf5 the addon loaded (its name differs by MPI and HDF5 version): the first loaded object named
// libhdf5*, not the high-level library. Node loads addons with RTLD_LOCAL, so RTLD_NEXT does not see it.
static int find(struct dl_phdr_info* info, size_t size, void* data) {
  (void)size;
  const char* base = strrchr(info->dlpi_name, '/');
  base = base ? base + 1 : info->dlpi_name;
  if (strncmp(base, "libhdf5", 7) != 0 || strstr(base, "_hl") != NULL) return 0;
  *(void**)data = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
  return *(void**)data != NULL;
}

static void* real(const char* name) {
  static void* lib = NULL;
  if (!lib) dl_iterate_phdr(find, &lib);
  void* f = lib ? dlsym(lib, name) : NULL;
  if (!f) abort();  // the test's setup is wrong: no libhdf5 loaded
  return f;
}

#define REAL(name) ((__typeof__(&name))real(#name))

hid_t H5Gcreate2(hid_t loc, const char* name, hid_t lcpl, hid_t gcpl, hid_t gapl) {
  return REAL(H5Gcreate2)(failing("H5Gcreate2") ? H5I_INVALID_HID : loc, name, lcpl, gcpl, gapl);
}

hid_t H5Dcreate2(hid_t loc, const char* name, hid_t type, hid_t space, hid_t lcpl, hid_t dcpl, hid_t dapl) {
  return REAL(H5Dcreate2)(failing("H5Dcreate2") ? H5I_INVALID_HID : loc, name, type, space, lcpl, dcpl, dapl);
}

hid_t H5Acreate2(hid_t loc, const char* name, hid_t type, hid_t space, hid_t acpl, hid_t aapl) {
  return REAL(H5Acreate2)(failing("H5Acreate2") ? H5I_INVALID_HID : loc, name, type, space, acpl, aapl);
}

herr_t H5Awrite(hid_t attr, hid_t type, const void* buf) {
  return REAL(H5Awrite)(failing("H5Awrite") ? H5I_INVALID_HID : attr, type, buf);
}

herr_t H5Adelete(hid_t loc, const char* name) {
  return REAL(H5Adelete)(failing("H5Adelete") ? H5I_INVALID_HID : loc, name);
}

herr_t H5Ldelete(hid_t loc, const char* name, hid_t lapl) {
  return REAL(H5Ldelete)(failing("H5Ldelete") ? H5I_INVALID_HID : loc, name, lapl);
}

herr_t H5Lcreate_soft(const char* target, hid_t loc, const char* name, hid_t lcpl, hid_t lapl) {
  return REAL(H5Lcreate_soft)(target, failing("H5Lcreate_soft") ? H5I_INVALID_HID : loc, name, lcpl, lapl);
}

herr_t H5Lcreate_hard(hid_t cur, const char* cur_name, hid_t loc, const char* name, hid_t lcpl, hid_t lapl) {
  return REAL(H5Lcreate_hard)(cur, cur_name, failing("H5Lcreate_hard") ? H5I_INVALID_HID : loc, name, lcpl, lapl);
}

herr_t H5Dset_extent(hid_t dset, const hsize_t size[]) {
  return REAL(H5Dset_extent)(failing("H5Dset_extent") ? H5I_INVALID_HID : dset, size);
}
