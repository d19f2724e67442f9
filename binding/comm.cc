// MPI for Node: a Comm object over MPI_Comm, and the collectives / point-to-point calls on raw buffers.
// Serialisation of JS values and all policy live in lib/mpi.ts; here are only MPI calls.
#include "comm.h"

#include <dlfcn.h>

#include <climits>
#include <cstring>

#include "dataspace.h"
#include "errors.h"
#include "object.h"
#include "types.h"

namespace h5mpi {
namespace {

// OpenMPI loads its transports as plugins that expect libmpi's symbols to be global; Node loads addons with
// RTLD_LOCAL, so promote the libmpi we are linked against before MPI_Init.
void PromoteLibMPI() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&MPI_Init), &info) && info.dli_fname) {
    dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  }
}

// Largest element count passed to one MPI call (MPI counts are int); longer buffers go in pieces.
constexpr size_t kMaxCount = size_t(1) << 30;

MPI_Op ToOp(Napi::Env env, int code) {
  static const MPI_Op ops[] = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX, MPI_LAND, MPI_LOR, MPI_BAND, MPI_BOR};
  if (code < 0 || code >= static_cast<int>(sizeof ops / sizeof ops[0])) ThrowUsage(env, "unknown reduction op");
  return ops[code];
}

// A view of a typed array / Buffer: its bytes, element count and MPI datatype.
struct View {
  char* data;
  size_t length;  // elements
  size_t elementSize;
  MPI_Datatype type;
  DType dtype;
};

View ToView(Napi::Env env, const Napi::Value& v) {
  if (!v.IsTypedArray()) ThrowUsage(env, "expected a typed array");
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  DType dt = DTypeOfTypedArray(ta.TypedArrayType());
  char* base = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return View{base, ta.ElementLength(), DTypeSize(dt), MPITypeOf(dt), dt};
}

class Comm : public Napi::ObjectWrap<Comm> {
 public:
  static Napi::Object Wrap(Napi::Env env, MPI_Comm comm, bool owned) {
    Napi::Object obj = Data(env).commClass.New({});
    Comm* c = Unwrap(obj);
    c->comm_ = comm;
    c->owned_ = owned;
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    return obj;
  }

  static void Init(Napi::Env env) {
    Napi::Function f = DefineClass(env, "NativeComm",
                                   {
                                       InstanceMethod<&Comm::Rank>("rank"),
                                       InstanceMethod<&Comm::Size>("size"),
                                       InstanceMethod<&Comm::Barrier>("barrier"),
                                       InstanceMethod<&Comm::Bcast>("bcast"),
                                       InstanceMethod<&Comm::BcastInto>("bcastInto"),
                                       InstanceMethod<&Comm::Gather>("gather"),
                                       InstanceMethod<&Comm::Allgather>("allgather"),
                                       InstanceMethod<&Comm::Reduce>("reduce"),
                                       InstanceMethod<&Comm::Allreduce>("allreduce"),
                                       InstanceMethod<&Comm::Send>("send"),
                                       InstanceMethod<&Comm::Recv>("recv"),
                                       InstanceMethod<&Comm::RecvInto>("recvInto"),
                                       InstanceMethod<&Comm::Split>("split"),
                                       InstanceMethod<&Comm::Dup>("dup"),
                                       InstanceMethod<&Comm::Free>("free"),
                                       InstanceMethod<&Comm::Abort>("abort"),
                                       InstanceMethod<&Comm::IsFreed>("isFreed"),
                                   });
    Data(env).commClass = Napi::Persistent(f);
  }

