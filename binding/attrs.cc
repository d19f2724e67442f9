// Attributes on files, groups and datasets: replace-or-create, read whole, list, delete. The native
// location classes expose these as methods (object.h); `loc` is their live id.
#include <memory>

#include "codec.h"
#include "errors.h"
#include "object.h"
#include "types.h"

namespace h5mpi {
namespace {
std::string Quote(const std::string& name) { return "'" + name + "'"; }

// attrRead's third mode, besides the StringMode ones: the type and shape only, no data.
constexpr int kInfoOnly = 2;

// A name no attribute of `loc` has, from `base`: the same on every rank, which all see the same attributes.
std::string FreeName(Napi::Env env, hid_t loc, const std::string& base, const std::string& what) {
  std::string name = base;
  for (int i = 1; CheckH5(env, H5Aexists(loc, name.c_str()), what) > 0; i++) name = base + " " + std::to_string(i);
  return name;
}

// Throws the H5Error of the failure that just happened, after `undo` put things back (HDF5's error stack
// of the failure is kept aside meanwhile, so that the exception tells the failure, not the undoing).
template <typename Undo>
[[noreturn]] void FailAndUndo(Napi::Env env, const std::string& what, Undo undo) {
  hid_t failure = H5Eget_current_stack();
  undo();
  if (failure >= 0) H5Eset_current_stack(failure);
  ThrowH5(env, what);
}
}  // namespace

// attrWrite(name, spec, data). spec: { type (a type descriptor, codec.h), shape: number[] | null (scalar),
// empty (a null dataspace: h5py.Empty) }; data: a typed array of the type's elements (numbers converted by
// HDF5 from its element type), or the JS values the type's codec encodes (strings and their bytes,
// compounds' fields...).
Napi::Value AttrWrite(const Napi::CallbackInfo& info, hid_t loc) {
  Napi::Env env = info.Env();
  std::string name = info[0].ToString();
  std::string what = "write attribute " + Quote(name);
  Napi::Object spec = info[1].As<Napi::Object>();
  std::unique_ptr<TypeNode> node = ParseType(env, spec.Get("type"));
  Space space;
  if (spec.Get("empty").ToBoolean()) {
    space = Space(CheckH5(env, H5Screate(H5S_NULL), what));
  } else if (spec.Get("shape").IsNull()) {
    space = Space(CheckH5(env, H5Screate(H5S_SCALAR), what));
  } else {
    std::vector<hsize_t> dims = ToDims(spec.Get("shape"));
    space = Space(CheckH5(env, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), what));
  }
  hssize_t count = CheckH5(env, H5Sget_simple_extent_npoints(space.get()), what);
  Type ftype = FileTypeOfNode(env, *node);

  // The data in memory, before anything in the file changes.
  Codec codec(env, *node, true);
  hid_t memType = codec.memType();
  const void* data = nullptr;
  Kept kept;
  std::vector<char> buf;
  if (count > 0 && codec.direct()) {
    Napi::TypedArray ta = info[2].As<Napi::TypedArray>();
    memType = codec.TypeForArray(env, ta.TypedArrayType());
    if (memType < 0) ThrowUsage(env, what + ": this typed array's type cannot hold the attribute's elements");
    if (ta.ByteLength() != static_cast<size_t>(count) * H5Tget_size(memType)) {
      ThrowUsage(env, what + ": the typed array does not hold " + std::to_string(count) + " elements");
    }
    data = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  } else if (count > 0) {
    buf.assign(static_cast<size_t>(count) * codec.size(), 0);
    codec.Encode(env, info[2], buf.data(), static_cast<size_t>(count), kept);
    data = buf.data();
  }

  // A replaced attribute is written under a free name and renamed over the old one only once it is written,
  // as h5py does: an attribute HDF5 refuses (its type, its size) leaves the old value where it was.
  bool exists = CheckH5(env, H5Aexists(loc, name.c_str()), what) > 0;
  std::string fresh = exists ? FreeName(env, loc, ".h5mpi-replacing " + name, what) : name;
  std::string old = exists ? FreeName(env, loc, ".h5mpi-replaced " + name, what) : "";
  Attr attr(CheckH5(env, H5Acreate2(loc, fresh.c_str(), ftype.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), what));
  // An empty attribute (no elements, or a null dataspace) has nothing to write, and HDF5 refuses a null buffer.
  if (count > 0 && H5Awrite(attr.get(), memType, data) < 0) {
    FailAndUndo(env, what, [&] {
      attr.reset();
      H5Adelete(loc, fresh.c_str());
    });
  }
  attr.reset();
  if (!exists) return env.Undefined();
  if (H5Arename(loc, name.c_str(), old.c_str()) < 0) FailAndUndo(env, what, [&] { H5Adelete(loc, fresh.c_str()); });
  if (H5Arename(loc, fresh.c_str(), name.c_str()) < 0) {
    FailAndUndo(env, what, [&] {
      H5Arename(loc, old.c_str(), name.c_str());
      H5Adelete(loc, fresh.c_str());
    });
  }
  CheckH5(env, H5Adelete(loc, old.c_str()),
          what + ": the new value is in place, but the old one is left as attribute " + Quote(old) +
              ", which could not be deleted");
  return env.Undefined();
}

