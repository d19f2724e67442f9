// References: made from paths and selections, read back as paths and selections, also inside composite types.
#include "references.h"

#include <cstring>
#include <unordered_map>

#include "dataspace.h"
#include "errors.h"
#include "h5compat.h"
#include "object.h"

namespace h5mpi {

bool ContainsReferences(hid_t type) {
  htri_t r = H5Tdetect_class(type, H5T_REFERENCE);
  if (r < 0) H5Eclear2(H5E_DEFAULT);
  return r > 0;
}

const char* ReferenceKind(hid_t type) {
  if (H5Tget_class(type) != H5T_REFERENCE) return nullptr;
  if (H5Tequal(type, H5T_STD_REF_DSETREG) > 0) return "region";
  if (H5Tequal(type, H5T_STD_REF_OBJ) > 0) return "object";
  H5Eclear2(H5E_DEFAULT);
  return nullptr;
}

namespace {

bool IsNull(const unsigned char* p, size_t size) {
  for (size_t i = 0; i < size; i++) {
    if (p[i] != 0) return false;
  }
  return true;
}

Napi::Array DimsArray(Napi::Env env, const hsize_t* v, int rank) { return FromDims(env, v, rank); }

// A region's selection, as references.h describes it.
Napi::Value DescribeSelection(Napi::Env env, hid_t space, const std::string& what) {
  Napi::Object o = Napi::Object::New(env);
  int rank = CheckH5(env, H5Sget_simple_extent_ndims(space), what);
  o.Set("rank", rank);
  hsize_t dims[H5S_MAX_RANK];
  H5Sget_simple_extent_dims(space, dims, nullptr);
  o.Set("shape", DimsArray(env, dims, rank));
  switch (H5Sget_select_type(space)) {
    case H5S_SEL_ALL: o.Set("kind", "all"); return o;
    case H5S_SEL_NONE: o.Set("kind", "none"); return o;
    case H5S_SEL_POINTS: {
      hssize_t n = CheckH5(env, H5Sget_select_elem_npoints(space), what);
      std::vector<hsize_t> buf(static_cast<size_t>(n) * rank + 1);
      if (n > 0) CheckH5(env, H5Sget_select_elem_pointlist(space, 0, n, buf.data()), what);
      Napi::Array points = Napi::Array::New(env, n);
      for (hssize_t i = 0; i < n; i++) points.Set(static_cast<uint32_t>(i), DimsArray(env, &buf[i * rank], rank));
      o.Set("kind", "points");
      o.Set("points", points);
      return o;
    }
    case H5S_SEL_HYPERSLABS: {
      if (CheckH5(env, H5Sis_regular_hyperslab(space), what) > 0) {
        hsize_t start[H5S_MAX_RANK], stride[H5S_MAX_RANK], count[H5S_MAX_RANK], block[H5S_MAX_RANK];
        CheckH5(env, H5Sget_regular_hyperslab(space, start, stride, count, block), what);
        o.Set("kind", "regular");
        o.Set("start", DimsArray(env, start, rank));
        o.Set("stride", DimsArray(env, stride, rank));
        o.Set("count", DimsArray(env, count, rank));
        o.Set("block", DimsArray(env, block, rank));
        return o;
      }
      hssize_t n = CheckH5(env, H5Sget_select_hyper_nblocks(space), what);
      std::vector<hsize_t> buf(static_cast<size_t>(n) * 2 * rank + 1);
      if (n > 0) CheckH5(env, H5Sget_select_hyper_blocklist(space, 0, n, buf.data()), what);
      Napi::Array blocks = Napi::Array::New(env, n);
      for (hssize_t i = 0; i < n; i++)
        blocks.Set(static_cast<uint32_t>(i), DimsArray(env, &buf[i * 2 * rank], 2 * rank));
      o.Set("kind", "blocks");
      o.Set("blocks", blocks);
      return o;
    }
    default: ThrowH5Code(env, what + ": the region's selection is of a kind h5mpi does not know", "FAILED");
  }
}

// Walks elements of a (native memory) type that holds references, making the JS values references.h describes.
class Walker {
 public:
  Walker(Napi::Env env, hid_t loc) : env_(env), loc_(loc) {}

