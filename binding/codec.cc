#include "codec.h"

#include <algorithm>
#include <cstring>

#include "addon.h"
#include "errors.h"
#include "h5compat.h"

namespace h5mpi {

const napi_type_tag kCodecTag = {0x6a1e5c2b7f3d4e95ULL, 0x8b2c4d6e0f1a3b5cULL};

namespace {

napi_typedarray_type ArrayTypeOf(DType dt) {
  switch (dt) {
    case DType::Int8: return napi_int8_array;
    case DType::Uint8: return napi_uint8_array;
    case DType::Int16: return napi_int16_array;
    case DType::Uint16: return napi_uint16_array;
    case DType::Int32: return napi_int32_array;
    case DType::Uint32: return napi_uint32_array;
    case DType::Int64: return napi_bigint64_array;
    case DType::Uint64: return napi_biguint64_array;
    case DType::Float32: return napi_float32_array;
    case DType::Float64: return napi_float64_array;
    default: return napi_uint8_array;
  }
}

size_t ElementBytes(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array:
    case napi_uint8_array:
    case napi_uint8_clamped_array: return 1;
    case napi_int16_array:
    case napi_uint16_array: return 2;
    case napi_int32_array:
    case napi_uint32_array:
    case napi_float32_array: return 4;
    default: return 8;
  }
}

DType UnsignedOfSize(size_t size) {
  switch (size) {
    case 1: return DType::Uint8;
    case 2: return DType::Uint16;
    case 4: return DType::Uint32;
    default: return DType::Uint64;
  }
}

Kind KindOf(Napi::Env env, const std::string& k) {
  static const char* names[] = {"number", "float16",  "bool",  "bitfield", "complex", "string",
                                "enum",   "compound", "array", "vlen",     "opaque",  "reference"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (k == names[i]) return static_cast<Kind>(i);
  }
  ThrowUsage(env, "unknown type kind '" + k + "'");
}

double NumberOr(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

// An enum value from JS (a number or a bigint) as int64 bits.
int64_t EnumValue(const Napi::Value& v) {
  if (v.IsBigInt()) {
    bool lossless;
    Napi::BigInt b = v.As<Napi::BigInt>();
    int64_t s = b.Int64Value(&lossless);
    if (lossless) return s;
    return static_cast<int64_t>(b.Uint64Value(&lossless));
  }
  return static_cast<int64_t>(v.As<Napi::Number>().DoubleValue());
}

// `value` (int64 bits; unsigned when `fromUnsigned`) in the layout of integer type `to`, for H5Tenum_insert.
std::vector<unsigned char> IntegerBytes(Napi::Env env, int64_t value, bool fromUnsigned, hid_t to) {
  std::vector<unsigned char> buf(std::max<size_t>(H5Tget_size(to), sizeof value), 0);
  std::memcpy(buf.data(), &value, sizeof value);
  CheckH5(env, H5Tconvert(fromUnsigned ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64, to, 1, buf.data(), nullptr, H5P_DEFAULT),
          "convert an enum value");
  return buf;
}

bool IsUnsigned(DType dt) {
  return dt == DType::Uint8 || dt == DType::Uint16 || dt == DType::Uint32 || dt == DType::Uint64;
}

// An enum over integer type `base` with the node's members.
Type EnumType(Napi::Env env, const TypeNode& node, hid_t base) {
  Type t(CheckH5(env, H5Tenum_create(base), "create enum type"));
  for (size_t i = 0; i < node.names.size(); i++) {
    std::vector<unsigned char> v = IntegerBytes(env, node.values[i], IsUnsigned(node.dt), base);
    CheckH5(env, H5Tenum_insert(t.get(), node.names[i].c_str(), v.data()),
            "add member '" + node.names[i] + "' to enum type");
  }
  return t;
}

Type BoolType(Napi::Env env, hid_t base) {
  Type t(CheckH5(env, H5Tenum_create(base), "create bool type"));
  int8_t no = 0, yes = 1;
  CheckH5(env, H5Tenum_insert(t.get(), "FALSE", &no), "create bool type");
  CheckH5(env, H5Tenum_insert(t.get(), "TRUE", &yes), "create bool type");
  return t;
}

// h5py's complex: a compound of two floats named r and i.
Type ComplexType(Napi::Env env, hid_t part) {
  size_t f = H5Tget_size(part);
  Type t(CheckH5(env, H5Tcreate(H5T_COMPOUND, 2 * f), "create complex type"));
  CheckH5(env, H5Tinsert(t.get(), "r", 0, part), "create complex type");
  CheckH5(env, H5Tinsert(t.get(), "i", f, part), "create complex type");
  return t;
}

Type StringType(Napi::Env env, const TypeNode& node) {
  Type t(CheckH5(env, H5Tcopy(H5T_C_S1), "create string type"));
  CheckH5(env, H5Tset_size(t.get(), node.length == 0 ? H5T_VARIABLE : node.length), "set string size");
  CheckH5(env, H5Tset_cset(t.get(), node.ascii ? H5T_CSET_ASCII : H5T_CSET_UTF8), "set string charset");
  CheckH5(env, H5Tset_strpad(t.get(), node.length == 0 ? H5T_STR_NULLTERM : node.pad), "set string padding");
  return t;
}

Type OpaqueType(Napi::Env env, const TypeNode& node) {
  Type t(CheckH5(env, H5Tcreate(H5T_OPAQUE, node.opaqueSize), "create opaque type"));
  if (!node.tag.empty()) CheckH5(env, H5Tset_tag(t.get(), node.tag.c_str()), "set opaque tag");
  return t;
}

Type ArrayType(Napi::Env env, hid_t base, const std::vector<hsize_t>& dims) {
  return Type(
      CheckH5(env, H5Tarray_create2(base, static_cast<unsigned>(dims.size()), dims.data()), "create array type"));
}

// IEEE 754 half, as h5py defines it: sign bit 15, 5 exponent bits from 10, 10 mantissa bits, bias 15.
Type HalfType(Napi::Env env, H5T_order_t order) {
  Type t(CheckH5(env, H5Tcopy(H5T_IEEE_F32LE), "create float16 type"));
  CheckH5(env, H5Tset_fields(t.get(), 15, 10, 5, 0, 10), "create float16 type");
  CheckH5(env, H5Tset_size(t.get(), 2), "create float16 type");
  CheckH5(env, H5Tset_ebias(t.get(), 15), "create float16 type");
  CheckH5(env, H5Tset_order(t.get(), order), "create float16 type");
  return t;
}

hid_t NativeBitfield(size_t size) {
  switch (size) {
    case 1: return H5T_NATIVE_B8;
    case 2: return H5T_NATIVE_B16;
    case 4: return H5T_NATIVE_B32;
    default: return H5T_NATIVE_B64;
  }
}

}  // namespace

std::unique_ptr<TypeNode> ParseType(Napi::Env env, const Napi::Value& desc) {
  if (!desc.IsObject()) ThrowUsage(env, "a type descriptor must be an object");
  Napi::Object o = desc.As<Napi::Object>();
  auto node = std::make_unique<TypeNode>();
  node->kind = KindOf(env, o.Get("kind").ToString().Utf8Value());
  node->fileSize = static_cast<size_t>(NumberOr(o, "size", 0));
  node->bigEndian = o.Get("bigEndian").ToBoolean();
  if (o.Get("dtype").IsNumber()) node->dt = static_cast<DType>(o.Get("dtype").As<Napi::Number>().Int32Value());
  switch (node->kind) {
    case Kind::Float16: node->dt = DType::Float32; break;
    case Kind::Bool: node->dt = DType::Int8; break;
    case Kind::Bitfield: node->dt = UnsignedOfSize(node->fileSize); break;
    case Kind::String: {
      node->length = static_cast<size_t>(NumberOr(o, "length", 0));
      node->ascii = o.Get("ascii").ToBoolean();
      std::string pad = o.Get("padding").IsString() ? o.Get("padding").ToString().Utf8Value() : "nullpad";
      node->pad = pad == "nullterm" ? H5T_STR_NULLTERM : pad == "spacepad" ? H5T_STR_SPACEPAD : H5T_STR_NULLPAD;
      break;
    }
    case Kind::Enum: {
      Napi::Array names = o.Get("names").As<Napi::Array>();
      Napi::Array values = o.Get("values").As<Napi::Array>();
      for (uint32_t i = 0; i < names.Length(); i++) {
        node->names.push_back(names.Get(i).ToString().Utf8Value());
        node->values.push_back(EnumValue(values.Get(i)));
      }
      break;
    }
    case Kind::Compound: {
      Napi::Array fields = o.Get("fields").As<Napi::Array>();
      for (uint32_t i = 0; i < fields.Length(); i++) {
        Napi::Object f = fields.Get(i).As<Napi::Object>();
        TypeNode::Field field;
        field.name = f.Get("name").ToString().Utf8Value();
        field.offset = static_cast<int64_t>(NumberOr(f, "offset", -1));
        field.type = ParseType(env, f.Get("type"));
        node->fields.push_back(std::move(field));
      }
      break;
    }
    case Kind::Array:
      node->dims = ToDims(o.Get("dims"));
      node->base = ParseType(env, o.Get("base"));
      break;
    case Kind::Vlen: node->base = ParseType(env, o.Get("base")); break;
    case Kind::Opaque:
      node->opaqueSize = node->fileSize;
      if (o.Get("tag").IsString()) node->tag = o.Get("tag").ToString().Utf8Value();
      break;
    default: break;
  }
  return node;
}

Type FileTypeOfNode(Napi::Env env, const TypeNode& node) {
  switch (node.kind) {
    case Kind::Number: return FileType(env, node.dt, 0);
    case Kind::Float16: return HalfType(env, H5T_ORDER_LE);
    case Kind::Bool: return BoolType(env, H5T_STD_I8LE);
    case Kind::Bitfield: {
      hid_t b = node.fileSize == 1   ? H5T_STD_B8LE
                : node.fileSize == 2 ? H5T_STD_B16LE
                : node.fileSize == 4 ? H5T_STD_B32LE
                                     : H5T_STD_B64LE;
      return Type(CheckH5(env, H5Tcopy(b), "create bitfield type"));
    }
    case Kind::Complex: return ComplexType(env, node.dt == DType::Float32 ? H5T_IEEE_F32LE : H5T_IEEE_F64LE);
    case Kind::String: return StringType(env, node);
    case Kind::Enum: {
      Type base = FileType(env, node.dt, 0);
      return EnumType(env, node, base.get());
    }
    case Kind::Compound: {
      std::vector<Type> members;
      std::vector<size_t> offsets;
      size_t end = 0;
      for (const TypeNode::Field& f : node.fields) {
        members.push_back(FileTypeOfNode(env, *f.type));
        size_t at = f.offset >= 0 ? static_cast<size_t>(f.offset) : end;
        offsets.push_back(at);
        end = std::max(end, at + H5Tget_size(members.back().get()));
      }
      size_t size = node.fileSize > 0 ? node.fileSize : end;
      Type t(CheckH5(env, H5Tcreate(H5T_COMPOUND, size > 0 ? size : 1), "create compound type"));
      for (size_t i = 0; i < members.size(); i++) {
        CheckH5(env, H5Tinsert(t.get(), node.fields[i].name.c_str(), offsets[i], members[i].get()),
                "add field '" + node.fields[i].name + "' to compound type");
      }
      return t;
    }
    case Kind::Array: {
      Type base = FileTypeOfNode(env, *node.base);
      return ArrayType(env, base.get(), node.dims);
    }
    case Kind::Vlen: {
      Type base = FileTypeOfNode(env, *node.base);
      return Type(CheckH5(env, H5Tvlen_create(base.get()), "create variable-length type"));
    }
    case Kind::Opaque: return OpaqueType(env, node);
    case Kind::Reference: return FileType(env, node.dt, 0);
  }
  ThrowUsage(env, "unknown type kind");
}

// ---- the memory side ----

struct MemNode {
  Kind kind = Kind::Number;
  Type type;
  size_t size = 0;
  bool direct = false;
  napi_typedarray_type array = napi_uint8_array;  // direct: the typed array that holds the elements
  bool numeric = false;  // a number HDF5 converts to and from other numeric types (number, enum, bool)
  DType dt = DType::Uint8;
  bool hasVlen = false;
  // String
  bool vlenString = false, ascii = false, spacePadded = false;
  // Compound
  struct Field {
    std::string name;
    size_t offset;
    std::unique_ptr<MemNode> node;
  };
  std::vector<Field> fields;
  // Array, Vlen
  std::unique_ptr<MemNode> child;
  std::vector<hsize_t> dims;

