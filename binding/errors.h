// The one place where HDF5 and MPI failures become JS exceptions (H5Error / MPIError from lib/errors.ts).
#pragma once
#include "common.h"

namespace h5mpi {

// Throws an H5Error for the failed `what` ("open file 'x.h5'"), carrying HDF5's error stack, then clears it.
[[noreturn]] void ThrowH5(Napi::Env env, const std::string& what);
// Throws an MPIError with MPI's own text for `code`.
[[noreturn]] void ThrowMPI(Napi::Env env, int code, const std::string& what);
// Throws a plain TypeError/RangeError-free Error for misuse the JS layer should have caught.
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
