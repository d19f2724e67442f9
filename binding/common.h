// Shared plumbing for the binding: RAII handles for HDF5 ids, argument helpers.
#pragma once
#include <hdf5.h>
#include <mpi.h>
#include <napi.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace h5mpi {

// Owns one HDF5 identifier; closes it with the matching H5?close when it goes out of scope.
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& o) noexcept {
    reset(std::exchange(o.id_, H5I_INVALID_HID));
    return *this;
  }
  ~Handle() { reset(); }
  hid_t get() const { return id_; }
  hid_t release() { return std::exchange(id_, H5I_INVALID_HID); }
  void reset(hid_t id = H5I_INVALID_HID) {
    if (id_ >= 0) Close(id_);
    id_ = id;
  }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};
using Space = Handle<H5Sclose>;
using Plist = Handle<H5Pclose>;
using Type = Handle<H5Tclose>;
using Attr = Handle<H5Aclose>;
using Object = Handle<H5Oclose>;

// Reads a JS array of non-negative integers (a shape, an offset) into hsize_t.
std::vector<hsize_t> ToDims(const Napi::Value& v);
Napi::Array FromDims(Napi::Env env, const hsize_t* dims, int rank);
Napi::Array FromStrings(Napi::Env env, const std::vector<std::string>& strings);

// An H5Literate / H5Aiterate callback that appends each name to the std::vector<std::string> at `data`.
template <typename Info>
herr_t CollectName(hid_t, const char* name, const Info*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

void InitErrors(Napi::Env env, Napi::Object exports);
void InitComm(Napi::Env env, Napi::Object exports);
void InitDataspace(Napi::Env env, Napi::Object exports);
void InitFile(Napi::Env env, Napi::Object exports);
void InitGroup(Napi::Env env, Napi::Object exports);
void InitDataset(Napi::Env env, Napi::Object exports);
void InitDatatype(Napi::Env env, Napi::Object exports);
void InitFilters(Napi::Env env, Napi::Object exports);
void InitWatchdog(Napi::Env env, Napi::Object exports);
void InitFileLock(Napi::Env env, Napi::Object exports);
void InitMemory(Napi::Env env, Napi::Object exports);
void InitTopology(Napi::Env env, Napi::Object exports);
void InitCodec(Napi::Env env, Napi::Object exports);

}  // namespace h5mpi
