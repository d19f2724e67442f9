#!/usr/bin/env bash
# Settings for running OpenMPI jobs on this kind of machine, sourced by the scripts (and mirrored in
# test/helpers/mpirun.ts): more ranks than cores, and root where CI containers run as root.
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
