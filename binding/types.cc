#include "types.h"

#include "errors.h"
#include "references.h"

#include <algorithm>
#include <cstring>

namespace h5mpi {
size_t DTypeSize(DType dt) {
  switch (dt) {
    case DType::Int8:
    case DType::Uint8: return 1;
    case DType::Int16:
    case DType::Uint16: return 2;
    case DType::Int32:
    case DType::Uint32:
    case DType::Float32: return 4;
    case DType::Int64:
    case DType::Uint64:
    case DType::Float64: return 8;
    default: return 1;
  }
}

DType DTypeOfKind(int64_t kind) {
  return kind >= 0 && kind < static_cast<int64_t>(DType::String) ? static_cast<DType>(kind) : DType::Uint8;
}

hid_t NativeH5Type(DType dt) {
  switch (dt) {
    case DType::Int8: return H5T_NATIVE_INT8;
    case DType::Uint8: return H5T_NATIVE_UINT8;
    case DType::Int16: return H5T_NATIVE_INT16;
    case DType::Uint16: return H5T_NATIVE_UINT16;
    case DType::Int32: return H5T_NATIVE_INT32;
    case DType::Uint32: return H5T_NATIVE_UINT32;
    case DType::Int64: return H5T_NATIVE_INT64;
    case DType::Uint64: return H5T_NATIVE_UINT64;
    case DType::Float32: return H5T_NATIVE_FLOAT;
    case DType::Float64: return H5T_NATIVE_DOUBLE;
    default: return H5I_INVALID_HID;
  }
}

MPI_Datatype MPITypeOf(DType dt) {
  switch (dt) {
    case DType::Int8: return MPI_INT8_T;
    case DType::Uint8: return MPI_UINT8_T;
    case DType::Int16: return MPI_INT16_T;
    case DType::Uint16: return MPI_UINT16_T;
    case DType::Int32: return MPI_INT32_T;
    case DType::Uint32: return MPI_UINT32_T;
    case DType::Int64: return MPI_INT64_T;
    case DType::Uint64: return MPI_UINT64_T;
    case DType::Float32: return MPI_FLOAT;
    case DType::Float64: return MPI_DOUBLE;
    default: return MPI_BYTE;
  }
}

DType DTypeOfTypedArray(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return DType::Int8;
    case napi_uint8_array:
    case napi_uint8_clamped_array: return DType::Uint8;
    case napi_int16_array: return DType::Int16;
    case napi_uint16_array: return DType::Uint16;
    case napi_int32_array: return DType::Int32;
    case napi_uint32_array: return DType::Uint32;
    case napi_float32_array: return DType::Float32;
    case napi_float64_array: return DType::Float64;
    case napi_bigint64_array: return DType::Int64;
    case napi_biguint64_array: return DType::Uint64;
    default: return DType::Uint8;
  }
  return DType::Uint8;
}

Type MemoryType(Napi::Env env, DType dt, size_t stringLength) {
  if (dt != DType::String) return Type(CheckH5(env, H5Tcopy(NativeH5Type(dt)), "copy native type"));
  Type t(CheckH5(env, H5Tcopy(H5T_C_S1), "create string type"));
  CheckH5(env, H5Tset_size(t.get(), stringLength == 0 ? H5T_VARIABLE : stringLength), "set string size");
  CheckH5(env, H5Tset_cset(t.get(), H5T_CSET_UTF8), "set string charset");
  // h5py's conventions: NUL-padded fixed-length strings, NUL-terminated variable-length ones.
  CheckH5(env, H5Tset_strpad(t.get(), stringLength == 0 ? H5T_STR_NULLTERM : H5T_STR_NULLPAD), "set string padding");
  return t;
}