  explicit Comm(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Comm>(info) {
    info.This().As<Napi::Object>().TypeTag(&kCommTag);
  }
  // Communicators are freed explicitly (free() is collective); the garbage collector never does it.

  MPI_Comm comm(Napi::Env env) const {
    if (comm_ == MPI_COMM_NULL) throw Napi::Error::New(env, "Comm: the communicator has been freed");
    return comm_;
  }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  bool owned_ = false;

  Napi::Value Rank(const Napi::CallbackInfo& info) {
    int r = 0;
    CheckMPI(info.Env(), MPI_Comm_rank(comm(info.Env()), &r), "MPI_Comm_rank");
    return Napi::Number::New(info.Env(), r);
  }
  Napi::Value Size(const Napi::CallbackInfo& info) {
    int s = 0;
    CheckMPI(info.Env(), MPI_Comm_size(comm(info.Env()), &s), "MPI_Comm_size");
    return Napi::Number::New(info.Env(), s);
  }
  Napi::Value Barrier(const Napi::CallbackInfo& info) {
    CheckMPI(info.Env(), MPI_Barrier(comm(info.Env())), "MPI_Barrier");
    return info.Env().Undefined();
  }
  Napi::Value IsFreed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), comm_ == MPI_COMM_NULL); }

  // Moves `count` elements of `type` in pieces of at most kMaxCount with `op(ptr, n)`.
  template <typename F>
  static void InPieces(char* data, size_t count, size_t elementSize, F op) {
    do {
      size_t n = count < kMaxCount ? count : kMaxCount;
      op(data, static_cast<int>(n));
      data += n * elementSize;
      count -= n;
    } while (count > 0);
  }

  // bcast(kind, view | undefined, root) -> [kind, ArrayBuffer]. The root's header (kind, byte length) goes
  // first so that every other rank can allocate the exact buffer and receive straight into it.
  Napi::Value Bcast(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    MPI_Comm c = comm(env);
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
  Napi::Value BcastInto(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    View v = ToView(env, info[0]);
    int root = info[1].As<Napi::Number>().Int32Value();
    InPieces(v.data, v.length, v.elementSize,
             [&](char* p, int n) { CheckMPI(env, MPI_Bcast(p, n, v.type, root, comm(env)), "MPI_Bcast"); });
    return info[0];
  }

  // Gathers every rank's (kind, bytes) to `root` (or to all when root < 0): returns [kinds[], ArrayBuffer,
  // byteOffsets[], byteLengths[]] there and undefined elsewhere. Each rank's bytes start on an 8-byte
  // boundary so that they can be viewed in place as any typed array. The headers go to every rank, so that
  // every rank sees a too-large gather and throws, rather than the root alone.
  Napi::Value GatherImpl(const Napi::CallbackInfo& info, int root) {
    Napi::Env env = info.Env();
    MPI_Comm c = comm(env);
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
               MPI_Gatherv(v.data, static_cast<int>(bytes), MPI_BYTE, out.Data(), counts.data(), displs.data(),
                           MPI_BYTE, root, c),
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
  Napi::Value Gather(const Napi::CallbackInfo& info) {
    return GatherImpl(info, info[2].As<Napi::Number>().Int32Value());
  }
  Napi::Value Allgather(const Napi::CallbackInfo& info) { return GatherImpl(info, -1); }

  // reduce(typedArray, op, root | -1 for allreduce) -> a new array of the same type (on root, or everywhere).
  Napi::Value ReduceImpl(const Napi::CallbackInfo& info, int root) {
    Napi::Env env = info.Env();
    MPI_Comm c = comm(env);
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
  Napi::Value Reduce(const Napi::CallbackInfo& info) {
    return ReduceImpl(info, info[2].As<Napi::Number>().Int32Value());
  }
  Napi::Value Allreduce(const Napi::CallbackInfo& info) { return ReduceImpl(info, -1); }

  static int ToSource(const Napi::Value& v) {
    int s = v.As<Napi::Number>().Int32Value();
    return s < 0 ? MPI_ANY_SOURCE : s;
  }
  static int ToTag(const Napi::Value& v) {
    int t = v.As<Napi::Number>().Int32Value();
    return t < 0 ? MPI_ANY_TAG : t;
  }

  // send(kind, view, dest, tag): a two-int64 header (kind, byte length), then the payload in its own datatype.
  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    MPI_Comm c = comm(env);
    View v = ToView(env, info[1]);
    int dest = info[2].As<Napi::Number>().Int32Value(), tag = info[3].As<Napi::Number>().Int32Value();
    int64_t header[2] = {info[0].As<Napi::Number>().Int64Value(), static_cast<int64_t>(v.length * v.elementSize)};
    CheckMPI(env, MPI_Send(header, 2, MPI_INT64_T, dest, tag, c), "MPI_Send");
    InPieces(v.data, v.length, v.elementSize,
             [&](char* p, int n) { CheckMPI(env, MPI_Send(p, n, v.type, dest, tag, c), "MPI_Send"); });
    return env.Undefined();
  }

  // Receives the header; the payload then comes from that same source and tag (MPI keeps their order).
  static MPI_Status RecvHeader(Napi::Env env, MPI_Comm c, int source, int tag, int64_t header[2]) {
    MPI_Status st;
    CheckMPI(env, MPI_Recv(header, 2, MPI_INT64_T, source, tag, c, &st), "MPI_Recv");
    return st;
  }
  static void RecvPayload(Napi::Env env, MPI_Comm c, const MPI_Status& st, char* data, size_t bytes, DType dt) {
    size_t es = DTypeSize(dt);
    InPieces(data, bytes / es, es, [&](char* p, int n) {
      CheckMPI(env, MPI_Recv(p, n, MPITypeOf(dt), st.MPI_SOURCE, st.MPI_TAG, c, MPI_STATUS_IGNORE), "MPI_Recv");
    });
  }
  static Napi::Object Status(Napi::Env env, const MPI_Status& st, double kind) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("source", st.MPI_SOURCE);
    o.Set("tag", st.MPI_TAG);
    o.Set("kind", kind);
    return o;
  }

  // recv(source, tag) -> { source, tag, kind, buffer }
  Napi::Value Recv(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    MPI_Comm c = comm(env);
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
  Napi::Value RecvInto(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    MPI_Comm c = comm(env);
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

  Napi::Value Split(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    int color = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : MPI_UNDEFINED;
    int key = info[1].As<Napi::Number>().Int32Value();
    MPI_Comm out;
    CheckMPI(env, MPI_Comm_split(comm(env), color, key, &out), "MPI_Comm_split");
    if (out == MPI_COMM_NULL) return env.Null();
    return Wrap(env, out, true);
  }
  Napi::Value Dup(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    MPI_Comm out;
    CheckMPI(env, MPI_Comm_dup(comm(env), &out), "MPI_Comm_dup");
    return Wrap(env, out, true);
  }
  Napi::Value Free(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!owned_) throw Napi::Error::New(env, "Comm.free: MPI.COMM_WORLD and MPI.COMM_SELF cannot be freed");
    CheckMPI(env, MPI_Comm_free(&comm_), "MPI_Comm_free");
    comm_ = MPI_COMM_NULL;
    return env.Undefined();
  }
  Napi::Value Abort(const Napi::CallbackInfo& info) {
    MPI_Abort(comm_ == MPI_COMM_NULL ? MPI_COMM_WORLD : comm_, info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
  }
};

Napi::Value Init(const Napi::CallbackInfo& info) {
  EnsureMPI(info.Env());
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("world", Comm::Wrap(info.Env(), MPI_COMM_WORLD, false));
  o.Set("self", Comm::Wrap(info.Env(), MPI_COMM_SELF, false));
  int provided = 0;
  MPI_Query_thread(&provided);
  static const char* levels[] = {"single", "funneled", "serialized", "multiple"};
  int level = provided == MPI_THREAD_MULTIPLE     ? 3
              : provided == MPI_THREAD_SERIALIZED ? 2
              : provided == MPI_THREAD_FUNNELED   ? 1
                                                  : 0;
  o.Set("threadLevel", levels[level]);
  // The largest tag this MPI accepts (at least 32767; INT_MAX for Open MPI's ob1, less with some transports).
  int* tagUb = nullptr;
  int flag = 0;
  MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tagUb, &flag);
  o.Set("tagUpperBound", flag && tagUb ? *tagUb : 32767);
  o.Set("errComm", MPI_ERR_COMM);
  return o;
}

Napi::Value Wtime(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), MPI_Wtime()); }

