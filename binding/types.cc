#include "types.h"

#include "errors.h"

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

Napi::Object DescribeType(Napi::Env env, hid_t type) {
  Napi::Object o = Napi::Object::New(env);
  H5T_class_t cls = H5Tget_class(type);
  size_t size = H5Tget_size(type);
  int dtype = -1;
  const char* className = "other";
  Type base;
  if (cls == H5T_ENUM) {  // h5py stores bool as an int8 enum: read it as its base integer
    base = Type(H5Tget_super(type));
    type = base.get();
    cls = H5Tget_class(type);
    size = H5Tget_size(type);
  }
  if (cls == H5T_INTEGER) {
    bool isSigned = H5Tget_sign(type) == H5T_SGN_2;
    className = "integer";
    switch (size) {
      case 1: dtype = static_cast<int>(isSigned ? DType::Int8 : DType::Uint8); break;
      case 2: dtype = static_cast<int>(isSigned ? DType::Int16 : DType::Uint16); break;
      case 4: dtype = static_cast<int>(isSigned ? DType::Int32 : DType::Uint32); break;
      case 8: dtype = static_cast<int>(isSigned ? DType::Int64 : DType::Uint64); break;
    }
  } else if (cls == H5T_FLOAT) {
    className = "float";
    if (size == 4) dtype = static_cast<int>(DType::Float32);
    else if (size >= 8) dtype = static_cast<int>(DType::Float64);
    // half floats (size 2) are not convertible by HDF5 1.10 without a registered conversion path.
  } else if (cls == H5T_STRING) {
    className = "string";
    dtype = static_cast<int>(DType::String);
    bool vlen = H5Tis_variable_str(type) > 0;
    o.Set("vlen", vlen);
    o.Set("stringLength", vlen ? 0.0 : static_cast<double>(size));
    o.Set("utf8", H5Tget_cset(type) == H5T_CSET_UTF8);
    H5T_str_t pad = H5Tget_strpad(type);
    o.Set("padding", pad == H5T_STR_NULLTERM ? "nullterm" : pad == H5T_STR_SPACEPAD ? "spacepad" : "nullpad");
  } else {
    static const char* names[] = {"integer",  "float",     "time", "string", "bitfield", "opaque",
                                  "compound", "reference", "enum", "vlen",   "array"};
    if (cls >= 0 && cls < static_cast<int>(sizeof names / sizeof names[0])) className = names[cls];
  }
  H5T_order_t order = H5Tget_order(type);
  o.Set("dtype", dtype);
  o.Set("size", static_cast<double>(size));
  o.Set("className", className);
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
  for (uint32_t i = 0; i < n; i++) owned_.push_back(strings.Get(i).As<Napi::String>().Utf8Value());
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

Napi::Array StringsFromFixed(Napi::Env env, const char* data, size_t count, size_t width, bool spacePadded) {
  Napi::Array out = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; i++) {
    const char* s = data + i * width;
    size_t len = strnlen(s, width);
    while (spacePadded && len > 0 && s[len - 1] == ' ') len--;  // Fortran-style strings
    out.Set(i, Napi::String::New(env, s, len));
  }
  return out;
}

Napi::Array StringsFromVlen(Napi::Env env, char** data, size_t count) {
  Napi::Array out = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; i++) out.Set(i, Napi::String::New(env, data[i] ? data[i] : ""));
  return out;
}

}  // namespace h5mpi
