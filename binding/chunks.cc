// Direct chunk I/O: H5Dwrite_chunk / H5Dread_chunk (in the main library since HDF5 1.10.3) and the chunk
// index queries of 1.10.5 (H5Dget_num_chunks, H5Dget_chunk_info, H5Dget_chunk_info_by_coord). lib/chunks.ts
// checks offsets, sizes and parallel use first; here only the rank is checked again, since HDF5 reads as
// many offsets as the dataset has dimensions.
#include "chunks.h"

#include <algorithm>

#include "errors.h"

namespace h5mpi {
namespace {

std::string What(const char* call, const std::string& name) { return std::string(call) + " of dataset '" + name + "'"; }

int Rank(Napi::Env env, hid_t d, const std::string& what) {
  Space space(CheckH5(env, H5Dget_space(d), what));
  return CheckH5(env, H5Sget_simple_extent_ndims(space.get()), what);
}

std::vector<hsize_t> Offset(Napi::Env env, const Napi::Value& v, int rank, const std::string& what) {
  std::vector<hsize_t> offset = ToDims(v);
  if (static_cast<int>(offset.size()) != rank) {
    ThrowUsage(env, what + ": the offset has " + std::to_string(offset.size()) + " dimensions, the dataset " +
                        std::to_string(rank));
  }
  return offset;
}

// One chunk's entry as lib/ takes it: offset (an array), filterMask, address (-1: not stored), size.
Napi::Object Entry(Napi::Env env, const hsize_t* offset, int rank, unsigned mask, haddr_t addr, hsize_t size) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("offset", FromDims(env, offset, rank));
  o.Set("filterMask", Napi::Number::New(env, mask));
  o.Set("address", Napi::Number::New(env, addr == HADDR_UNDEF ? -1.0 : static_cast<double>(addr)));
  o.Set("size", Napi::Number::New(env, static_cast<double>(size)));
  return o;
}

}  // namespace

Napi::Value ChunkWrite(const Napi::CallbackInfo& info, hid_t d, const std::string& name) {
  Napi::Env env = info.Env();
  std::string what = What("write a chunk", name);
  std::vector<hsize_t> offset = Offset(env, info[0], Rank(env, d, what), what);
  if (!info[1].IsTypedArray() && !info[1].IsDataView())
    ThrowUsage(env, what + ": the chunk's bytes must be an ArrayBufferView");
  size_t bytes = 0;
  void* data = nullptr;
  if (info[1].IsTypedArray()) {
    Napi::TypedArray a = info[1].As<Napi::TypedArray>();
    bytes = a.ByteLength();
    data = static_cast<char*>(a.ArrayBuffer().Data()) + a.ByteOffset();
  } else {
    Napi::DataView v = info[1].As<Napi::DataView>();
    bytes = v.ByteLength();
    data = static_cast<char*>(v.ArrayBuffer().Data()) + v.ByteOffset();
  }
  uint32_t mask = info[2].As<Napi::Number>().Uint32Value();
  // Independent transfer: HDF5 1.10's MPI-IO driver fails a collective one here (MPI_ERR_TYPE); in parallel
  // lib/ has every rank write the same chunks instead (lib/chunks.ts says why).
  CheckH5(env, H5Dwrite_chunk(d, H5P_DEFAULT, mask, offset.data(), bytes, data), what);
  return env.Undefined();
}

Napi::Value ChunkRead(const Napi::CallbackInfo& info, hid_t d, const std::string& name) {
  Napi::Env env = info.Env();
  std::string what = What("read a chunk", name);
  std::vector<hsize_t> offset = Offset(env, info[0], Rank(env, d, what), what);
  unsigned mask = 0;
  haddr_t addr = HADDR_UNDEF;
  hsize_t size = 0;
  CheckH5(env, H5Dget_chunk_info_by_coord(d, offset.data(), &mask, &addr, &size), what);
  if (addr == HADDR_UNDEF || size == 0) return env.Undefined();
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, static_cast<size_t>(size));
  uint32_t filters = 0;
  CheckH5(env, H5Dread_chunk(d, H5P_DEFAULT, offset.data(), &filters, buffer.Data()), what);
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, buffer);
  out.Set(1u, Napi::Number::New(env, filters));
  return out;
}

