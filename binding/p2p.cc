// Point-to-point calls on a communicator.
#include "comm.h"
#include "errors.h"

namespace h5mpi {
namespace {

int ToSource(const Napi::Value& v) {
  int s = v.As<Napi::Number>().Int32Value();
  return s < 0 ? MPI_ANY_SOURCE : s;
}

// send(kind, view, dest, tag): a two-int64 header (kind, byte length), then the payload in its own datatype.
Napi::Value Send(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View v = ToView(env, info[1]);
  int dest = info[2].As<Napi::Number>().Int32Value(), tag = info[3].As<Napi::Number>().Int32Value();
  int64_t header[2] = {info[0].As<Napi::Number>().Int64Value(), static_cast<int64_t>(v.length * v.elementSize)};
  CheckMPI(env, MPI_Send(header, 2, MPI_INT64_T, dest, tag, c), "MPI_Send");
  InPieces(v.data, v.length, v.elementSize,
           [&](char* p, int n) { CheckMPI(env, MPI_Send(p, n, v.type, dest, tag, c), "MPI_Send"); });
  return env.Undefined();
}

// Receives the header; the payload then comes from that same source and tag (MPI keeps their order).
MPI_Status RecvHeader(Napi::Env env, MPI_Comm c, int source, int tag, int64_t header[2]) {
  MPI_Status st;
  CheckMPI(env, MPI_Recv(header, 2, MPI_INT64_T, source, tag, c, &st), "MPI_Recv");
  return st;
}
void RecvPayload(Napi::Env env, MPI_Comm c, const MPI_Status& st, char* data, size_t bytes, DType dt) {
  size_t es = DTypeSize(dt);
  InPieces(data, bytes / es, es, [&](char* p, int n) {
    CheckMPI(env, MPI_Recv(p, n, MPITypeOf(dt), st.MPI_SOURCE, st.MPI_TAG, c, MPI_STATUS_IGNORE), "MPI_Recv");
  });
}
Napi::Object Status(Napi::Env env, const MPI_Status& st, double kind) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("source", st.MPI_SOURCE);
  o.Set("tag", st.MPI_TAG);
  o.Set("kind", kind);
  return o;
}

// recv(source, tag) -> { source, tag, kind, buffer }
Napi::Value Recv(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  int64_t header[2];
  MPI_Status st = RecvHeader(env, c, ToSource(info[0]), ToTag(info[1]), header);
  Napi::ArrayBuffer out = Napi::ArrayBuffer::New(env, static_cast<size_t>(header[1]));
  DType dt = DTypeOfKind(header[0]);
  RecvPayload(env, c, st, static_cast<char*>(out.Data()), header[1], dt);
  Napi::Object result = Status(env, st, static_cast<double>(header[0]));
  result.Set("buffer", out);
  return result;
}

// recvInto(typedArray, source, tag) -> { source, tag, kind, length }. The message fits when it is a typed
// array of the same element type and no longer; one that does not fit is still taken off the wire (so
// the next recv sees the next message), then reported with length -1.
Napi::Value RecvInto(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View v = ToView(env, info[0]);
  int64_t header[2];
  MPI_Status st = RecvHeader(env, c, ToSource(info[1]), ToTag(info[2]), header);
  size_t bytes = static_cast<size_t>(header[1]);
  DType dt = DTypeOfKind(header[0]);
  bool fits = header[0] >= 0 && dt == v.dtype && bytes <= v.length * v.elementSize;
  Napi::Object result = Status(env, st, static_cast<double>(header[0]));
  if (fits) {
    RecvPayload(env, c, st, v.data, bytes, dt);
    result.Set("length", static_cast<double>(bytes / v.elementSize));
  } else {
    std::vector<char> discard(bytes);
    RecvPayload(env, c, st, discard.data(), bytes, dt);
    result.Set("length", -1);
    result.Set("bytes", static_cast<double>(bytes));
  }
  return result;
}

}  // namespace

void PointToPointCalls(std::vector<CommCallEntry>& out) {
  out.insert(out.end(), {
                            {"send", Send},
                            {"recv", Recv},
                            {"recvInto", RecvInto},
                        });
}

}  // namespace h5mpi
