#include "dataspace.h"

#include "errors.h"

#include <algorithm>

namespace h5mpi {
namespace {
hid_t cachedMemSpace = H5I_INVALID_HID;
int cachedMemRank = 0;
bool cachedMemSelectsAll = false;  // tracked here rather than asked of HDF5 on every transfer
hsize_t cachedMemDims[H5S_MAX_RANK];
}  // namespace

void ThrowSelection(Napi::Env env, const std::string& what, const char* step, bool usage) {
  if (usage) ThrowUsage(env, what + ": " + step);
  ThrowH5(env, what + ": " + step);
}

hid_t MemorySpace(Napi::Env env, const Selected& selected) {
  static const hsize_t one = 1;
  int rank = selected.count > 0 ? selected.rank : 1;
  const hsize_t* dims = selected.count > 0 ? selected.dims : &one;
  bool same = cachedMemSpace >= 0 && rank == cachedMemRank;
  for (int i = 0; same && i < rank; i++) same = dims[i] == cachedMemDims[i];
  if (cachedMemSpace < 0) {
    cachedMemSpace = CheckH5(env, H5Screate_simple(rank, dims, nullptr), "create memory dataspace");
    cachedMemSelectsAll = true;
  } else if (!same) {
    cachedMemSelectsAll = false;
    CheckH5(env, H5Sset_extent_simple(cachedMemSpace, rank, dims, nullptr), "reshape memory dataspace");
  }
  if (!same) {
    cachedMemRank = rank;
    std::copy(dims, dims + rank, cachedMemDims);
  }
  if (selected.count == 0) {
    cachedMemSelectsAll = false;
    CheckH5(env, H5Sselect_none(cachedMemSpace), "select none in memory dataspace");
  } else if (!cachedMemSelectsAll) {
    CheckH5(env, H5Sselect_all(cachedMemSpace), "select memory dataspace");
    cachedMemSelectsAll = true;
  }
  return cachedMemSpace;
}

void ReleaseCachedSpaces() {
  if (cachedMemSpace >= 0) H5Sclose(cachedMemSpace);
  cachedMemSpace = H5I_INVALID_HID;
  cachedMemRank = 0;
  cachedMemSelectsAll = false;
}

namespace {
// selectionSize(shape, selection) -> number of elements a union of hyperslabs selects (overlaps counted once).
Napi::Value SelectionSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<hsize_t> dims = ToDims(info[0]);
  Space space(CheckH5(env, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "create dataspace"));
  double n = static_cast<double>(ApplySelection(env, space.get(), info[1], [] { return std::string("count selection"); }).count);
  return Napi::Number::New(env, n);
}

// spaceClose(hid): closes a dataspace lib/ kept (a dataset's file dataspace).
Napi::Value Close(const Napi::CallbackInfo& info) {
  CheckH5(info.Env(), H5Sclose(ToHid(info[0])), "close dataspace");
  return info.Env().Undefined();
}
}  // namespace

void InitDataspace(Napi::Env env, Napi::Object exports) {
  exports.Set("selectionSize", Napi::Function::New(env, SelectionSize));
  exports.Set("spaceClose", Napi::Function::New(env, Close));
}
}  // namespace h5mpi
