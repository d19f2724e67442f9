#include "dataspace.h"

#include "errors.h"

namespace h5mpi {

hsize_t ApplySelection(Napi::Env env, hid_t space, const Napi::Value& selection, const std::string& what) {
  if (selection.IsUndefined() || selection.IsNull()) {
    CheckH5(env, H5Sselect_all(space), what + ": select all");
    return static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
  }
  Napi::Float64Array enc = selection.As<Napi::Float64Array>();
  const double* s = enc.Data();
  size_t n = enc.ElementLength();
  if (n == 0 || s[0] == 0) {
    CheckH5(env, H5Sselect_all(space), what + ": select all");
    return static_cast<hsize_t>(H5Sget_simple_extent_npoints(space));
  }
  if (s[0] == 1) {
    CheckH5(env, H5Sselect_none(space), what + ": select none");
    return 0;
  }
  int rank = H5Sget_simple_extent_ndims(space);
  size_t slabs = static_cast<size_t>(s[1]);
  if (rank <= 0 || n != 2 + slabs * 4 * static_cast<size_t>(rank)) ThrowUsage(env, what + ": malformed selection");
  std::vector<hsize_t> start(rank), stride(rank), count(rank), block(rank);
  const double* p = s + 2;
  for (size_t k = 0; k < slabs; k++) {
    for (int i = 0; i < rank; i++) {
      start[i] = static_cast<hsize_t>(p[i]);
      stride[i] = static_cast<hsize_t>(p[rank + i]);
      count[i] = static_cast<hsize_t>(p[2 * rank + i]);
      block[i] = static_cast<hsize_t>(p[3 * rank + i]);
    }
    p += 4 * rank;
    CheckH5(env, H5Sselect_hyperslab(space, k == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, start.data(), stride.data(),
                                     count.data(), block.data()),
            what + ": select hyperslab");
  }
  hssize_t npoints = H5Sget_select_npoints(space);
  return CheckH5(env, npoints, what + ": count selection");
}

Space MemorySpace(Napi::Env env, hsize_t n) {
  hsize_t dims = n > 0 ? n : 1;
  Space s(CheckH5(env, H5Screate_simple(1, &dims, nullptr), "create memory dataspace"));
  if (n == 0) CheckH5(env, H5Sselect_none(s.get()), "select none in memory dataspace");
  return s;
}

}  // namespace h5mpi

namespace h5mpi {
namespace {
// selectionSize(shape, selection) -> number of elements a union of hyperslabs selects (overlaps counted once).
Napi::Value SelectionSize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<hsize_t> dims = ToDims(info[0]);
  Space space(CheckH5(env, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), "create dataspace"));
  return Napi::Number::New(env, static_cast<double>(ApplySelection(env, space.get(), info[1], "count selection")));
}
}  // namespace

void InitDataspace(Napi::Env env, Napi::Object exports) {
  exports.Set("selectionSize", Napi::Function::New(env, SelectionSize));
}
}  // namespace h5mpi
