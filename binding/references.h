// Object and dataset-region references (HDF5 1.10's hobj_ref_t and hdset_reg_ref_t): made from paths and
// selections, read as the paths (and selections) they point at, and read inside the composite types that
// hold them (netCDF-4's DIMENSION_LIST, a variable-length sequence of references per dimension, and
// REFERENCE_LIST, a compound of a reference and a dimension index). See lib/references.ts.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "common.h"

namespace h5mpi {

// Whether a type is a reference or holds one (in a compound field, an array or a variable-length sequence).
bool ContainsReferences(hid_t type);

// 'object' or 'region' for a reference type (H5T_STD_REF_OBJ, H5T_STD_REF_DSETREG), else nullptr.
const char* ReferenceKind(hid_t type);

// Reads `count` elements of `fileType` (a type that holds references) through `read(memType, buffer)`, `loc`
// being any object of the file they point into; `space` selects the elements read (to reclaim variable-length
// data). Returns { raw: ArrayBuffer, values: [...] }: each reference as null (a null reference) or
// [path | null, index (into raw, in references of its size), selection (region references only)], compounds
// as objects of their fields, arrays and sequences as arrays, numbers as numbers (bigints past 32 bits),
// strings as strings. A region's selection: 'all', 'none', { start, stride, count, block } (one regular
// hyperslab), { blocks: [[start..., end...], ...] }, or { points: [[coordinates...], ...] }.
Napi::Object ReadReferenceValues(Napi::Env env, hid_t loc, hid_t fileType, hid_t space, size_t count,
                                 const std::function<void(hid_t, void*)>& read);

// The references of `elements` as they are stored, made from `loc`'s file: an element is null (a null
// reference), a Uint8Array (a reference's bytes, as read), a path (object references), or [path, selection
// code (dataspace.h's encoding, or null: the whole dataset), rank of the selection] (region references).
// In a parallel file every rank must make the same references (HDF5 changes the file when it makes one).
// `what` starts failure messages ("" for none).
std::vector<unsigned char> PackReferences(Napi::Env env, hid_t loc, const Napi::Array& elements, bool region,
                                          const std::string& what);

// The memory type of the references in `raw` (a DataView of stored references, `count` of them) for a
// transfer into a dataset of `fileType`; throws when the sizes disagree.
hid_t RawReferenceType(Napi::Env env, hid_t fileType, const Napi::DataView& raw, size_t count, const std::string& what);

}  // namespace h5mpi
