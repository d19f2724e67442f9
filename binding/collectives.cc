// Collective calls on a communicator: barrier, broadcasts, gathers and reductions, on raw buffers (lib/
// encodes values). Every rank of the communicator makes them.
#include <climits>

#include "comm.h"
#include "errors.h"

namespace h5mpi {
namespace {

Napi::Value Barrier(const Napi::CallbackInfo& info, MPI_Comm c) {
  CheckMPI(info.Env(), MPI_Barrier(c), "MPI_Barrier");
  return info.Env().Undefined();
}

// bcast(kind, view | undefined, root) -> [kind, ArrayBuffer]. The root's header (kind, byte length) goes
// first so that every other rank can allocate the exact buffer and receive straight into it.
Napi::Value Bcast(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  int root = info[2].As<Napi::Number>().Int32Value();
  int rank;
  MPI_Comm_rank(c, &rank);
  int64_t header[2] = {0, 0};
  View view{};
  if (rank == root) {
    view = ToView(env, info[1]);
    header[0] = info[0].As<Napi::Number>().Int64Value();
    header[1] = static_cast<int64_t>(view.length * view.elementSize);
  }
  CheckMPI(env, MPI_Bcast(header, 2, MPI_INT64_T, root, c), "MPI_Bcast");
  if (rank == root) {
    InPieces(view.data, view.length, view.elementSize,
             [&](char* p, int n) { CheckMPI(env, MPI_Bcast(p, n, view.type, root, c), "MPI_Bcast"); });
    return info.Env().Undefined();
  }
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, static_cast<size_t>(header[1]));
  DType dt = DTypeOfKind(header[0]);
  size_t es = DTypeSize(dt);
  InPieces(static_cast<char*>(out.Data()), header[1] / es, es,
           [&](char* p, int n) { CheckMPI(env, MPI_Bcast(p, n, MPITypeOf(dt), root, c), "MPI_Bcast"); });
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, static_cast<double>(header[0])));
  result.Set(1u, out);
  return result;
}

// bcastInto(typedArray, root): every rank passes an array of the same type and length.
Napi::Value BcastInto(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View v = ToView(env, info[0]);
  int root = info[1].As<Napi::Number>().Int32Value();
  InPieces(v.data, v.length, v.elementSize,
           [&](char* p, int n) { CheckMPI(env, MPI_Bcast(p, n, v.type, root, c), "MPI_Bcast"); });
  return info[0];
}

// Gathers every rank's (kind, bytes) to `root` (or to all when root < 0): returns [kinds[], ArrayBuffer,
// byteOffsets[], byteLengths[]] there and undefined elsewhere. Each rank's bytes start on an 8-byte
// boundary so that they can be viewed in place as any typed array. The headers go to every rank, so that
// every rank sees a too-large gather and throws, rather than the root alone.
Napi::Value GatherImpl(const Napi::CallbackInfo& info, MPI_Comm c, int root) {
  Napi::Env env = info.Env();
  int rank, size;
  MPI_Comm_rank(c, &rank);
  MPI_Comm_size(c, &size);
  View v = ToView(env, info[1]);
  size_t bytes = v.length * v.elementSize;
  int64_t mine[2] = {info[0].As<Napi::Number>().Int64Value(), static_cast<int64_t>(bytes)};
  std::vector<int64_t> headers(2 * size);
  CheckMPI(env, MPI_Allgather(mine, 2, MPI_INT64_T, headers.data(), 2, MPI_INT64_T, c), "MPI_Allgather");
  std::vector<int> counts(size), displs(size);
  int64_t total = 0;
  for (int i = 0; i < size; i++) {
    int64_t n = headers[2 * i + 1];
    total = (total + 7) & ~int64_t(7);
    if (n > INT_MAX || total + n > INT_MAX)
      throw Napi::RangeError::New(env, "gather: the ranks' contributions together exceed 2 GiB; send them in pieces");
    counts[i] = static_cast<int>(n);
    displs[i] = static_cast<int>(total);
    total += n;
  }
  bool receives = root < 0 || rank == root;
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, receives ? static_cast<size_t>(total) : 0);
  if (root < 0) {
    CheckMPI(env,
             MPI_Allgatherv(v.data, static_cast<int>(bytes), MPI_BYTE, out.Data(), counts.data(), displs.data(),
                            MPI_BYTE, c),
             "MPI_Allgatherv");
  } else {
    CheckMPI(env,
             MPI_Gatherv(v.data, static_cast<int>(bytes), MPI_BYTE, out.Data(), counts.data(), displs.data(), MPI_BYTE,
                         root, c),
             "MPI_Gatherv");
  }
  if (!receives) return env.Undefined();
  Napi::Array kinds = Napi::Array::New(env, size), offsets = Napi::Array::New(env, size),
              lengths = Napi::Array::New(env, size);
  for (int i = 0; i < size; i++) {
    kinds.Set(i, Napi::Number::New(env, static_cast<double>(headers[2 * i])));
    offsets.Set(i, Napi::Number::New(env, displs[i]));
    lengths.Set(i, Napi::Number::New(env, counts[i]));
  }
  Napi::Array result = Napi::Array::New(env, 4);
  result.Set(0u, kinds);
  result.Set(1u, out);
  result.Set(2u, offsets);
  result.Set(3u, lengths);
  return result;
}
Napi::Value Gather(const Napi::CallbackInfo& info, MPI_Comm c) {
  return GatherImpl(info, c, info[2].As<Napi::Number>().Int32Value());
}
Napi::Value Allgather(const Napi::CallbackInfo& info, MPI_Comm c) { return GatherImpl(info, c, -1); }

// reduce(typedArray, op, root | -1 for allreduce) -> a new array of the same type (on root, or everywhere).
Napi::Value ReduceImpl(const Napi::CallbackInfo& info, MPI_Comm c, int root) {
  Napi::Env env = info.Env();
  Napi::TypedArray in = info[0].As<Napi::TypedArray>();
  View v = ToView(env, in);
  MPI_Op op = ToOp(env, info[1].As<Napi::Number>().Int32Value());
  int rank;
  MPI_Comm_rank(c, &rank);
  bool receives = root < 0 || rank == root;
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, receives ? v.length * v.elementSize : 0);
  char* dst = static_cast<char*>(out.Data());
  char* src = v.data;
  InPieces(src, v.length, v.elementSize, [&](char* p, int n) {
    char* q = receives ? dst + (p - src) : nullptr;
    if (root < 0) {
      CheckMPI(env, MPI_Allreduce(p, q, n, v.type, op, c), "MPI_Allreduce");
    } else {
      CheckMPI(env, MPI_Reduce(p, q, n, v.type, op, root, c), "MPI_Reduce");
    }
  });
  if (!receives) return env.Undefined();
  return out;
}
Napi::Value Reduce(const Napi::CallbackInfo& info, MPI_Comm c) {
  return ReduceImpl(info, c, info[2].As<Napi::Number>().Int32Value());
}
Napi::Value Allreduce(const Napi::CallbackInfo& info, MPI_Comm c) { return ReduceImpl(info, c, -1); }

}  // namespace

void CollectiveCalls(std::vector<CommCallEntry>& out) {
  out.insert(out.end(), {
                            {"barrier", Barrier},
                            {"bcast", Bcast},
                            {"bcastInto", BcastInto},
                            {"gather", Gather},
                            {"allgather", Allgather},
                            {"reduce", Reduce},
                            {"allreduce", Allreduce},
                        });
}

}  // namespace h5mpi
