// Groups: NativeGroup, and the calls on a file's tree (create groups, open, look up, list, delete); links.cc
// has the rest (links, moves, copies, walks).
#include "errors.h"
#include "h5compat.h"
#include "object.h"

namespace h5mpi {
namespace {

class NativeGroup : public Napi::ObjectWrap<NativeGroup>, public OpenObject {
 public:
  static Napi::Function Define(Napi::Env env) {
    std::vector<Napi::ClassPropertyDescriptor<NativeGroup>> methods = {
        InstanceMethod<&NativeGroup::CloseM>("close"),
        InstanceMethod<&NativeGroup::NamesM>("names"),
    };
    LocationMethods(methods);
    return DefineClass(env, "NativeGroup", methods);
  }
  explicit NativeGroup(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeGroup>(info) {
    info.This().As<Napi::Object>().TypeTag(&kGroupTag);
  }

  H5MPI_LOCATION_METHODS

 private:
  hid_t Loc(Napi::Env env) const { return id(env); }
  // close(): collective in parallel, so called by lib/ only.
  Napi::Value CloseM(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    id(env);
    std::string what = "close group " + Quote(name());
    if (Close() < 0) ThrowH5(env, what);
    return env.Undefined();
  }
  Napi::Value NamesM(const Napi::CallbackInfo& info) { return LinkNames(info, id(info.Env())); }
};

}  // namespace

Napi::Object NewGroup(Napi::Env env, const std::shared_ptr<FileState>& file, hid_t id, const std::string& name) {
  Napi::Object o = Data(env).groupClass.New({});
  NativeGroup::Unwrap(o)->Adopt(file, id, name);
  return o;
}

Napi::Value CreateGroup(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file) {
  ErrorSubject subject(info.Env(), file->id);
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  std::string what = "create group " + Quote(path);
  Plist lcpl(CheckH5(env, H5Pcreate(H5P_LINK_CREATE), what));
  CheckH5(env, H5Pset_create_intermediate_group(lcpl.get(), 1), what);
  Plist gcpl(CheckH5(env, H5Pcreate(H5P_GROUP_CREATE), what));
  if (info[1].ToBoolean()) SetCreationOrder(env, gcpl.get(), true, what);
  hid_t g = CheckH5(env, H5Gcreate2(file->id, path.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT), what);
  return NewGroup(env, file, g, path);
}

Napi::Value OpenObjectAt(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file) {
  ErrorSubject subject(info.Env(), file->id);
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  Object o(CheckH5(env, H5Oopen(file->id, path.c_str(), H5P_DEFAULT), "open " + Quote(path)));
  H5I_type_t type = H5Iget_type(o.get());
  if (type == H5I_GROUP) return NewGroup(env, file, o.release(), path);
  if (type == H5I_DATASET) return NewDataset(env, file, o.release(), path);
  if (type == H5I_DATATYPE) return NewDatatype(env, file, o.release(), path);
  ThrowH5Code(env, "open " + Quote(path) + " failed: it is not a group, dataset or named datatype", "FAILED");
}

// Checks each link along the path first, since HDF5 reports a missing intermediate group as an error
// rather than "no".
Napi::Value ObjectKind(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  size_t pos = path[0] == '/' ? 1 : 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && prefix != "/" && slash != pos) {
      htri_t exists = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
      if (exists <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return Napi::String::New(env, "missing");
      }
    }
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  h5compat::ObjectInfo oinfo;
  if (h5compat::ObjectInfoByName(loc, path.c_str(), &oinfo) < 0) {
    // A soft or external link that leads nowhere is "nothing there" (h5py's rule); a hard link is to an
    // object that is there, whose header HDF5 cannot read (a damaged file): that is HDF5's error, and said.
    h5compat::LinkInfo link;
    herr_t linked = h5compat::LinkInfoByName(loc, path.c_str(), &link);
    if (linked < 0 || link.type != H5L_TYPE_HARD) {
      H5Eclear2(H5E_DEFAULT);
      return Napi::String::New(env, "missing");
    }
    h5compat::ObjectInfoByName(loc, path.c_str(), &oinfo);  // again, for its error stack alone
    ThrowH5(env, "read the object header at " + Quote(path));
  }
  switch (oinfo.type) {
    case H5O_TYPE_GROUP: return Napi::String::New(env, "group");
    case H5O_TYPE_DATASET: return Napi::String::New(env, "dataset");
    case H5O_TYPE_NAMED_DATATYPE: return Napi::String::New(env, "datatype");
    default: return Napi::String::New(env, "unknown");
  }
}

Napi::Value LinkNames(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::vector<std::string> names;
  CheckH5(env, CollectNames(loc, false, &names), "list group");
  return FromStrings(env, names);
}

Napi::Value LinkDelete(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  CheckH5(env, H5Ldelete(loc, path.c_str(), H5P_DEFAULT), "delete " + Quote(path));
  return env.Undefined();
}

void InitGroup(Napi::Env env, Napi::Object exports) {
  Data(env).groupClass = Napi::Persistent(NativeGroup::Define(env));
}

}  // namespace h5mpi
