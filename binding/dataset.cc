// Datasets: create with layout and filters, describe, read/write a selection, resize.
#include "dataspace.h"
#include "errors.h"
#include "types.h"

namespace h5mpi {
namespace {

std::string Quote(const std::string& path) { return "'" + path + "'"; }

// datasetCreate(loc, path, spec) -> hid. spec: { dtype, stringLength, shape: number[] | null (scalar),
// maxshape?: number[] (-1 = unlimited), chunks?: number[], gzip?: level, shuffle?, fletcher32?, fill?: TypedArray }
Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  hid_t loc = ToHid(info[0]);
  std::string path = info[1].ToString();
  std::string what = "create dataset " + Quote(path);
  Napi::Object spec = info[2].As<Napi::Object>();
  DType dt = static_cast<DType>(spec.Get("dtype").As<Napi::Number>().Int32Value());
  size_t stringLength = static_cast<size_t>(spec.Get("stringLength").As<Napi::Number>().DoubleValue());
  Type ftype = FileType(env, dt, stringLength);

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
    // Filters run in the order they are added: checksum the stored bytes, shuffle, then compress.
    if (spec.Get("fletcher32").ToBoolean()) CheckH5(env, H5Pset_fletcher32(dcpl.get()), what + ": set fletcher32");
    if (spec.Get("shuffle").ToBoolean()) CheckH5(env, H5Pset_shuffle(dcpl.get()), what + ": set shuffle");
    Napi::Value gzip = spec.Get("gzip");
    if (gzip.IsNumber()) {
      CheckH5(env, H5Pset_deflate(dcpl.get(), gzip.As<Napi::Number>().Uint32Value()), what + ": set gzip");
    }
  }
  Napi::Value fill = spec.Get("fill");
  if (fill.IsTypedArray()) {
    Napi::TypedArray f = fill.As<Napi::TypedArray>();
    const char* p = static_cast<const char*>(f.ArrayBuffer().Data()) + f.ByteOffset();
    CheckH5(env, H5Pset_fill_value(dcpl.get(), NativeH5Type(dt), p), what + ": set fill value");
  }
  Plist lcpl(CheckH5(env, H5Pcreate(H5P_LINK_CREATE), what));
  CheckH5(env, H5Pset_create_intermediate_group(lcpl.get(), 1), what);
  hid_t d = CheckH5(env, H5Dcreate2(loc, path.c_str(), ftype.get(), space.get(), lcpl.get(), dcpl.get(), H5P_DEFAULT),
                    what);
  return FromHid(env, d);
}

const char* FilterName(H5Z_filter_t id) {
  switch (id) {
    case H5Z_FILTER_DEFLATE: return "gzip";
    case H5Z_FILTER_SHUFFLE: return "shuffle";
    case H5Z_FILTER_FLETCHER32: return "fletcher32";
    case H5Z_FILTER_SZIP: return "szip";
    case H5Z_FILTER_NBIT: return "nbit";
    case H5Z_FILTER_SCALEOFFSET: return "scaleoffset";
    default: return "other";
  }
}

