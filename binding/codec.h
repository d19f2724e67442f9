// Every stored type beyond plain numbers and strings: the type descriptor lib/dtype.ts sends (nativeType),
// the file type made from it, and a Codec, the compiled memory side of a type that every read and write of
// datasets and attributes goes through. A Codec is HDF5's memory type for the elements and the copy between
// HDF5's buffer of them and JS values:
// - "direct" types, whose elements are fixed bytes a typed array holds as they are (numbers, float16 as
//   float32, bool and enums as their integers, bitfields, complex as interleaved floats, opaque bytes, and
//   arrays of these), go straight into and out of the caller's typed array;
// - the others (compounds, strings inside them, variable-length sequences) are read into a buffer and
//   decoded into JS values: a compound as an object of one array per field (struct of arrays), a string as
//   a string (or its bytes), a sequence as its elements; and encoded back the same way. The elements of a
//   direct type come as an ArrayBuffer, which lib/elements.ts views as their typed array.
#pragma once
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "types.h"

namespace h5mpi {

// Keep in step with NativeType's kinds in lib/native.ts.
// References (their dt ObjectReference or RegionReference) have a file type but no codec: they are made and
// read through references.h, which needs the file they point into.
enum class Kind { Number, Float16, Bool, Bitfield, Complex, String, Enum, Compound, Array, Vlen, Opaque, Reference };

// A type as lib/ describes it: { kind, ... } (lib/native.ts NativeType). Fields stored in the file (size,
// offsets, byte order) are there when the type was read from a file, and let the memory layout mirror it.
struct TypeNode {
  Kind kind = Kind::Number;
  DType dt = DType::Float64;  // Number; Enum's base; Complex's parts; Bitfield's unsigned integer
  size_t fileSize = 0;        // bytes per element as stored (0: unknown)
  bool bigEndian = false;     // as stored
  // String: length 0 is variable length.
  size_t length = 0;
  bool ascii = false;
  H5T_str_t pad = H5T_STR_NULLPAD;
  // Enum: names and values (as int64 bits; an unsigned 64-bit value keeps its bits).
  std::vector<std::string> names;
  std::vector<int64_t> values;
  // Compound: fields with their offsets (-1: packed after the previous one).
  struct Field {
    std::string name;
    int64_t offset = -1;
    std::unique_ptr<TypeNode> type;
  };
  std::vector<Field> fields;
  // Array and Vlen: the element type; Array: its dims.
  std::unique_ptr<TypeNode> base;
  std::vector<hsize_t> dims;
  // Opaque: size in bytes and tag.
  size_t opaqueSize = 0;
  std::string tag;
};

std::unique_ptr<TypeNode> ParseType(Napi::Env env, const Napi::Value& desc);
// The type to store: standard little-endian numbers and h5py's conventions (bool, complex, float16).
Type FileTypeOfNode(Napi::Env env, const TypeNode& node);

// What the codec's writes own until HDF5 has the data: strings and sequences pointed to from the buffer.
struct Kept {
  std::deque<std::string> strings;
  std::deque<std::vector<char>> buffers;
};

struct MemNode;

class Codec {
 public:
  // `forWrite`: enums are written through an enum memory type (HDF5 converts no integer to an enum), and
  // read through one only when the stored one is native (otherwise as their integers).
  Codec(Napi::Env env, const TypeNode& node, bool forWrite);
  ~Codec();
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  hid_t memType() const;
  size_t size() const;   // bytes per element in memory
  bool direct() const;   // elements are fixed bytes a typed array holds
  bool hasVlen() const;  // holds variable-length data: reclaimed after a read, refused by parallel writes

  // The memory type for a direct transfer to or from a typed array of `type` (HDF5 converts numbers to and
  // from the array's element type; the elements' bytes must match otherwise), or -1 when that array type
  // cannot hold this type's elements. Library-owned or kept by the codec: never closed by the caller.
  hid_t TypeForArray(Napi::Env env, napi_typedarray_type type);

  // n elements at `buf` as JS values (see the file comment); a direct type's elements as an ArrayBuffer.
  Napi::Value Decode(Napi::Env env, const char* buf, size_t n, StringMode mode) const;
  // n elements from `value` into `buf` (n * size() bytes, zeroed); what they point to goes into `kept`.
  void Encode(Napi::Env env, const Napi::Value& value, char* buf, size_t n, Kept& kept) const;

 private:
  std::unique_ptr<MemNode> root_;
  bool forWrite_;
  // TypeForArray's types, by array type.
  std::vector<std::pair<napi_typedarray_type, Type>> byArray_;
};

// compileType(desc, forWrite) -> an External holding a Codec (freed with it).
Codec& UnwrapCodec(Napi::Env env, const Napi::Value& v);

// Frees the variable-length data HDF5 allocated in a read of n elements of `memType` into `buf`.
void ReclaimVlen(hid_t memType, size_t n, void* buf);

}  // namespace h5mpi