Napi::Value ProcessorName(const Napi::CallbackInfo& info) {
  char name[MPI_MAX_PROCESSOR_NAME];
  int len = 0;
  CheckMPI(info.Env(), MPI_Get_processor_name(name, &len), "MPI_Get_processor_name");
  return Napi::String::New(info.Env(), name, len);
}

// Library version string; readable before MPI_Init.
Napi::Value Version(const Napi::CallbackInfo& info) {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(text, &len);
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\0')) len--;
  int major = 0, minor = 0;
  MPI_Get_version(&major, &minor);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("library", Napi::String::New(info.Env(), text, len));
  o.Set("standard", std::to_string(major) + "." + std::to_string(minor));
  return o;
}

Napi::Value State(const Napi::CallbackInfo& info) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("initialized", initialized != 0);
  o.Set("finalized", finalized != 0);
  return o;
}

// Called once at process exit, after lib/ has closed every open file: HDF5 goes first (its MPI-IO state
// needs MPI), then MPI -- only if we started it.
Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  AddonData& data = Data(info.Env());
  ReleaseCachedSpaces(data);
  MarkLibraryClosed();
  H5close();
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized && data.weFinalize) MPI_Finalize();
  return info.Env().Undefined();
}

}  // namespace

void EnsureMPI(Napi::Env env) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (finalized) throw Napi::Error::New(env, "MPI: already finalized (the process is exiting)");
  if (initialized) return;
  PromoteLibMPI();
  int provided = 0;
  int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  if (rc != MPI_SUCCESS) throw Napi::Error::New(env, "MPI: MPI_Init_thread failed (is the MPI runtime installed?)");
  Data(env).weFinalize = true;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
}

MPI_Comm CommFromValue(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject() || !v.As<Napi::Object>().CheckTypeTag(&kCommTag)) ThrowUsage(env, "expected an MPI Comm");
  return Comm::Unwrap(v.As<Napi::Object>())->comm(env);
}

void InitComm(Napi::Env env, Napi::Object exports) {
  Comm::Init(env);
  exports.Set("mpiInit", Napi::Function::New(env, Init));
  exports.Set("mpiState", Napi::Function::New(env, State));
  exports.Set("wtime", Napi::Function::New(env, Wtime));
  exports.Set("processorName", Napi::Function::New(env, ProcessorName));
  exports.Set("mpiVersion", Napi::Function::New(env, Version));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown));
}

}  // namespace h5mpi