namespace {

int IntegerDType(size_t size, bool isSigned) {
  switch (size) {
    case 1: return static_cast<int>(isSigned ? DType::Int8 : DType::Uint8);
    case 2: return static_cast<int>(isSigned ? DType::Int16 : DType::Uint16);
    case 4: return static_cast<int>(isSigned ? DType::Int32 : DType::Uint32);
    case 8: return static_cast<int>(isSigned ? DType::Int64 : DType::Uint64);
    default: return -1;
  }
}

const char* ClassName(H5T_class_t cls) {
  static const char* names[] = {"integer",  "float",     "time", "string", "bitfield", "opaque",
                                "compound", "reference", "enum", "vlen",   "array"};
  return cls >= 0 && cls < static_cast<int>(sizeof names / sizeof names[0]) ? names[cls] : "other";
}

// An enum's members as { name, value }, and whether it is h5py's bool (int8, FALSE = 0 and TRUE = 1).
Napi::Array EnumMembers(Napi::Env env, hid_t type, hid_t base, bool& isBool) {
  int n = H5Tget_nmembers(type);
  Napi::Array members = Napi::Array::New(env, n > 0 ? n : 0);
  size_t baseSize = H5Tget_size(base);
  int matched = 0;
  for (int i = 0; i < n; i++) {
    // The value is in the base type's layout: convert it to a native long long to show it.
    std::vector<unsigned char> value(std::max<size_t>(baseSize, sizeof(long long)), 0);
    char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
    Napi::Object m = Napi::Object::New(env);
    m.Set("name", name ? name : "");
    if (H5Tget_member_value(type, static_cast<unsigned>(i), value.data()) >= 0 &&
        H5Tconvert(base, H5Tget_sign(base) == H5T_SGN_NONE ? H5T_NATIVE_ULLONG : H5T_NATIVE_LLONG, 1, value.data(),
                   nullptr, H5P_DEFAULT) >= 0) {
      long long v;
      std::memcpy(&v, value.data(), sizeof v);
      // Past 2^53 a number would not be exact: such a value comes as a bigint (as unsigned for an unsigned base).
      bool isUnsigned = H5Tget_sign(base) == H5T_SGN_NONE;
      uint64_t u = static_cast<uint64_t>(v);
      bool exact = isUnsigned ? u <= (1ULL << 53) : (v >= -(1LL << 53) && v <= (1LL << 53));
      if (exact) m.Set("value", isUnsigned ? static_cast<double>(u) : static_cast<double>(v));
      else if (isUnsigned) m.Set("value", Napi::BigInt::New(env, u));
      else m.Set("value", Napi::BigInt::New(env, static_cast<int64_t>(v)));
      if (name && ((std::strcmp(name, "FALSE") == 0 && v == 0) || (std::strcmp(name, "TRUE") == 0 && v == 1)))
        matched++;
    } else {
      H5Eclear2(H5E_DEFAULT);
    }
    if (name) H5free_memory(name);
    members.Set(static_cast<uint32_t>(i), m);
  }
  isBool =
      n == 2 && matched == 2 && baseSize == 1 && H5Tget_class(base) == H5T_INTEGER && H5Tget_sign(base) == H5T_SGN_2;
  return members;
}

}  // namespace

