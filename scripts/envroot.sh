#!/usr/bin/env bash
# Second environments for CI and for trying h5mpi against another MPI or HDF5 without touching the
# host's: a Debian root made with debootstrap, holding that environment's MPI and parallel HDF5, entered
# with chroot inside a private mount namespace (so its mounts go away with the process, also when killed).
# The host's Node.js is bound into the root, so every environment runs the same Node.
#
#   scripts/envroot.sh create ENV      make (or reuse) the root; ENV is one of the names below
#   scripts/envroot.sh run ENV CMD...  run CMD inside it, with the current directory bound at /src
#   scripts/envroot.sh path ENV        print the root's directory
#   scripts/envroot.sh list            the environments and what they hold
#
# Roots live under $H5MPI_ENVROOTS (default /var/cache/h5mpi/envroots) and are reused while their
# package list is unchanged. Root only (debootstrap, chroot, mount).
set -euo pipefail

ROOTS=${H5MPI_ENVROOTS:-/var/cache/h5mpi/envroots}
MIRROR=${H5MPI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
COMMON=(ca-certificates g++ make cmake pkg-config python3 time git procps hdf5-tools e2fsprogs)

env_suite() {
  case "$1" in
    mpich) echo bookworm ;;    # Debian 12: MPICH 4.0.2 + HDF5 1.10.8 built for it
    hdf5-1.14) echo trixie ;;  # Debian 13: Open MPI 5.0.7 + HDF5 1.14.5
    *) echo "envroot.sh: unknown environment '$1' (known: mpich, hdf5-1.14)" >&2; exit 2 ;;
  esac
}
env_packages() {
  case "$1" in
    mpich) echo "${COMMON[*]} mpich libmpich-dev libhdf5-mpich-dev" ;;
    hdf5-1.14) echo "${COMMON[*]} openmpi-bin libopenmpi-dev libhdf5-openmpi-dev" ;;
  esac
}
# The other MPI's packages, which the root must never get: installing them switches Debian's mpiexec and
# mpicc alternatives, and the root silently stops being the environment it is named after (an older
# install-deps.sh did that, installing Open MPI's packages by name). Pinned away in the root's apt.
env_forbidden() {
  case "$1" in
    mpich) echo "openmpi-bin openmpi-common libopenmpi* libhdf5-openmpi*" ;;
    hdf5-1.14) echo "mpich libmpich* libhdf5-mpich*" ;;
  esac
}
pin_forbidden() {
  local dir=$1 name=$2 pin
  pin="$dir/etc/apt/preferences.d/h5mpi-one-mpi"
  [ -d "$dir/etc/apt/preferences.d" ] || return 0
  printf 'Package: %s\nPin: version *\nPin-Priority: -1\n' "$(env_forbidden "$name")" >"$pin.tmp"
  if cmp -s "$pin.tmp" "$pin"; then rm -f "$pin.tmp"; else mv "$pin.tmp" "$pin"; fi
}
env_describe() {
  case "$1" in
    mpich) echo "mpich: Debian 12, MPICH 4.0.2, HDF5 1.10.8 (the MPICH family: Cray MPICH, Intel MPI, MVAPICH share its ABI)" ;;
    hdf5-1.14) echo "hdf5-1.14: Debian 13, Open MPI 5.0.7, HDF5 1.14.5" ;;
  esac
}

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "envroot.sh: needs root (debootstrap, chroot, mount)" >&2
    exit 77
  fi
}

