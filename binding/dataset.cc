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

// Reports what HDF5 actually did in the last parallel transfer: [ioMode, localCause, globalCause].
Napi::Value TransferReport(Napi::Env env, hid_t dxpl) {
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

// Transfer modes from lib/: 0 serial file, 1 MPI-IO independent, 2 MPI-IO collective.
hid_t Dxpl(Napi::Env env, int mode) { return mode == 0 ? H5P_DEFAULT : TransferPlist(env, mode == 2); }

// datasetWrite(hid, path, dtype, selection, data, mode) -> transfer report (MPI-IO) or undefined.
// data: a typed array of `dtype`, or string[] for string datasets.
Napi::Value Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  hid_t d = ToHid(info[0]);
  std::string what = "write dataset " + Quote(info[1].ToString());
  DType dt = static_cast<DType>(info[2].As<Napi::Number>().Int32Value());
  int mode = info[5].As<Napi::Number>().Int32Value();
  Space fspace(CheckH5(env, H5Dget_space(d), what));
  hsize_t n = ApplySelection(env, fspace.get(), info[3], what);
  // A zero-sized dataset has no storage, and collective MPI-IO on it fails ("addr overflow"): nothing to do.
  if (H5Sget_simple_extent_npoints(fspace.get()) == 0) return env.Undefined();
  Space mspace = MemorySpace(env, n);
  hid_t dxpl = Dxpl(env, mode);
  if (dt == DType::String) {
    Type ftype(CheckH5(env, H5Dget_type(d), what));
    PackedStrings packed(env, ftype.get(), info[4].As<Napi::Array>());
    CheckH5(env, H5Dwrite(d, packed.memType(), mspace.get(), fspace.get(), dxpl, packed.data()), what);
  } else {
    Napi::TypedArray ta = info[4].As<Napi::TypedArray>();
    const char* p = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    CheckH5(env, H5Dwrite(d, NativeH5Type(dt), mspace.get(), fspace.get(), dxpl, p), what);
  }
  return mode == 0 ? env.Undefined() : TransferReport(env, dxpl);
}

// datasetRead(hid, path, dtype, selection, target | count, mode) -> report (numbers) or string[] (strings).
// Numbers go straight into the caller's typed array; strings come back as a new array.
Napi::Value Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  hid_t d = ToHid(info[0]);
  std::string what = "read dataset " + Quote(info[1].ToString());
  DType dt = static_cast<DType>(info[2].As<Napi::Number>().Int32Value());
  int mode = info[5].As<Napi::Number>().Int32Value();
  Space fspace(CheckH5(env, H5Dget_space(d), what));
  hsize_t n = ApplySelection(env, fspace.get(), info[3], what);
  if (H5Sget_simple_extent_npoints(fspace.get()) == 0) {  // no storage: see Write
    return dt == DType::String ? Napi::Array::New(env, 0) : env.Undefined();
  }
  Space mspace = MemorySpace(env, n);
  hid_t dxpl = Dxpl(env, mode);
  if (dt == DType::String) {
    Type ftype(CheckH5(env, H5Dget_type(d), what));
    return ReadStrings(env, ftype.get(), mspace.get(), n, [&](hid_t mem, void* buf) {
      CheckH5(env, H5Dread(d, mem, mspace.get(), fspace.get(), dxpl, buf), what);
    });
  }
  Napi::TypedArray ta = info[4].As<Napi::TypedArray>();
  char* p = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  CheckH5(env, H5Dread(d, NativeH5Type(dt), mspace.get(), fspace.get(), dxpl, p), what);
  return mode == 0 ? env.Undefined() : TransferReport(env, dxpl);
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
}

}  // namespace h5mpi
