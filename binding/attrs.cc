// Attributes on files, groups and datasets: replace-or-create, read whole, list, delete. The native
// location classes expose these as methods (object.h); `loc` is their live id.
#include <memory>

#include "codec.h"
#include "errors.h"
#include "h5compat.h"
#include "object.h"
#include "references.h"
#include "types.h"

namespace h5mpi {
namespace {

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

// An attribute as it is stored (type, dataspace, creation list, value), kept in memory to be put back.
class SavedAttribute {
 public:
  SavedAttribute(Napi::Env env, hid_t loc, const std::string& name, const std::string& what) {
    Attr attr(CheckH5(env, H5Aopen(loc, name.c_str(), H5P_DEFAULT), what));
    type_ = Type(CheckH5(env, H5Aget_type(attr.get()), what));
    space_ = Space(CheckH5(env, H5Aget_space(attr.get()), what));
    acpl_ = Plist(CheckH5(env, H5Aget_create_plist(attr.get()), what));
    hssize_t count = CheckH5(env, H5Sget_simple_extent_npoints(space_.get()), what);
    // Read in its own type: no conversion, the bytes as stored (variable-length data as HDF5 gives it in memory).
    value_.assign(static_cast<size_t>(count) * H5Tget_size(type_.get()), 0);
    if (count > 0) {
      CheckH5(env, H5Aread(attr.get(), type_.get(), value_.data()), what);
      read_ = true;
    }
  }
  SavedAttribute(const SavedAttribute&) = delete;
  SavedAttribute& operator=(const SavedAttribute&) = delete;
  ~SavedAttribute() {
    if (read_) h5compat::Reclaim(type_.get(), space_.get(), value_.data());
  }
  // Creates it again as `name` on `loc`: whether that worked.
  bool Restore(hid_t loc, const std::string& name) const {
    Attr attr(H5Acreate2(loc, name.c_str(), type_.get(), space_.get(), acpl_.get(), H5P_DEFAULT));
    return attr.valid() && (!read_ || H5Awrite(attr.get(), type_.get(), value_.data()) >= 0);
  }