create() {
  local name=$1 suite pkgs dir stamp
  suite=$(env_suite "$name")
  pkgs=$(env_packages "$name")
  dir="$ROOTS/$name"
  stamp="$suite $pkgs"
  if [ -f "$dir/.h5mpi-envroot" ] && [ "$(cat "$dir/.h5mpi-envroot")" = "$stamp" ]; then
    return 0
  fi
  need_root
  # The same Debian release with another package list: the packages are added in place, not a new root.
  if [ -f "$dir/.h5mpi-envroot" ] && [ "$(cut -d' ' -f1 "$dir/.h5mpi-envroot")" = "$suite" ]; then
    echo "envroot.sh: updating the $name root's packages"
    # shellcheck disable=SC2086
    if inside_raw "$dir" bash -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs" \
      >>"$ROOTS/$name.log" 2>&1; then
      echo "$stamp" >"$dir/.h5mpi-envroot"
      return 0
    fi
    echo "envroot.sh: updating failed (see $ROOTS/$name.log); making the root again"
  fi
  command -v debootstrap >/dev/null 2>&1 || {
    echo "envroot.sh: installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  echo "envroot.sh: making the $name root ($suite) in $dir"
  rm -rf "$dir.tmp"
  mkdir -p "$ROOTS"
  debootstrap --variant=minbase "$suite" "$dir.tmp" "$MIRROR" >"$ROOTS/$name.log" 2>&1 || {
    echo "envroot.sh: debootstrap failed; see $ROOTS/$name.log" >&2
    tail -5 "$ROOTS/$name.log" >&2
    exit 1
  }
  # shellcheck disable=SC2086
  inside_raw "$dir.tmp" bash -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs" \
    >>"$ROOTS/$name.log" 2>&1 || {
    echo "envroot.sh: installing packages in the $name root failed; see $ROOTS/$name.log" >&2
    tail -5 "$ROOTS/$name.log" >&2
    exit 1
  }
  pin_forbidden "$dir.tmp" "$name"
  echo "$stamp" >"$dir.tmp/.h5mpi-envroot"
  rm -rf "$dir"
  mv "$dir.tmp" "$dir"
  echo "envroot.sh: $(env_describe "$name") ready"
}

# Runs a command in a root: a private mount namespace, the kernel file systems, the host's Node.js and
# npm (and npm's cache, so that installs inside find what the host already fetched, as `npm install
# --prefer-offline` in test/package_install.test.ts expects), the current directory at /src; everything
# mounted here disappears with the namespace.
inside_raw() {
  local dir=$1
  shift
  local node npmdir npmcache
  node=$(readlink -f "$(command -v node)")
  npmdir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
  npmcache=$(npm config get cache 2>/dev/null || true)
  unshare --mount --propagation private -- bash -euc '
    dir=$1 node=$2 npmdir=$3 src=$4 npmcache=$5; shift 5
    mount -t proc proc "$dir/proc"
    mount --rbind /sys "$dir/sys"
    mount --rbind /dev "$dir/dev"
    mkdir -p "$dir/dev/shm" && mount -t tmpfs -o size=4g tmpfs "$dir/dev/shm"
    cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
    touch "$dir/usr/local/bin/node" && mount --bind "$node" "$dir/usr/local/bin/node"
    mkdir -p "$dir/usr/local/lib/npm" && mount --bind "$npmdir" "$dir/usr/local/lib/npm"
    ln -sf ../lib/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
    ln -sf ../lib/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
    mkdir -p "$dir/src" && mount --bind "$src" "$dir/src"
    if [ -n "$npmcache" ] && [ -d "$npmcache" ]; then mkdir -p "$dir/root/.npm" && mount --bind "$npmcache" "$dir/root/.npm"; fi
    exec chroot "$dir" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
      PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin bash -c "cd /src && exec \"\$@\"" bash "$@"
  ' bash "$dir" "$node" "$npmdir" "$PWD" "$npmcache" "$@"
}

cmd=${1:-}
case "$cmd" in
  create)
    create "${2:?envroot.sh create ENV}"
    ;;
  run)
    name=${2:?envroot.sh run ENV CMD...}
    shift 2
    env_suite "$name" >/dev/null
    need_root
    create "$name"
    pin_forbidden "$ROOTS/$name" "$name"
    inside_raw "$ROOTS/$name" "$@"
    ;;
  path)
    env_suite "${2:?envroot.sh path ENV}" >/dev/null
    echo "$ROOTS/$2"
    ;;
  list)
    for n in mpich hdf5-1.14; do env_describe "$n"; done
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