  Napi::Value Value(hid_t type, const unsigned char* p) {
    switch (H5Tget_class(type)) {
      case H5T_REFERENCE: return Reference(type, p);
      case H5T_INTEGER: return Integer(type, p);
      case H5T_FLOAT: {
        size_t size = H5Tget_size(type);
        if (size == sizeof(float)) {
          float f;
          std::memcpy(&f, p, sizeof f);
          return Napi::Number::New(env_, f);
        }
        if (size == sizeof(double)) {
          double d;
          std::memcpy(&d, p, sizeof d);
          return Napi::Number::New(env_, d);
        }
        return env_.Undefined();
      }
      case H5T_ENUM: {
        Type base(H5Tget_super(type));
        return base.valid() ? Integer(base.get(), p) : env_.Undefined();
      }
      case H5T_STRING: {
        if (H5Tis_variable_str(type) > 0) {
          const char* s;
          std::memcpy(&s, p, sizeof s);
          return Napi::String::New(env_, s ? s : "");
        }
        size_t size = H5Tget_size(type);
        return Napi::String::New(env_, reinterpret_cast<const char*>(p),
                                 strnlen(reinterpret_cast<const char*>(p), size));
      }
      case H5T_COMPOUND: {
        Napi::Object o = Napi::Object::New(env_);
        int n = H5Tget_nmembers(type);
        for (int i = 0; i < n; i++) {
          char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
          Type member(H5Tget_member_type(type, static_cast<unsigned>(i)));
          size_t offset = H5Tget_member_offset(type, static_cast<unsigned>(i));
          if (name && member.valid()) o.Set(name, Value(member.get(), p + offset));
          if (name) H5free_memory(name);
        }
        return o;
      }
      case H5T_ARRAY: {
        Type base(H5Tget_super(type));
        int rank = H5Tget_array_ndims(type);
        hsize_t dims[H5S_MAX_RANK];
        if (!base.valid() || rank < 0 || H5Tget_array_dims2(type, dims) < 0) return env_.Undefined();
        size_t n = 1;
        for (int i = 0; i < rank; i++) n *= dims[i];
        return Sequence(base.get(), p, n);
      }
      case H5T_VLEN: {
        Type base(H5Tget_super(type));
        if (!base.valid()) return env_.Undefined();
        hvl_t v;
        std::memcpy(&v, p, sizeof v);
        return Sequence(base.get(), static_cast<const unsigned char*>(v.p), v.p ? v.len : 0);
      }
      default: return env_.Undefined();
    }
  }

  Napi::ArrayBuffer Raw() {
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env_, raw_.size());
    if (!raw_.empty()) std::memcpy(buf.Data(), raw_.data(), raw_.size());
    return buf;
  }

 private:
  Napi::Env env_;
  hid_t loc_;
  std::vector<unsigned char> raw_;
  // Names already resolved, by the reference's bytes: DIMENSION_LIST and REFERENCE_LIST name a few objects often.
  std::unordered_map<std::string, Napi::Value> names_;

  Napi::Value Sequence(hid_t base, const unsigned char* p, size_t n) {
    size_t size = H5Tget_size(base);
    Napi::Array a = Napi::Array::New(env_, n);
    for (size_t i = 0; i < n; i++) a.Set(static_cast<uint32_t>(i), Value(base, p + i * size));
    return a;
  }

  Napi::Value Integer(hid_t type, const unsigned char* p) {
    size_t size = H5Tget_size(type);
    bool isSigned = H5Tget_sign(type) == H5T_SGN_2;
    switch (size) {
      case 1: return Napi::Number::New(env_, isSigned ? static_cast<double>(static_cast<int8_t>(*p)) : *p);
      case 2: {
        uint16_t u;
        std::memcpy(&u, p, 2);
        return Napi::Number::New(env_, isSigned ? static_cast<double>(static_cast<int16_t>(u)) : u);
      }
      case 4: {
        uint32_t u;
        std::memcpy(&u, p, 4);
        return Napi::Number::New(env_, isSigned ? static_cast<double>(static_cast<int32_t>(u)) : u);
      }
      case 8: {
        uint64_t u;
        std::memcpy(&u, p, 8);
        if (isSigned) return Napi::BigInt::New(env_, static_cast<int64_t>(u));
        return Napi::BigInt::New(env_, u);
      }
      default: return env_.Undefined();
    }
  }

