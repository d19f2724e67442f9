// Selections: the compact encoding made by lib/selection.ts, applied to HDF5 dataspaces.
#pragma once
#include "addon.h"
#include "common.h"

namespace h5mpi {

// Selection encoding (a Float64Array, possibly longer than its contents): [0] = everything; [1] = nothing;
// [2, nslabs, (start[r], stride[r], count[r], block[r]) per slab] = a union of hyperslabs;
// [3, npoints, (coordinate[r]) per point] = elements by their coordinates, in that order.
// Doubles hold integers exactly up to 2^53 (8 PiB of bytes), far beyond any extent HDF5 can store.
// Applies it to `space` (whose rank is r) and returns what it selects: the number of elements, and the shape
// a memory buffer of them has (the slab's count * block per dimension, the extent for everything, one
// dimension for a union). `what()` names the operation for error messages; it is called only on failure,
// so the hot path builds no strings.
struct Selected {
  hsize_t count = 0;
  int rank = 1;
  hsize_t dims[H5S_MAX_RANK] = {0};
};
template <typename What>
Selected ApplySelection(Napi::Env env, hid_t space, const Napi::Value& selection, const What& what);

// The memory dataspace for a selection: shaped like it, so that HDF5 maps file to memory a chunk at a time
// rather than element by element (a 1-D memory space against a 3-D chunked selection is many times
// slower; bench/NOTES.md). One per environment is kept and reshaped when the shape changes, so that small transfers do
// not create and close one each; it is borrowed, never closed. Nothing selected: one dimension, nothing selected.
hid_t MemorySpace(Napi::Env env, MemorySpaceCache& cache, const Selected& selected);

// ---- implementation ----
[[noreturn]] void ThrowSelection(Napi::Env env, const std::string& what, const char* step, bool usage);

template <typename What>
Selected ApplySelection(Napi::Env env, hid_t space, const Napi::Value& selection, const What& what) {
  Selected out;
  const double* s = nullptr;
  size_t n = 0;
  if (selection.IsTypedArray()) {
    napi_typedarray_type type;
    void* data = nullptr;
    if (napi_get_typedarray_info(env, selection, &type, &n, &data, nullptr, nullptr) != napi_ok ||
        type != napi_float64_array) {
      ThrowSelection(env, what(), "the selection is not a Float64Array", true);
    }
    s = static_cast<const double*>(data);
  }
  if (n == 0 || s[0] == 0) {
    if (H5Sselect_all(space) < 0) ThrowSelection(env, what(), "select all", false);
    hssize_t all = H5Sget_simple_extent_npoints(space);
    if (all < 0) ThrowSelection(env, what(), "count the dataspace", false);
    out.count = static_cast<hsize_t>(all);
    int rank = H5Sget_simple_extent_ndims(space);
    if (rank > 0) {
      out.rank = rank;
      H5Sget_simple_extent_dims(space, out.dims, nullptr);
    } else {
      out.dims[0] = out.count;  // a scalar
    }
    return out;
  }
  if (s[0] == 1) {
    if (H5Sselect_none(space) < 0) ThrowSelection(env, what(), "select none", false);
    return out;
  }
  int rank = H5Sget_simple_extent_ndims(space);
  if (s[0] == 3) {
    size_t points = n >= 2 ? static_cast<size_t>(s[1]) : 0;
    if (rank <= 0 || rank > H5S_MAX_RANK || points == 0 || n < 2 + points * static_cast<size_t>(rank)) {
      ThrowSelection(env, what(), "malformed selection", true);
    }
    std::vector<hsize_t> coords(points * rank);
    for (size_t i = 0; i < coords.size(); i++) coords[i] = static_cast<hsize_t>(s[2 + i]);
    if (H5Sselect_elements(space, H5S_SELECT_SET, points, coords.data()) < 0) {
      ThrowSelection(env, what(), "select points", false);
    }
    out.count = points;
    out.dims[0] = points;
    return out;
  }
  size_t slabs = n >= 2 ? static_cast<size_t>(s[1]) : 0;
  if (rank <= 0 || rank > H5S_MAX_RANK || s[0] != 2 || slabs == 0 || n < 2 + slabs * 4 * static_cast<size_t>(rank)) {
    ThrowSelection(env, what(), "malformed selection", true);
  }
  hsize_t start[H5S_MAX_RANK], stride[H5S_MAX_RANK], count[H5S_MAX_RANK], block[H5S_MAX_RANK];
  const double* p = s + 2;
  for (size_t k = 0; k < slabs; k++) {
    for (int i = 0; i < rank; i++) {
      start[i] = static_cast<hsize_t>(p[i]);
      stride[i] = static_cast<hsize_t>(p[rank + i]);
      count[i] = static_cast<hsize_t>(p[2 * rank + i]);
      block[i] = static_cast<hsize_t>(p[3 * rank + i]);
    }
    p += 4 * rank;
    if (H5Sselect_hyperslab(space, k == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, start, stride, count, block) < 0) {
      ThrowSelection(env, what(), "select hyperslab", false);
    }
  }
  if (slabs == 1) {
    // One slab selects count * block per dimension: no need to ask HDF5 (one API call less per transfer).
    out.rank = rank;
    out.count = 1;
    for (int i = 0; i < rank; i++) out.count *= out.dims[i] = count[i] * block[i];
    return out;
  }
  hssize_t npoints = H5Sget_select_npoints(space);
  if (npoints < 0) ThrowSelection(env, what(), "count selection", false);
  out.count = static_cast<hsize_t>(npoints);
  out.dims[0] = out.count;
  return out;
}

}  // namespace h5mpi
