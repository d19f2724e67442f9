# Which MPI the build uses, and a check that the HDF5 found was built for that same MPI.
#
# H5MPI_MPI (a cache variable, or the environment variable of that name) = openmpi | mpich picks the MPI
# where more than one is installed: Debian's mpicc.<mpi> and h5pcc.<mpi> wrappers, when they exist, take
# the place of the default `mpicc` and `h5pcc` (alternatives that can point at different MPIs). Without
# it, CMake takes what MPI_HOME / HDF5_ROOT / PATH (a `module load`) give.
#
# The check reads ELF entries (readelf): the MPI library's SONAME, and the MPI library libhdf5 NEEDs. Open
# MPI's libmpi is libmpi.so.40 (Open MPI 3 to 5); the MPICH family's is libmpich.so.12 (MPICH), libmpi.so.12
# (Intel MPI, MVAPICH) or libmpi_cray.so.12 (Cray MPICH). A libhdf5 built for one family linked with the
# other puts two MPIs in one process: under one family's mpiexec every rank is then a job of its own.
#
# Run as a script to check two libraries (what test/build_mpi.test.ts does):
#   cmake -DH5MPI_CHECK_HDF5=/path/libhdf5.so -DH5MPI_CHECK_MPI=/path/libmpi.so -P cmake/h5mpi-mpi.cmake

find_program(H5MPI_READELF NAMES readelf)

# The values of an ELF file's dynamic entries of `kind` (NEEDED, SONAME).
function(h5mpi_elf_entries file kind out)
  set(found "")
  if(H5MPI_READELF AND EXISTS "${file}")
    execute_process(COMMAND "${H5MPI_READELF}" -d --wide "${file}" OUTPUT_VARIABLE text ERROR_QUIET RESULT_VARIABLE rc)
    if(rc EQUAL 0)
      string(REGEX MATCHALL "\\(${kind}\\)[^\n]*\\[[^]\n]*\\]" lines "${text}")
      foreach(line IN LISTS lines)
        string(REGEX REPLACE ".*\\[([^]]*)\\].*" "\\1" name "${line}")
        list(APPEND found "${name}")
      endforeach()
    endif()
  endif()
  set(${out} "${found}" PARENT_SCOPE)
endfunction()

