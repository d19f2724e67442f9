// What parallel HDF5 does differently from one version to the next, decided here and nowhere else in lib/ (the
// binding's API differences are in binding/h5compat.h). Measured on HDF5 1.10.8 (Debian 12) and 1.14.5
// (Debian 13); see docs/clusters.md#hdf5-versions.
import { native } from './native';

let parsed: [number, number, number] | undefined;

/** @internal The HDF5 the addon was built with, as [major, minor, release]. */
export function hdf5Version(): [number, number, number] {
  if (!parsed) {
    const [major = 0, minor = 0, release = 0] = native.hdf5Version().split('.').map((s) => parseInt(s, 10) || 0);
    parsed = [major, minor, release];
  }
  return parsed;
}

/** @internal Whether the HDF5 is `major.minor.release` or later. */
export function hdf5AtLeast(major: number, minor: number, release = 0): boolean {
  const [a, b, c] = hdf5Version();
  return a !== major ? a > major : b !== minor ? b > minor : c >= release;
}

/**
 * @internal Whether HDF5's collective metadata reads can stay on for a whole file. HDF5 1.14 (measured: 1.14.5)
 * makes every metadata read of a file opened with them collective, also the global heap reads inside
 * H5Dread (variable-length strings and sequences, region references), so a read of such data hangs as soon
 * as the ranks' selections differ, and a collective one hangs even when they do not; a C program does the
 * same. 1.10.8 reads them independently and does not hang. HDF5 merged the change into its 1.10 and 1.12
 * branches too (HDFGroup/hdf5#1206, #1417, #1418), after 1.10.8 and 1.12.1, so everything later is treated
 * as 1.14 is (not measured here). Where this is false h5mpi keeps HDF5's collective metadata writes and
 * turns its collective metadata reads off: each rank reads metadata itself, as h5py does by default.
 */
export function collectiveMetadataReadsSafe(): boolean {
  return !hdf5AtLeast(1, 10, 9) || (hdf5Version()[1] === 12 && !hdf5AtLeast(1, 12, 2));
}

/**
 * @internal Whether parallel HDF5 writes object references into a dataset through MPI-IO. 1.10 does; from
 * 1.12, whose references were redone, HDF5 refuses every reference type there ("Parallel IO does not support
 * writing VL or region reference datatypes yet"). Region references never could be.
 */
export function parallelObjectReferenceWrites(): boolean {
  return !hdf5AtLeast(1, 12);
}
