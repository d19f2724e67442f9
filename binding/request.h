// NativeRequest: one non-blocking operation. It owns its MPI_Request, keeps the JS values whose memory MPI
// reads or writes alive until the operation completes (whatever the garbage collector does meanwhile), and
// remembers how it completed. An operation may take steps (a broadcast of unknown size: first the size,
// then the data).
#pragma once
#include <functional>
#include <vector>

#include "comm.h"

namespace h5mpi {

class NativeRequest;

// Runs when the current step's MPI request completed with `status`: returns true when the operation is
// finished, or posts the next step (Post) and returns false.
using RequestStep = std::function<bool(Napi::Env env, NativeRequest& request, const MPI_Status& status)>;

class NativeRequest : public Napi::ObjectWrap<NativeRequest> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit NativeRequest(const Napi::CallbackInfo& info);
  ~NativeRequest() override;

  // A started operation: `request` is posted; `keep` are the values whose memory it uses.
  // `result`, when given, is what wait() reports as `result` (a reduction's output buffer, say).
  static Napi::Object New(Napi::Env env, MPI_Request request, std::vector<Napi::Value> keep, RequestStep step = nullptr,
                          Napi::Value result = Napi::Value());
  // The NativeRequest inside a JS value (type-checked), or throws.
  static NativeRequest* From(Napi::Env env, const Napi::Value& v);

  // For steps: post the next MPI request, keep another value alive, set what wait() reports as `result`.
  void Post(MPI_Request request) { request_ = request; }
  void Keep(Napi::Value v);
  void SetResult(Napi::Value v);

  bool done() const { return done_; }
  // Advances the operation: blocking (wait) or not (test). True once it is done.
  bool Progress(Napi::Env env, bool blocking);
  // Whether a wait*/test* call has already reported it as complete.
  bool reported = false;
  // Reports how it completed into the status slots (source, tag, bytes, cancelled) and returns its result
  // (a received buffer, a reduction's output), or undefined.
  Napi::Value Record(Napi::Env env);

 private:
  void Finish(Napi::Env env, const MPI_Status& status);

  Napi::Value Wait(const Napi::CallbackInfo& info);
  Napi::Value Test(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value IsDone(const Napi::CallbackInfo& info);

  MPI_Request request_ = MPI_REQUEST_NULL;
  RequestStep step_;
  std::vector<Napi::Reference<Napi::Value>> keep_;
  Napi::Reference<Napi::Value> result_;
  bool done_ = false;
  bool cancelled_ = false;
  int statusSource_ = MPI_PROC_NULL, statusTag_ = MPI_ANY_TAG;
  double bytes_ = 0;
};

// How many bytes a completed receive got (MPI_Get_elements_x, so beyond 2^31 too).
double ReceivedBytes(const MPI_Status& status);

void InitRequest(Napi::Env env, Napi::Object exports);

}  // namespace h5mpi