Napi::Object DescribeType(Napi::Env env, hid_t type) {
  Napi::Object o = Napi::Object::New(env);
  H5T_class_t cls = H5Tget_class(type);
  size_t size = H5Tget_size(type);
  int dtype = -1;
  H5T_order_t order = H5Tget_order(type);
  if (cls == H5T_INTEGER) {
    bool isSigned = H5Tget_sign(type) == H5T_SGN_2;
    o.Set("signed", isSigned);
    dtype = IntegerDType(size, isSigned);
  } else if (cls == H5T_FLOAT) {
    if (size == 4) dtype = static_cast<int>(DType::Float32);
    else if (size >= 8) dtype = static_cast<int>(DType::Float64);
    // A 2-byte float is IEEE half (float16) only with its fields: bfloat16 and the like are not.
    size_t spos, epos, esize, mpos, msize;
    if (size == 2 && H5Tget_fields(type, &spos, &epos, &esize, &mpos, &msize) >= 0 && spos == 15 && epos == 10 &&
        esize == 5 && mpos == 0 && msize == 10 && H5Tget_ebias(type) == 15) {
      o.Set("half", true);
    }
  } else if (cls == H5T_STRING) {
    dtype = static_cast<int>(DType::String);
    bool vlen = H5Tis_variable_str(type) > 0;
    o.Set("vlen", vlen);
    o.Set("stringLength", vlen ? 0.0 : static_cast<double>(size));
    o.Set("utf8", H5Tget_cset(type) == H5T_CSET_UTF8);
    H5T_str_t pad = H5Tget_strpad(type);
    o.Set("padding", pad == H5T_STR_NULLTERM ? "nullterm" : pad == H5T_STR_SPACEPAD ? "spacepad" : "nullpad");
  } else if (cls == H5T_ENUM) {
    // Read as its base integer (h5py's bool is an int8 enum); lib/ turns a bool into booleans.
    Type base(H5Tget_super(type));
    if (base.valid()) {
      Napi::Object b = DescribeType(env, base.get());
      o.Set("base", b);
      dtype = b.Get("dtype").As<Napi::Number>().Int32Value();
      order = H5Tget_order(base.get());
      bool isBool = false;
      o.Set("members", EnumMembers(env, type, base.get(), isBool));
      if (isBool) o.Set("bool", true);
    }
  } else if (cls == H5T_COMPOUND) {
    int n = H5Tget_nmembers(type);
    Napi::Array fields = Napi::Array::New(env, n > 0 ? n : 0);
    for (int i = 0; i < n; i++) {
      Napi::Object f = Napi::Object::New(env);
      char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
      f.Set("name", name ? name : "");
      if (name) H5free_memory(name);
      f.Set("offset", static_cast<double>(H5Tget_member_offset(type, static_cast<unsigned>(i))));
      Type member(H5Tget_member_type(type, static_cast<unsigned>(i)));
      if (member.valid()) f.Set("type", DescribeType(env, member.get()));
      fields.Set(static_cast<uint32_t>(i), f);
    }
    o.Set("fields", fields);
  } else if (cls == H5T_ARRAY || cls == H5T_VLEN) {
    Type base(H5Tget_super(type));
    if (base.valid()) o.Set("base", DescribeType(env, base.get()));
    if (cls == H5T_ARRAY) {
      int rank = H5Tget_array_ndims(type);
      std::vector<hsize_t> dims(rank > 0 ? rank : 1);
      if (rank > 0 && H5Tget_array_dims2(type, dims.data()) >= 0) o.Set("dims", FromDims(env, dims.data(), rank));
    }
  } else if (cls == H5T_REFERENCE) {
    if (const char* kind = ReferenceKind(type)) {
      o.Set("reference", kind);
      dtype = static_cast<int>(kind[0] == 'r' ? DType::RegionReference : DType::ObjectReference);
    }
  } else if (cls == H5T_OPAQUE) {
    char* tag = H5Tget_tag(type);
    if (tag) {
      o.Set("tag", tag);
      H5free_memory(tag);
    }
  }
  H5Eclear2(H5E_DEFAULT);  // asking a class for what it lacks (an order, say) leaves nothing to report
  o.Set("dtype", dtype);
  o.Set("size", static_cast<double>(size));
  o.Set("className", ClassName(cls));
  o.Set("order", order == H5T_ORDER_BE ? "big" : order == H5T_ORDER_LE ? "little" : "none");
  return o;
}

}  // namespace h5mpi

