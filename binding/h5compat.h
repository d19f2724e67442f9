// HDF5's API differences between 1.10 and 1.12/1.14, in one place: the rest of the binding calls these and
// never tests the version itself. From 1.12 the current API is used (H5Oget_info3 with object tokens,
// H5Treclaim, H5Literate2/H5Lget_info2, H5Ovisit3), so the addon builds against an HDF5 configured without
// deprecated symbols (CMakeLists.txt compiles with H5_NO_DEPRECATED_SYMBOLS to prove it on every build).
//
// References stay HDF5 1.10's kind (hobj_ref_t, hdset_reg_ref_t: H5T_STD_REF_OBJ / H5T_STD_REF_DSETREG in the
// file), because h5py and netCDF-4 write and read those. 1.12 keeps them, and the calls that make and resolve
// them (H5Rcreate, H5Rget_region, H5Rget_name), outside its deprecated symbols, under the names
// H5R_OBJECT1 / H5R_DATASET_REGION1; the new H5R_ref_t would be a different type in the file, which h5py
// cannot read.
#pragma once
#include <hdf5.h>

#include <cstring>
#include <string>

namespace h5mpi {
namespace h5compat {

#if H5_VERSION_GE(1, 12, 0)

using ObjectInfo = H5O_info2_t;
using LinkInfo = H5L_info2_t;
using ObjectVisitor = H5O_iterate2_t;
using LinkVisitor = H5L_iterate2_t;

// An object's identity in its file (two paths to one object): a token from 1.12, an address before.
using ObjectKey = H5O_token_t;
inline ObjectKey KeyOf(const ObjectInfo& info) { return info.token; }
// Whether two keys of objects in `loc`'s file name the same object (a failure counts as "no").
inline bool SameObject(hid_t loc, const ObjectKey& a, const ObjectKey& b) {
  int cmp = 1;
  if (H5Otoken_cmp(loc, &a, &b, &cmp) < 0) return false;
  return cmp == 0;
}
// A key's bytes, to keep keys in an ordered set: the native file format's token is the object's address,
// zero-padded, so equal bytes are the same object (SameObject asks the VOL, one pair at a time).
inline std::string KeyBytes(const ObjectKey& key) {
  return std::string(reinterpret_cast<const char*>(key.__data), sizeof key.__data);
}

// The basic information (type, token) of the object at `path`: no header or attribute counts, which cost.
inline herr_t ObjectInfoByName(hid_t loc, const char* path, ObjectInfo* info) {
  return H5Oget_info_by_name3(loc, path, info, H5O_INFO_BASIC, H5P_DEFAULT);
}
inline herr_t LinkInfoByName(hid_t loc, const char* path, LinkInfo* info) {
  return H5Lget_info2(loc, path, info, H5P_DEFAULT);
}
inline herr_t IterateLinks(hid_t loc, H5_index_t index, H5_iter_order_t order, hsize_t* idx, LinkVisitor op,
                           void* data) {
  return H5Literate2(loc, index, order, idx, op, data);
}
inline herr_t VisitObjectsByName(hid_t loc, const char* path, H5_index_t index, H5_iter_order_t order, ObjectVisitor op,
                                 void* data) {
  return H5Ovisit_by_name3(loc, path, index, order, op, data, H5O_INFO_BASIC, H5P_DEFAULT);
}
// Frees what HDF5 allocated for the variable-length elements (strings, sequences) of `buf`, as selected in `space`.
inline herr_t Reclaim(hid_t memType, hid_t space, void* buf) { return H5Treclaim(memType, space, H5P_DEFAULT, buf); }

// Why HDF5 1.14 made no selection I/O in a transfer (H5Pget_no_selection_io_cause, from 1.14.1): with the
// no-collective cause H5D_MPIO_NO_SELECTION_IO (0x100) it says why a collective transfer was not one.
inline uint32_t NoSelectionIoCause(hid_t dxpl) {
#if H5_VERSION_GE(1, 14, 1)
  uint32_t cause = 0;
  if (H5Pget_no_selection_io_cause(dxpl, &cause) < 0) {
    H5Eclear2(H5E_DEFAULT);
    return 0;
  }
  return cause;
#else
  return 0;
#endif
}

constexpr H5R_type_t kObjectRef = H5R_OBJECT1;
constexpr H5R_type_t kRegionRef = H5R_DATASET_REGION1;

#else  // HDF5 1.10 (1.10.3 or later: H5Oget_info_by_name2 and H5Ovisit_by_name2 take the fields wanted)

using ObjectInfo = H5O_info_t;
using LinkInfo = H5L_info_t;
using ObjectVisitor = H5O_iterate_t;
using LinkVisitor = H5L_iterate_t;

using ObjectKey = haddr_t;
inline ObjectKey KeyOf(const ObjectInfo& info) { return info.addr; }
inline bool SameObject(hid_t, const ObjectKey& a, const ObjectKey& b) { return a == b; }
inline std::string KeyBytes(const ObjectKey& key) {
  return std::string(reinterpret_cast<const char*>(&key), sizeof key);
}

inline herr_t ObjectInfoByName(hid_t loc, const char* path, ObjectInfo* info) {
  return H5Oget_info_by_name2(loc, path, info, H5O_INFO_BASIC, H5P_DEFAULT);
}
inline herr_t LinkInfoByName(hid_t loc, const char* path, LinkInfo* info) {
  return H5Lget_info(loc, path, info, H5P_DEFAULT);
}
inline herr_t IterateLinks(hid_t loc, H5_index_t index, H5_iter_order_t order, hsize_t* idx, LinkVisitor op,
                           void* data) {
  return H5Literate(loc, index, order, idx, op, data);
}
inline herr_t VisitObjectsByName(hid_t loc, const char* path, H5_index_t index, H5_iter_order_t order, ObjectVisitor op,
                                 void* data) {
  return H5Ovisit_by_name2(loc, path, index, order, op, data, H5O_INFO_BASIC, H5P_DEFAULT);
}
inline herr_t Reclaim(hid_t memType, hid_t space, void* buf) {
  return H5Dvlen_reclaim(memType, space, H5P_DEFAULT, buf);
}

inline uint32_t NoSelectionIoCause(hid_t) { return 0; }  // 1.10 has no selection I/O

constexpr H5R_type_t kObjectRef = H5R_OBJECT;
constexpr H5R_type_t kRegionRef = H5R_DATASET_REGION;

#endif

}  // namespace h5compat
}  // namespace h5mpi
