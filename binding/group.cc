// Groups and links: create (with intermediate groups), open, look up, list, delete; closing any object.
#include "errors.h"

namespace h5mpi {
namespace {

std::string Quote(const std::string& path) { return "'" + path + "'"; }

// groupCreate(loc, path) -> hid
Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[1].ToString();
  Plist lcpl(CheckH5(env, H5Pcreate(H5P_LINK_CREATE), "create group " + Quote(path)));
  CheckH5(env, H5Pset_create_intermediate_group(lcpl.get(), 1), "create group " + Quote(path));
  hid_t g = CheckH5(env, H5Gcreate2(ToHid(info[0]), path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                    "create group " + Quote(path));
  return FromHid(env, g);
}

// objectOpen(loc, path) -> hid of the group / dataset there
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[1].ToString();
  return FromHid(env, CheckH5(env, H5Oopen(ToHid(info[0]), path.c_str(), H5P_DEFAULT), "open " + Quote(path)));
}

// objectKind(loc, path) -> 'group' | 'dataset' | 'datatype' | 'missing'. Checks each link along the path
// first, since HDF5 reports a missing intermediate group as an error rather than "no".
Napi::Value Kind(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  hid_t loc = ToHid(info[0]);
  std::string path = info[1].ToString();
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
  H5O_info_t oinfo;
  if (H5Oget_info_by_name(loc, path.c_str(), &oinfo, H5P_DEFAULT) < 0) {  // a dangling soft link
    H5Eclear2(H5E_DEFAULT);
    return Napi::String::New(env, "missing");
  }
  switch (oinfo.type) {
    case H5O_TYPE_GROUP: return Napi::String::New(env, "group");
    case H5O_TYPE_DATASET: return Napi::String::New(env, "dataset");
    case H5O_TYPE_NAMED_DATATYPE: return Napi::String::New(env, "datatype");
    default: return Napi::String::New(env, "unknown");
  }
}

// linkNames(loc) -> string[] in name order
Napi::Value Names(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> names;
  hsize_t idx = 0;
  CheckH5(env, H5Literate(ToHid(info[0]), H5_INDEX_NAME, H5_ITER_INC, &idx, CollectName<H5L_info_t>, &names), "list group");
  return FromStrings(env, names);
}

// linkDelete(loc, path)
Napi::Value Delete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[1].ToString();
  CheckH5(env, H5Ldelete(ToHid(info[0]), path.c_str(), H5P_DEFAULT), "delete " + Quote(path));
  return env.Undefined();
}

// objectClose(hid)
Napi::Value Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CheckH5(env, H5Oclose(ToHid(info[0])), "close " + Quote(info[1].ToString()));
  return env.Undefined();
}

}  // namespace

void InitGroup(Napi::Env env, Napi::Object exports) {
  exports.Set("groupCreate", Napi::Function::New(env, Create));
  exports.Set("objectOpen", Napi::Function::New(env, Open));
  exports.Set("objectKind", Napi::Function::New(env, Kind));
  exports.Set("linkNames", Napi::Function::New(env, Names));
  exports.Set("linkDelete", Napi::Function::New(env, Delete));
  exports.Set("objectClose", Napi::Function::New(env, Close));
}

}  // namespace h5mpi
