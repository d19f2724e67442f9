// Selections: the compact encoding made by lib/selection.ts, applied to HDF5 dataspaces.
#pragma once
#include "common.h"

namespace h5mpi {

// Selection encoding (a Float64Array): [0] = everything; [1] = nothing;
// [2, nslabs, (start[r], stride[r], count[r], block[r]) per slab] = a union of hyperslabs.
// Applies it to `space` (whose rank is r) and returns the number of selected elements.
hsize_t ApplySelection(Napi::Env env, hid_t space, const Napi::Value& selection, const std::string& what);

// A 1-D memory dataspace of n elements (n == 0: a dataspace with nothing selected).
Space MemorySpace(Napi::Env env, hsize_t n);

}  // namespace h5mpi