// datasetInfo(hid, path) -> { type, shape (null: scalar), maxshape (-1: unlimited), layout, chunks, filters, fill }
Napi::Value Describe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  hid_t d = ToHid(info[0]);
  std::string what = "describe dataset " + Quote(info[1].ToString());
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
  o.Set("layout", layout == H5D_CHUNKED ? "chunked" : layout == H5D_COMPACT ? "compact" : "contiguous");
  if (layout == H5D_CHUNKED) {
    std::vector<hsize_t> chunks(rank > 0 ? rank : 1);
    H5Pget_chunk(dcpl.get(), rank, chunks.data());
    o.Set("chunks", FromDims(env, chunks.data(), rank));
  } else {
    o.Set("chunks", env.Null());
  }
  int nfilters = H5Pget_nfilters(dcpl.get());
  Napi::Array filters = Napi::Array::New(env, nfilters > 0 ? nfilters : 0);
  for (int i = 0; i < nfilters; i++) {
    unsigned flags = 0, cd[8] = {0};
    size_t ncd = 8;
    H5Z_filter_t id = H5Pget_filter2(dcpl.get(), i, &flags, &ncd, cd, 0, nullptr, nullptr);
    Napi::Object f = Napi::Object::New(env);
    f.Set("name", FilterName(id));
    f.Set("id", static_cast<double>(id));
    if (id == H5Z_FILTER_DEFLATE && ncd > 0) f.Set("level", cd[0]);
    filters.Set(i, f);
  }
  o.Set("filters", filters);

  int dtype = type.Get("dtype").As<Napi::Number>().Int32Value();
  H5D_fill_value_t fillState;
  if (dtype >= 0 && dtype != static_cast<int>(DType::String) && H5Pfill_value_defined(dcpl.get(), &fillState) >= 0 &&
      fillState == H5D_FILL_VALUE_USER_DEFINED) {
    DType dt = static_cast<DType>(dtype);
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, DTypeSize(dt));
    CheckH5(env, H5Pget_fill_value(dcpl.get(), NativeH5Type(dt), buf.Data()), what + ": read fill value");
    o.Set("fill", buf);
  }
  return o;
}

// The I/O path below is built for small transfers as much as big ones: one native call per read or write,
// no dataspace or property list made per call (lib/ keeps each dataset's file dataspace and transfer
// plists; the memory dataspace is reused), no strings built unless something fails, and the caller's
// typed array memory handed to HDF5 as it is.

// datasetSpace(hid, path) -> hid of a copy of the dataset's file dataspace, for lib/ to keep until the
// extent changes (resize) or the dataset closes.
Napi::Value FileSpace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return FromHid(env, CheckH5(env, H5Dget_space(ToHid(info[0])), "get the dataspace of dataset " + Quote(info[1].ToString())));
}

// collectiveTransferPlist() -> hid of a new dataset transfer property list for collective MPI-IO. Each
// dataset gets its own, so that it still holds what HDF5 did in that dataset's last collective transfer when
// lib/ asks (transferReport). Independent transfers use HDF5's default list.
Napi::Value NewCollectiveTransferPlist(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Plist p(CheckH5(env, H5Pcreate(H5P_DATASET_XFER), "create transfer property list"));
  CheckH5(env, H5Pset_dxpl_mpio(p.get(), H5FD_MPIO_COLLECTIVE), "set MPI-IO transfer mode");
  return FromHid(env, p.release());
}

// plistClose(hid)
Napi::Value ClosePlist(const Napi::CallbackInfo& info) {
  CheckH5(info.Env(), H5Pclose(ToHid(info[0])), "close property list");
  return info.Env().Undefined();
}

// transferReport(dxpl) -> [ioMode, localCause, globalCause]: what HDF5 actually did in the last transfer
// made with this transfer plist, or undefined when it has none.
Napi::Value TransferReport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  hid_t dxpl = ToHid(info[0]);
  H5D_mpio_actual_io_mode_t mode;
  uint32_t local = 0, global = 0;
  if (H5Pget_mpio_actual_io_mode(dxpl, &mode) < 0 || H5Pget_mpio_no_collective_cause(dxpl, &local, &global) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return env.Undefined();
  }
  Napi::Array a = Napi::Array::New(env, 3);
  a.Set(0u, static_cast<double>(mode));
  a.Set(1u, static_cast<double>(local));
  a.Set(2u, static_cast<double>(global));
  return a;
}

// The typed array at info[i]: its memory (where its elements start), checked to hold n elements, so that
// HDF5 never reads or writes past its end; `dt` gets its element type, which HDF5 converts to and from.
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

