// The one place where HDF5 and MPI failures become JS exceptions (H5Error / MPIError from lib/errors.ts),
// with stable codes: H5Error.code from HDF5's major/minor error numbers, MPIError.code from MPI's error
// class. The table is documented in docs/errors.md.
#pragma once
#include "common.h"

namespace h5mpi {

// A name as messages show it: 'name'.
inline std::string Quote(const std::string& name) { return "'" + name + "'"; }

// For the duration of a native call: the HDF5 object it works on. An H5Error thrown meanwhile names that
// object's file (and its path, when `what` does not already), asked of HDF5 only when the error is made.
class ErrorSubject {
 public:
  ErrorSubject(Napi::Env env, hid_t id);
  // With AddonData's slot, kept by the caller (transfers, where looking it up per call would cost).
  ErrorSubject(hid_t* slot, hid_t id) : slot_(*slot), saved_(*slot) { slot_ = id; }
  ErrorSubject(const ErrorSubject&) = delete;
  ErrorSubject& operator=(const ErrorSubject&) = delete;
  ~ErrorSubject();

 private:
  hid_t& slot_;
  hid_t saved_;
};

// Throws an H5Error for the failed `what` ("open file 'x.h5'"), carrying HDF5's error stack and the code
// its error numbers map to, then clears the stack.
[[noreturn]] void ThrowH5(Napi::Env env, const std::string& what);
// Throws an H5Error that h5mpi detected itself (no HDF5 stack), with one of the documented codes.
[[noreturn]] void ThrowH5Code(Napi::Env env, const std::string& message, const char* code);
// Throws an H5Error (code TOO_LARGE) for `what`, whose allocation failed (std::bad_alloc): a damaged
// file can claim any size.
[[noreturn]] void ThrowOutOfMemory(Napi::Env env, const std::string& what);
// Throws an MPIError with MPI's own text for `code`.
[[noreturn]] void ThrowMPI(Napi::Env env, int code, const std::string& what);
// Throws a TypeError for misuse the JS layer should have caught.
[[noreturn]] void ThrowUsage(Napi::Env env, const std::string& message);

// Checks an HDF5 return value (negative means failure) and returns it.
template <typename T>
inline T CheckH5(Napi::Env env, T ret, const std::string& what) {
  if (ret < 0) ThrowH5(env, what);
  return ret;
}
inline void CheckMPI(Napi::Env env, int code, const char* what) {
  if (code != MPI_SUCCESS) ThrowMPI(env, code, what);
}

}  // namespace h5mpi
