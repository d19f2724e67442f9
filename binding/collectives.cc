// Collective calls on a communicator: barrier, broadcasts, gathers, scatters, all-to-all exchanges,
// reductions and prefix reductions, on raw buffers (lib/ encodes values, allocates what is received and
// checks the arguments). Every rank of the communicator makes them.
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

// ---- MPI's vector and prefix collectives, on typed arrays that lib/ allocates and validates ----
// Each sends from and receives into the views it is given (no copy); the MPI datatype is the view's own.
// Counts and displacements come as Int32Array in elements (lib/ checks their length, signs and sums).

// A view that may be absent (the send buffer on a non-root rank, the receive buffer off the root).
View OptionalView(Napi::Env env, const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return View{nullptr, 0, 1, MPI_BYTE, DType::Uint8};
  return ToView(env, v);
}

// An Int32Array of counts or displacements (nullptr when absent: not significant on this rank).
const int* IntsOf(Napi::Env env, const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    ThrowUsage(env, "expected an Int32Array of counts");
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  return reinterpret_cast<const int*>(static_cast<char*>(a.ArrayBuffer().Data()) + a.ByteOffset());
}

// An element count MPI's int takes.
int CountOf(Napi::Env env, size_t n) {
  if (n > INT_MAX) throw Napi::RangeError::New(env, "more than 2^31-1 elements in one block; send them in pieces");
  return static_cast<int>(n);
}

// mpiScatter(send | undefined, recv, root, inPlace): recv.length elements to each rank; `inPlace` on the
// root (send and recv the same array): send.length / size elements to each, the root's block left in send.
Napi::Value MpiScatter(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = OptionalView(env, info[0]), r = ToView(env, info[1]);
  int root = info[2].As<Napi::Number>().Int32Value();
  if (info[3].ToBoolean().Value()) {
    int size;
    MPI_Comm_size(c, &size);
    int n = CountOf(env, s.length / size);
    CheckMPI(env, MPI_Scatter(s.data, n, s.type, MPI_IN_PLACE, n, s.type, root, c), "MPI_Scatter");
    return env.Undefined();
  }
  int n = CountOf(env, r.length);
  CheckMPI(env, MPI_Scatter(s.data, n, s.data ? s.type : r.type, r.data, n, r.type, root, c), "MPI_Scatter");
  return env.Undefined();
}

// mpiScatterv(send | undefined, counts | undefined, displs | undefined, recv, root)
Napi::Value MpiScatterv(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = OptionalView(env, info[0]), r = ToView(env, info[3]);
  CheckMPI(env,
           MPI_Scatterv(s.data, IntsOf(env, info[1]), IntsOf(env, info[2]), s.data ? s.type : r.type, r.data,
                        CountOf(env, r.length), r.type, info[4].As<Napi::Number>().Int32Value(), c),
           "MPI_Scatterv");
  return env.Undefined();
}

// mpiGatherv(send, recv | undefined, counts, displs, root); root < 0: MPI_Allgatherv into every rank's recv.
Napi::Value MpiGatherv(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = OptionalView(env, info[1]);
  const int *counts = IntsOf(env, info[2]), *displs = IntsOf(env, info[3]);
  int root = info[4].As<Napi::Number>().Int32Value();
  int n = CountOf(env, s.length);
  if (root < 0) {
    CheckMPI(env, MPI_Allgatherv(s.data, n, s.type, r.data, counts, displs, s.type, c), "MPI_Allgatherv");
  } else {
    CheckMPI(env, MPI_Gatherv(s.data, n, s.type, r.data, counts, displs, s.type, root, c), "MPI_Gatherv");
  }
  return env.Undefined();
}

// mpiAllgather(send, recv, inPlace): send.length elements from each rank, in rank order; `inPlace` (send
// and recv the same array): recv.length / size from each, this rank's already in its place.
Napi::Value MpiAllgather(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = ToView(env, info[1]);
  if (info[2].ToBoolean().Value()) {
    int size;
    MPI_Comm_size(c, &size);
    int n = CountOf(env, r.length / size);
    CheckMPI(env, MPI_Allgather(MPI_IN_PLACE, n, r.type, r.data, n, r.type, c), "MPI_Allgather");
    return env.Undefined();
  }
  int n = CountOf(env, s.length);
  CheckMPI(env, MPI_Allgather(s.data, n, s.type, r.data, n, r.type, c), "MPI_Allgather");
  return env.Undefined();
}

// mpiGather(send, recv | undefined, root, inPlace): send.length elements from each rank to the root's
// recv, in rank order; `inPlace` on the root: recv.length / size from each, the root's already in place.
Napi::Value MpiGather(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = OptionalView(env, info[1]);
  int root = info[2].As<Napi::Number>().Int32Value();
  if (info[3].ToBoolean().Value()) {
    int size;
    MPI_Comm_size(c, &size);
    int n = CountOf(env, r.length / size);
    CheckMPI(env, MPI_Gather(MPI_IN_PLACE, n, r.type, r.data, n, r.type, root, c), "MPI_Gather");
    return env.Undefined();
  }
  int n = CountOf(env, s.length);
  CheckMPI(env, MPI_Gather(s.data, n, s.type, r.data, n, s.type, root, c), "MPI_Gather");
  return env.Undefined();
}