// attrRead(name, mode, desc?) -> { type, shape (null: scalar; []: a null dataspace), data?: ArrayBuffer | array
// | decoded values }. mode: a StringMode for string data, or kInfoOnly for no data at all. With a type
// descriptor (codec.h), the data is read through its codec and decoded; without one, only numbers (an
// ArrayBuffer of the native type) and strings are read.
Napi::Value AttrRead(const Napi::CallbackInfo& info, hid_t loc) {
  Napi::Env env = info.Env();
  std::string name = info[0].ToString();
  int mode = info[1].IsNumber() ? info[1].As<Napi::Number>().Int32Value() : 0;
  std::string what = "read attribute " + Quote(name);
  Attr attr(CheckH5(env, H5Aopen(loc, name.c_str(), H5P_DEFAULT), what));
  Type ftype(CheckH5(env, H5Aget_type(attr.get()), what));
  Space space(CheckH5(env, H5Aget_space(attr.get()), what));
  Napi::Object out = Napi::Object::New(env);
  Napi::Object type = DescribeType(env, ftype.get());
  out.Set("type", type);
  int rank = H5Sget_simple_extent_ndims(space.get());
  size_t count = static_cast<size_t>(H5Sget_simple_extent_npoints(space.get()));
  H5S_class_t spaceClass = H5Sget_simple_extent_type(space.get());
  if (spaceClass == H5S_SCALAR) {
    out.Set("shape", env.Null());
  } else {
    std::vector<hsize_t> dims(rank > 0 ? rank : 1);
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    out.Set("shape", FromDims(env, dims.data(), rank));
  }
  // A null dataspace (h5py.Empty) has no value; shape [] tells lib/.
  if (mode == kInfoOnly || spaceClass == H5S_NULL) return out;
  StringMode strings = static_cast<StringMode>(mode);
  if (info.Length() > 2 && info[2].IsObject()) {
    std::unique_ptr<TypeNode> node = ParseType(env, info[2]);
    Codec codec(env, *node, false);
    std::vector<char> buf(std::max<size_t>(count * codec.size(), 1), 0);
    // A zero-length attribute (numpy's zeros(0)) has nothing to read, and HDF5 refuses a null buffer.
    if (count > 0) CheckH5(env, H5Aread(attr.get(), codec.memType(), buf.data()), what);
    Napi::Value data;
    try {
      data = codec.Decode(env, buf.data(), count, strings);
    } catch (...) {
      if (codec.hasVlen()) ReclaimVlen(codec.memType(), count, buf.data());
      throw;
    }
    if (codec.hasVlen()) ReclaimVlen(codec.memType(), count, buf.data());
    out.Set("data", data);
    return out;
  }
  int dtype = type.Get("dtype").As<Napi::Number>().Int32Value();
  if (dtype < 0) return out;  // lib/ reads it with a type descriptor, or reports the unsupported type by name
  DType dt = static_cast<DType>(dtype);
  if (dt == DType::String) {
    out.Set("data", ReadStrings(env, ftype.get(), space.get(), count, strings,
                                [&](hid_t mem, void* buf) { CheckH5(env, H5Aread(attr.get(), mem, buf), what); }));
  } else {
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, count * DTypeSize(dt));
    if (count > 0) CheckH5(env, H5Aread(attr.get(), NativeH5Type(dt), buf.Data()), what);
    out.Set("data", buf);
  }
  return out;
}

Napi::Value AttrNames(const Napi::CallbackInfo& info, hid_t loc) {
  Napi::Env env = info.Env();
  std::vector<std::string> names;
  hsize_t idx = 0;
  CheckH5(env, H5Aiterate2(loc, H5_INDEX_NAME, H5_ITER_INC, &idx, CollectName<H5A_info_t>, &names), "list attributes");
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
