#!/usr/bin/env bash
# Installs the system libraries h5mpi builds against: a parallel HDF5 and the MPI it is built for, the
# HDF5 tools, cmake, a C++ compiler, and GNU time (the benchmarks read peak memory with it).
# Idempotent: installs only what is missing and says what it does.
# Used by `npm test`/`npm run demo` (through scripts/setup.sh), the Dockerfile and CI alike.
#
# Which MPI: H5MPI_MPI=openmpi or H5MPI_MPI=mpich (MPICH stands for its family: Intel MPI, MVAPICH and Cray
# MPICH share its ABI). Unset: the parallel HDF5 flavour already installed (libhdf5-openmpi-dev or
# libhdf5-mpich-dev; with both, the one of the default mpiexec), else the MPI already installed, else Open
# MPI. It never installs one MPI where the other is installed (that would switch the system's mpiexec and
# mpicc alternatives under the programs that use the present one): asked to, it stops and says how.
#   --with-peers   also install the peers the tests compare against: h5py with MPI and mpi4py (Debian builds
#                  them for Open MPI only: with MPICH they are left out and their tests skip), and the
#                  tools that write real-world files (netCDF-4, PyTables, HDF5 filter plugins)
#   --with-cluster also install what test/multihost.test.ts runs a three-host cluster with: Slurm's
#                  controller, node daemon and client (srun, salloc) and munge, and iproute2 for the
#                  network-namespace hosts; the suite starts its own daemons, none is enabled here
set -euo pipefail

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
any_installed() {
  local p
  for p in "$@"; do installed "$p" && return 0; done
  return 1
}

flavour=${H5MPI_MPI:-}
case "$flavour" in
  '' | openmpi | mpich) ;;
  *) echo "install-deps.sh: H5MPI_MPI must be openmpi or mpich (or unset), got '$flavour'" >&2; exit 2 ;;
esac

if command -v dpkg-query >/dev/null 2>&1; then
  have_openmpi=no have_mpich=no
  any_installed libhdf5-openmpi-dev openmpi-bin libopenmpi-dev libopenmpi3 && have_openmpi=yes
  any_installed libhdf5-mpich-dev mpich libmpich-dev libmpich12 && have_mpich=yes
  if [ -z "$flavour" ]; then
    if installed libhdf5-mpich-dev && ! installed libhdf5-openmpi-dev; then
      flavour=mpich
    elif installed libhdf5-openmpi-dev && ! installed libhdf5-mpich-dev; then
      flavour=openmpi
    elif installed libhdf5-mpich-dev; then
      # Both: the one the default mpiexec runs.
      case "$(mpiexec --version 2>&1 | head -3)" in
        *HYDRA* | *MPICH*) flavour=mpich ;;
        *) flavour=openmpi ;;
      esac
    elif [ $have_mpich = yes ] && [ $have_openmpi = no ]; then
      flavour=mpich
    else
      flavour=openmpi
    fi
  fi
  other=$([ "$flavour" = mpich ] && echo openmpi || echo mpich)
  have_wanted=$([ "$flavour" = mpich ] && echo $have_mpich || echo $have_openmpi)
  have_other=$([ "$flavour" = mpich ] && echo $have_openmpi || echo $have_mpich)
  if [ "$have_other" = yes ] && [ "$have_wanted" = no ]; then
    echo "install-deps.sh: H5MPI_MPI=$flavour, but this machine has $other installed, and no $flavour. Installing" >&2
    echo "$flavour beside it would switch the system's mpiexec and mpicc (Debian's alternatives) under what uses" >&2
    echo "$other now, so this script does not. Use $other (unset H5MPI_MPI), or install $flavour yourself:" >&2
    if [ "$flavour" = mpich ]; then
      echo "  apt-get install libhdf5-mpich-dev mpich libmpich-dev, then build with H5MPI_MPI=mpich" >&2
    else
      echo "  apt-get install libhdf5-openmpi-dev openmpi-bin libopenmpi-dev, then build with H5MPI_MPI=openmpi" >&2
    fi
    exit 1
  fi
fi
[ -n "$flavour" ] || flavour=openmpi

if [ "$flavour" = mpich ]; then
  packages=(libhdf5-mpich-dev mpich libmpich-dev hdf5-tools cmake g++ pkg-config time)
else
  packages=(libhdf5-openmpi-dev openmpi-bin libopenmpi-dev hdf5-tools cmake g++ pkg-config time)
fi
for arg in "$@"; do
  case "$arg" in
    --with-peers)
      # Debian's h5py-mpi and mpi4py are built for Open MPI: with MPICH they would bring Open MPI in. The
      # serial h5py too: the peers read with the serial libhdf5 and its plugins (Debian 12 brings it along
      # with h5py-mpi, Debian 13 does not).
      [ "$flavour" = openmpi ] && packages+=(python3-h5py-mpi python3-h5py-serial python3-mpi4py)
      packages+=(python3-netcdf4 netcdf-bin python3-tables python3-hdf5plugin hdf5-filter-plugin hdf5-plugin-lzf
                 bitshuffle hdf5-filter-plugin-blosc-serial) ;;
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
  need mpiexec "an MPI runtime (Open MPI or MPICH)"
  need h5pcc "parallel HDF5 (h5pcc)"
  need cmake cmake
  need c++ "a C++17 compiler"
  if ((${#missing[@]})); then
    echo "h5mpi needs: ${missing[*]}." >&2
    echo "Install them with your package manager (e.g. 'dnf install hdf5-openmpi-devel openmpi-devel cmake gcc-c++'," >&2
    echo "or hdf5-mpich-devel mpich-devel for MPICH)" >&2
    echo "or 'module load' them on a cluster, then run this again." >&2
    exit 1
  fi
  exit 0
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "h5mpi: installing system packages ($flavour): ${missing[*]}"
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
