// Entry point: each concept registers its functions on the exports object.
#include "common.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  // Before any other HDF5 call: HDF5 must not close files from its own atexit handler. A parallel file's
  // close is collective, so a rank exiting on its own would wait there forever for the others; lib/runtime.ts
  // closes files at exit instead (parallel ones only when every rank exits cleanly), then calls H5close.
  H5dont_atexit();
  h5mpi::InitErrors(env, exports);
  h5mpi::InitComm(env, exports);
  h5mpi::InitTypes(env, exports);
  h5mpi::InitDataspace(env, exports);
  h5mpi::InitFile(env, exports);
  h5mpi::InitGroup(env, exports);
  h5mpi::InitDataset(env, exports);
  h5mpi::InitAttrs(env, exports);
  h5mpi::InitWatchdog(env, exports);
  h5mpi::InitFileLock(env, exports);
  h5mpi::InitMemory(env, exports);
  return exports;
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitAddon)