// mpiAlltoall(send, recv, block, inPlace): `block` elements to and from each rank; `inPlace` (send and
// recv the same array) exchanges within it.
Napi::Value MpiAlltoall(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = ToView(env, info[1]);
  int n = CountOf(env, static_cast<size_t>(info[2].As<Napi::Number>().Int64Value()));
  const void* send = info[3].ToBoolean().Value() ? MPI_IN_PLACE : s.data;
  CheckMPI(env, MPI_Alltoall(send, n, s.type, r.data, n, r.type, c), "MPI_Alltoall");
  return env.Undefined();
}

// mpiAlltoallv(send, sendCounts, sendDispls, recv, recvCounts, recvDispls)
Napi::Value MpiAlltoallv(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = ToView(env, info[3]);
  CheckMPI(env,
           MPI_Alltoallv(s.data, IntsOf(env, info[1]), IntsOf(env, info[2]), s.type, r.data, IntsOf(env, info[4]),
                         IntsOf(env, info[5]), r.type, c),
           "MPI_Alltoallv");
  return env.Undefined();
}

// mpiScan(send, recv, op, exclusive, inPlace): element-wise, so long arrays can go in pieces. MPI_Exscan
// leaves rank 0's recv as it was. `inPlace` (send and recv the same array) reduces within it.
Napi::Value MpiScan(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = ToView(env, info[1]);
  MPI_Op op = ToOp(env, info[2].As<Napi::Number>().Int32Value());
  bool exclusive = info[3].ToBoolean();
  bool inPlace = info[4].ToBoolean();
  InPieces(s.data, s.length, s.elementSize, [&](char* p, int n) {
    char* q = r.data + (p - s.data);
    const void* from = inPlace ? MPI_IN_PLACE : p;
    if (exclusive) {
      CheckMPI(env, MPI_Exscan(from, q, n, s.type, op, c), "MPI_Exscan");
    } else {
      CheckMPI(env, MPI_Scan(from, q, n, s.type, op, c), "MPI_Scan");
    }
  });
  return env.Undefined();
}

// reduceInto(send, recv | undefined, op, root | -1 for allreduce, inPlace): send.length elements reduced
// into recv (on the root, or everywhere). `inPlace` (send and recv the same array, where recv counts):
// this rank's values are taken from recv and replaced by the result.
Napi::Value ReduceInto(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = OptionalView(env, info[1]);
  MPI_Op op = ToOp(env, info[2].As<Napi::Number>().Int32Value());
  int root = info[3].As<Napi::Number>().Int32Value();
  bool inPlace = info[4].ToBoolean();
  InPieces(s.data, s.length, s.elementSize, [&](char* p, int n) {
    char* q = r.data ? r.data + (p - s.data) : nullptr;
    const void* from = inPlace ? MPI_IN_PLACE : p;
    if (root < 0) {
      CheckMPI(env, MPI_Allreduce(from, q, n, s.type, op, c), "MPI_Allreduce");
    } else {
      CheckMPI(env, MPI_Reduce(from, q, n, s.type, op, root, c), "MPI_Reduce");
    }
  });
  return env.Undefined();
}

// mpiReduceScatter(send, recv, counts | undefined, op): counts[i] elements of the result to rank i, or
// recv.length to each (MPI_Reduce_scatter_block) without counts.
Napi::Value MpiReduceScatter(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = ToView(env, info[1]);
  const int* counts = IntsOf(env, info[2]);
  MPI_Op op = ToOp(env, info[3].As<Napi::Number>().Int32Value());
  if (counts) {
    CheckMPI(env, MPI_Reduce_scatter(s.data, r.data, counts, s.type, op, c), "MPI_Reduce_scatter");
  } else {
    CheckMPI(env, MPI_Reduce_scatter_block(s.data, r.data, CountOf(env, r.length), s.type, op, c),
             "MPI_Reduce_scatter_block");
  }
  return env.Undefined();
}

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
                            {"mpiScatter", MpiScatter},
                            {"mpiScatterv", MpiScatterv},
                            {"mpiGatherv", MpiGatherv},
                            {"mpiAllgather", MpiAllgather},
                            {"mpiGather", MpiGather},
                            {"reduceInto", ReduceInto},
                            {"mpiAlltoall", MpiAlltoall},
                            {"mpiAlltoallv", MpiAlltoallv},
                            {"mpiScan", MpiScan},
                            {"mpiReduceScatter", MpiReduceScatter},
                        });
}

}  // namespace h5mpi
