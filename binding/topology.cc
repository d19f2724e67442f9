// Topologies: Cartesian communicators, and splitting by shared memory. lib/topology.ts checks every
// argument first (Open MPI checks few of them: MPI_Cart_shift reads past `dims` for a direction >= ndims).
#include "comm.h"
#include "errors.h"

namespace h5mpi {
namespace {

std::vector<int> ToInts(const Napi::Value& v) {
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = a.Get(i).As<Napi::Number>().Int32Value();
  return out;
}
std::vector<int> ToFlags(const Napi::Value& v) {
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = a.Get(i).As<Napi::Boolean>().Value() ? 1 : 0;
  return out;
}
Napi::Array FromInts(Napi::Env env, const std::vector<int>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (uint32_t i = 0; i < v.size(); i++) a.Set(i, v[i]);
  return a;
}
// A new communicator from a collective call: null on ranks MPI leaves out (MPI_COMM_NULL).
Napi::Value Wrapped(Napi::Env env, MPI_Comm out) {
  if (out == MPI_COMM_NULL) return env.Null();
  return WrapComm(env, out, true);
}

// cartCreate(dims, periods, reorder) -> NativeComm | null (null on ranks beyond the grid).
Napi::Value CartCreate(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  std::vector<int> dims = ToInts(info[0]), periods = ToFlags(info[1]);
  MPI_Comm out;
  CheckMPI(env,
           MPI_Cart_create(c, static_cast<int>(dims.size()), dims.data(), periods.data(),
                           info[2].As<Napi::Boolean>().Value(), &out),
           "MPI_Cart_create");
  return Wrapped(env, out);
}

// cartGet() -> { dims, periods, coords } as MPI reports them for this communicator.
Napi::Value CartGet(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  int ndims = 0;
  CheckMPI(env, MPI_Cartdim_get(c, &ndims), "MPI_Cartdim_get");
  // One element at least: a zero-dimensional grid (MPI_Cart_sub keeping no dimension) has ndims 0.
  std::vector<int> dims(ndims + 1), periods(ndims + 1), coords(ndims + 1);
  CheckMPI(env, MPI_Cart_get(c, ndims, dims.data(), periods.data(), coords.data()), "MPI_Cart_get");
  for (auto* v : {&dims, &periods, &coords}) v->pop_back();
  Napi::Array p = Napi::Array::New(env, ndims);
  for (int i = 0; i < ndims; i++) p.Set(i, periods[i] != 0);
  Napi::Object o = Napi::Object::New(env);
  o.Set("dims", FromInts(env, dims));
  o.Set("periods", p);
  o.Set("coords", FromInts(env, coords));
  return o;
}

// cartRank(coords) -> rank; lib/ has wrapped periodic coordinates and kept out the out-of-range ones.
Napi::Value CartRank(const Napi::CallbackInfo& info, MPI_Comm c) {
  std::vector<int> coords = ToInts(info[0]);
  int rank = 0;
  CheckMPI(info.Env(), MPI_Cart_rank(c, coords.data(), &rank), "MPI_Cart_rank");
  return Napi::Number::New(info.Env(), rank);
}

// cartCoords(rank) -> coords
Napi::Value CartCoords(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  int ndims = 0;
  CheckMPI(env, MPI_Cartdim_get(c, &ndims), "MPI_Cartdim_get");
  std::vector<int> coords(ndims + 1);
  CheckMPI(env, MPI_Cart_coords(c, info[0].As<Napi::Number>().Int32Value(), ndims, coords.data()), "MPI_Cart_coords");
  coords.pop_back();
  return FromInts(env, coords);
}

// cartShift(direction, displacement) -> [source, dest], lib/'s PROC_NULL at an edge.
Napi::Value CartShift(const Napi::CallbackInfo& info, MPI_Comm c) {
  Napi::Env env = info.Env();
  int source = 0, dest = 0;
  CheckMPI(env,
           MPI_Cart_shift(c, info[0].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), &source,
                          &dest),
           "MPI_Cart_shift");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, FromRank(source));
  out.Set(1u, FromRank(dest));
  return out;
}

// cartSub(remainDims) -> NativeComm of the sub-grid this rank is in.
Napi::Value CartSub(const Napi::CallbackInfo& info, MPI_Comm c) {
  std::vector<int> remain = ToFlags(info[0]);
  remain.push_back(0);  // a valid pointer also when the grid has no dimension
  MPI_Comm out;
  CheckMPI(info.Env(), MPI_Cart_sub(c, remain.data(), &out), "MPI_Cart_sub");
  // Keeping no dimension gives every rank a zero-dimensional grid of itself alone (Open MPI); MPICH gives
  // it to one rank and MPI_COMM_NULL to the others: they get the same grid of their own.
  if (out == MPI_COMM_NULL) {
    CheckMPI(info.Env(), MPI_Cart_create(MPI_COMM_SELF, 0, nullptr, nullptr, 0, &out), "MPI_Cart_create");
  }
  return Wrapped(info.Env(), out);
}

// splitType(shared, key) -> NativeComm | null: `shared` false stands for MPI_UNDEFINED (join none).
Napi::Value SplitType(const Napi::CallbackInfo& info, MPI_Comm c) {
  int type = info[0].As<Napi::Boolean>().Value() ? MPI_COMM_TYPE_SHARED : MPI_UNDEFINED;
  MPI_Comm out;
  CheckMPI(info.Env(), MPI_Comm_split_type(c, type, info[1].As<Napi::Number>().Int32Value(), MPI_INFO_NULL, &out),
           "MPI_Comm_split_type");
  return Wrapped(info.Env(), out);
}

// dimsCreate(n, dims) -> dims with every 0 filled in (MPI_Dims_create). A free function: it needs no
// communicator, only a started MPI (lib/ starts it first).
Napi::Value DimsCreate(const Napi::CallbackInfo& info) {
  std::vector<int> dims = ToInts(info[1]);
  CheckMPI(info.Env(),
           MPI_Dims_create(info[0].As<Napi::Number>().Int32Value(), static_cast<int>(dims.size()), dims.data()),
           "MPI_Dims_create");
  return FromInts(info.Env(), dims);
}

}  // namespace

void TopologyCalls(std::vector<CommCallEntry>& out) {
  out.insert(out.end(), {
                            {"cartCreate", CartCreate},
                            {"cartGet", CartGet},
                            {"cartRank", CartRank},
                            {"cartCoords", CartCoords},
                            {"cartShift", CartShift},
                            {"cartSub", CartSub},
                            {"splitType", SplitType},
                        });
}

void InitTopology(Napi::Env env, Napi::Object exports) {
  exports.Set("dimsCreate", Napi::Function::New(env, DimsCreate));
}

}  // namespace h5mpi
