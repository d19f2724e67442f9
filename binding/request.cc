#include "request.h"

#include "errors.h"
#include "object.h"

namespace h5mpi {

double ReceivedBytes(const MPI_Status& status) {
  MPI_Count count = 0;
  MPI_Get_elements_x(&status, MPI_BYTE, &count);
  return count == MPI_UNDEFINED ? 0 : static_cast<double>(count);
}

Napi::Function NativeRequest::Define(Napi::Env env) {
  return DefineClass(env, "NativeRequest",
                     {
                         InstanceMethod<&NativeRequest::Wait>("wait"),
                         InstanceMethod<&NativeRequest::Test>("test"),
                         InstanceMethod<&NativeRequest::Cancel>("cancel"),
                         InstanceMethod<&NativeRequest::IsDone>("done"),
                     });
}

NativeRequest::NativeRequest(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeRequest>(info) {
  info.This().As<Napi::Object>().TypeTag(&kRequestTag);
}

// Only a finished request can be collected: a pending one holds a reference to itself (Finish drops it).
NativeRequest::~NativeRequest() = default;

Napi::Object NativeRequest::New(Napi::Env env, MPI_Request request, std::vector<Napi::Value> keep, RequestStep step,
                                Napi::Value result) {
  Napi::Object o = Data(env).requestClass.New({});
  NativeRequest* r = Unwrap(o);
  r->request_ = request;
  r->step_ = std::move(step);
  if (!result.IsEmpty()) r->SetResult(result);
  for (const Napi::Value& v : keep) r->Keep(v);
  r->Ref();  // pending: MPI uses the kept memory until the operation completes
  return o;
}

NativeRequest* NativeRequest::From(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject() || !v.As<Napi::Object>().CheckTypeTag(&kRequestTag)) ThrowUsage(env, "expected a Request");
  return Unwrap(v.As<Napi::Object>());
}

void NativeRequest::Keep(Napi::Value v) { keep_.push_back(Napi::Persistent(v)); }
void NativeRequest::SetResult(Napi::Value v) { result_ = Napi::Persistent(v); }

void NativeRequest::Finish(Napi::Env env, const MPI_Status& status) {
  statusSource_ = status.MPI_SOURCE;
  statusTag_ = status.MPI_TAG;
  bytes_ = ReceivedBytes(status);
  done_ = true;
  step_ = nullptr;
  keep_.clear();
  Unref();
}

bool NativeRequest::Progress(Napi::Env env, bool blocking) {
  while (!done_) {
    MPI_Status status;
    int rc;
    if (blocking) {
      rc = MPI_Wait(&request_, &status);
    } else {
      int flag = 0;
      rc = MPI_Test(&request_, &flag, &status);
      if (rc == MPI_SUCCESS && !flag) return false;
    }
    if (rc != MPI_SUCCESS) {
      // The operation failed (a receive longer than its buffer, say): it is over, and reports why once.
      Finish(env, status);
      ThrowMPI(env, rc, blocking ? "MPI_Wait" : "MPI_Test");
    }
    if (step_ && !step_(env, *this, status)) continue;  // the next step is posted
    Finish(env, status);
  }
  return true;
}

Napi::Value NativeRequest::Record(Napi::Env env) {
  ReportStatus(env, statusSource_, statusTag_, bytes_, cancelled_ ? 1 : 0);
  return result_.IsEmpty() ? env.Undefined() : result_.Value();
}

Napi::Value NativeRequest::Wait(const Napi::CallbackInfo& info) {
  Progress(info.Env(), true);
  reported = true;
  return Record(info.Env());
}

// test() -> whether it is done (then wait() reports it without waiting).
Napi::Value NativeRequest::Test(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Progress(info.Env(), false));
}

Napi::Value NativeRequest::IsDone(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), done_); }

// cancel() -> whether the operation was cancelled (false: it had completed, or completes, normally).
Napi::Value NativeRequest::Cancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!done_) {
    CheckMPI(env, MPI_Cancel(&request_), "MPI_Cancel");
    MPI_Status status;
    CheckMPI(env, MPI_Wait(&request_, &status), "MPI_Wait");
    int flag = 0;
    MPI_Test_cancelled(&status, &flag);
    if (flag) {
      cancelled_ = true;
      Finish(env, status);
    } else if (!step_ || step_(env, *this, status)) {
      Finish(env, status);
    } else {
      Progress(env, true);  // completed its step before the cancel: run the rest
    }
  }
  return Napi::Boolean::New(env, cancelled_);
}

namespace {

std::vector<NativeRequest*> Requests(Napi::Env env, const Napi::Value& v) {
  Napi::Array a = v.As<Napi::Array>();
  std::vector<NativeRequest*> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = NativeRequest::From(env, a.Get(i));
  return out;
}

// waitall(requests): completes every one (each then reports through wait()).
Napi::Value WaitAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  for (NativeRequest* r : Requests(env, info[0])) {
    r->Progress(env, true);
    r->reported = true;
  }
  return env.Undefined();
}

// testall(requests) -> whether every one is complete (then all are reported).
Napi::Value TestAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<NativeRequest*> requests = Requests(env, info[0]);
  bool all = true;
  for (NativeRequest* r : requests) all = r->Progress(env, false) && all;
  if (all)
    for (NativeRequest* r : requests) r->reported = true;
  return Napi::Boolean::New(env, all);
}

// waitsome(requests, one) -> the indices of the requests that completed and were not reported before (at
// least one; with `one`, exactly one: waitany); [] when every one has been reported. Polls them in turn:
// a blocking wait on one could hold up another whose message arrives first.
Napi::Value WaitSome(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<NativeRequest*> requests = Requests(env, info[0]);
  bool one = info[1].ToBoolean();
  std::vector<uint32_t> open;
  for (uint32_t i = 0; i < requests.size(); i++) {
    if (!requests[i]->reported) open.push_back(i);
  }
  Napi::Array out = Napi::Array::New(env);
  if (open.empty()) return out;
  if (open.size() == 1) {
    requests[open[0]]->Progress(env, true);
  }
  for (;;) {
    for (uint32_t i : open) {
      if (requests[i]->Progress(env, false)) {
        requests[i]->reported = true;
        out.Set(out.Length(), i);
        if (one) return out;
      }
    }
    if (out.Length() > 0) return out;
  }
}

}  // namespace

void InitRequest(Napi::Env env, Napi::Object exports) {
  Data(env).requestClass = Napi::Persistent(NativeRequest::Define(env));
  exports.Set("waitall", Napi::Function::New(env, WaitAll));
  exports.Set("testall", Napi::Function::New(env, TestAll));
  exports.Set("waitsome", Napi::Function::New(env, WaitSome));
}

}  // namespace h5mpi
