// Entry point: the environment's AddonData, then each concept registers its functions and classes.
#include "addon.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "object.h"
#include "request.h"
#include "watchdog.h"

namespace h5mpi {

namespace {
std::atomic<bool> libraryClosed{false};

// The process's first thread, the one Node runs its main environment on (a Worker has its own thread).
bool OnMainThread() { return static_cast<pid_t>(::syscall(SYS_gettid)) == ::getpid(); }

// Why h5mpi cannot run on this thread, or "" when it can. MPI is initialised at thread level 'funneled'
// (only the main thread calls MPI) and a parallel HDF5 is not thread-safe (one thread of the process may
// call it): so only the main thread may use them, and a Worker must be refused before it touches either.
std::string WhyNotHere() {
  if (OnMainThread()) return "";
  hbool_t threadsafe = false;
  H5is_library_threadsafe(&threadsafe);
  return std::string("h5mpi can only be loaded on the main thread of a process, not in a worker thread: ") +
         (threadsafe ? "" : "this HDF5 is built without thread safety (any two threads calling it corrupt it), ") +
         (threadsafe ? "" : "and ") +
         "MPI runs at thread level 'funneled' (only the main thread may call MPI). Load h5mpi on the main thread "
         "and hand data to workers (postMessage, SharedArrayBuffer).";
}

}  // namespace

const napi_type_tag kCommTag = {0x6a1e5c2b7f3d4e91ULL, 0x8b2c4d6e0f1a3b5cULL};
const napi_type_tag kFileTag = {0x6a1e5c2b7f3d4e92ULL, 0x8b2c4d6e0f1a3b5cULL};
const napi_type_tag kGroupTag = {0x6a1e5c2b7f3d4e93ULL, 0x8b2c4d6e0f1a3b5cULL};
const napi_type_tag kDatasetTag = {0x6a1e5c2b7f3d4e94ULL, 0x8b2c4d6e0f1a3b5cULL};
const napi_type_tag kDatatypeTag = {0x6a1e5c2b7f3d4e96ULL, 0x8b2c4d6e0f1a3b5cULL};

bool LibraryClosed() { return libraryClosed.load(); }
void MarkLibraryClosed() { libraryClosed.store(true); }

// Runs when the environment is torn down: the watchdog thread stops, and HDF5 objects the environment kept
// are closed (while HDF5 still runs). JS references go with the instance data afterwards.
AddonData::~AddonData() { ReleaseCachedSpaces(*this); }

static void Cleanup(AddonData* data) {
  data->watchdog.reset();
  ReleaseCachedSpaces(*data);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  std::string refusal = WhyNotHere();
  if (!refusal.empty()) throw Napi::Error::New(env, refusal);
  auto* data = new AddonData();
  data->fp = SaveFPControl();
  env.SetInstanceData<AddonData>(data);
  env.AddCleanupHook(Cleanup, data);
  // Before any other HDF5 call: HDF5 must not close files from its own atexit handler. A parallel file's
  // close is collective, so a rank exiting on its own would wait there forever for the others; lib/runtime.ts
  // closes files at exit instead (parallel ones only when every rank exits cleanly), then calls H5close.
  H5dont_atexit();
  InitErrors(env, exports);
  InitComm(env, exports);
  InitRequest(env, exports);
  InitDataspace(env, exports);
  InitFile(env, exports);
  InitGroup(env, exports);
  InitDataset(env, exports);
  InitDatatype(env, exports);
  InitFilters(env, exports);
  InitWatchdog(env, exports);
  InitFileLock(env, exports);
  InitMemory(env, exports);
  InitTopology(env, exports);
  InitCodec(env, exports);
  return exports;
}

}  // namespace h5mpi

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return h5mpi::Init(env, exports); }

NODE_API_MODULE(NODE_GYP_MODULE_NAME, InitAddon)
