#!/usr/bin/env bash
# A three-host cluster on this machine, for test/multihost.test.ts: three network namespaces (the hosts
# mh1, mh2, mh3 at 10.77.0.1-3/24, each also with its hostname) joined by a bridge in a fourth namespace,
# so that nothing changes in the machine's own network and traffic goes only to these addresses. The hosts share the file system (a
# network namespace does not change it), as cluster nodes share one. Open MPI starts its remote daemons
# through `agent` below (plm_rsh_agent), as it would with ssh; with --slurm, munge, slurmctld and one slurmd
# per host (each in its namespace) make a Slurm cluster of the three.
#
#   multihost.sh up [--slurm] [--owner PID]   tears down what a previous run left, then brings the cluster
#                                             up; with --owner, a watcher tears it down when PID ends (a
#                                             test runner that was killed)
#   multihost.sh down                         tears down everything up made (also what a killed run left)
#   multihost.sh agent HOST COMMAND...        Open MPI's rsh agent: runs COMMAND on HOST (mh1..3 or its
#                                             address) as ssh would: through a shell, with a login's
#                                             environment only, not the caller's
#   multihost.sh run HOST COMMAND...          runs COMMAND on HOST with this environment (as a user there)
#   multihost.sh env                          the variables that point Open MPI and Slurm at the cluster
#
# Root only (namespaces, daemons). State, configuration and logs live in $H5MPI_MULTIHOST_DIR
# (default /run/h5mpi-multihost); its pid files are what `down` ends, so a stale run is always found.
set -euo pipefail

STATE=${H5MPI_MULTIHOST_DIR:-/run/h5mpi-multihost}
HOSTS=(mh1 mh2 mh3)
NET=10.77.0
PREFIX=h5mpi-            # namespace names: h5mpi-mh1..3, and h5mpi-sw for the bridge
SWITCH=${PREFIX}sw
SELF=$(readlink -f "${BASH_SOURCE[0]}")

ns_of() { # host name or address -> namespace
  case "$1" in
    mh[1-3]) echo "$PREFIX$1" ;;
    "$NET".[1-3]) echo "${PREFIX}mh${1##*.}" ;;
    *) echo "multihost.sh: unknown host '$1' (mh1..mh3 or $NET.1-3)" >&2; return 1 ;;
  esac
}

addr_of() { echo "$NET.${1#mh}"; }

# The words that run a command on a host: in its network namespace, and in a UTS namespace of its own
# whose hostname is the host's name (as a node's is), set before the command starts.
on_host() {
  local ns
  ns=$(ns_of "$1")
  HOST_CMD=(ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "${ns#"$PREFIX"}")
}

say() { echo "multihost: $*" >&2; }

# Starts a daemon in the background and records its pid (in the namespace of host $1, or the machine's
# when $1 is -). The daemon's own options keep it in the foreground, so that the pid is the daemon's.
spawn() {
  local host=$1 name=$2
  shift 2
  if [ "$host" = - ]; then
    setsid "$@" >>"$STATE/$name.out" 2>&1 </dev/null &
  else
    on_host "$host"
    setsid "${HOST_CMD[@]}" "$@" >>"$STATE/$name.out" 2>&1 </dev/null &
  fi
  echo "$!" >"$STATE/pids/$name"
}

