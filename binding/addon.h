// Per-environment state of the addon: everything that holds a JS reference or an HDF5/MPI resource lives in
// one AddonData per Node environment (napi instance data), released by an environment cleanup hook.
#pragma once
#include <memory>

#include "common.h"
#include "fpstate.h"

namespace h5mpi {

class Watchdog;
class RequestTable;

// The memory dataspace kept between transfers (see dataspace.h).
struct MemorySpaceCache {
  hid_t space = H5I_INVALID_HID;
  int rank = 0;
  bool selectsAll = false;  // tracked here rather than asked of HDF5 on every transfer
  hsize_t dims[H5S_MAX_RANK] = {0};
};

struct AddonData {
  // lib/errors.ts's classes, for the one place that makes H5Error / MPIError (errors.cc).
  Napi::FunctionReference h5Error;
  Napi::FunctionReference mpiError;
  // Constructors of the native object classes.
  Napi::FunctionReference commClass;
  Napi::FunctionReference fileClass;
  Napi::FunctionReference groupClass;
  Napi::FunctionReference datasetClass;
  Napi::FunctionReference datatypeClass;
  MemorySpaceCache memorySpace;
  // The floating-point control state when the addon loaded, put back after calls that may load a filter
  // plugin (fpstate.h).
  FPControl fp;
  // Where point-to-point calls and requests report a status (source, tag, bytes, flag): a Float64Array of
  // lib/'s, read there after the call, so that a small message's receive makes no JS object.
  Napi::Reference<Napi::Float64Array> statusArray;
  double* status = nullptr;
  // Where a blocking receive of unknown size puts a message that fits (lib/'s, set with the status array).
  Napi::Reference<Napi::Uint8Array> receiveArray;
  void* receive = nullptr;
  size_t receiveBytes = 0;
  std::unique_ptr<Watchdog> watchdog;
  // Pending non-blocking operations (binding/request.h).
  std::unique_ptr<RequestTable> requests;
  // The HDF5 object the native call in progress works on (an ErrorSubject's), so that ThrowH5 can name its
  // file and path in the message.
  hid_t errorSubject = H5I_INVALID_HID;
  // MPI_Init_thread was called by this environment, so MPI_Finalize is ours to call at shutdown.
  bool weFinalize = false;
  // Parallel files whose HDF5 ids were abandoned after their ranks' metadata came apart (file.cc
  // CloseAfterFailure): H5close would close them, collectively, and wait forever.
  int abandonedFiles = 0;
  ~AddonData();
};

inline AddonData& Data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

// Releases what the environment holds in HDF5 (the kept memory dataspace); called before H5close.
void ReleaseCachedSpaces(AddonData& data);

// Whether H5close has run. After it nothing may call HDF5 (any call would start the library anew), also
// not the finalizers of native objects, which may run after the environment's own data is gone: so this
// one fact is the process's (HDF5 is one library per process), not an environment's.
bool LibraryClosed();
void MarkLibraryClosed();

}  // namespace h5mpi