  // After H5close nothing may be closed: the ids are let go.
  void Release() {
    type.release();
    for (Field& f : fields) f.node->Release();
    if (child) child->Release();
  }
};

namespace {

std::unique_ptr<MemNode> Build(Napi::Env env, const TypeNode& node, bool forWrite) {
  auto m = std::make_unique<MemNode>();
  m->kind = node.kind;
  m->dt = node.dt;
  switch (node.kind) {
    case Kind::Reference:
      ThrowUsage(env, "references are written and read on their own (a reference dtype), not inside other types");
    case Kind::Number:
      m->type = Type(CheckH5(env, H5Tcopy(NativeH5Type(node.dt)), "copy native type"));
      m->numeric = true;
      break;
    case Kind::Float16:
      // Halves travel as their bits (a Uint16Array): lib/ converts them, rounding to nearest even as numpy
      // does (HDF5 rounds ties up), and HDF5 converts nothing, so parallel transfers stay collective.
      m->type = HalfType(env, H5Tget_order(H5T_NATIVE_FLOAT));
      m->dt = DType::Uint16;
      break;
    case Kind::Bool:
      m->type = BoolType(env, H5T_NATIVE_INT8);
      m->numeric = true;
      break;
    case Kind::Bitfield:
      m->type = Type(CheckH5(env, H5Tcopy(NativeBitfield(node.fileSize)), "copy bitfield type"));
      break;
    case Kind::Enum: {
      // Reading through the stored enum's own members is no conversion at all; a big-endian one is read as
      // its integers instead, since HDF5's enum conversion turns a value without a member into -1.
      if (forWrite || !node.bigEndian) m->type = EnumType(env, node, NativeH5Type(node.dt));
      else m->type = Type(CheckH5(env, H5Tcopy(NativeH5Type(node.dt)), "copy native type"));
      m->numeric = true;
      break;
    }
    case Kind::Complex:
      m->type = ComplexType(env, NativeH5Type(node.dt));
      m->array = ArrayTypeOf(node.dt);
      m->direct = true;
      m->size = H5Tget_size(m->type.get());
      return m;
    case Kind::Opaque:
      m->type = OpaqueType(env, node);
      m->array = napi_uint8_array;
      m->direct = true;
      m->size = node.opaqueSize;
      return m;
    case Kind::String:
      m->type = StringType(env, node);
      m->vlenString = node.length == 0;
      m->ascii = node.ascii;
      m->spacePadded = node.pad == H5T_STR_SPACEPAD;
      m->hasVlen = m->vlenString;
      m->size = H5Tget_size(m->type.get());
      return m;
    case Kind::Compound: {
      bool mirror = node.fileSize > 0;
      std::vector<std::unique_ptr<MemNode>> children;
      for (const TypeNode::Field& f : node.fields) {
        children.push_back(Build(env, *f.type, forWrite));
        // The stored layout, where each field takes as many bytes in memory as in the file: HDF5 then
        // needs no conversion (and a parallel transfer can stay collective).
        mirror = mirror && f.offset >= 0 && f.type->fileSize == children.back()->size;
        m->hasVlen = m->hasVlen || children.back()->hasVlen;
      }
      size_t end = 0;
      for (size_t i = 0; i < children.size(); i++) {
        size_t at = mirror ? static_cast<size_t>(node.fields[i].offset) : end;
        end = std::max(end, at + children[i]->size);
        m->fields.push_back({node.fields[i].name, at, std::move(children[i])});
      }
      m->size = mirror ? node.fileSize : end;
      m->type = Type(CheckH5(env, H5Tcreate(H5T_COMPOUND, m->size > 0 ? m->size : 1), "create compound type"));
      for (const MemNode::Field& f : m->fields) {
        CheckH5(env, H5Tinsert(m->type.get(), f.name.c_str(), f.offset, f.node->type.get()),
                "add field '" + f.name + "' to compound type");
      }
      return m;
    }
    case Kind::Array: {
      m->child = Build(env, *node.base, forWrite);
      m->dims = node.dims;
      size_t count = 1;
      for (hsize_t d : node.dims) count *= d;
      m->type = ArrayType(env, m->child->type.get(), node.dims);
      m->size = count * m->child->size;
      m->direct = m->child->direct;
      m->array = m->child->array;
      m->numeric = m->child->numeric;
      m->hasVlen = m->child->hasVlen;
      return m;
    }
    case Kind::Vlen:
      m->child = Build(env, *node.base, forWrite);
      m->type = Type(CheckH5(env, H5Tvlen_create(m->child->type.get()), "create variable-length type"));
      m->size = sizeof(hvl_t);
      m->hasVlen = true;
      return m;
  }
  // Number-like leaves; bools as bytes 0 and 1, in a Uint8Array.
  m->direct = true;
  m->size = H5Tget_size(m->type.get());
  m->array = node.kind == Kind::Bool ? napi_uint8_array : ArrayTypeOf(m->dt);
  return m;
}

// Where the elements are: `count` of them `stride` bytes apart, per level, outermost first (an array's
// elements inside each element of a compound, say).
struct Level {
  size_t count, stride;
};
using Levels = std::vector<Level>;

size_t Total(const Levels& levels) {
  size_t n = 1;
  for (const Level& l : levels) n *= l.count;
  return n;
}

template <typename Base, typename F>
void ForEach(Base* base, const Levels& levels, F&& f) {
  size_t total = Total(levels);
  if (total == 0) return;
  if (levels.size() == 1) {
    for (size_t i = 0; i < total; i++) f(base + i * levels[0].stride);
    return;
  }
  std::vector<size_t> idx(levels.size(), 0);
  for (size_t k = 0; k < total; k++) {
    Base* p = base;
    for (size_t d = 0; d < levels.size(); d++) p += idx[d] * levels[d].stride;
    f(p);
    for (size_t d = levels.size(); d-- > 0;) {
      if (++idx[d] < levels[d].count) break;
      idx[d] = 0;
    }
  }
}

Levels With(const Levels& levels, size_t count, size_t stride) {
  Levels l = levels;
  l.push_back({count, stride});
  return l;
}

Napi::Value DecodeNode(Napi::Env env, const MemNode& m, const char* base, const Levels& levels, StringMode mode) {
  size_t total = Total(levels);
  if (m.direct) {
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, total * m.size);
    char* out = static_cast<char*>(buf.Data());
    if (levels.size() == 1 && levels[0].stride == m.size) {
      if (total > 0) std::memcpy(out, base, total * m.size);
    } else {
      ForEach(base, levels, [&](const char* p) {
        std::memcpy(out, p, m.size);
        out += m.size;
      });
    }
    // An ArrayBuffer, which lib/ views as the type's typed array: one made here would be of the main realm's
    // classes, not those of the context lib/ runs in (a vm context, jest's), and fail instanceof there.
    return buf;
  }
  switch (m.kind) {
    case Kind::String: {
      Napi::Array out = Napi::Array::New(env, total);
      uint32_t i = 0;
      ForEach(base, levels, [&](const char* p) {
        if (m.vlenString) {
          const char* s = *reinterpret_cast<char* const*>(p);
          out.Set(i++, StringValue(env, s ? s : "", s ? std::strlen(s) : 0, m.ascii, mode));
        } else {
          size_t len = strnlen(p, m.size);
          while (m.spacePadded && len > 0 && p[len - 1] == ' ') len--;
          out.Set(i++, StringValue(env, p, len, m.ascii, mode));
        }
      });
      return out;
    }
    case Kind::Compound: {
      Napi::Object out = Napi::Object::New(env);
      for (const MemNode::Field& f : m.fields) out.Set(f.name, DecodeNode(env, *f.node, base + f.offset, levels, mode));
      return out;
    }
    case Kind::Array: {
      size_t count = m.size / (m.child->size ? m.child->size : 1);
      return DecodeNode(env, *m.child, base, With(levels, count, m.child->size), mode);
    }
    case Kind::Vlen: {
      Napi::Array out = Napi::Array::New(env, total);
      uint32_t i = 0;
      ForEach(base, levels, [&](const char* p) {
        hvl_t v;
        std::memcpy(&v, p, sizeof v);
        const char* data = v.len > 0 ? static_cast<const char*>(v.p) : base;
        out.Set(i++, DecodeNode(env, *m.child, data, Levels{{v.len, m.child->size}}, mode));
      });
      return out;
    }
    default: ThrowUsage(env, "cannot decode this type");
  }
}

// The typed array `v`: its bytes, checked to be `bytes` long and of an array type that holds `m`'s elements.
const char* DirectBytes(Napi::Env env, const MemNode& m, const Napi::Value& v, size_t bytes) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (!v.IsTypedArray() || napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok) {
    ThrowUsage(env, "expected a typed array");
  }
  bool bytesOnly = m.array == napi_uint8_array || m.array == napi_int8_array;
  bool fits = type == m.array ||
              (bytesOnly && (type == napi_uint8_array || type == napi_int8_array || type == napi_uint8_clamped_array));
  if (!fits) ThrowUsage(env, "the typed array is not of the type's element type");
  if (length * ElementBytes(type) != bytes) {
    ThrowUsage(env, "the typed array holds " + std::to_string(length * ElementBytes(type)) + " bytes, the elements " +
                        std::to_string(bytes));
  }
  return static_cast<const char*>(data);
}