down() {
  if [ -d "$STATE/pids" ]; then
    local f pid
    # The watcher first, so that it does not run `down` again under us.
    for f in "$STATE/pids/watcher" "$STATE"/pids/*; do
      [ -f "$f" ] || continue
      pid=$(cat "$f")
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$pid" != "$$" ] && [ "$pid" != "$PPID" ]; then
        kill -TERM "$pid" 2>/dev/null || true
      fi
    done
    for _ in $(seq 50); do
      local alive=0
      for f in "$STATE"/pids/*; do
        [ -f "$f" ] || continue
        pid=$(cat "$f")
        [ "$pid" != "$$" ] && [ "$pid" != "$PPID" ] && kill -0 "$pid" 2>/dev/null && alive=1
      done
      ((alive)) || break
      sleep 0.1
    done
    for f in "$STATE"/pids/*; do
      [ -f "$f" ] || continue
      pid=$(cat "$f")
      [ "$pid" != "$$" ] && [ "$pid" != "$PPID" ] && kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  # Whatever still runs in a host's namespace (job steps, orted, ranks) belongs to the cluster.
  local ns
  for ns in "${HOSTS[@]/#/$PREFIX}" "$SWITCH"; do
    if [ -e "/run/netns/$ns" ]; then
      local pids
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      # shellcheck disable=SC2086
      [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
      ip netns del "$ns" 2>/dev/null || true
    fi
    rm -rf "/etc/netns/$ns"
  done
  rmdir /etc/netns 2>/dev/null || true
  rm -rf "$STATE"
}

up() {
  local slurm=0 owner=
  while (($#)); do
    case "$1" in
      --slurm) slurm=1 ;;
      --owner) owner=$2; shift ;;
      *) say "unknown option $1"; exit 2 ;;
    esac
    shift
  done
  if [ "$(id -u)" -ne 0 ]; then say "needs root (network namespaces)"; exit 77; fi
  if [ -d "$STATE" ] || ip netns list | grep -q "^$PREFIX"; then
    say "tearing down what a previous run left"
    down
  fi
  mkdir -p "$STATE/pids"
  chmod 755 "$STATE"
  # Each host's own temporary directory, as nodes have their own /tmp: what Open MPI and PMIx keep there
  # (session directories, named after the hostname and the job) stays apart, as on separate machines.
  local h
  for h in "${HOSTS[@]}"; do
    mkdir -p "$STATE/tmp/$h"
    chmod 1777 "$STATE/tmp/$h"
  done

  # The network: a bridge in its own namespace, one veth pair per host, the hosts' end named eth0.
  ip netns add "$SWITCH"
  ip -n "$SWITCH" link add br0 type bridge
  ip -n "$SWITCH" link set br0 up
  ip -n "$SWITCH" link set lo up
  local ns
  for h in "${HOSTS[@]}"; do
    ns=$PREFIX$h
    ip netns add "$ns"
    ip -n "$SWITCH" link add "$h" type veth peer name eth0 netns "$ns"
    ip -n "$SWITCH" link set "$h" master br0 up
    ip -n "$ns" addr add "$(addr_of "$h")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    # Each host resolves the others' names (ip netns exec binds /etc/netns/NS/hosts over /etc/hosts).
    mkdir -p "/etc/netns/$ns"
    {
      echo "127.0.0.1 localhost"
      for o in "${HOSTS[@]}"; do echo "$(addr_of "$o") $o"; done
    } >"/etc/netns/$ns/hosts"
  done
  # Every host reaches every other before anything uses the network: a refused TCP connection is an
  # answer (nothing listens on port 9), a timeout is not.
  local from to ok out
  for from in "${HOSTS[@]}"; do
    for to in "${HOSTS[@]}"; do
      [ "$from" = "$to" ] && continue
      ok=0
      for _ in $(seq 50); do
        out=$(ip netns exec "$PREFIX$from" timeout 0.5 bash -c "exec 3<>/dev/tcp/$(addr_of "$to")/9" 2>&1 || true)
        if [[ $out == *refused* ]]; then
          ok=1
          break
        fi
        sleep 0.1
      done
      ((ok)) || { say "$from does not reach $to"; exit 1; }
    done
  done
  {
    echo "mh1 slots=4"
    echo "mh2 slots=4"
    echo "mh3 slots=4"
  } >"$STATE/hostfile"
  # Open MPI takes the agent as one command (a list of alternatives, in fact): give it one file to run.
  printf '#!/bin/sh\nexec %q agent "$@"\n' "$SELF" >"$STATE/agent"
  chmod 755 "$STATE/agent"

  if ((slurm)); then start_slurm; fi

  if [ -n "$owner" ]; then
    # Tears the cluster down when the owner ends without doing it (killed): polls, as it may not be our child.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done; [ -d "$2" ] && exec "$3" down' \
      watcher "$owner" "$STATE" "$SELF" >/dev/null 2>&1 </dev/null &
    echo "$!" >"$STATE/pids/watcher"
  fi
  say "up: hosts ${HOSTS[*]} at $NET.1-3$( ((slurm)) && echo ', Slurm' )"
}

start_slurm() {
  local bin
  for bin in munged mungekey slurmctld slurmd srun salloc; do
    command -v "$bin" >/dev/null || { say "missing $bin: bash scripts/install-deps.sh --with-cluster"; exit 1; }
  done
  mkdir -p "$STATE/munge" "$STATE/slurm/ctld" "$STATE/slurm/spool"
  chmod 711 "$STATE/munge"
  mungekey --create --keyfile="$STATE/munge/munge.key" --force
  chmod 600 "$STATE/munge/munge.key"
  # One munged for all three hosts: its socket is a file, and the hosts share the file system.
  spawn - munged munged --foreground --force --key-file="$STATE/munge/munge.key" \
    --socket="$STATE/munge/munge.socket" --pid-file="$STATE/munge/munged.pid" \
    --log-file="$STATE/munge/munged.log" --seed-file="$STATE/munge/munged.seed"
  for _ in $(seq 50); do [ -S "$STATE/munge/munge.socket" ] && break; sleep 0.1; done
  [ -S "$STATE/munge/munge.socket" ] || { say "munged did not start: $(cat "$STATE/munged.out")"; exit 1; }

  cat >"$STATE/slurm/slurm.conf" <<EOF
# h5mpi's test cluster (scripts/multihost.sh): three hosts in network namespaces, everything as root.
ClusterName=h5mpi
SlurmctldHost=mh1($NET.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$STATE/munge/munge.socket
StateSaveLocation=$STATE/slurm/ctld
SlurmdSpoolDir=$STATE/slurm/spool/%n
SlurmctldPidFile=$STATE/slurm/slurmctld.pid
SlurmdPidFile=$STATE/slurm/slurmd.%n.pid
SlurmctldLogFile=$STATE/slurm/slurmctld.log
SlurmdLogFile=$STATE/slurm/slurmd.%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
TaskProlog=$STATE/slurm/taskprolog
ReturnToService=2
SlurmdParameters=config_overrides
InactiveLimit=0
KillWait=2
MinJobAge=2
SlurmdTimeout=60
NodeName=mh1 NodeAddr=$NET.1 CPUs=4 State=UNKNOWN
NodeName=mh2 NodeAddr=$NET.2 CPUs=4 State=UNKNOWN
NodeName=mh3 NodeAddr=$NET.3 CPUs=4 State=UNKNOWN
PartitionName=h5mpi Nodes=mh[1-3] Default=YES MaxTime=10 State=UP
EOF
  # Tasks (ranks, and the daemons Open MPI starts with srun inside an allocation) get their host's TMPDIR.
  printf '#!/bin/sh\necho "export TMPDIR=%s/tmp/$SLURMD_NODENAME"\n' "$STATE" >"$STATE/slurm/taskprolog"
  chmod 755 "$STATE/slurm/taskprolog"
  export SLURM_CONF=$STATE/slurm/slurm.conf
  spawn mh1 slurmctld slurmctld -D -i -f "$SLURM_CONF"
  local h
  for h in "${HOSTS[@]}"; do
    mkdir -p "$STATE/slurm/spool/$h" "$STATE/slurm/$h" "$STATE/slurm/pmix/$h"
    # Each slurmd reads its own copy, beside an mpi.conf of its own: the PMIx plugin makes its clients'
    # directory under /tmp by job and step only, and the hosts share /tmp.
    cp "$SLURM_CONF" "$STATE/slurm/$h/slurm.conf"
    echo "PMIxCliTmpDirBase=$STATE/slurm/pmix/$h" >"$STATE/slurm/$h/mpi.conf"
    # `ip netns exec` mounts a fresh /sys, without the cgroup file systems, and Slurm 22.05's slurmd will
    # not start without one: an empty cgroup v1 root of its own (a tmpfs, in this process's mount
    # namespace only) satisfies it, as nothing here uses cgroups (proctrack/linuxproc, task/none).
    spawn "$h" "slurmd-$h" sh -c 'mount -t tmpfs h5mpi-cgroup /sys/fs/cgroup && mkdir /sys/fs/cgroup/systemd && mount -t cgroup -o none,name=h5mpi h5mpi-cgroup /sys/fs/cgroup/systemd && exec "$@"' slurmd \
      slurmd -D -N "$h" -f "$STATE/slurm/$h/slurm.conf"
  done
  # Ready when every node is idle.
  local i f
  for i in $(seq 150); do
    for f in "$STATE"/pids/slurm*; do
      kill -0 "$(cat "$f")" 2>/dev/null || { say "$(basename "$f") ended"; i=fail; break 2; }
    done
    if ip netns exec "${PREFIX}mh1" sinfo -h -N -o '%N %t' 2>/dev/null | awk '$2 != "idle" {bad=1} END {exit bad || NR != 3}'; then
      return 0
    fi
    sleep 0.2
  done
  say "Slurm did not come up; sinfo says:"
  ip netns exec "${PREFIX}mh1" sinfo -N >&2 || true
  tail -n 20 "$STATE"/slurm/*.log "$STATE"/munged.out >&2 || true
  exit 1
}

run_on() {
  on_host "$1"
  shift
  exec "${HOST_CMD[@]}" "$@"
}

agent() {
  local host=$1
  shift
  local ns
  ns=$(ns_of "$host")
  on_host "$host"
  # As ssh: the command line joined into one string for the remote shell, and a fresh login environment
  # (with the host's own TMPDIR, as up explains).
  exec "${HOST_CMD[@]}" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME="${HOME:-/root}" USER="$(id -un)" LOGNAME="$(id -un)" SHELL=/bin/sh LANG=C.UTF-8 \
    TMPDIR="$STATE/tmp/${ns#"$PREFIX"}" /bin/sh -c "$*"
}

# The hosts' four slots each are more than this machine's cores: without mpi_yield_when_idle, waiting
# ranks spin and a small collective write takes seconds instead of milliseconds.
print_env() {
  cat <<EOF
OMPI_MCA_plm_rsh_agent=$STATE/agent
OMPI_MCA_orte_default_hostfile=$STATE/hostfile
OMPI_MCA_pml=ob1
OMPI_MCA_btl=self,tcp
OMPI_MCA_btl_tcp_if_include=$NET.0/24
OMPI_MCA_oob_tcp_if_include=$NET.0/24
OMPI_MCA_routed=direct
OMPI_MCA_mpi_yield_when_idle=1
SLURM_CONF=$STATE/slurm/slurm.conf
EOF
}

cmd=${1:-}
shift || true
case "$cmd" in
  up) up "$@" ;;
  down) down ;;
  agent) agent "$@" ;;
  run) run_on "$@" ;;
  env) print_env ;;
  *) echo "usage: multihost.sh up [--slurm] [--owner PID] | down | agent HOST COMMAND... | run HOST COMMAND... | env" >&2; exit 2 ;;
esac