Napi::Value ChunkCount(const Napi::CallbackInfo& info, hid_t d, const std::string& name) {
  Napi::Env env = info.Env();
  std::string what = What("count the chunks", name);
  // HDF5 1.10 mishandles H5S_ALL here; the dataset's own dataspace selects everything.
  Space space(CheckH5(env, H5Dget_space(d), what));
  hsize_t n = 0;
  CheckH5(env, H5Dget_num_chunks(d, space.get(), &n), what);
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value ChunkInfo(const Napi::CallbackInfo& info, hid_t d, const std::string& name) {
  Napi::Env env = info.Env();
  std::string what = What("describe a chunk", name);
  Space space(CheckH5(env, H5Dget_space(d), what));
  int rank = CheckH5(env, H5Sget_simple_extent_ndims(space.get()), what);
  hsize_t index = static_cast<hsize_t>(info[0].As<Napi::Number>().DoubleValue());
  std::vector<hsize_t> offset(std::max(rank, 1));
  unsigned mask = 0;
  haddr_t addr = HADDR_UNDEF;
  hsize_t size = 0;
  CheckH5(env, H5Dget_chunk_info(d, space.get(), index, offset.data(), &mask, &addr, &size), what);
  return Entry(env, offset.data(), rank, mask, addr, size);
}

Napi::Value ChunkInfoAt(const Napi::CallbackInfo& info, hid_t d, const std::string& name) {
  Napi::Env env = info.Env();
  std::string what = What("describe a chunk", name);
  int rank = Rank(env, d, what);
  std::vector<hsize_t> offset = Offset(env, info[0], rank, what);
  unsigned mask = 0;
  haddr_t addr = HADDR_UNDEF;
  hsize_t size = 0;
  CheckH5(env, H5Dget_chunk_info_by_coord(d, offset.data(), &mask, &addr, &size), what);
  if (addr == HADDR_UNDEF) size = 0;
  return Entry(env, offset.data(), rank, mask, addr, size);
}

Napi::Value ChunkList(const Napi::CallbackInfo& info, hid_t d, const std::string& name) {
  Napi::Env env = info.Env();
  std::string what = What("list the chunks", name);
  Space space(CheckH5(env, H5Dget_space(d), what));
  int rank = CheckH5(env, H5Sget_simple_extent_ndims(space.get()), what);
  hsize_t n = 0;
  CheckH5(env, H5Dget_num_chunks(d, space.get(), &n), what);
  Napi::Array out = Napi::Array::New(env);
  if (n == 0 || rank <= 0) return out;
  std::vector<hsize_t> dims(rank), chunk(rank);
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  Plist dcpl(CheckH5(env, H5Dget_create_plist(d), what));
  CheckH5(env, H5Pget_chunk(dcpl.get(), rank, chunk.data()), what);
  double cells = 1;
  for (int i = 0; i < rank; i++) cells *= static_cast<double>((dims[i] + chunk[i] - 1) / chunk[i]);
  std::vector<hsize_t> offset(rank, 0);
  unsigned mask = 0;
  haddr_t addr = HADDR_UNDEF;
  hsize_t size = 0;
  uint32_t k = 0;
  if (cells <= 8.0 * static_cast<double>(n)) {
    // HDF5 1.10 finds the i-th chunk by walking the index from its start, so n lookups by index cost n^2
    // steps; a mostly written dataset is listed faster by looking each grid cell up by its coordinates (and
    // this gives row-major order).
    for (double c = 0; c < cells; c++) {
      mask = 0;
      addr = HADDR_UNDEF;
      size = 0;
      CheckH5(env, H5Dget_chunk_info_by_coord(d, offset.data(), &mask, &addr, &size), what);
      if (addr != HADDR_UNDEF) out.Set(k++, Entry(env, offset.data(), rank, mask, addr, size));
      for (int i = rank - 1; i >= 0; i--) {
        offset[i] += chunk[i];
        if (offset[i] < dims[i]) break;
        offset[i] = 0;
      }
    }
    return out;
  }
  for (hsize_t i = 0; i < n; i++) {
    CheckH5(env, H5Dget_chunk_info(d, space.get(), i, offset.data(), &mask, &addr, &size), what);
    out.Set(k++, Entry(env, offset.data(), rank, mask, addr, size));
  }
  return out;
}

}  // namespace h5mpi
