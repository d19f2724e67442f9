// Entry point: each concept registers its functions on the exports object.
#include "common.h"

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
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
  return exports;
}

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitAddon)
