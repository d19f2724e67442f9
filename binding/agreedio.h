// Collective writes whose failure every rank sees. HDF5 1.10's MPI-IO driver returns early from a failed
// MPI_File_write_at_all, skipping the collective calls that follow it (MPI_File_set_view, the metadata
// cache's barriers), so a write that fails on some ranks only leaves the others waiting for them forever.
// Open MPI's OMPIO does report a failed write (a full disk) on the aggregating ranks only, or as a short
// count on one rank; ROMIO agrees on the outcome, OMPIO does not. So libhdf5's calls to
// MPI_File_write_at_all are routed here (its GOT entry is rewritten, once per process): the write is made,
// then the file's ranks agree on whether it succeeded everywhere (one MPI_Allreduce of an int), and where it
// failed anywhere it fails everywhere, with MPI_ERR_IO, so that HDF5 takes the same path on every rank.
// Before the write the ranks also agree on whether it fits in the file system's free room; where it might
// not, each writes its own data independently, as Open MPI's default collective algorithm can hang when a
// write fails inside it. libhdf5's MPI_File_sync is routed here too: Open MPI 4.1's algorithm can fail a
// write silently and leave a request behind that makes that rank's later syncs skip their barrier; the
// ranks agree on that first, and on every sync's outcome. And libhdf5's MPI_File_write_at, for files whose
// metadata HDF5 writes independently (collectiveMetadata false): there a failed write is held from HDF5 and
// taken, agreed across the ranks, after the call (RegisterFile, TakeHeldFailure).
#pragma once
#include "common.h"

namespace h5mpi {

// Routes libhdf5's MPI_File_write_at_all through the agreeing write; false when its GOT entry was not found
// (then writes are HDF5's own, as before). Process-wide and idempotent: libhdf5 is loaded once per process.
bool InstallAgreedWrites();
// The communicator the ranks of `fh` agree on (a duplicate of the file's, owned here until UnregisterFile).
// Files not registered are written without agreement.
// `path` is the file's, whose file system's free room is checked before each collective write (agreedio.cc
// MightNotFit).
// `holdFailures` (a file whose metadata HDF5 writes independently: collectiveMetadata false): a failed
// independent write (MPI_File_write_at) is reported to HDF5 as written and held for TakeHeldFailure, so that
// HDF5 leaves no rank behind in its metadata cache's sync point (agreedio.cc AgreedWriteAt).
void RegisterFile(MPI_File fh, MPI_Comm comm, const std::string& path, bool holdFailures);
void UnregisterFile(MPI_File fh);
// The errno some rank's failed collective write or sync of the registered file at `path` got, as the ranks
// agreed on it (OMPIO's error codes drop it); 0 when none is known.
int AgreedErrno(const std::string& path);
// Before MPI_Finalize: closes what this module keeps open in MPI (the probe file of agreedio.cc's Leaked).
void CloseAgreedIO();

struct HeldFailure {
  bool failed = false;  // an independent write failed (on some rank, when taken collectively)
  bool here = false;    // ... on this rank
  int rank = -1;        // a rank where it failed (collectively taken), else -1
  int err = 0;          // its errno, where MPI named one; else 0
};
// The failure held for `fh` since the last call, cleared. `collective`: on every rank of the file alike (one
// MPI_Allreduce over its ranks; every rank must call). Files not holding failures: none, without communicating.
HeldFailure TakeHeldFailure(MPI_File fh, bool collective);
// Whether any registered file holds failures (cheap: a call on a file that does not needs no look-up).
bool AnyHoldsFailures();

}  // namespace h5mpi
