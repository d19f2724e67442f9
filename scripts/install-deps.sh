#!/usr/bin/env bash
# Installs the system libraries h5mpi builds against: parallel HDF5 for OpenMPI, the MPI runtime, the
# HDF5 tools, cmake, a C++ compiler, and GNU time (the benchmarks read peak memory with it).
# Idempotent: installs only what is missing and says what it does.
# Used by `npm test`/`npm run demo` (through scripts/setup.sh), the Dockerfile and CI alike.
#   --with-peers   also install the peers the tests compare against: h5py with MPI and mpi4py, and the
#                  tools that write real-world files (netCDF-4, PyTables, HDF5 filter plugins)
#   --with-cluster also install what test/multihost.test.ts runs a three-host cluster with: Slurm's
#                  controller, node daemon and client (srun, salloc) and munge, and iproute2 for the
#                  network-namespace hosts; the suite starts its own daemons, none is enabled here
set -euo pipefail

packages=(libhdf5-openmpi-dev openmpi-bin libopenmpi-dev hdf5-tools cmake g++ pkg-config time)
for arg in "$@"; do
  case "$arg" in
    --with-peers) packages+=(python3-h5py-mpi python3-mpi4py python3-netcdf4 netcdf-bin python3-tables
                           python3-hdf5plugin hdf5-filter-plugin hdf5-plugin-lzf bitshuffle hdf5-filter-plugin-blosc-serial) ;;
    --with-cluster) packages+=(slurmctld slurmd slurm-client munge iproute2) ;;
    *) echo "install-deps.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
else
  # Not Debian: check for the commands and headers instead, and say what to install.
  need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
  need mpiexec "an MPI runtime (OpenMPI or MPICH)"
  need h5pcc "parallel HDF5 (h5pcc)"
  need cmake cmake
  need c++ "a C++17 compiler"
  if ((${#missing[@]})); then
    echo "h5mpi needs: ${missing[*]}." >&2
    echo "Install them with your package manager (e.g. 'dnf install hdf5-openmpi-devel openmpi-devel cmake gcc-c++')" >&2
    echo "or 'module load' them on a cluster, then run this again." >&2
    exit 1
  fi
  exit 0
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "h5mpi: installing system packages: ${missing[*]}"
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "h5mpi: need root to install ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "h5mpi: installed ${missing[*]}"
