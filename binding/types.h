// Element types: the dtype codes shared with lib/dtype.ts, and their HDF5 and MPI counterparts.
#pragma once
#include "common.h"
#include "h5compat.h"

namespace h5mpi {

// Keep in step with DTYPE_CODES in lib/dtype.ts.
enum class DType : int {
  Int8 = 0,
  Uint8,
  Int16,
  Uint16,
  Int32,
  Uint32,
  Int64,
  Uint64,
  Float32,
  Float64,
  String,
  // References (references.h), apart from the element types above.
  ObjectReference = 32,
  RegionReference = 33,
};
inline bool IsReference(DType dt) { return dt == DType::ObjectReference || dt == DType::RegionReference; }

size_t DTypeSize(DType dt);
hid_t NativeH5Type(DType dt);  // library-owned id: never closed
MPI_Datatype MPITypeOf(DType dt);
DType DTypeOfTypedArray(napi_typedarray_type t);
// MPI message kinds are dtype codes, or other codes for payloads that travel as bytes.
DType DTypeOfKind(int64_t kind);

// The memory type for a dtype code; `stringLength` 0 means variable-length UTF-8.
Type MemoryType(Napi::Env env, DType dt, size_t stringLength);

// Describes a file (or attribute) type as { dtype, size, className, order } and what its class adds: strings
// { vlen, stringLength, utf8, padding }, integers { signed }, enums { base, members, bool }, compounds { fields },
// arrays { base, dims }, variable-length sequences { base }, opaques { tag }, IEEE half floats { half }. dtype
// is the native type HDF5 converts plain numbers and strings to on read, or -1 for every other type, which
// lib/dtype.ts resolves from the rest and reads through a codec (codec.h).
Napi::Object DescribeType(Napi::Env env, hid_t type);

}  // namespace h5mpi

namespace h5mpi {

// The on-disk type for a dtype: standard little-endian numbers (as h5py writes them), UTF-8 strings.
Type FileType(Napi::Env env, DType dt, size_t stringLength);

// string[] packed in the memory layout a string file type wants (fixed-length: NUL-padded bytes, or
// space-padded for a space-padded type; variable-length: an array of char*). An element may also be a
// Uint8Array: its bytes, stored as they are.
class PackedStrings {
 public:
  PackedStrings(Napi::Env env, hid_t fileType, const Napi::Array& strings);
  hid_t memType() const { return memType_.get(); }
  const void* data() const { return vlen_ ? static_cast<const void*>(ptrs_.data()) : fixed_.data(); }

 private:
  Type memType_;
  bool vlen_;
  std::vector<char> fixed_;
  std::vector<std::string> owned_;
  std::vector<const char*> ptrs_;
};

// How strings come back (lib/dtype.ts STRING_MODES). Text: UTF-8 strings as JS strings, and an element whose
// bytes are not valid UTF-8 as a Uint8Array of them, for lib/ to report (never U+FFFD); ASCII strings the
// same, except that bytes that are not valid UTF-8 decode as Latin-1 (one character per byte). Bytes: every
// element as a Uint8Array of its bytes.
enum class StringMode : int { Text = 0, Bytes = 1 };

// Reads `count` strings of a string file type through `read(memType, buffer)` and returns them as an array.
template <typename Read>
Napi::Array ReadStrings(Napi::Env env, hid_t fileType, hid_t space, size_t count, StringMode mode, Read read);
// One string's bytes as lib/ wants them (see StringMode).
Napi::Value StringValue(Napi::Env env, const char* s, size_t len, bool ascii, StringMode mode);
Napi::Array StringsFromFixed(Napi::Env env, const char* data, size_t count, size_t width, bool spacePadded, bool ascii,
                             StringMode mode);
Napi::Array StringsFromVlen(Napi::Env env, char** data, size_t count, bool ascii, StringMode mode);

template <typename Read>
Napi::Array ReadStrings(Napi::Env env, hid_t fileType, hid_t space, size_t count, StringMode mode, Read read) {
  bool vlen = H5Tis_variable_str(fileType) > 0;
  bool ascii = H5Tget_cset(fileType) != H5T_CSET_UTF8;
  // The file's own type, charset included: HDF5 has no ASCII <-> UTF-8 conversion for fixed-length strings,
  // and the bytes are decoded here, by the charset.
  Type mem(H5Tcopy(fileType));
  if (vlen) {
    std::vector<char*> ptrs(count ? count : 1, nullptr);
    read(mem.get(), ptrs.data());
    Napi::Array out = StringsFromVlen(env, ptrs.data(), count, ascii, mode);
    // The file space already describes the selection that was read.
    h5compat::Reclaim(mem.get(), space, ptrs.data());
    return out;
  }
  size_t width = H5Tget_size(fileType);
  std::vector<char> buf(count * width + 1, 0);
  read(mem.get(), buf.data());
  return StringsFromFixed(env, buf.data(), count, width, H5Tget_strpad(fileType) == H5T_STR_SPACEPAD, ascii, mode);
}

}  // namespace h5mpi