namespace h5mpi {

Type FileType(Napi::Env env, DType dt, size_t stringLength) {
  hid_t base;
  switch (dt) {
    case DType::Int8: base = H5T_STD_I8LE; break;
    case DType::Uint8: base = H5T_STD_U8LE; break;
    case DType::Int16: base = H5T_STD_I16LE; break;
    case DType::Uint16: base = H5T_STD_U16LE; break;
    case DType::Int32: base = H5T_STD_I32LE; break;
    case DType::Uint32: base = H5T_STD_U32LE; break;
    case DType::Int64: base = H5T_STD_I64LE; break;
    case DType::Uint64: base = H5T_STD_U64LE; break;
    case DType::Float32: base = H5T_IEEE_F32LE; break;
    case DType::Float64: base = H5T_IEEE_F64LE; break;
    case DType::ObjectReference: base = H5T_STD_REF_OBJ; break;
    case DType::RegionReference: base = H5T_STD_REF_DSETREG; break;
    default: return MemoryType(env, DType::String, stringLength);
  }
  return Type(CheckH5(env, H5Tcopy(base), "copy file type"));
}

PackedStrings::PackedStrings(Napi::Env env, hid_t fileType, const Napi::Array& strings)
    : vlen_(H5Tis_variable_str(fileType) > 0) {
  // The file's own type, charset included (HDF5 cannot convert fixed-length ASCII <-> UTF-8).
  memType_ = Type(CheckH5(env, H5Tcopy(fileType), "copy string type"));
  uint32_t n = strings.Length();
  owned_.reserve(n);
  for (uint32_t i = 0; i < n; i++) {
    Napi::Value v = strings.Get(i);
    if (v.IsTypedArray()) {
      Napi::Uint8Array bytes = v.As<Napi::Uint8Array>();
      owned_.emplace_back(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
    } else {
      owned_.push_back(v.As<Napi::String>().Utf8Value());
    }
  }
  if (vlen_) {
    for (const std::string& s : owned_) ptrs_.push_back(s.c_str());
    if (ptrs_.empty()) ptrs_.push_back(nullptr);
    return;
  }
  size_t width = H5Tget_size(fileType);
  fixed_.assign(n * width + 1, H5Tget_strpad(fileType) == H5T_STR_SPACEPAD ? ' ' : '\0');
  for (uint32_t i = 0; i < n; i++) {
    // lib/ has already refused strings longer than the width, so nothing is cut here.
    std::memcpy(fixed_.data() + i * width, owned_[i].data(), std::min(width, owned_[i].size()));
  }
}

namespace {

// Whether s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF).
bool ValidUtf8(const unsigned char* s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c == 0xe0) len = 3, lo = 0xa0;
    else if (c == 0xed) len = 3, hi = 0x9f;
    else if (c >= 0xe1 && c <= 0xef) len = 3;
    else if (c == 0xf0) len = 4, lo = 0x90;
    else if (c == 0xf4) len = 4, hi = 0x8f;
    else if (c >= 0xf1 && c <= 0xf3) len = 4;
    else return false;
    if (i + len > n || s[i + 1] < lo || s[i + 1] > hi) return false;
    for (size_t k = 2; k < len; k++) {
      if (s[i + k] < 0x80 || s[i + k] > 0xbf) return false;
    }
    i += len;
  }
  return true;
}

Napi::Value BytesOf(Napi::Env env, const char* s, size_t len) {
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, len);
  if (len > 0) std::memcpy(buf.Data(), s, len);
  return Napi::Uint8Array::New(env, len, buf, 0);
}

}  // namespace

Napi::Value StringValue(Napi::Env env, const char* s, size_t len, bool ascii, StringMode mode) {
  if (mode == StringMode::Bytes) return BytesOf(env, s, len);
  const unsigned char* u = reinterpret_cast<const unsigned char*>(s);
  if (ValidUtf8(u, len)) return Napi::String::New(env, s, len);
  if (!ascii) return BytesOf(env, s, len);
  napi_value out;
  if (napi_create_string_latin1(env, s, len, &out) != napi_ok) throw Napi::Error::New(env, "cannot make a string");
  return Napi::Value(env, out);
}

Napi::Array StringsFromFixed(Napi::Env env, const char* data, size_t count, size_t width, bool spacePadded, bool ascii,
                             StringMode mode) {
  Napi::Array out = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; i++) {
    const char* s = data + i * width;
    size_t len = strnlen(s, width);
    while (spacePadded && len > 0 && s[len - 1] == ' ') len--;  // Fortran-style strings
    out.Set(i, StringValue(env, s, len, ascii, mode));
  }
  return out;
}

Napi::Array StringsFromVlen(Napi::Env env, char** data, size_t count, bool ascii, StringMode mode) {
  Napi::Array out = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; i++) {
    const char* s = data[i] ? data[i] : "";
    out.Set(i, StringValue(env, s, std::strlen(s), ascii, mode));
  }
  return out;
}

}  // namespace h5mpi
