// Virtual datasets (virtual.cc): the mappings a new one is created with, and the mappings of an open one.
#pragma once
#include <string>
#include <vector>

#include "common.h"

namespace h5mpi {

// Adds the mappings of spec.virtual to `dcpl`, for a virtual dataset of dataspace `space`. Each mapping:
// { file, path, target: Slabs | null, sourceShape, sourceMaxshape (-1: unlimited), source: Slabs | null },
// where Slabs = [nslabs, per slab: start[r], stride[r], count[r], block[r]] (-1: H5S_UNLIMITED) and null
// selects everything.
void SetVirtualMappings(Napi::Env env, hid_t dcpl, hid_t space, const Napi::Value& mappings, const std::string& what);

// virtualSources() -> the mappings of a virtual dataset, in the form above ([] for any other layout). HDF5
// stores no source extent: sourceShape is the extent it reads back (the bounds of the selection).
Napi::Value VirtualSources(const Napi::CallbackInfo& info, hid_t dataset, const std::string& name);

template <typename T>
void VirtualMethods(std::vector<Napi::ClassPropertyDescriptor<T>>& methods) {
  methods.push_back(Napi::ObjectWrap<T>::InstanceMethod("virtualSources", &T::VirtualSourcesM));
}

#define H5MPI_VIRTUAL_METHODS \
  Napi::Value VirtualSourcesM(const Napi::CallbackInfo& info) { return VirtualSources(info, id(info.Env()), name()); }

}  // namespace h5mpi