 private:
  Type type_;
  Space space_;
  Plist acpl_;
  std::vector<char> value_;
  bool read_ = false;
};

// Creates attribute `name` of `loc` and writes `count` elements of `data` (as `memType`) into it; on failure
// deletes what it created and returns false, with HDF5's error stack of the failure current.
bool CreateAndWrite(hid_t loc, const std::string& name, hid_t ftype, hid_t space, hid_t memType, const void* data,
                    hssize_t count) {
  Attr attr(H5Acreate2(loc, name.c_str(), ftype, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return false;
  // An empty attribute (no elements, or a null dataspace) has nothing to write, and HDF5 refuses a null buffer.
  if (count == 0 || H5Awrite(attr.get(), memType, data) >= 0) return true;
  hid_t failure = H5Eget_current_stack();
  attr.reset();
  H5Adelete(loc, name.c_str());
  if (failure >= 0) H5Eset_current_stack(failure);
  return false;
}

// Replaces attribute `name` of `loc`, an object that tracks the creation order of its attributes, without
// renaming: HDF5 1.10's H5Arename breaks the creation-order index of attributes in dense storage (past 8),
// leaving "record is not in B-tree" (h5py#1385; h5py deletes first there). The new value is first written
// under a free name and deleted again, so that a value HDF5 refuses (its type, its size) fails while the old
// one is untouched; then the old one is kept in memory, deleted, and the new one created under the name. Should
// that fail after all, the old one is put back (last in creation order).
void ReplaceTracked(Napi::Env env, hid_t loc, const std::string& name, hid_t ftype, hid_t space, hid_t memType,
                    const void* data, hssize_t count, const std::string& what) {
  std::string trial = FreeName(env, loc, ".h5mpi-replacing " + name, what);
  if (!CreateAndWrite(loc, trial, ftype, space, memType, data, count)) ThrowH5(env, what);
  CheckH5(env, H5Adelete(loc, trial.c_str()),
          what + ": the old value is in place, but a trial copy of the new one is left as attribute " + Quote(trial) +
              ", which could not be deleted");
  SavedAttribute old(env, loc, name, what);
  CheckH5(env, H5Adelete(loc, name.c_str()), what);
  if (CreateAndWrite(loc, name, ftype, space, memType, data, count)) return;
  hid_t failure = H5Eget_current_stack();
  bool restored = old.Restore(loc, name);
  if (failure >= 0) H5Eset_current_stack(failure);
  ThrowH5(env, restored ? what : what + " (and the old value could not be put back: it is lost)");
}
}  // namespace

// attrWrite(name, spec, data). spec: { type (a type descriptor, codec.h), shape: number[] | null (scalar),
// empty (a null dataspace: h5py.Empty) }; data: a typed array of the type's elements (numbers converted by
// HDF5 from its element type), or the JS values the type's codec encodes (strings and their bytes,
// compounds' fields...).
Napi::Value AttrWrite(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
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
  std::unique_ptr<Codec> codec;
  std::vector<unsigned char> references;
  hid_t memType = H5I_INVALID_HID;
  const void* data = nullptr;
  Kept kept;
  std::vector<char> buf;
  if (node->kind == Kind::Reference) {  // references.h: made from paths in this file
    references = PackReferences(env, loc, info[2].As<Napi::Array>(), node->dt == DType::RegionReference, what);
    memType = ftype.get();
    data = references.data();
  } else {
    codec = std::make_unique<Codec>(env, *node, true);
    memType = codec->memType();
    if (count > 0 && codec->direct()) {
      Napi::TypedArray ta = info[2].As<Napi::TypedArray>();
      memType = codec->TypeForArray(env, ta.TypedArrayType());
      if (memType < 0) ThrowUsage(env, what + ": this typed array's type cannot hold the attribute's elements");
      if (ta.ByteLength() != static_cast<size_t>(count) * H5Tget_size(memType)) {
        ThrowUsage(env, what + ": the typed array does not hold " + std::to_string(count) + " elements");
      }
      data = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    } else if (count > 0) {
      buf.assign(static_cast<size_t>(count) * codec->size(), 0);
      codec->Encode(env, info[2], buf.data(), static_cast<size_t>(count), kept);
      data = buf.data();
    }
  }

  // A replaced attribute is written under a free name and renamed over the old one only once it is written,
  // as h5py does: an attribute HDF5 refuses (its type, its size) leaves the old value where it was.
  bool exists = CheckH5(env, H5Aexists(loc, name.c_str()), what) > 0;
  if (exists && TracksOrder(loc, true)) {
    ReplaceTracked(env, loc, name, ftype.get(), space.get(), memType, data, count, what);
    return env.Undefined();
  }
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
namespace {
Napi::Value AttrReadValue(const Napi::CallbackInfo& info, hid_t loc);
}  // namespace

Napi::Value AttrRead(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  try {
    return AttrReadValue(info, loc);
  } catch (const std::bad_alloc&) {
    ThrowOutOfMemory(info.Env(), "read attribute " + Quote(info[0].ToString()));
  }
}

namespace {
Napi::Value AttrReadValue(const Napi::CallbackInfo& info, hid_t loc) {
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
  if (ContainsReferences(ftype.get())) {  // references.h: { raw, values }
    out.Set("data", ReadReferenceValues(env, loc, ftype.get(), space.get(), count, [&](hid_t mem, void* buf) {
              CheckH5(env, H5Aread(attr.get(), mem, buf), what);
            }));
    return out;
  }
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
}  // namespace

Napi::Value AttrNames(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::vector<std::string> names;
  CheckH5(env, CollectNames(loc, true, &names), "list attributes");
  return FromStrings(env, names);
}

Napi::Value AttrExists(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::string name = info[0].ToString();
  return Napi::Boolean::New(env, CheckH5(env, H5Aexists(loc, name.c_str()), "look up attribute " + Quote(name)) > 0);
}

Napi::Value AttrDelete(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::string name = info[0].ToString();
  CheckH5(env, H5Adelete(loc, name.c_str()), "delete attribute " + Quote(name));
  return env.Undefined();
}

}  // namespace h5mpi