void EncodeNode(Napi::Env env, const MemNode& m, char* base, const Levels& levels, const Napi::Value& v, Kept& kept) {
  size_t total = Total(levels);
  if (m.direct) {
    const char* in = DirectBytes(env, m, v, total * m.size);
    ForEach(base, levels, [&](char* p) {
      std::memcpy(p, in, m.size);
      in += m.size;
    });
    return;
  }
  switch (m.kind) {
    case Kind::String: {
      if (!v.IsArray() || v.As<Napi::Array>().Length() != total) {
        ThrowUsage(env, "expected an array of " + std::to_string(total) + " strings");
      }
      Napi::Array a = v.As<Napi::Array>();
      uint32_t i = 0;
      ForEach(base, levels, [&](char* p) {
        Napi::Value s = a.Get(i++);
        std::string bytes;
        if (s.IsTypedArray()) {
          Napi::Uint8Array u = s.As<Napi::Uint8Array>();
          bytes.assign(reinterpret_cast<const char*>(u.Data()), u.ByteLength());
        } else {
          bytes = s.ToString().Utf8Value();
        }
        if (m.vlenString) {
          kept.strings.push_back(std::move(bytes));
          const char* c = kept.strings.back().c_str();
          std::memcpy(p, &c, sizeof c);
        } else {
          // lib/ refused strings longer than the width: nothing is cut here.
          std::memset(p, m.spacePadded ? ' ' : '\0', m.size);
          std::memcpy(p, bytes.data(), std::min(bytes.size(), m.size));
        }
      });
      return;
    }
    case Kind::Compound: {
      if (!v.IsObject()) ThrowUsage(env, "expected an object of fields");
      Napi::Object o = v.As<Napi::Object>();
      for (const MemNode::Field& f : m.fields) {
        Napi::Value fv = o.Get(f.name);
        if (fv.IsUndefined()) ThrowUsage(env, "field '" + f.name + "' is missing");
        EncodeNode(env, *f.node, base + f.offset, levels, fv, kept);
      }
      return;
    }
    case Kind::Array: {
      size_t count = m.size / (m.child->size ? m.child->size : 1);
      EncodeNode(env, *m.child, base, With(levels, count, m.child->size), v, kept);
      return;
    }
    case Kind::Vlen: {
      if (!v.IsArray() || v.As<Napi::Array>().Length() != total) {
        ThrowUsage(env, "expected an array of " + std::to_string(total) + " sequences");
      }
      Napi::Array a = v.As<Napi::Array>();
      const MemNode& c = *m.child;
      uint32_t i = 0;
      ForEach(base, levels, [&](char* p) {
        Napi::Value item = a.Get(i++);
        size_t len;
        if (c.direct) {
          if (!item.IsTypedArray()) ThrowUsage(env, "expected a typed array for each sequence");
          size_t bytes = item.As<Napi::TypedArray>().ByteLength();
          len = c.size ? bytes / c.size : 0;
        } else if (item.IsArray()) {
          len = item.As<Napi::Array>().Length();
        } else {
          ThrowUsage(env, "expected an array for each sequence");
        }
        kept.buffers.emplace_back(std::max<size_t>(len * c.size, 1), 0);
        char* data = kept.buffers.back().data();
        EncodeNode(env, c, data, Levels{{len, c.size}}, item, kept);
        hvl_t h{len, len > 0 ? data : nullptr};
        std::memcpy(p, &h, sizeof h);
      });
      return;
    }
    default: ThrowUsage(env, "cannot encode this type");
  }
}

}  // namespace

