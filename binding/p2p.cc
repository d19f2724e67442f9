// Point-to-point calls on a communicator. Every send is one MPI message: a typed array as a plain message
// of its own datatype, straight from its memory (so that a C or mpi4py rank can receive it); an object
// (lib/ serialises it) as bytes. Receives of known size go straight into the caller's typed array;
// a blocking receive of unknown size (an object) finds its message by matched probe and receives exactly
// it; a non-blocking one is posted with a buffer of a size given (mpi4py's irecv does the same).
#include <cstring>

#include "addon.h"
#include "comm.h"
#include "errors.h"
#include "request.h"

namespace h5mpi {
namespace {

// Receives into a typed array take its bytes (MPI_BYTE), whatever its element type: a message that is not
// a whole number of elements (an object message, a C rank's odd count of bytes) must come back as an
// error, and MPICH, receiving it as the array's own type, fails an internal assertion and aborts the
// process (typerep_yaksa_pack.c: actual_unpack_bytes % element_size == 0). The bytes are the same.

// The payload of a send: info[i] is a typed array; `object` says it holds a serialised value (bytes).
struct Payload {
  View view;
  MPI_Datatype type;
};
Payload ToPayload(Napi::Env env, const Napi::Value& data, bool object) {
  View v = ToView(env, data);
  return {v, object ? MPI_BYTE : v.type};
}

// send(data, dest, tag, object, synchronous)
Napi::Value Send(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  Payload p = ToPayload(env, info[0], info[3].As<Napi::Boolean>().Value());
  BigType t(env, p.type, p.view.length * (p.type == MPI_BYTE ? p.view.elementSize : 1));
  int dest = ToRank(info[1]), tag = info[2].As<Napi::Number>().Int32Value();
  if (info[4].As<Napi::Boolean>().Value()) {
    CheckMPI(env, MPI_Ssend(p.view.data, t.count(), t.type(), dest, tag, c), "MPI_Ssend");
  } else {
    CheckMPI(env, MPI_Send(p.view.data, t.count(), t.type(), dest, tag, c), "MPI_Send");
  }
  return env.Undefined();
}

// recv(source, tag) -> undefined (the message is in the receive buffer) or an ArrayBuffer (a message larger
// than it): the next matching message, whatever its size. Every call here reports
// its status (source, tag, bytes, truncated) into the status slots (ReportStatus).
Napi::Value Recv(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  MPI_Message message;
  MPI_Status status;
  int source = ToRank(info[0]);
  CheckMPI(env, MPI_Mprobe(source, ToTag(info[1]), c, &message, &status), "MPI_Mprobe");
  double bytes = ReceivedBytes(status);
  // A message that fits goes into the environment's receive buffer (lib/ decodes it from there at once):
  // no ArrayBuffer is made for the many small messages; a larger one gets one of its own.
  AddonData& data = Data(env);
  bool scratch = bytes <= static_cast<double>(data.receiveBytes);
  Napi::Value out = env.Undefined();
  void* into = data.receive;
  if (!scratch) {
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, static_cast<size_t>(bytes));
    into = buffer.Data();
    out = buffer;
  }
  BigType t(env, MPI_BYTE, static_cast<size_t>(bytes));
  MPI_Status received;
  CheckMPI(env, MPI_Mrecv(into, t.count(), t.type(), &message, &received), "MPI_Mrecv");
  // A message from MPI_PROC_NULL has no status of its own; the probe's says so.
  ReportStatus(env, source == MPI_PROC_NULL ? status : received, bytes);
  return out;
}

// recvInto(array, source, tag): the status's flag is 1 for a message longer than the array (taken off
// the wire all the same), 2 for an object message. Received as the array's bytes (RecvBytes), which
// lib/ then checks against its element size.
Napi::Value RecvInto(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View v = ToView(env, info[0]);
  BigType t(env, MPI_BYTE, v.bytes());
  MPI_Status status;
  int rc = MPI_Recv(v.data, t.count(), t.type(), ToRank(info[1]), ToTag(info[2]), c, &status);
  int errorClass = rc;
  if (rc != MPI_SUCCESS) MPI_Error_class(rc, &errorClass);
  if (rc != MPI_SUCCESS && errorClass != MPI_ERR_TRUNCATE) ThrowMPI(env, rc, "MPI_Recv");
  double bytes = ReceivedBytes(status);
  bool object = bytes >= sizeof kObjectMark && v.bytes() >= sizeof kObjectMark &&
                std::memcmp(v.data, kObjectMark, sizeof kObjectMark) == 0;
  ReportStatus(env, status, bytes, object ? 2 : errorClass == MPI_ERR_TRUNCATE ? 1 : 0);
  return env.Undefined();
}

// probe(source, tag): the status of the next matching message, without receiving it.
Napi::Value Probe(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  MPI_Status status;
  CheckMPI(env, MPI_Probe(ToRank(info[0]), ToTag(info[1]), c, &status), "MPI_Probe");
  ReportStatus(env, status, ReceivedBytes(status));
  return env.Undefined();
}

// iprobe(source, tag) -> whether such a message is there (then its status).
Napi::Value Iprobe(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  MPI_Status status;
  int flag = 0;
  CheckMPI(env, MPI_Iprobe(ToRank(info[0]), ToTag(info[1]), c, &flag, &status), "MPI_Iprobe");
  if (flag) ReportStatus(env, status, ReceivedBytes(status));
  return Napi::Boolean::New(env, flag != 0);
}

// sendrecv(sendArray, dest, sendTag, recvArray, source, recvTag): typed arrays; the receive's status.
Napi::Value Sendrecv(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View s = ToView(env, info[0]), r = ToView(env, info[3]);
  BigType st(env, s.type, s.length), rt(env, MPI_BYTE, r.bytes());
  MPI_Status status;
  CheckMPI(env,
           MPI_Sendrecv(s.data, st.count(), st.type(), ToRank(info[1]), info[2].As<Napi::Number>().Int32Value(), r.data,
                        rt.count(), rt.type(), ToRank(info[4]), ToTag(info[5]), c, &status),
           "MPI_Sendrecv");
  ReportStatus(env, status, ReceivedBytes(status));
  return env.Undefined();
}

// sendrecvReplace(array, dest, sendTag, source, recvTag): sends the array, then receives into it.
Napi::Value SendrecvReplace(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View v = ToView(env, info[0]);
  BigType t(env, v.type, v.length);
  MPI_Status status;
  CheckMPI(env,
           MPI_Sendrecv_replace(v.data, t.count(), t.type(), ToRank(info[1]), info[2].As<Napi::Number>().Int32Value(),
                                ToRank(info[3]), ToTag(info[4]), c, &status),
           "MPI_Sendrecv_replace");
  ReportStatus(env, status, ReceivedBytes(status));
  return env.Undefined();
}

// isend(data, dest, tag, object, synchronous) -> NativeRequest, which keeps `data` alive until done.
Napi::Value Isend(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  Payload p = ToPayload(env, info[0], info[3].As<Napi::Boolean>().Value());
  BigType t(env, p.type, p.view.length * (p.type == MPI_BYTE ? p.view.elementSize : 1));
  int dest = ToRank(info[1]), tag = info[2].As<Napi::Number>().Int32Value();
  MPI_Request request;
  if (info[4].As<Napi::Boolean>().Value()) {
    CheckMPI(env, MPI_Issend(p.view.data, t.count(), t.type(), dest, tag, c, &request), "MPI_Issend");
  } else {
    CheckMPI(env, MPI_Isend(p.view.data, t.count(), t.type(), dest, tag, c, &request), "MPI_Isend");
  }
  return NativeRequest::New(env, request, {info[0]});
}

// irecv(source, tag, maxBytes) -> NativeRequest receiving a message of at most maxBytes into a new
// ArrayBuffer (its result). Posted now, as a receive must be for the sender's progress: a synchronous or
// large send to this rank completes only once it is matched, so the size cannot wait for a probe.
Napi::Value Irecv(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  size_t maxBytes = static_cast<size_t>(info[2].As<Napi::Number>().DoubleValue());
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, maxBytes);
  BigType t(env, MPI_BYTE, maxBytes);
  MPI_Request request;
  CheckMPI(env, MPI_Irecv(buffer.Data(), t.count(), t.type(), ToRank(info[0]), ToTag(info[1]), c, &request),
           "MPI_Irecv");
  return NativeRequest::New(env, request, {}, nullptr, buffer);
}

// irecvInto(array, source, tag) -> NativeRequest receiving straight into the array (kept alive until done).
Napi::Value IrecvInto(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  View v = ToView(env, info[0]);
  BigType t(env, MPI_BYTE, v.bytes());
  MPI_Request request;
  CheckMPI(env, MPI_Irecv(v.data, t.count(), t.type(), ToRank(info[1]), ToTag(info[2]), c, &request), "MPI_Irecv");
  return NativeRequest::New(env, request, {info[0]});
}

}  // namespace

void PointToPointCalls(std::vector<CommCallEntry>& out) {
  out.insert(out.end(), {
                            {"send", Send},
                            {"recv", Recv},
                            {"recvInto", RecvInto},
                            {"probe", Probe},
                            {"iprobe", Iprobe},
                            {"sendrecv", Sendrecv},
                            {"sendrecvReplace", SendrecvReplace},
                            {"isend", Isend},
                            {"irecv", Irecv},
                            {"irecvInto", IrecvInto},
                        });
}

}  // namespace h5mpi
