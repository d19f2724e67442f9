// Datasets: NativeDataset (describe, read/write a selection, resize), and creating one with its layout and
// filters.
#include <cstring>

#include "agreedio.h"
#include "chunks.h"
#include "codec.h"
#include "dataspace.h"
#include "errors.h"
#include "filters.h"
#include "fpstate.h"
#include "h5compat.h"
#include "object.h"
#include "references.h"
#include "types.h"
#include "virtual.h"

namespace h5mpi {
namespace {

// createDataset(path, spec) -> NativeDataset. spec: { type (a type descriptor, codec.h), shape: number[] | null
// (scalar), maxshape?: number[] (-1 = unlimited), chunks?: number[], filters?: [{ id, flags, cdValues }]
// (filters.h), fill?: TypedArray (one element, in the array type lib/ packs the type's values in), virtual?,
// trackOrder?: attribute creation order }
Napi::Value CreateDatasetImpl(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file) {
  Napi::Env env = info.Env();
  FPGuard fp(Data(env).fp);  // creating a filtered dataset loads its filter's plugin
  hid_t loc = file->id;
  std::string path = info[0].ToString();
  std::string what = "create dataset " + Quote(path);
  Napi::Object spec = info[1].As<Napi::Object>();
  std::unique_ptr<TypeNode> node = ParseType(env, spec.Get("type"));
  Type ftype = FileTypeOfNode(env, *node);

  Space space;
  if (spec.Get("shape").IsNull()) {
    space = Space(CheckH5(env, H5Screate(H5S_SCALAR), what));
  } else {
    std::vector<hsize_t> dims = ToDims(spec.Get("shape"));
    std::vector<hsize_t> maxdims = dims;
    if (spec.Get("maxshape").IsArray()) {
      Napi::Array m = spec.Get("maxshape").As<Napi::Array>();
      for (uint32_t i = 0; i < m.Length(); i++) {
        double v = m.Get(i).As<Napi::Number>().DoubleValue();
        maxdims[i] = v < 0 ? H5S_UNLIMITED : static_cast<hsize_t>(v);
      }
    }
    space = Space(CheckH5(env, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()), what));
  }

