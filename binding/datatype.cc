// Named (committed) datatypes: NativeDatatype (describe, attributes, close), and committing one (h5py's
// `f['name'] = np.dtype(...)`, HDF5's H5Tcommit2).
#include "codec.h"
#include "errors.h"
#include "object.h"
#include "types.h"

namespace h5mpi {
namespace {

class NativeDatatype : public Napi::ObjectWrap<NativeDatatype>, public OpenObject {
 public:
  static Napi::Function Define(Napi::Env env) {
    std::vector<Napi::ClassPropertyDescriptor<NativeDatatype>> methods = {
        InstanceMethod<&NativeDatatype::CloseM>("close"),
        InstanceMethod<&NativeDatatype::InfoM>("info"),
    };
    LocationMethods(methods);
    return DefineClass(env, "NativeDatatype", methods);
  }
  explicit NativeDatatype(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeDatatype>(info) {
    info.This().As<Napi::Object>().TypeTag(&kDatatypeTag);
  }

  H5MPI_LOCATION_METHODS

 private:
  hid_t Loc(Napi::Env env) const { return id(env); }
  // close(): collective in parallel, so called by lib/ only.
  Napi::Value CloseM(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    id(env);
    if (Close() < 0) ThrowH5(env, "close datatype " + Quote(name()));
    return env.Undefined();
  }
  // info(): the stored type, described as a dataset's (types.h).
  Napi::Value InfoM(const Napi::CallbackInfo& info) { return DescribeType(info.Env(), id(info.Env())); }
};

}  // namespace

Napi::Object NewDatatype(Napi::Env env, const std::shared_ptr<FileState>& file, hid_t id, const std::string& name) {
  Napi::Object o = Data(env).datatypeClass.New({});
  NativeDatatype::Unwrap(o)->Adopt(file, id, name);
  return o;
}

Napi::Value CommitDatatype(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file) {
  ErrorSubject subject(info.Env(), file->id);
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  std::string what = "commit datatype " + Quote(path);
  std::unique_ptr<TypeNode> node = ParseType(env, info[1]);
  Type type = FileTypeOfNode(env, *node);
  Plist lcpl(CheckH5(env, H5Pcreate(H5P_LINK_CREATE), what));
  CheckH5(env, H5Pset_create_intermediate_group(lcpl.get(), 1), what);
  CheckH5(env, H5Tcommit2(file->id, path.c_str(), type.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT), what);
  // The object owns an id of its own, opened as `get` opens one.
  hid_t t = CheckH5(env, H5Topen2(file->id, path.c_str(), H5P_DEFAULT), what);
  return NewDatatype(env, file, t, path);
}

void InitDatatype(Napi::Env env, Napi::Object exports) {
  Data(env).datatypeClass = Napi::Persistent(NativeDatatype::Define(env));
}

}  // namespace h5mpi
