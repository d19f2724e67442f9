#include "dataspace.h"

#include "errors.h"

#include <algorithm>

namespace h5mpi {

void ThrowSelection(Napi::Env env, const std::string& what, const char* step, bool usage) {
  if (usage) ThrowUsage(env, what + ": " + step);
  ThrowH5(env, what + ": " + step);
}

hid_t MemorySpace(Napi::Env env, MemorySpaceCache& cache, const Selected& selected) {
  static const hsize_t one = 1;
  int rank = selected.count > 0 ? selected.rank : 1;
  const hsize_t* dims = selected.count > 0 ? selected.dims : &one;
  bool same = cache.space >= 0 && rank == cache.rank;
  for (int i = 0; same && i < rank; i++) same = dims[i] == cache.dims[i];
  if (cache.space < 0) {
    cache.space = CheckH5(env, H5Screate_simple(rank, dims, nullptr), "create memory dataspace");
    cache.selectsAll = true;
  } else if (!same) {
    cache.selectsAll = false;
    CheckH5(env, H5Sset_extent_simple(cache.space, rank, dims, nullptr), "reshape memory dataspace");
  }
  if (!same) {
    cache.rank = rank;
    std::copy(dims, dims + rank, cache.dims);
  }
  if (selected.count == 0) {
    cache.selectsAll = false;
    CheckH5(env, H5Sselect_none(cache.space), "select none in memory dataspace");
  } else if (!cache.selectsAll) {
    CheckH5(env, H5Sselect_all(cache.space), "select memory dataspace");
    cache.selectsAll = true;
  }
  return cache.space;
}

void ReleaseCachedSpaces(AddonData& data) {
  MemorySpaceCache& cache = data.memorySpace;
  if (cache.space >= 0 && !LibraryClosed()) H5Sclose(cache.space);
  cache = MemorySpaceCache();
}

namespace {
// selectionSize(shape, selection) -> number of elements a union of hyperslabs selects (overlaps counted once).
Napi::Value SelectionSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<hsize_t> dims = ToDims(info[0]);
  Space space(CheckH5(env, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "create dataspace"));
  double n = static_cast<double>(
      ApplySelection(env, space.get(), info[1], [] { return std::string("count selection"); }).count);
  return Napi::Number::New(env, n);
}

}  // namespace

void InitDataspace(Napi::Env env, Napi::Object exports) {
  exports.Set("selectionSize", Napi::Function::New(env, SelectionSize));
}
}  // namespace h5mpi
