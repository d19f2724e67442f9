#include "request.h"

#include "errors.h"
#include "object.h"

namespace h5mpi {

double ReceivedBytes(const MPI_Status& status) {
  MPI_Count count = 0;
  MPI_Get_elements_x(&status, MPI_BYTE, &count);
  return count == MPI_UNDEFINED ? 0 : static_cast<double>(count);
}

NativeRequest& RequestTable::Add() {
  NativeRequest* r;
  if (!free_.empty()) {
    r = &slots_[free_.back()];
    free_.pop_back();
  } else {
    r = &slots_.emplace_back();
    r->id_ = static_cast<uint32_t>(slots_.size() - 1);
  }
  r->inUse_ = true;
  return *r;
}

NativeRequest* RequestTable::Find(uint32_t id) {
  return id < slots_.size() && slots_[id].inUse_ ? &slots_[id] : nullptr;
}

void RequestTable::Release(NativeRequest& r) {
  // A fresh slot, but the kept-values list keeps its storage for the next use.
  std::vector<Napi::Reference<Napi::Value>> keep = std::move(r.keep_);
  keep.clear();
  uint32_t id = r.id_;
  r = NativeRequest();
  r.id_ = id;
  r.keep_ = std::move(keep);
  free_.push_back(id);
}

Napi::Value NativeRequest::New(Napi::Env env, MPI_Request request, std::initializer_list<Napi::Value> keep,
                               RequestStep step, Napi::Value result) {
  NativeRequest& r = Data(env).requests->Add();
  r.request_ = request;
  r.step_ = std::move(step);
  if (!result.IsEmpty()) r.SetResult(result);
  for (const Napi::Value& v : keep) r.Keep(v);
  return Napi::Number::New(env, r.id_);
}

NativeRequest& NativeRequest::From(Napi::Env env, const Napi::Value& id) {
  NativeRequest* r = id.IsNumber() ? Data(env).requests->Find(id.As<Napi::Number>().Uint32Value()) : nullptr;
  if (r == nullptr) ThrowUsage(env, "not a pending request");
  return *r;
}

void NativeRequest::Keep(Napi::Value v) { keep_.push_back(Napi::Persistent(v)); }
void NativeRequest::SetResult(Napi::Value v) { result_ = Napi::Persistent(v); }

void NativeRequest::Finish(const MPI_Status& status) {
  statusSource_ = status.MPI_SOURCE;
  statusTag_ = status.MPI_TAG;
  bytes_ = ReceivedBytes(status);
  done_ = true;
  step_ = nullptr;
  keep_.clear();
}

// The operation failed (a receive longer than its buffer, say): it is over, and Take reports why.
void NativeRequest::Fail(const MPI_Status& status, int rc, const char* in) {
  Finish(status);
  error_ = rc;
  errorIn_ = in;
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
      Fail(status, rc, blocking ? "MPI_Wait" : "MPI_Test");
      return true;
    }
    if (step_ && !step_(env, *this, status)) continue;  // the next step is posted
    Finish(status);
  }
  return true;
}

void NativeRequest::WaitAll(Napi::Env env, const std::vector<NativeRequest*>& requests) {
  std::vector<NativeRequest*> single;
  std::vector<MPI_Request> handles;
  for (NativeRequest* r : requests) {
    // A request listed twice goes in once: MPI frees a request as it completes it.
    if (r->done_ || r->step_ || r->queued_) continue;
    r->queued_ = true;
    single.push_back(r);
    handles.push_back(r->request_);
  }
  for (NativeRequest* r : single) r->queued_ = false;
  if (!handles.empty()) {
    std::vector<MPI_Status> statuses(handles.size());
    int rc = MPI_Waitall(static_cast<int>(handles.size()), handles.data(), statuses.data());
    // On any other error the requests are as they were: each is finished one by one below.
    if (rc == MPI_SUCCESS || rc == MPI_ERR_IN_STATUS) {
      for (size_t i = 0; i < single.size(); i++) {
        NativeRequest* r = single[i];
        int error = rc == MPI_ERR_IN_STATUS ? statuses[i].MPI_ERROR : MPI_SUCCESS;
        r->request_ = handles[i];
        if (error == MPI_ERR_PENDING) continue;  // still in flight (and its memory in use): waited for below
        if (error == MPI_SUCCESS) {
          r->Finish(statuses[i]);
        } else {
          r->Fail(statuses[i], error, "MPI_Waitall");
        }
      }
    }
  }
  for (NativeRequest* r : requests) r->Progress(env, true);
}