Codec::Codec(Napi::Env env, const TypeNode& node, bool forWrite)
    : root_(Build(env, node, forWrite)), forWrite_(forWrite) {}

Codec::~Codec() {
  if (LibraryClosed()) {
    root_->Release();
    for (auto& t : byArray_) t.second.release();
  }
}

hid_t Codec::memType() const { return root_->type.get(); }
size_t Codec::size() const { return root_->size; }
bool Codec::direct() const { return root_->direct; }
bool Codec::hasVlen() const { return root_->hasVlen; }

hid_t Codec::TypeForArray(Napi::Env env, napi_typedarray_type type) {
  const MemNode& m = *root_;
  if (!m.direct) return H5I_INVALID_HID;
  if (type == napi_uint8_clamped_array) type = napi_uint8_array;
  const MemNode& leaf = m.kind == Kind::Array ? *m.child : m;
  // Bools and opaque bytes are bytes: an Int8Array or a Uint8Array holds them as they are.
  bool bytes =
      (leaf.kind == Kind::Bool || leaf.kind == Kind::Opaque) && (type == napi_uint8_array || type == napi_int8_array);
  if (type == m.array || bytes) return m.type.get();
  for (auto& t : byArray_) {
    if (t.first == type) return t.second.get();
  }
  DType dt = DTypeOfTypedArray(type);
  Type made;
  if (leaf.kind == Kind::Complex) {
    if (type != napi_float32_array && type != napi_float64_array) return H5I_INVALID_HID;
    made = ComplexType(env, NativeH5Type(dt));
    if (m.kind == Kind::Array) made = ArrayType(env, made.get(), m.dims);
  } else if (leaf.numeric) {
    // Numbers convert from and to any numeric type; enums and bools are written only from their own
    // integers (HDF5 converts no number to an enum), and read into any.
    if (forWrite_ && leaf.kind != Kind::Number) return H5I_INVALID_HID;
    if (m.kind != Kind::Array) return NativeH5Type(dt);  // library-owned
    made = ArrayType(env, NativeH5Type(dt), m.dims);
  } else {
    return H5I_INVALID_HID;
  }
  byArray_.emplace_back(type, std::move(made));
  return byArray_.back().second.get();
}

