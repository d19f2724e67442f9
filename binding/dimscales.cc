// Dimension scales (HDF5's high-level H5DS API, libhdf5_hl): make a dataset a scale, attach and detach scales
// to a dimension of another dataset, list a dimension's scales, name dimensions. The H5DS functions push
// nothing onto HDF5's error stack when they refuse, so the refusals lib/ can meet are checked here first and
// named. In a parallel file the calls that change attributes are made by every rank (lib/dims.ts).
#include <hdf5_hl.h>

#include <cstring>

#include "errors.h"
#include "h5compat.h"
#include "object.h"

namespace h5mpi {
namespace {

// A dataset opened by path for one call, closed after it.
class OpenDataset {
 public:
  OpenDataset(Napi::Env env, hid_t loc, const std::string& path, const std::string& what) : path_(path) {
    h5compat::ObjectInfo info;
    if (h5compat::ObjectInfoByName(loc, path.c_str(), &info) < 0) {
      H5Eclear2(H5E_DEFAULT);
      ThrowH5Code(env, "there is nothing at " + Quote(path), "NOT_FOUND");
    }
    if (info.type != H5O_TYPE_DATASET) ThrowH5Code(env, Quote(path) + " is not a dataset", "FAILED");
    key_ = h5compat::KeyOf(info);
    id_ = CheckH5(env, H5Dopen2(loc, path.c_str(), H5P_DEFAULT), what + ": open " + Quote(path));
  }
  ~OpenDataset() {
    if (id_ >= 0) H5Dclose(id_);
  }
  OpenDataset(const OpenDataset&) = delete;
  OpenDataset& operator=(const OpenDataset&) = delete;
  hid_t id() const { return id_; }
  const h5compat::ObjectKey& key() const { return key_; }
  const std::string& path() const { return path_; }
  int Rank(Napi::Env env, const std::string& what) const {
    Space space(CheckH5(env, H5Dget_space(id_), what));
    return CheckH5(env, H5Sget_simple_extent_ndims(space.get()), what);
  }
  bool HasAttribute(Napi::Env env, const char* name, const std::string& what) const {
    return CheckH5(env, H5Aexists(id_, name), what) > 0;
  }
  bool IsScale(Napi::Env env, const std::string& what) const {
    htri_t r = H5DSis_scale(id_);
    if (r < 0) ThrowH5(env, what + ": ask whether " + Quote(path_) + " is a dimension scale");
    return r > 0;
  }