// datasetWrite(hid, path, fileSpace, dxpl, selection, data). dxpl 0n: HDF5's default (serial files, and
// independent MPI-IO, whose properties HDF5 reads from a cache instead of looking each one up).
// data: a typed array (HDF5 converts its elements to the file type), or string[] for string datasets.
// Six arguments, not more: node-addon-api allocates the argument array on the heap beyond six.
Napi::Value Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto what = [&info] { return "write dataset " + Quote(info[1].ToString()); };
  hid_t d = ToHid(info[0]), fspace = ToHid(info[2]), dxpl = ToHid(info[3]);
  if (dxpl == 0) dxpl = H5P_DEFAULT;
  Selected selected = ApplySelection(env, fspace, info[4], what);
  hsize_t n = selected.count;
  // A zero-sized dataset has no storage, and collective MPI-IO on it fails ("addr overflow"): nothing to do.
  // Only an empty selection can be of a zero-sized dataset, so other transfers skip asking.
  if (n == 0 && H5Sget_simple_extent_npoints(fspace) == 0) return env.Undefined();
  hid_t mspace = MemorySpace(env, selected);
  if (info[5].IsArray()) {
    Type ftype(CheckH5(env, H5Dget_type(d), what()));
    PackedStrings packed(env, ftype.get(), info[5].As<Napi::Array>());
    if (H5Dwrite(d, packed.memType(), mspace, fspace, dxpl, packed.data()) < 0) ThrowH5(env, what());
  } else {
    DType dt;
    const void* p = TypedArrayMemory(env, info[5], n, dt, what);
    if (H5Dwrite(d, NativeH5Type(dt), mspace, fspace, dxpl, p) < 0) ThrowH5(env, what());
  }
  return env.Undefined();
}

// datasetRead(hid, path, fileSpace, dxpl, selection, target) -> undefined (numbers), string[] (strings).
// Numbers go straight into the caller's typed array (HDF5 converts to its element type); with no target
// (undefined) the elements are strings and come back as a new array.
Napi::Value Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto what = [&info] { return "read dataset " + Quote(info[1].ToString()); };
  hid_t d = ToHid(info[0]), fspace = ToHid(info[2]), dxpl = ToHid(info[3]);
  if (dxpl == 0) dxpl = H5P_DEFAULT;
  Selected selected = ApplySelection(env, fspace, info[4], what);
  hsize_t n = selected.count;
  bool strings = info[5].IsUndefined();
  if (n == 0 && H5Sget_simple_extent_npoints(fspace) == 0) {  // no storage: see Write
    return strings ? Napi::Array::New(env, 0) : env.Undefined();
  }
  hid_t mspace = MemorySpace(env, selected);
  if (strings) {
    Type ftype(CheckH5(env, H5Dget_type(d), what()));
    return ReadStrings(env, ftype.get(), mspace, n, [&](hid_t mem, void* buf) {
      if (H5Dread(d, mem, mspace, fspace, dxpl, buf) < 0) ThrowH5(env, what());
    });
  }
  DType dt;
  void* p = TypedArrayMemory(env, info[5], n, dt, what);
  if (H5Dread(d, NativeH5Type(dt), mspace, fspace, dxpl, p) < 0) ThrowH5(env, what());
  return env.Undefined();
}

// datasetSetExtent(hid, path, shape)
Napi::Value SetExtent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<hsize_t> dims = ToDims(info[2]);
  CheckH5(env, H5Dset_extent(ToHid(info[0]), dims.data()), "resize dataset " + Quote(info[1].ToString()));
  return env.Undefined();
}

}  // namespace

void InitDataset(Napi::Env env, Napi::Object exports) {
  exports.Set("datasetCreate", Napi::Function::New(env, Create));
  exports.Set("datasetInfo", Napi::Function::New(env, Describe));
  exports.Set("datasetWrite", Napi::Function::New(env, Write));
  exports.Set("datasetRead", Napi::Function::New(env, Read));
  exports.Set("datasetSetExtent", Napi::Function::New(env, SetExtent));
  exports.Set("datasetSpace", Napi::Function::New(env, FileSpace));
  exports.Set("collectiveTransferPlist", Napi::Function::New(env, NewCollectiveTransferPlist));
  exports.Set("transferReport", Napi::Function::New(env, TransferReport));
  exports.Set("plistClose", Napi::Function::New(env, ClosePlist));
}

}  // namespace h5mpi
