// Direct chunk I/O on a chunked dataset (chunks.cc): a chunk's stored bytes written and read as they are,
// bypassing the filter pipeline and type conversion, and the chunk index described. NativeDataset exposes
// these as methods.
#pragma once
#include <string>
#include <vector>

#include "common.h"

namespace h5mpi {

// writeChunk(offset, bytes: ArrayBufferView, filterMask)
Napi::Value ChunkWrite(const Napi::CallbackInfo& info, hid_t dataset, const std::string& name);
// readChunk(offset) -> [ArrayBuffer, filterMask], or undefined when no chunk is stored there.
Napi::Value ChunkRead(const Napi::CallbackInfo& info, hid_t dataset, const std::string& name);
// chunkCount() -> the number of chunks stored.
Napi::Value ChunkCount(const Napi::CallbackInfo& info, hid_t dataset, const std::string& name);
// chunkInfo(index) / chunkInfoAt(offset) -> { offset, filterMask, address (-1: none), size (0: not stored) }.
Napi::Value ChunkInfo(const Napi::CallbackInfo& info, hid_t dataset, const std::string& name);
Napi::Value ChunkInfoAt(const Napi::CallbackInfo& info, hid_t dataset, const std::string& name);
// chunkList() -> every stored chunk's info, in the index's order.
Napi::Value ChunkList(const Napi::CallbackInfo& info, hid_t dataset, const std::string& name);

template <typename T>
void ChunkMethods(std::vector<Napi::ClassPropertyDescriptor<T>>& methods) {
  using W = Napi::ObjectWrap<T>;
  methods.push_back(W::InstanceMethod("writeChunk", &T::ChunkWriteM));
  methods.push_back(W::InstanceMethod("readChunk", &T::ChunkReadM));
  methods.push_back(W::InstanceMethod("chunkCount", &T::ChunkCountM));
  methods.push_back(W::InstanceMethod("chunkInfo", &T::ChunkInfoM));
  methods.push_back(W::InstanceMethod("chunkInfoAt", &T::ChunkInfoAtM));
  methods.push_back(W::InstanceMethod("chunkList", &T::ChunkListM));
}

// Defines the chunk methods of a class whose `id(env)` gives its live dataset id and `name()` its path.
#define H5MPI_CHUNK_METHODS                                                                                      \
  Napi::Value ChunkWriteM(const Napi::CallbackInfo& info) { return ChunkWrite(info, id(info.Env()), name()); }   \
  Napi::Value ChunkReadM(const Napi::CallbackInfo& info) { return ChunkRead(info, id(info.Env()), name()); }     \
  Napi::Value ChunkCountM(const Napi::CallbackInfo& info) { return ChunkCount(info, id(info.Env()), name()); }   \
  Napi::Value ChunkInfoM(const Napi::CallbackInfo& info) { return ChunkInfo(info, id(info.Env()), name()); }     \
  Napi::Value ChunkInfoAtM(const Napi::CallbackInfo& info) { return ChunkInfoAt(info, id(info.Env()), name()); } \
  Napi::Value ChunkListM(const Napi::CallbackInfo& info) { return ChunkList(info, id(info.Env()), name()); }

}  // namespace h5mpi