Napi::Value NativeRequest::Take(Napi::Env env) {
  ReportStatus(env, statusSource_, statusTag_, bytes_, cancelled_ ? 1 : 0);
  int error = error_;
  const char* errorIn = errorIn_;
  Napi::Value result = result_.IsEmpty() ? env.Undefined() : result_.Value();
  Data(env).requests->Release(*this);
  if (error != MPI_SUCCESS) ThrowMPI(env, error, errorIn);
  return result;
}

bool NativeRequest::Cancel(Napi::Env env) {
  if (done_) return cancelled_;
  CheckMPI(env, MPI_Cancel(&request_), "MPI_Cancel");
  MPI_Status status;
  CheckMPI(env, MPI_Wait(&request_, &status), "MPI_Wait");
  int flag = 0;
  MPI_Test_cancelled(&status, &flag);
  if (flag) {
    cancelled_ = true;
    Finish(status);
  } else if (!step_ || step_(env, *this, status)) {
    Finish(status);
  } else {
    Progress(env, true);  // completed its step before the cancel: run the rest
  }
  return cancelled_;
}

namespace {

NativeRequest& Arg(const Napi::CallbackInfo& info) { return NativeRequest::From(info.Env(), info[0]); }

// requestWait(id) -> its result (status in the slots), once complete; the number is free after it.
Napi::Value RequestWait(const Napi::CallbackInfo& info) {
  NativeRequest& r = Arg(info);
  r.Progress(info.Env(), true);
  return r.Take(info.Env());
}

// requestTest(id) -> whether it is done (then requestWait reports it without waiting).
Napi::Value RequestTest(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Arg(info).Progress(info.Env(), false));
}

Napi::Value RequestDone(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), Arg(info).done()); }

// requestCancel(id) -> whether it was cancelled (then it is over, and its number free); false: it had
// completed, or completes, normally (requestWait reports it).
Napi::Value RequestCancel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NativeRequest& r = Arg(info);
  if (!r.Cancel(env)) return Napi::Boolean::New(env, false);
  r.Take(env);
  return Napi::Boolean::New(env, true);
}

// The requests numbered in info[0] (a Uint32Array lib/ reuses) up to the count info[1].
std::vector<NativeRequest*> Requests(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint32Array ids = info[0].As<Napi::Uint32Array>();
  uint32_t n = info[1].As<Napi::Number>().Uint32Value();
  if (n > ids.ElementLength()) ThrowUsage(env, "request count beyond the list");
  RequestTable& table = *Data(env).requests;
  std::vector<NativeRequest*> out(n);
  for (uint32_t i = 0; i < n; i++) {
    out[i] = table.Find(ids[i]);
    if (out[i] == nullptr) ThrowUsage(env, "not a pending request");
  }
  return out;
}

// waitall(ids, n): completes every one (each then reports through requestWait, a failed one with its error).
Napi::Value WaitAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NativeRequest::WaitAll(env, Requests(info));
  return env.Undefined();
}

// testall(ids, n) -> whether every one is complete.
Napi::Value TestAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool all = true;
  for (NativeRequest* r : Requests(info)) all = r->Progress(env, false) && all;
  return Napi::Boolean::New(env, all);
}

// waitsome(ids, n, one) -> the indices of those that completed (at least one; with `one`, exactly one:
// waitany). lib/ passes only requests it has not taken. Polls them in turn: a blocking wait on one could
// hold up another whose message arrives first.
Napi::Value WaitSome(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<NativeRequest*> requests = Requests(info);
  bool one = info[2].ToBoolean();
  Napi::Array out = Napi::Array::New(env);
  if (requests.empty()) return out;
  if (requests.size() == 1) requests[0]->Progress(env, true);
  for (;;) {
    for (uint32_t i = 0; i < requests.size(); i++) {
      if (requests[i]->Progress(env, false)) {
        out.Set(out.Length(), i);
        if (one) return out;
      }
    }
    if (out.Length() > 0) return out;
  }
}

}  // namespace

void InitRequest(Napi::Env env, Napi::Object exports) {
  Data(env).requests = std::make_unique<RequestTable>();
  exports.Set("requestWait", Napi::Function::New(env, RequestWait));
  exports.Set("requestTest", Napi::Function::New(env, RequestTest));
  exports.Set("requestDone", Napi::Function::New(env, RequestDone));
  exports.Set("requestCancel", Napi::Function::New(env, RequestCancel));
  exports.Set("waitall", Napi::Function::New(env, WaitAll));
  exports.Set("testall", Napi::Function::New(env, TestAll));
  exports.Set("waitsome", Napi::Function::New(env, WaitSome));
}

}  // namespace h5mpi