  // null, or [path | null, byte offset into raw, selection (regions)].
  Napi::Value Reference(hid_t type, const unsigned char* at) {
    const char* kind = ReferenceKind(type);
    if (!kind) return env_.Undefined();
    bool region = kind[0] == 'r';
    size_t size = H5Tget_size(type);
    if (size > sizeof(hdset_reg_ref_t) || IsNull(at, size))
      return size > sizeof(hdset_reg_ref_t) ? env_.Undefined() : env_.Null();
    // Copied: HDF5 reads an object reference as an aligned haddr_t, and a compound's field may not be aligned.
    alignas(8) unsigned char p[sizeof(hdset_reg_ref_t)] = {0};
    std::memcpy(p, at, size);
    Napi::Array leaf = Napi::Array::New(env_, region ? 3 : 2);
    leaf.Set(0u, Name(p, size, region));
    leaf.Set(1u, static_cast<double>(raw_.size()));
    raw_.insert(raw_.end(), p, p + size);
    if (region) {
      std::string what = "read a region reference";
      Space space(H5Rget_region(loc_, h5compat::kRegionRef, p));
      if (!space.valid()) ThrowH5(env_, what + " (it points to no dataset region in this file)");
      leaf.Set(2u, DescribeSelection(env_, space.get(), what));
    }
    return leaf;
  }

  // The referenced object's path; null when it has none (an object that was unlinked) or the reference points
  // at no object: it reads, and dereferencing it says so.
  Napi::Value Name(const unsigned char* p, size_t size, bool region) {
    std::string key(reinterpret_cast<const char*>(p), size);
    auto found = names_.find(key);
    if (found != names_.end()) return found->second;
    H5R_type_t kind = region ? h5compat::kRegionRef : h5compat::kObjectRef;
    Napi::Value name = env_.Null();
    ssize_t len = H5Rget_name(loc_, kind, p, nullptr, 0);
    if (len > 0) {
      std::string s(static_cast<size_t>(len) + 1, '\0');
      if (H5Rget_name(loc_, kind, p, &s[0], s.size()) > 0) {
        s.resize(static_cast<size_t>(len));
        name = Napi::String::New(env_, s);
      }
    }
    H5Eclear2(H5E_DEFAULT);
    names_.emplace(key, name);
    return name;
  }
};

// Makes one region reference into `out`: the dataset at `path`, with the selection `code` (null: all of it).
void MakeRegion(Napi::Env env, hid_t loc, const std::string& path, const Napi::Value& code, int rank,
                unsigned char* out, const std::string& what) {
  std::string where = (what.empty() ? "" : what + ": ") + "a region reference to " + Quote(path);
  h5compat::ObjectInfo info;
  if (h5compat::ObjectInfoByName(loc, path.c_str(), &info) < 0) {
    H5Eclear2(H5E_DEFAULT);
    ThrowH5Code(env, where + ": there is no object at that path", "NOT_FOUND");
  }
  if (info.type != H5O_TYPE_DATASET)
    ThrowH5Code(env, where + ": a region reference points into a dataset, and this is not one", "FAILED");
  Object dataset(CheckH5(env, H5Oopen(loc, path.c_str(), H5P_DEFAULT), where));
  Space space(CheckH5(env, H5Dget_space(dataset.get()), where));
  int ndims = CheckH5(env, H5Sget_simple_extent_ndims(space.get()), where);
  if (code.IsTypedArray()) {
    if (rank != ndims) {
      throw Napi::RangeError::New(env, where + ": the selection has " + std::to_string(rank) +
                                           " dimensions, the dataset " + std::to_string(ndims));
    }
    ApplySelection(env, space.get(), code, [&] { return where; });
    if (H5Sselect_valid(space.get()) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      hsize_t dims[H5S_MAX_RANK];
      H5Sget_simple_extent_dims(space.get(), dims, nullptr);
      std::string shape;
      for (int i = 0; i < ndims; i++) shape += (i ? ", " : "") + std::to_string(dims[i]);
      throw Napi::RangeError::New(
          env, where + ": the selection reaches outside the dataset, whose shape is [" + shape + "]");
    }
  } else {
    CheckH5(env, H5Sselect_all(space.get()), where);
  }
  CheckH5(env, H5Rcreate(out, loc, path.c_str(), h5compat::kRegionRef, space.get()), where);
}

}  // namespace

Napi::Object ReadReferenceValues(Napi::Env env, hid_t loc, hid_t fileType, hid_t space, size_t count,
                                 const std::function<void(hid_t, void*)>& read) {
  // References read as they are stored; composites in their native layout (compounds packed for this machine).
  Type mem(ReferenceKind(fileType) ? H5Tcopy(fileType) : H5Tget_native_type(fileType, H5T_DIR_ASCEND));
  if (!mem.valid()) ThrowH5(env, "make the memory type of references");
  size_t size = H5Tget_size(mem.get());
  std::vector<unsigned char> buf(count * size + 1, 0);
  read(mem.get(), buf.data());
  bool reclaim = H5Tdetect_class(mem.get(), H5T_VLEN) > 0 || H5Tdetect_class(mem.get(), H5T_STRING) > 0;
  Walker walker(env, loc);
  Napi::Array values = Napi::Array::New(env, count);
  try {
    for (size_t i = 0; i < count; i++)
      values.Set(static_cast<uint32_t>(i), walker.Value(mem.get(), buf.data() + i * size));
  } catch (...) {
    if (reclaim) h5compat::Reclaim(mem.get(), space, buf.data());
    throw;
  }
  if (reclaim) h5compat::Reclaim(mem.get(), space, buf.data());
  Napi::Object out = Napi::Object::New(env);
  out.Set("raw", walker.Raw());
  out.Set("values", values);
  return out;
}

