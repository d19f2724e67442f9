// Attributes on files, groups and datasets: replace-or-create, read whole, list, delete. The native
// location classes expose these as methods (object.h); `loc` is their live id.
#include "errors.h"
#include "object.h"
#include "types.h"

namespace h5mpi {
namespace {
std::string Quote(const std::string& name) { return "'" + name + "'"; }
}  // namespace

// attrWrite(name, dtype, stringLength, shape | null, data): data is a typed array or string[].
Napi::Value AttrWrite(const Napi::CallbackInfo& info, hid_t loc) {
  Napi::Env env = info.Env();
  std::string name = info[0].ToString();
  std::string what = "write attribute " + Quote(name);
  DType dt = static_cast<DType>(info[1].As<Napi::Number>().Int32Value());
  size_t stringLength = static_cast<size_t>(info[2].As<Napi::Number>().DoubleValue());
  Space space;
  if (info[3].IsNull()) {
    space = Space(CheckH5(env, H5Screate(H5S_SCALAR), what));
  } else {
    std::vector<hsize_t> dims = ToDims(info[3]);
    space = Space(CheckH5(env, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), what));
  }
  if (CheckH5(env, H5Aexists(loc, name.c_str()), what) > 0) CheckH5(env, H5Adelete(loc, name.c_str()), what);
  Type ftype = FileType(env, dt, stringLength);
  Attr attr(CheckH5(env, H5Acreate2(loc, name.c_str(), ftype.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), what));
  if (dt == DType::String) {
    PackedStrings packed(env, ftype.get(), info[4].As<Napi::Array>());
    CheckH5(env, H5Awrite(attr.get(), packed.memType(), packed.data()), what);
  } else {
    Napi::TypedArray ta = info[4].As<Napi::TypedArray>();
    const char* p = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    CheckH5(env, H5Awrite(attr.get(), NativeH5Type(dt), p), what);
  }
  return env.Undefined();
}

// attrRead(name) -> { type, shape (null: scalar), data: ArrayBuffer | string[] }
Napi::Value AttrRead(const Napi::CallbackInfo& info, hid_t loc) {
  Napi::Env env = info.Env();
  std::string name = info[0].ToString();
  std::string what = "read attribute " + Quote(name);
  Attr attr(CheckH5(env, H5Aopen(loc, name.c_str(), H5P_DEFAULT), what));
  Type ftype(CheckH5(env, H5Aget_type(attr.get()), what));
  Space space(CheckH5(env, H5Aget_space(attr.get()), what));
  Napi::Object out = Napi::Object::New(env);
  Napi::Object type = DescribeType(env, ftype.get());
  out.Set("type", type);
  int rank = H5Sget_simple_extent_ndims(space.get());
  size_t count = static_cast<size_t>(H5Sget_simple_extent_npoints(space.get()));
  if (H5Sget_simple_extent_type(space.get()) == H5S_SCALAR) {
    out.Set("shape", env.Null());
  } else {
    std::vector<hsize_t> dims(rank);
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    out.Set("shape", FromDims(env, dims.data(), rank));
  }
  // A null dataspace (h5py.Empty) has no value; shape [] tells lib/.
  if (H5Sget_simple_extent_type(space.get()) == H5S_NULL) return out;
  int dtype = type.Get("dtype").As<Napi::Number>().Int32Value();
  if (dtype < 0) return out;  // lib/ reports the unsupported type by name
  DType dt = static_cast<DType>(dtype);
  if (dt == DType::String) {
    out.Set("data", ReadStrings(env, ftype.get(), space.get(), count,
                                [&](hid_t mem, void* buf) { CheckH5(env, H5Aread(attr.get(), mem, buf), what); }));
  } else {
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, count * DTypeSize(dt));
    CheckH5(env, H5Aread(attr.get(), NativeH5Type(dt), buf.Data()), what);
    out.Set("data", buf);
  }
  return out;
}

Napi::Value AttrNames(const Napi::CallbackInfo& info, hid_t loc) {
  Napi::Env env = info.Env();
  std::vector<std::string> names;
  CheckH5(env, CollectNames(loc, true, &names), "list attributes");
  return FromStrings(env, names);
}

Napi::Value AttrExists(const Napi::CallbackInfo& info, hid_t loc) {
  Napi::Env env = info.Env();
  std::string name = info[0].ToString();
  return Napi::Boolean::New(env, CheckH5(env, H5Aexists(loc, name.c_str()), "look up attribute " + Quote(name)) > 0);
}

Napi::Value AttrDelete(const Napi::CallbackInfo& info, hid_t loc) {
  Napi::Env env = info.Env();
  std::string name = info[0].ToString();
  CheckH5(env, H5Adelete(loc, name.c_str()), "delete attribute " + Quote(name));
  return env.Undefined();
}

}  // namespace h5mpi
