#!/usr/bin/env bash
# Runs h5mpi's suite again in the second environments (scripts/envroot.sh): MPICH, and HDF5 1.14 with
# Open MPI 5. Each gets its own copy of this checkout (the host's build/ and dist/ stay untouched), its
# addon built against that environment's libraries, and runs the README's `npm test` there.
#
#   scripts/test-envs.sh [ENV...]        default: every environment; extra jest arguments after `--`
#
# Exit status: non-zero when any environment fails. Not root: says so and exits 0 (nothing to prove).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

envs=()
jestargs=()
while (($#)); do
  if [ "$1" = -- ]; then
    shift
    jestargs=("$@")
    break
  fi
  envs+=("$1")
  shift
done
((${#envs[@]})) || envs=(mpich hdf5-1.14)

if [ "$(id -u)" -ne 0 ]; then
  echo "test-envs.sh: the second environments need root (debootstrap, chroot); skipped"
  exit 0
fi

work=${H5MPI_ENVWORK:-/var/tmp/h5mpi-envs}
status=0
for env in "${envs[@]}"; do
  bash scripts/envroot.sh create "$env"
  src="$work/$env"
  rm -rf "$src"
  mkdir -p "$src"
  # The tracked files as they are in the work tree (uncommitted edits included), and the host's
  # node_modules: its packages are plain JavaScript, so they need no second install.
  git ls-files -z --cached --others --exclude-standard | grep -zv '^node_modules/' |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$src"
  cp -a node_modules "$src/"
  echo "test-envs.sh: $(bash scripts/envroot.sh list | grep "^$env:")"
  started=$(date +%s)
  # The peers the interoperability tests compare against (h5py, netCDF-4, PyTables, filter plugins), where
  # the environment's Debian builds them for its own MPI and HDF5 (as CI installs them on the host): Debian
  # 13's h5py is built on HDF5 1.14 and Open MPI 5; Debian 12's h5py-mpi is Open MPI's, not MPICH's.
  flags=
  [ "$env" = hdf5-1.14 ] && flags=--with-peers
  if (cd "$src" && bash "$repo/scripts/envroot.sh" run "$env" env H5MPI_ENV="$env" H5MPI_INSTALL_FLAGS="$flags" npm test -- "${jestargs[@]}"); then
    echo "test-envs.sh: $env passed in $(($(date +%s) - started)) s"
  else
    echo "test-envs.sh: $env FAILED after $(($(date +%s) - started)) s" >&2
    status=1
  fi
done
exit $status
