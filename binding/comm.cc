// NativeComm: an MPI_Comm, its lifecycle (rank, size, split, dup, free, abort) and the calls the other
// files list (comm.h), bound to each communicator; MPI's start and end.
#include "comm.h"

#include <dlfcn.h>

#include <climits>
#include <cstring>

#include "agreedio.h"
#include "dataspace.h"
#include "errors.h"
#include "object.h"

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

class Comm;

// One call bound to one communicator: what its function's data points to.
struct Bound {
  Comm* comm;
  CommCall call;
};

std::vector<CommCallEntry> AllCalls() {
  std::vector<CommCallEntry> calls;
  PointToPointCalls(calls);
  CollectiveCalls(calls);
  NonblockingCollectiveCalls(calls);
  TopologyCalls(calls);
  return calls;
}

class Comm : public Napi::ObjectWrap<Comm> {
 public:
  static Napi::Object Wrap(Napi::Env env, MPI_Comm comm, bool owned) {
    Napi::Object obj = Data(env).commClass.New({});
    Comm* c = Unwrap(obj);
    c->comm_ = comm;
    c->owned_ = owned;
    MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
    c->BindCalls(env, obj);
    return obj;
  }

  static void Init(Napi::Env env) {
    Napi::Function f = DefineClass(env, "NativeComm",
                                   {
                                       InstanceMethod<&Comm::Rank>("rank"),
                                       InstanceMethod<&Comm::Size>("size"),
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
  std::vector<Bound> bound_;

  // The calls are own properties of each communicator whose function carries the call and the
  // communicator, so that a call skips the unwrap of `this` (a private-property lookup that costs about
  // as much as a small message's whole trip through the binding).
  void BindCalls(Napi::Env env, Napi::Object self) {
    std::vector<CommCallEntry> calls = AllCalls();
    bound_.reserve(calls.size());  // never reallocated: the functions hold addresses into it
    std::vector<Napi::PropertyDescriptor> props;
    for (const CommCallEntry& c : calls) {
      bound_.push_back({this, c.call});
      props.push_back(Napi::PropertyDescriptor::Function(env, self, c.name, Call, napi_default, &bound_.back()));
    }
    self.DefineProperties(props);
  }
  static Napi::Value Call(const Napi::CallbackInfo& info) {
    const Bound* b = static_cast<const Bound*>(info.Data());
    return b->call(info, b->comm->comm(info.Env()));
  }

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
  Napi::Value IsFreed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), comm_ == MPI_COMM_NULL); }

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
  if (initialized && !finalized) CloseAgreedIO();
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

Napi::Object WrapComm(Napi::Env env, MPI_Comm comm, bool owned) { return Comm::Wrap(env, comm, owned); }

View ToView(Napi::Env env, const Napi::Value& v) {
  if (!v.IsTypedArray()) ThrowUsage(env, "expected a typed array");
  Napi::TypedArray ta = v.As<Napi::TypedArray>();
  DType dt = DTypeOfTypedArray(ta.TypedArrayType());
  char* base = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  return View{base, ta.ElementLength(), DTypeSize(dt), MPITypeOf(dt), dt};
}

BigType::BigType(Napi::Env env, MPI_Datatype base, size_t length) : type_(base) {
  if (length <= kMaxCount) {
    count_ = static_cast<int>(length);
    return;
  }
  // q pieces of kMaxCount elements, then the rest, as one struct type of one element.
  MPI_Aint lb = 0, extent = 0;
  MPI_Type_get_extent(base, &lb, &extent);
  MPI_Datatype chunk;
  CheckMPI(env, MPI_Type_contiguous(static_cast<int>(kMaxCount), base, &chunk), "MPI_Type_contiguous");
  int blocks[2] = {static_cast<int>(length / kMaxCount), static_cast<int>(length % kMaxCount)};
  MPI_Aint displs[2] = {0, static_cast<MPI_Aint>(length / kMaxCount * kMaxCount) * extent};
  MPI_Datatype types[2] = {chunk, base};
  int rc = MPI_Type_create_struct(blocks[1] ? 2 : 1, blocks, displs, types, &type_);
  MPI_Type_free(&chunk);
  CheckMPI(env, rc, "MPI_Type_create_struct");
  CheckMPI(env, MPI_Type_commit(&type_), "MPI_Type_commit");
  derived_ = true;
  count_ = 1;
}

BigType::~BigType() {
  if (derived_) MPI_Type_free(&type_);
}

MPI_Op ToOp(Napi::Env env, int code) {
  static const MPI_Op ops[] = {MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX, MPI_LAND, MPI_LOR, MPI_BAND, MPI_BOR};
  if (code < 0 || code >= static_cast<int>(sizeof ops / sizeof ops[0])) ThrowUsage(env, "unknown reduction op");
  return ops[code];
}

int ToRank(const Napi::Value& v) {
  int r = v.As<Napi::Number>().Int32Value();
  return r == -1 ? MPI_ANY_SOURCE : r == -2 ? MPI_PROC_NULL : r;
}

int ToTag(const Napi::Value& v) {
  int t = v.As<Napi::Number>().Int32Value();
  return t < 0 ? MPI_ANY_TAG : t;
}

double FromRank(int rank) { return rank == MPI_PROC_NULL ? -2 : rank == MPI_ANY_SOURCE ? -1 : rank; }

void ReportStatus(Napi::Env env, int source, int tag, double bytes, double flag) {
  double* s = Data(env).status;
  if (s == nullptr) return;
  s[0] = FromRank(source);
  s[1] = tag == MPI_ANY_TAG ? -1.0 : static_cast<double>(tag);
  s[2] = bytes;
  s[3] = flag;
}

void ReportStatus(Napi::Env env, const MPI_Status& status, double bytes, double flag) {
  ReportStatus(env, status.MPI_SOURCE, status.MPI_TAG, bytes, flag);
}

namespace {
// setStatusArray(float64Array of 4, uint8Array): where statuses are reported from now on, and where a
// blocking receive puts a message that fits (lib/ sets them once).
Napi::Value SetStatusArray(const Napi::CallbackInfo& info) {
  AddonData& data = Data(info.Env());
  Napi::Float64Array a = info[0].As<Napi::Float64Array>();
  if (a.ElementLength() < 4) ThrowUsage(info.Env(), "the status array needs 4 elements");
  Napi::Uint8Array r = info[1].As<Napi::Uint8Array>();
  data.statusArray = Napi::Persistent(a);
  data.status = a.Data();
  data.receiveArray = Napi::Persistent(r);
  data.receive = r.Data();
  data.receiveBytes = r.ElementLength();
  return info.Env().Undefined();
}
}  // namespace

MPI_Comm CommFromValue(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject() || !v.As<Napi::Object>().CheckTypeTag(&kCommTag)) ThrowUsage(env, "expected an MPI Comm");
  return Comm::Unwrap(v.As<Napi::Object>())->comm(env);
}

void InitComm(Napi::Env env, Napi::Object exports) {
  Comm::Init(env);
  exports.Set("mpiInit", Napi::Function::New(env, Init));
  exports.Set("setStatusArray", Napi::Function::New(env, SetStatusArray));
  exports.Set("mpiState", Napi::Function::New(env, State));
  exports.Set("wtime", Napi::Function::New(env, Wtime));
  exports.Set("processorName", Napi::Function::New(env, ProcessorName));
  exports.Set("mpiVersion", Napi::Function::New(env, Version));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown));
}

}  // namespace h5mpi