std::vector<unsigned char> PackReferences(Napi::Env env, hid_t loc, const Napi::Array& elements, bool region,
                                          const std::string& what) {
  size_t size = region ? sizeof(hdset_reg_ref_t) : sizeof(hobj_ref_t);
  uint32_t n = elements.Length();
  std::vector<unsigned char> out(static_cast<size_t>(n) * size + 1, 0);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value e = elements.Get(i);
    unsigned char* p = out.data() + static_cast<size_t>(i) * size;
    if (e.IsNull() || e.IsUndefined()) continue;  // a null reference: zeros
    if (e.IsTypedArray()) {
      Napi::Uint8Array bytes = e.As<Napi::Uint8Array>();
      if (bytes.ByteLength() != size)
        ThrowUsage(env,
                   (what.empty() ? "" : what + ": ") + "element " + std::to_string(i) + " is not a stored reference");
      std::memcpy(p, bytes.Data(), size);
    } else if (region) {
      Napi::Array r = e.As<Napi::Array>();
      MakeRegion(env, loc, r.Get(0u).ToString(), r.Get(1u), r.Get(2u).As<Napi::Number>().Int32Value(), p, what);
    } else {
      std::string path = e.ToString();
      if (H5Rcreate(p, loc, path.c_str(), h5compat::kObjectRef, -1) < 0) {
        h5compat::ObjectInfo info;
        bool missing = h5compat::ObjectInfoByName(loc, path.c_str(), &info) < 0;
        if (missing) {
          H5Eclear2(H5E_DEFAULT);
          ThrowH5Code(
              env,
              (what.empty() ? "" : what + ": ") + "a reference to " + Quote(path) + ": there is no object at that path",
              "NOT_FOUND");
        }
        ThrowH5(env, (what.empty() ? "" : what + ": ") + "make a reference to " + Quote(path));
      }
    }
  }
  out.resize(static_cast<size_t>(n) * size);
  return out;
}

hid_t RawReferenceType(Napi::Env env, hid_t fileType, const Napi::DataView& raw, size_t count,
                       const std::string& what) {
  if (!ReferenceKind(fileType))
    ThrowUsage(env, what + ": references given for a dataset that does not hold references");
  size_t size = H5Tget_size(fileType);
  if (raw.ByteLength() != count * size) {
    ThrowUsage(env, what + ": " + std::to_string(raw.ByteLength()) + " bytes of references for a selection of " +
                        std::to_string(count) + " references of " + std::to_string(size) + " bytes");
  }
  return fileType;
}

// makeReferences(elements, region) -> ArrayBuffer of the stored references (PackReferences' elements).
Napi::Value MakeReferences(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::vector<unsigned char> raw =
      PackReferences(env, loc, info[0].As<Napi::Array>(), info[1].ToBoolean(), "");  // lib/ names the call
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, raw.size());
  if (!raw.empty()) std::memcpy(buf.Data(), raw.data(), raw.size());
  return buf;
}

// resolveReference(bytes, region) -> the path of the object (or dataset) the stored reference points at, or
// null when it points at no object or at one without a path.
Napi::Value ResolveReference(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  bool region = info[1].ToBoolean();
  size_t size = region ? sizeof(hdset_reg_ref_t) : sizeof(hobj_ref_t);
  if (bytes.ByteLength() != size) ThrowUsage(env, "resolve a reference: not a stored reference");
  // Copied: HDF5 reads a hobj_ref_t as an aligned haddr_t.
  unsigned char ref[sizeof(hdset_reg_ref_t)] = {0};
  std::memcpy(ref, bytes.Data(), size);
  H5R_type_t kind = region ? h5compat::kRegionRef : h5compat::kObjectRef;
  ssize_t len = H5Rget_name(loc, kind, ref, nullptr, 0);
  if (len <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return env.Null();
  }
  std::string s(static_cast<size_t>(len) + 1, '\0');
  if (H5Rget_name(loc, kind, ref, &s[0], s.size()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return env.Null();
  }
  s.resize(static_cast<size_t>(len));
  return Napi::String::New(env, s);
}

}  // namespace h5mpi
