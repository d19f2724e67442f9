// Non-blocking collectives: each returns a NativeRequest whose result is what the blocking call would
// return (lib/ decodes it). A broadcast of unknown size takes two steps: the size, then the data.
#include <climits>
#include <memory>

#include "comm.h"
#include "errors.h"
#include "request.h"

namespace h5mpi {
namespace {

// ibarrier() -> NativeRequest
Napi::Value Ibarrier(const Napi::CallbackInfo& info, MPI_Comm c) {
  MPI_Request request;
  CheckMPI(info.Env(), MPI_Ibarrier(c, &request), "MPI_Ibarrier");
  return NativeRequest::New(info.Env(), request, {});
}

// ibcast(kind, view | undefined, root) -> NativeRequest; its result on every rank but the root is
// [kind, ArrayBuffer]. First the root's (kind, byte length), then the bytes into a buffer of that size.
Napi::Value Ibcast(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  int root = info[2].As<Napi::Number>().Int32Value();
  int rank = 0;
  MPI_Comm_rank(c, &rank);
  struct Shared {
    int64_t header[2] = {0, 0};
    char* data = nullptr;  // the root's bytes
    std::unique_ptr<BigType> type;
  };
  auto shared = std::make_shared<Shared>();
  if (rank == root) {
    View v = ToView(env, info[1]);
    shared->header[0] = info[0].As<Napi::Number>().Int64Value();
    shared->header[1] = static_cast<int64_t>(v.bytes());
    shared->data = v.data;
  }
  MPI_Request request;
  CheckMPI(env, MPI_Ibcast(shared->header, 2, MPI_INT64_T, root, c, &request), "MPI_Ibcast");
  bool sizeKnown = false;
  RequestStep step = [shared, root, rank, c, sizeKnown](Napi::Env env, NativeRequest& r, const MPI_Status&) mutable {
    if (sizeKnown) return true;
    sizeKnown = true;
    size_t bytes = static_cast<size_t>(shared->header[1]);
    void* data = shared->data;
    if (rank != root) {
      Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, bytes);
      Napi::Array result = Napi::Array::New(env, 2);
      result.Set(0u, Napi::Number::New(env, static_cast<double>(shared->header[0])));
      result.Set(1u, buffer);
      r.SetResult(result);
      data = buffer.Data();
    }
    shared->type = std::make_unique<BigType>(env, MPI_BYTE, bytes);
    MPI_Request next;
    CheckMPI(env, MPI_Ibcast(data, shared->type->count(), shared->type->type(), root, c, &next), "MPI_Ibcast");
    r.Post(next);
    return false;
  };
  Napi::Value id = NativeRequest::New(env, request, {}, step);
  if (rank == root) NativeRequest::From(env, id).Keep(info[1]);
  return id;
}

// ireduce(array, op, root | -1 for iallreduce) -> NativeRequest whose result is the reduced ArrayBuffer
// (on the root, or everywhere; an empty one elsewhere). MPI's predefined ops take no derived types, so
// one non-blocking reduction is limited to int counts.
Napi::Value IreduceImpl(const Napi::CallbackInfo& info, MPI_Comm c, int root) {
  Napi::Env env = info.Env();
  View v = ToView(env, info[0]);
  MPI_Op op = ToOp(env, info[1].As<Napi::Number>().Int32Value());
  if (v.length > static_cast<size_t>(INT_MAX)) {
    throw Napi::RangeError::New(env,
                                "the array is too long for one non-blocking reduction (at most 2^31 - 1 elements)");
  }
  int rank = 0;
  MPI_Comm_rank(c, &rank);
  bool receives = root < 0 || rank == root;
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, receives ? v.bytes() : 0);
  int n = static_cast<int>(v.length);
  MPI_Request request;
  if (root < 0) {
    CheckMPI(env, MPI_Iallreduce(v.data, out.Data(), n, v.type, op, c, &request), "MPI_Iallreduce");
  } else {
    CheckMPI(env, MPI_Ireduce(v.data, receives ? out.Data() : nullptr, n, v.type, op, root, c, &request),
             "MPI_Ireduce");
  }
  return NativeRequest::New(env, request, {info[0]}, nullptr, out);
}
Napi::Value Ireduce(const Napi::CallbackInfo& info, MPI_Comm c) {
  return IreduceImpl(info, c, info[2].As<Napi::Number>().Int32Value());
}
Napi::Value Iallreduce(const Napi::CallbackInfo& info, MPI_Comm c) { return IreduceImpl(info, c, -1); }

}  // namespace

void NonblockingCollectiveCalls(std::vector<CommCallEntry>& out) {
  out.insert(out.end(), {
                            {"ibarrier", Ibarrier},
                            {"ibcast", Ibcast},
                            {"ireduce", Ireduce},
                            {"iallreduce", Iallreduce},
                        });
}

}  // namespace h5mpi
