// Non-blocking operations. Each pending operation is a slot in the environment's request table: it owns
// its MPI_Request, keeps the JS values whose memory MPI reads or writes alive until the operation completes
// (whatever the garbage collector does meanwhile), and remembers how it completed until lib/ has taken the
// outcome. JS holds only the slot's number: a request costs no JS wrapper object of the binding's, which
// would cost more than the MPI call itself. An operation may take steps (a broadcast of unknown size: first
// the size, then the data).
#pragma once
#include <deque>
#include <functional>
#include <vector>

#include "comm.h"

namespace h5mpi {

class NativeRequest;

// Runs when the current step's MPI request completed with `status`: returns true when the operation is
// finished, or posts the next step (Post) and returns false.
using RequestStep = std::function<bool(Napi::Env env, NativeRequest& request, const MPI_Status& status)>;

class NativeRequest {
 public:
  // A started operation: `request` is posted; `keep` are the values whose memory it uses. `result`, when
  // given, is what wait() reports as `result` (a reduction's output buffer, say). Returns its number.
  static Napi::Value New(Napi::Env env, MPI_Request request, std::initializer_list<Napi::Value> keep,
                         RequestStep step = nullptr, Napi::Value result = Napi::Value());
  // The pending request numbered by a JS value, or throws.
  static NativeRequest& From(Napi::Env env, const Napi::Value& id);

  // For steps: post the next MPI request, keep another value alive, set what wait() reports as `result`.
  void Post(MPI_Request request) { request_ = request; }
  void Keep(Napi::Value v);
  void SetResult(Napi::Value v);

  bool done() const { return done_; }
  // Advances the operation: blocking (wait) or not (test). True once it is done.
  bool Progress(Napi::Env env, bool blocking);
  // Completes every one: those of one step together in one MPI_Waitall, as MPI progresses them best.
  static void WaitAll(Napi::Env env, const std::vector<NativeRequest*>& requests);
  // Cancels it if still pending: whether it was cancelled (false: it completed normally).
  bool Cancel(Napi::Env env);
  // Reports how it completed into the status slots (source, tag, bytes, cancelled) and returns its result
  // (a received buffer, a reduction's output), or undefined; the slot is free again after this.
  Napi::Value Take(Napi::Env env);

 private:
  friend class RequestTable;
  void Finish(const MPI_Status& status);
  void Fail(const MPI_Status& status, int rc, const char* in);

  uint32_t id_ = 0;
  bool inUse_ = false;
  MPI_Request request_ = MPI_REQUEST_NULL;
  RequestStep step_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
  Napi::Reference<Napi::Value> result_;
  bool done_ = false;
  bool cancelled_ = false;
  bool queued_ = false;      // in the list WaitAll is making
  int error_ = MPI_SUCCESS;  // how it failed, reported by Take
  const char* errorIn_ = "";
  int statusSource_ = MPI_PROC_NULL, statusTag_ = MPI_ANY_TAG;
  double bytes_ = 0;
};

// The environment's requests (in AddonData): slots reused through a free list, at stable addresses.
class RequestTable {
 public:
  NativeRequest& Add();
  NativeRequest* Find(uint32_t id);
  void Release(NativeRequest& r);

 private:
  std::deque<NativeRequest> slots_;
  std::vector<uint32_t> free_;
};

// How many bytes a completed receive got (MPI_Get_elements_x, so beyond 2^31 too).
double ReceivedBytes(const MPI_Status& status);

void InitRequest(Napi::Env env, Napi::Object exports);

}  // namespace h5mpi
