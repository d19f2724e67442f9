// A dataset's filter pipeline: setting it on a creation property list, and describing any dataset's.
#pragma once
#include "common.h"

namespace h5mpi {

// Adds `filters` (an array of { id, flags, cdValues: number[] }, in pipeline order, as lib/spec.ts checked
// them) to `dcpl`. HDF5's own setters are used for its built-in filters, so that their flags and
// parameters are what h5py writes.
void SetFilters(Napi::Env env, hid_t dcpl, const Napi::Value& filters, const std::string& what);

// [{ id, flags, cdValues, description }] of `dcpl`'s pipeline, in order; description is the filter's name
// as HDF5 has it (stored in the file for plugins), or "".
Napi::Array DescribeFilters(Napi::Env env, hid_t dcpl, const std::string& what);

}  // namespace h5mpi
