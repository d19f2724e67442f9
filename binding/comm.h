#pragma once
#include "common.h"

namespace h5mpi {

// Initialises MPI on first use (MPI_THREAD_FUNNELED); safe to call again.
void EnsureMPI(Napi::Env env);
// The MPI_Comm inside a JS Comm object (throws when it is freed or not a Comm).
MPI_Comm CommFromValue(Napi::Env env, const Napi::Value& v);

}  // namespace h5mpi