  Plist dcpl(CheckH5(env, H5Pcreate(H5P_DATASET_CREATE), what));
  if (spec.Get("chunks").IsArray()) {
    std::vector<hsize_t> chunks = ToDims(spec.Get("chunks"));
    CheckH5(env, H5Pset_chunk(dcpl.get(), static_cast<int>(chunks.size()), chunks.data()), what + ": set chunks");
    SetFilters(env, dcpl.get(), spec.Get("filters"), what);
  }
  Napi::Value fill = spec.Get("fill");
  if (fill.IsTypedArray()) {
    Napi::TypedArray f = fill.As<Napi::TypedArray>();
    const char* p = static_cast<const char*>(f.ArrayBuffer().Data()) + f.ByteOffset();
    Codec codec(env, *node, true);
    hid_t memType = codec.TypeForArray(env, f.TypedArrayType());
    if (memType < 0) ThrowUsage(env, what + ": the fill value's array type does not hold the dataset's type");
    CheckH5(env, H5Pset_fill_value(dcpl.get(), memType, p), what + ": set fill value");
  }
  if (spec.Get("virtual").IsArray()) SetVirtualMappings(env, dcpl.get(), space.get(), spec.Get("virtual"), what);
  if (spec.Get("trackOrder").ToBoolean()) SetCreationOrder(env, dcpl.get(), false, what);
  Plist lcpl(CheckH5(env, H5Pcreate(H5P_LINK_CREATE), what));
  CheckH5(env, H5Pset_create_intermediate_group(lcpl.get(), 1), what);
  hid_t d =
      CheckH5(env, H5Dcreate2(loc, path.c_str(), ftype.get(), space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT), what);
  return NewDataset(env, file, d, path);
}

// info(): { type, shape (null: scalar), maxshape (-1: unlimited), chunks, filters, fill } of dataset `d`.
Napi::Value Describe(Napi::Env env, hid_t d, const std::string& name) {
  std::string what = "describe dataset " + Quote(name);
  Napi::Object o = Napi::Object::New(env);
  Type ftype(CheckH5(env, H5Dget_type(d), what));
  Napi::Object type = DescribeType(env, ftype.get());
  o.Set("type", type);

  Space space(CheckH5(env, H5Dget_space(d), what));
  int rank = CheckH5(env, H5Sget_simple_extent_ndims(space.get()), what);
  if (H5Sget_simple_extent_type(space.get()) == H5S_SCALAR) {
    o.Set("shape", env.Null());
    o.Set("maxshape", env.Null());
  } else {
    std::vector<hsize_t> dims(rank), maxdims(rank);
    H5Sget_simple_extent_dims(space.get(), dims.data(), maxdims.data());
    o.Set("shape", FromDims(env, dims.data(), rank));
    Napi::Array m = Napi::Array::New(env, rank);
    for (int i = 0; i < rank; i++) m.Set(i, maxdims[i] == H5S_UNLIMITED ? -1.0 : static_cast<double>(maxdims[i]));
    o.Set("maxshape", m);
  }

  Plist dcpl(CheckH5(env, H5Dget_create_plist(d), what));
  H5D_layout_t layout = H5Pget_layout(dcpl.get());
  o.Set("layout", layout == H5D_CHUNKED   ? "chunked"
                  : layout == H5D_VIRTUAL ? "virtual"
                  : layout == H5D_COMPACT ? "compact"
                                          : "contiguous");
  if (layout == H5D_CHUNKED) {
    std::vector<hsize_t> chunks(rank > 0 ? rank : 1);
    H5Pget_chunk(dcpl.get(), rank, chunks.data());
    o.Set("chunks", FromDims(env, chunks.data(), rank));
  } else {
    o.Set("chunks", env.Null());
  }
  o.Set("filters", DescribeFilters(env, dcpl.get(), what));
  // External raw-data storage (H5Pset_external): the files HDF5 reads the bytes from, as stored.
  int nexternal = H5Pget_external_count(dcpl.get());
  if (nexternal > 0) {
    Napi::Array ext = Napi::Array::New(env, nexternal);
    for (int i = 0; i < nexternal; i++) {
      std::vector<char> name(4097, '\0');  // HDF5 copies at most this much and may leave it unterminated
      off_t offset = 0;
      hsize_t size = 0;
      CheckH5(env, H5Pget_external(dcpl.get(), i, name.size() - 1, name.data(), &offset, &size), what);
      Napi::Object e = Napi::Object::New(env);
      e.Set("name", std::string(name.data()));
      e.Set("offset", static_cast<double>(offset));
      e.Set("size", size == H5F_UNLIMITED ? -1.0 : static_cast<double>(size));
      ext.Set(i, e);
    }
    o.Set("external", ext);
  }

  int dtype = type.Get("dtype").As<Napi::Number>().Int32Value();
  // A float16 fill value comes as float32, as float16 data does.
  if (dtype < 0 && H5Tget_class(ftype.get()) == H5T_FLOAT && H5Tget_size(ftype.get()) == 2) {
    dtype = static_cast<int>(DType::Float32);
  }
  H5D_fill_value_t fillState;
  if (dtype >= 0 && dtype < static_cast<int>(DType::String) && H5Pfill_value_defined(dcpl.get(), &fillState) >= 0 &&
      fillState == H5D_FILL_VALUE_USER_DEFINED) {
    DType dt = static_cast<DType>(dtype);
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, DTypeSize(dt));
    CheckH5(env, H5Pget_fill_value(dcpl.get(), NativeH5Type(dt), buf.Data()), what + ": read fill value");
    o.Set("fill", buf);
  }
  return o;
}

// The typed array `v`: its memory (where its elements start), checked to hold n elements, so that HDF5
// never reads or writes past its end; `dt` gets its element type, which HDF5 converts to and from.
template <typename What>
void* TypedArrayMemory(Napi::Env env, const Napi::Value& v, hsize_t n, DType& dt, const What& what) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  if (!v.IsTypedArray() || napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok) {
    ThrowUsage(env, what() + ": the data is not a typed array");
  }
  if (length != n) {
    ThrowUsage(env, what() + ": the typed array holds " + std::to_string(length) + " elements, the selection " +
                        std::to_string(n));
  }
  dt = DTypeOfTypedArray(type);
  return data;  // napi_get_typedarray_info already adds the view's byte offset
}