 private:
  std::string path_;
  hid_t id_ = H5I_INVALID_HID;
  h5compat::ObjectKey key_{};
};

// The string from an HDF5 "size query, then fill" pair of calls; `get(buf, size)` returns the length.
template <typename Get>
std::string SizedString(Napi::Env env, Get get, const std::string& what) {
  ssize_t len = get(nullptr, 0);
  if (len < 0) ThrowH5(env, what);
  if (len == 0) return "";
  std::string s(static_cast<size_t>(len) + 1, '\0');
  if (get(&s[0], s.size()) < 0) ThrowH5(env, what);
  s.resize(static_cast<size_t>(len));
  return s;
}

unsigned Dim(Napi::Env env, const Napi::Value& v, const OpenDataset& d, const std::string& what) {
  int rank = d.Rank(env, what);
  double dim = v.As<Napi::Number>().DoubleValue();
  // A scalar dataset has no dimensions to name (H5DS treats it as rank 1; h5py gives it no dims).
  if (dim < 0 || dim >= rank) {
    throw Napi::RangeError::New(env, "dimension " + std::to_string(static_cast<long long>(dim)) + " of " +
                                         Quote(d.path()) + ", which has " + std::to_string(rank));
  }
  return static_cast<unsigned>(dim);
}

// The checks H5DSattach_scale and H5DSdetach_scale make silently, named.
void CheckPair(Napi::Env env, const OpenDataset& d, const OpenDataset& scale, const std::string& what) {
  if (h5compat::SameObject(d.id(), d.key(), scale.key()))
    ThrowH5Code(env, "a dataset cannot be a dimension scale of itself", "FAILED");
  if (d.IsScale(env, what)) {
    ThrowH5Code(env, Quote(d.path()) + " is a dimension scale, and a scale cannot have scales", "FAILED");
  }
  if (scale.HasAttribute(env, "DIMENSION_LIST", what)) {
    ThrowH5Code(env, Quote(scale.path()) + " has dimension scales of its own, so it cannot be one", "FAILED");
  }
}

struct Scale {
  bool named;  // whether it has a path
  std::string path, name;
};

// H5DSiterate_scales' visitor: notes each scale's path and name (no JS here: it runs inside HDF5's frames).
herr_t CollectScale(hid_t, unsigned, hid_t scale, void* data) {
  Scale s{false, "", ""};
  ssize_t len = H5Iget_name(scale, nullptr, 0);
  if (len > 0) {
    s.path.assign(static_cast<size_t>(len) + 1, '\0');
    s.named = H5Iget_name(scale, &s.path[0], s.path.size()) > 0;
    s.path.resize(static_cast<size_t>(len));
  }
  ssize_t nlen = H5DSget_scale_name(scale, nullptr, 0);
  if (nlen > 0) {
    s.name.assign(static_cast<size_t>(nlen) + 1, '\0');
    if (H5DSget_scale_name(scale, &s.name[0], s.name.size()) < 0) s.name.clear();
    s.name.resize(strnlen(s.name.c_str(), s.name.size()));
  }
  H5Eclear2(H5E_DEFAULT);
  static_cast<std::vector<Scale>*>(data)->push_back(std::move(s));
  return 0;
}

}  // namespace

// dimScales(op, path, ...): the dimension-scale calls on the dataset at `path` (absolute), from any location of
// its file. ops: makeScale(path, name) | isScale(path) -> boolean | scaleName(path) -> string ('' when none)
// | attach(path, scalePath, dim) | detach(path, scalePath, dim) | isAttached(path, scalePath, dim) -> boolean
// | scales(path, dim) -> [{ path, name }] | label(path, dim) -> string | setLabel(path, dim, label).
Napi::Value DimScales(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::string op = info[0].ToString();
  std::string path = info[1].ToString();
  // HDF5's failures name the call; h5mpi's own refusals only the problem (lib/dims.ts says which call it was).
  std::string what = op + " " + Quote(path);
  OpenDataset d(env, loc, path, what);
  if (op == "isScale") return Napi::Boolean::New(env, d.IsScale(env, what));
  if (op == "scaleName") {
    if (!d.IsScale(env, what)) return Napi::String::New(env, "");
    return Napi::String::New(env, SizedString(
                                      env, [&](char* b, size_t n) { return H5DSget_scale_name(d.id(), b, n); }, what));
  }
  if (op == "makeScale") {
    if (d.HasAttribute(env, "DIMENSION_LIST", what)) {
      ThrowH5Code(env, Quote(path) + " has dimension scales of its own, so it cannot be one", "FAILED");
    }
    std::string name = info[2].ToString();
    CheckH5(env, H5DSset_scale(d.id(), name.c_str()), what);
    return env.Undefined();
  }
  if (op == "attach" || op == "detach" || op == "isAttached") {
    std::string scalePath = info[2].ToString();
    OpenDataset scale(env, loc, scalePath, what);
    unsigned dim = Dim(env, info[3], d, what);
    CheckPair(env, d, scale, what);
    // H5DSis_attached fails rather than says no when the scale was never attached to anything.
    bool attached = scale.HasAttribute(env, "REFERENCE_LIST", what) && d.HasAttribute(env, "DIMENSION_LIST", what) &&
                    CheckH5(env, H5DSis_attached(d.id(), scale.id(), dim), what) > 0;
    if (op == "isAttached") return Napi::Boolean::New(env, attached);
    if (op == "attach") {
      // Again: nothing to do (H5DSattach_scale would list the dataset in the scale's REFERENCE_LIST twice).
      if (!attached)
        CheckH5(env, H5DSattach_scale(d.id(), scale.id(), dim), "attach " + Quote(scalePath) + " to " + Quote(path));
      return env.Undefined();
    }
    if (!attached) {
      ThrowH5Code(env, Quote(scalePath) + " is not attached to dimension " + std::to_string(dim), "NOT_FOUND");
    }
    CheckH5(env, H5DSdetach_scale(d.id(), scale.id(), dim), "detach " + Quote(scalePath) + " from " + Quote(path));
    return env.Undefined();
  }
  if (op == "scales") {
    unsigned dim = Dim(env, info[2], d, what);
    std::vector<Scale> scales;
    // No DIMENSION_LIST: no scales (H5DSiterate_scales would fail).
    if (d.HasAttribute(env, "DIMENSION_LIST", what)) {
      // No index: with one, H5DSiterate_scales fails for a dimension without scales.
      CheckH5(env, H5DSiterate_scales(d.id(), dim, nullptr, CollectScale, &scales), what);
    }
    Napi::Array out = Napi::Array::New(env, scales.size());
    for (size_t i = 0; i < scales.size(); i++) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("path", scales[i].named ? Napi::Value(Napi::String::New(env, scales[i].path)) : env.Null());
      o.Set("name", scales[i].name);
      out.Set(static_cast<uint32_t>(i), o);
    }
    return out;
  }
  if (op == "label") {
    unsigned dim = Dim(env, info[2], d, what);
    return Napi::String::New(env, SizedString(
                                      env, [&](char* b, size_t n) { return H5DSget_label(d.id(), dim, b, n); }, what));
  }
  if (op == "setLabel") {
    unsigned dim = Dim(env, info[2], d, what);
    std::string label = info[3].ToString();
    CheckH5(env, H5DSset_label(d.id(), dim, label.c_str()), what);
    return env.Undefined();
  }
  ThrowUsage(env, "dimScales: unknown operation " + Quote(op));
}

}  // namespace h5mpi
