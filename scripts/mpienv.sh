#!/usr/bin/env bash
# Settings for running MPI jobs on this kind of machine (more ranks than cores; root, where CI containers
# run as root), for the MPI whose mpiexec is on PATH; sourced by the scripts, and mirroring lib/mpiimpl.ts
# launchEnv (which the test helper and the benchmarks use). Open MPI refuses both unless told; MPICH's
# mpiexec (hydra) and the MPICH family allow both, so they get nothing. And, for every MPI, UCX's memory
# hooks off, as h5mpi sets them itself before libmpi loads (see docs/clusters.md, "UCX").
case "$(mpiexec --version 2>&1 | head -3)" in
  *OpenRTE* | *"Open MPI"*)
    export OMPI_MCA_rmaps_base_oversubscribe=1
    export OMPI_MCA_btl_vader_single_copy_mechanism=none
    # Open MPI 5 (PRRTE): oversubscription is a modifier of the mapping policy; the weighted "reachable"
    # component, since netlink pairs no interfaces in containers and every rank says so on stderr.
    if [ "$(mpiexec --version 2>&1 | sed -n 's/.*(Open MPI) \([0-9]*\).*/\1/p' | head -1)" -ge 5 ] 2>/dev/null; then
      export PRTE_MCA_rmaps_default_mapping_policy=:oversubscribe OMPI_MCA_reachable=weighted
      if [ "$(id -u)" -eq 0 ]; then export PRTE_ALLOW_RUN_AS_ROOT=1 PRTE_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
    fi
    if [ "$(id -u)" -eq 0 ]; then
      export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
    ;;
esac
export UCX_MEM_EVENTS=${UCX_MEM_EVENTS:-no}