// NativeDataset: a dataset's id, and what is kept between its transfers so that a small read or write
// makes no HDF5 objects: the file dataspace (until the extent changes) and the collective transfer list,
// which also holds what HDF5 did in this dataset's last collective transfer. Independent transfers use
// HDF5's default list (independent MPI-IO), whose properties HDF5 reads from a cache. The I/O path makes
// one native call per read or write, builds no strings unless something fails, and hands the caller's
// typed array memory to HDF5 as it is.
class NativeDataset : public Napi::ObjectWrap<NativeDataset>, public OpenObject {
 public:
  static Napi::Function Define(Napi::Env env) {
    std::vector<Napi::ClassPropertyDescriptor<NativeDataset>> methods = {
        InstanceMethod<&NativeDataset::Info>("info"),
        InstanceMethod<&NativeDataset::SetExtent>("setExtent"),
        InstanceMethod<&NativeDataset::TransferReport>("transferReport"),
        InstanceMethod<&NativeDataset::CloseM>("close"),
    };
    LocationMethods(methods);
    ChunkMethods(methods);
    VirtualMethods(methods);
    return DefineClass(env, "NativeDataset", methods);
  }
  explicit NativeDataset(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeDataset>(info),
        memory_(&Data(info.Env()).memorySpace),
        fp_(&Data(info.Env()).fp),
        subject_(&Data(info.Env()).errorSubject) {
    info.This().As<Napi::Object>().TypeTag(&kDatasetTag);
  }
  ~NativeDataset() override {
    // Dataspaces and property lists are local objects, so the garbage collector may close them.
    if (!LibraryClosed()) Release();
  }

  H5MPI_LOCATION_METHODS
  H5MPI_CHUNK_METHODS
  H5MPI_VIRTUAL_METHODS

  // read and write are the per-call path of small transfers: own properties of each object, whose function
  // carries the object's address, so that a call skips the unwrap of `this` (a private-property lookup
  // that cost about as much as the rest of the binding's work for a one-row read).
  void BindTransfers(Napi::Env env, Napi::Object self) {
    self.DefineProperties({
        Napi::PropertyDescriptor::Function(env, self, "read", BoundRead, napi_default, this),
        Napi::PropertyDescriptor::Function(env, self, "write", BoundWrite, napi_default, this),
    });
  }

 protected:
  void Release() override {
    if (collective_.valid()) KeepReport();
    fileSpace_.reset();
    collective_.reset();
  }

 private:
  MemorySpaceCache* memory_;
  // Reads, writes, resizes and closes run filters, and the first use of one loads its plugin (fpstate.h).
  const FPControl* fp_;
  hid_t* subject_;  // AddonData's errorSubject, kept as fp_ is: no lookup per transfer
  Space fileSpace_;
  Plist collective_;
  // What the collective transfer list reported when it was closed: [ioMode, localCause, globalCause].
  bool haveReport_ = false;
  double report_[4] = {0, 0, 0, 0};

  static Napi::Value BoundRead(const Napi::CallbackInfo& info) {
    return static_cast<NativeDataset*>(info.Data())->Read(info);
  }
  static Napi::Value BoundWrite(const Napi::CallbackInfo& info) {
    return static_cast<NativeDataset*>(info.Data())->Write(info);
  }

  hid_t Loc(Napi::Env env) const { return id(env); }
  std::string What(const char* call) const { return std::string(call) + " dataset " + Quote(name()); }

  hid_t FileSpace(Napi::Env env) {
    if (!fileSpace_.valid()) {
      fileSpace_ = Space(H5Dget_space(id(env)));
      if (!fileSpace_.valid()) ThrowH5(env, "get the dataspace of dataset " + Quote(name()));
    }
    return fileSpace_.get();
  }
  hid_t TransferPlist(Napi::Env env, bool collective) {
    if (!collective) return H5P_DEFAULT;
    if (!collective_.valid()) {
      Plist p(CheckH5(env, H5Pcreate(H5P_DATASET_XFER), "create transfer property list"));
      CheckH5(env, H5Pset_dxpl_mpio(p.get(), H5FD_MPIO_COLLECTIVE), "set MPI-IO transfer mode");
      collective_ = std::move(p);
    }
    return collective_.get();
  }
  bool ReadReport(double out[4]) const {
    H5D_mpio_actual_io_mode_t mode;
    uint32_t local = 0, global = 0;
    if (H5Pget_mpio_actual_io_mode(collective_.get(), &mode) < 0 ||
        H5Pget_mpio_no_collective_cause(collective_.get(), &local, &global) < 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    out[0] = static_cast<double>(mode);
    out[1] = static_cast<double>(local);
    out[2] = static_cast<double>(global);
    out[3] = static_cast<double>(h5compat::NoSelectionIoCause(collective_.get()));
    return true;
  }
  void KeepReport() { haveReport_ = ReadReport(report_); }

  Napi::Value Info(const Napi::CallbackInfo& info) { return Describe(info.Env(), id(info.Env()), name()); }

  // What a read and a write start with: the ids (info[2] is the collective flag) and the selection info[0]
  // applied to the file dataspace.
  struct Transfer {
    hid_t dataset, fileSpace, dxpl;
    Selected selected;
  };
  template <typename What>
  Transfer Begin(const Napi::CallbackInfo& info, const What& what) {
    Napi::Env env = info.Env();
    hid_t dataset = id(env), fileSpace = FileSpace(env);
    return Transfer{dataset, fileSpace, TransferPlist(env, info[2].As<Napi::Boolean>().Value()),
                    ApplySelection(env, fileSpace, info[0], what)};
  }

  // write(selection, data, collective, codec?). data: a typed array (HDF5 converts its elements to the file
  // type), or string[] for string datasets; with a codec (codec.h), a typed array of its elements or the JS
  // values it encodes.
  Napi::Value Write(const Napi::CallbackInfo& info) {
    Napi::Value done = WriteData(info);
    // An independent write whose failure was held from HDF5 (agreedio.h RegisterFile) throws here, on this
    // rank; collective ones are taken by lib/ after the call, agreed across the ranks.
    MPI_File agreed = AgreedFile();
    if (agreed != MPI_FILE_NULL && AnyHoldsFailures() && !info[2].ToBoolean()) {
      HeldFailure held = TakeHeldFailure(agreed, false);
      if (held.failed) {
        std::string why =
            held.err != 0 ? std::string(": ") + std::strerror(held.err) + " (errno " + std::to_string(held.err) + ")"
                          : "";
        ThrowH5Code(info.Env(), What("write") + " in file '" + FileName() + "' failed: HDF5's write to it failed" + why,
                    "IO");
      }
    }
    return done;
  }

  Napi::Value WriteData(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FPGuard fp(*fp_);
    ErrorSubject subject(subject_, id(env));
    auto what = [this] { return What("write"); };
    Transfer t = Begin(info, what);
    hid_t d = t.dataset, fspace = t.fileSpace, dxpl = t.dxpl;
    const Selected& selected = t.selected;
    hsize_t n = selected.count;
    // A zero-sized dataset has no storage, and collective MPI-IO on it fails ("addr overflow"): nothing to
    // do. Only an empty selection can be of a zero-sized dataset, so other transfers skip asking.
    if (n == 0 && H5Sget_simple_extent_npoints(fspace) == 0) return env.Undefined();
    hid_t mspace = MemorySpace(env, *memory_, selected);
    if (info.Length() > 3 && info[3].IsExternal()) {
      Codec& codec = UnwrapCodec(env, info[3]);
      if (codec.direct()) {
        const void* p = CodecArray(env, codec, info[1], n, what);
        if (H5Dwrite(d, arrayType_, mspace, fspace, dxpl, p) < 0) ThrowH5(env, what());
        return env.Undefined();
      }
      Kept kept;
      std::vector<char> buf(std::max<size_t>(n * codec.size(), 1), 0);
      codec.Encode(env, info[1], buf.data(), n, kept);
      if (H5Dwrite(d, codec.memType(), mspace, fspace, dxpl, buf.data()) < 0) ThrowH5(env, what());
    } else if (info[1].IsArray()) {
      Type ftype(CheckH5(env, H5Dget_type(d), what()));
      PackedStrings packed(env, ftype.get(), info[1].As<Napi::Array>());
      if (H5Dwrite(d, packed.memType(), mspace, fspace, dxpl, packed.data()) < 0) ThrowH5(env, what());
    } else if (info[1].IsDataView()) {
      // Stored references, made beforehand by makeReferences (references.h).
      Type ftype(CheckH5(env, H5Dget_type(d), what()));
      Napi::DataView raw = info[1].As<Napi::DataView>();
      hid_t mem = RawReferenceType(env, ftype.get(), raw, n, what());
      const char* p = static_cast<const char*>(raw.ArrayBuffer().Data()) + raw.ByteOffset();
      if (H5Dwrite(d, mem, mspace, fspace, dxpl, p) < 0) ThrowH5(env, what());
    } else {
      DType dt;
      const void* p = TypedArrayMemory(env, info[1], n, dt, what);
      if (H5Dwrite(d, NativeH5Type(dt), mspace, fspace, dxpl, p) < 0) ThrowH5(env, what());
    }
    return env.Undefined();
  }

  // read(selection, target, collective, stringMode?, codec?) -> undefined (into a target), or the values
  // read. Numbers go straight into the caller's typed array (HDF5 converts to its element type); with no
  // target (undefined) the elements are strings and come back as a new array, as `stringMode` (a StringMode)
  // says. With a codec (codec.h): a direct type goes into the target, any other comes back decoded.
  Napi::Value Read(const Napi::CallbackInfo& info) {
    try {
      return ReadSelection(info);
    } catch (const std::bad_alloc&) {
      ThrowOutOfMemory(info.Env(), What("read"));
    }
  }
  Napi::Value ReadSelection(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FPGuard fp(*fp_);
    ErrorSubject subject(subject_, id(env));
    auto what = [this] { return What("read"); };
    Transfer t = Begin(info, what);
    hid_t d = t.dataset, fspace = t.fileSpace, dxpl = t.dxpl;
    const Selected& selected = t.selected;
    hsize_t n = selected.count;
    bool intoTarget = !info[1].IsUndefined();
    StringMode mode =
        info[3].IsNumber() ? static_cast<StringMode>(info[3].As<Napi::Number>().Int32Value()) : StringMode::Text;
    Codec* codec = info.Length() > 4 && info[4].IsExternal() ? &UnwrapCodec(env, info[4]) : nullptr;
    bool empty = n == 0 && H5Sget_simple_extent_npoints(fspace) == 0;  // no storage: see Write
    if (!codec && !intoTarget) {
      Type ftype(CheckH5(env, H5Dget_type(d), what()));
      if (H5Tget_class(ftype.get()) == H5T_REFERENCE) {  // references.h: { raw, values } (none when empty)
        if (empty) return ReadReferenceValues(env, d, ftype.get(), fspace, 0, [](hid_t, void*) {});
        hid_t mspace = MemorySpace(env, *memory_, selected);
        return ReadReferenceValues(env, d, ftype.get(), mspace, n, [&](hid_t mem, void* buf) {
          if (H5Dread(d, mem, mspace, fspace, dxpl, buf) < 0) ThrowH5(env, what());
        });
      }
    }
    if (codec && !intoTarget) {
      std::vector<char> buf(std::max<size_t>(n * codec->size(), 1), 0);
      if (!empty) {
        hid_t mspace = MemorySpace(env, *memory_, selected);
        if (H5Dread(d, codec->memType(), mspace, fspace, dxpl, buf.data()) < 0) ThrowH5(env, what());
      }
      // What HDF5 allocated for variable-length data is freed also when decoding throws.
      struct Reclaim {
        Codec* codec;
        size_t n;
        char* buf;
        ~Reclaim() {
          if (codec->hasVlen()) ReclaimVlen(codec->memType(), n, buf);
        }
      } reclaim{codec, empty ? 0 : n, buf.data()};
      return codec->Decode(env, buf.data(), n, mode);
    }
    if (empty) return intoTarget ? env.Undefined() : Napi::Array::New(env, 0);
    hid_t mspace = MemorySpace(env, *memory_, selected);
    if (codec) {
      void* p = const_cast<void*>(CodecArray(env, *codec, info[1], n, what));
      if (H5Dread(d, arrayType_, mspace, fspace, dxpl, p) < 0) ThrowH5(env, what());
      return env.Undefined();
    }
    if (!intoTarget) {
      Type ftype(CheckH5(env, H5Dget_type(d), what()));
      return ReadStrings(env, ftype.get(), mspace, n, mode, [&](hid_t mem, void* buf) {
        if (H5Dread(d, mem, mspace, fspace, dxpl, buf) < 0) ThrowH5(env, what());
      });
    }
    DType dt;
    void* p = TypedArrayMemory(env, info[1], n, dt, what);
    if (H5Dread(d, NativeH5Type(dt), mspace, fspace, dxpl, p) < 0) ThrowH5(env, what());
    return env.Undefined();
  }

  // The typed array `v` for a direct transfer of n elements of `codec`'s type: its memory, checked to hold
  // exactly them; arrayType_ gets the memory type for its element type.
  template <typename What>
  const void* CodecArray(Napi::Env env, Codec& codec, const Napi::Value& v, hsize_t n, const What& what) {
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    if (!v.IsTypedArray() || napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) != napi_ok) {
      ThrowUsage(env, what() + ": the data is not a typed array");
    }
    arrayType_ = codec.TypeForArray(env, type);
    if (arrayType_ < 0) ThrowUsage(env, what() + ": this typed array's type cannot hold the dataset's elements");
    size_t bytes = length * v.As<Napi::TypedArray>().ElementSize();
    if (bytes != n * H5Tget_size(arrayType_)) {
      ThrowUsage(env, what() + ": the typed array holds " + std::to_string(bytes) + " bytes, the selection's " +
                          std::to_string(n) + " elements " + std::to_string(n * H5Tget_size(arrayType_)));
    }
    return data;
  }
  hid_t arrayType_ = H5I_INVALID_HID;

  // setExtent(shape)
  Napi::Value SetExtent(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FPGuard fp(*fp_);
    ErrorSubject subject(subject_, id(env));
    std::vector<hsize_t> dims = ToDims(info[0]);
    CheckH5(env, H5Dset_extent(id(env), dims.data()), "resize dataset " + Quote(name()));
    fileSpace_.reset();  // it has the old extent
    return env.Undefined();
  }

  // transferReport() -> [ioMode, localCause, globalCause, noSelectionIoCause]: what HDF5 did in this dataset's
  // last collective transfer (also after the dataset was closed), or undefined when it made none.
  Napi::Value TransferReport(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    double r[4];
    bool have = collective_.valid() ? ReadReport(r) : haveReport_;
    if (!have) return env.Undefined();
    const double* src = collective_.valid() ? r : report_;
    Napi::Array a = Napi::Array::New(env, 4);
    for (uint32_t i = 0; i < 4; i++) a.Set(i, src[i]);
    return a;
  }

  // close(): collective in parallel, so called by lib/ only.
  Napi::Value CloseM(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FPGuard fp(*fp_);  // closing writes the chunks still cached, through their filters
    id(env);
    if (Close() < 0) ThrowH5(env, "close dataset " + Quote(name()));
    return env.Undefined();
  }
};

}  // namespace

Napi::Value CreateDataset(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file) {
  ErrorSubject subject(info.Env(), file->id);
  return CreateDatasetImpl(info, file);
}

Napi::Object NewDataset(Napi::Env env, const std::shared_ptr<FileState>& file, hid_t id, const std::string& name) {
  Napi::Object o = Data(env).datasetClass.New({});
  NativeDataset* d = NativeDataset::Unwrap(o);
  d->Adopt(file, id, name);
  d->BindTransfers(env, o);
  return o;
}

void InitDataset(Napi::Env env, Napi::Object exports) {
  Data(env).datasetClass = Napi::Persistent(NativeDataset::Define(env));
}

}  // namespace h5mpi