Napi::Value Codec::Decode(Napi::Env env, const char* buf, size_t n, StringMode mode) const {
  return DecodeNode(env, *root_, buf, Levels{{n, root_->size}}, mode);
}

void Codec::Encode(Napi::Env env, const Napi::Value& value, char* buf, size_t n, Kept& kept) const {
  EncodeNode(env, *root_, buf, Levels{{n, root_->size}}, value, kept);
}

void ReclaimVlen(hid_t memType, size_t n, void* buf) {
  if (n == 0) return;
  hsize_t dims = n;
  hid_t space = H5Screate_simple(1, &dims, nullptr);
  if (space < 0) return;
  h5compat::Reclaim(memType, space, buf);
  H5Sclose(space);
}

Codec& UnwrapCodec(Napi::Env env, const Napi::Value& v) {
  bool ok = false;
  if (v.IsExternal()) napi_check_object_type_tag(env, v, &kCodecTag, &ok);
  if (!ok) ThrowUsage(env, "not a compiled type");
  return *v.As<Napi::External<Codec>>().Data();
}

namespace {
// compileType(desc, forWrite) -> External<Codec>
Napi::Value CompileType(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::unique_ptr<TypeNode> node = ParseType(env, info[0]);
  auto* codec = new Codec(env, *node, info[1].ToBoolean());
  Napi::External<Codec> ext = Napi::External<Codec>::New(env, codec, [](Napi::Env, Codec* c) { delete c; });
  napi_type_tag_object(env, ext, &kCodecTag);
  return ext;
}
}  // namespace

void InitCodec(Napi::Env env, Napi::Object exports) {
  exports.Set("compileType", Napi::Function::New(env, CompileType));
}

}  // namespace h5mpi