# The MPI family of a library soname (or file name): openmpi, mpich, or "" for a library of neither.
function(h5mpi_mpi_family name out)
  get_filename_component(name "${name}" NAME)
  if(name MATCHES "^libmpi\\.so\\.(4[0-9]|20)(\\.|$)")
    set(${out} openmpi PARENT_SCOPE)
  elseif(name MATCHES "^(libmpich\\.so|libmpi\\.so\\.12|libmpi_cray\\.so|libmpi_intel\\.so)")
    set(${out} mpich PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

function(h5mpi_family_name family out)
  if(family STREQUAL "openmpi")
    set(${out} "Open MPI" PARENT_SCOPE)
  elseif(family STREQUAL "mpich")
    set(${out} "MPICH (or an MPICH-ABI MPI: Intel MPI, MVAPICH, Cray MPICH)" PARENT_SCOPE)
  else()
    set(${out} "${family}" PARENT_SCOPE)
  endif()
endfunction()

# Stops the configuration when the libhdf5 in `hdf5_libs` needs another MPI family than the MPI library in
# `mpi_libs` is, or than `wanted` (H5MPI_MPI) names. Libraries it cannot read (static, no readelf) pass.
function(h5mpi_check_mpi hdf5_libs mpi_libs wanted)
  set(mpi_family "")
  foreach(lib IN LISTS mpi_libs)
    if(lib MATCHES "\\.so(\\.|$)" AND EXISTS "${lib}")
      get_filename_component(real "${lib}" REALPATH)
      h5mpi_elf_entries("${real}" SONAME soname)
      if(NOT soname)
        set(soname "${lib}")
      endif()
      h5mpi_mpi_family("${soname}" family)
      if(family)
        set(mpi_family "${family}")
        set(mpi_lib "${lib}")
        set(mpi_soname "${soname}")
        break()
      endif()
    endif()
  endforeach()
  set(hdf5_family "")
  foreach(lib IN LISTS hdf5_libs)
    get_filename_component(base "${lib}" NAME)
    if(base MATCHES "^libhdf5[^/]*\\.so" AND NOT base MATCHES "_hl" AND EXISTS "${lib}")
      get_filename_component(real "${lib}" REALPATH)
      h5mpi_elf_entries("${real}" NEEDED needed)
      foreach(n IN LISTS needed)
        h5mpi_mpi_family("${n}" family)
        if(family)
          set(hdf5_family "${family}")
          set(hdf5_lib "${lib}")
          set(hdf5_needs "${n}")
          break()
        endif()
      endforeach()
      if(hdf5_family)
        break()
      endif()
    endif()
  endforeach()
  if(hdf5_family AND mpi_family AND NOT hdf5_family STREQUAL mpi_family)
    h5mpi_family_name(${hdf5_family} hdf5_name)
    h5mpi_family_name(${mpi_family} mpi_name)
    message(FATAL_ERROR
      "h5mpi: the HDF5 found (${hdf5_lib}) was built for ${hdf5_name}: it needs ${hdf5_needs}. But the MPI found "
      "is ${mpi_name}: ${mpi_lib} (${mpi_soname}). Linking both puts two MPIs in one process, and under either "
      "one's mpiexec every rank runs as a job of its own. Point the build at an HDF5 and an MPI of one family: "
      "H5MPI_MPI=openmpi or H5MPI_MPI=mpich (Debian/Ubuntu, with both installed), or HDF5_ROOT and MPI_HOME (or "
      "MPI_C_COMPILER) at the same MPI's builds (a cluster: module load an hdf5 built with the loaded MPI), "
      "then build again from a clean configure (npm rebuild h5mpi, or rm -rf build).")
  endif()
  if(wanted AND mpi_family AND NOT wanted STREQUAL mpi_family)
    h5mpi_family_name(${mpi_family} mpi_name)
    message(FATAL_ERROR
      "h5mpi: H5MPI_MPI=${wanted}, but the MPI found is ${mpi_name}: ${mpi_lib} (${mpi_soname}). Point MPI_HOME "
      "(or MPI_C_COMPILER) at the ${wanted} installation, or unset H5MPI_MPI.")
  endif()
  set(H5MPI_MPI_FAMILY "${mpi_family}" PARENT_SCOPE)
endfunction()

# Before find_package(MPI) and find_package(HDF5): H5MPI_MPI's Debian wrappers.
macro(h5mpi_select_mpi)
  if(NOT H5MPI_MPI AND DEFINED ENV{H5MPI_MPI})
    set(H5MPI_MPI "$ENV{H5MPI_MPI}")
  endif()
  set(H5MPI_MPI "${H5MPI_MPI}" CACHE STRING "The MPI to build against: openmpi or mpich (empty: what is found)")
  if(H5MPI_MPI)
    if(NOT H5MPI_MPI MATCHES "^(openmpi|mpich)$")
      message(FATAL_ERROR "h5mpi: H5MPI_MPI must be openmpi or mpich (or unset), got '${H5MPI_MPI}'")
    endif()
    find_program(H5MPI_MPICC NAMES mpicc.${H5MPI_MPI})
    if(H5MPI_MPICC AND NOT MPI_C_COMPILER AND NOT MPI_HOME AND NOT DEFINED ENV{MPI_HOME})
      set(MPI_C_COMPILER "${H5MPI_MPICC}")
    endif()
    find_program(H5MPI_H5PCC NAMES h5pcc.${H5MPI_MPI})
    if(H5MPI_H5PCC AND NOT HDF5_C_COMPILER_EXECUTABLE AND NOT HDF5_ROOT AND NOT DEFINED ENV{HDF5_ROOT})
      set(HDF5_C_COMPILER_EXECUTABLE "${H5MPI_H5PCC}")
    endif()
  endif()
endmacro()

if(CMAKE_SCRIPT_MODE_FILE AND CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  h5mpi_check_mpi("${H5MPI_CHECK_HDF5}" "${H5MPI_CHECK_MPI}" "${H5MPI_MPI}")
  message(STATUS "h5mpi: HDF5 and MPI agree (${H5MPI_MPI_FAMILY})")
endif()
