// Virtual datasets: H5Pset_virtual with hyperslab selections (regular ones may be unlimited), and the
// mappings read back with H5Pget_virtual_*. Reading and writing a virtual dataset is an ordinary H5Dread /
// H5Dwrite; lib/ refuses it through MPI-IO, which HDF5 1.10 does not support.
#include "virtual.h"

#include "errors.h"

namespace h5mpi {
namespace {

hsize_t FromDouble(double v) { return v < 0 ? H5S_UNLIMITED : static_cast<hsize_t>(v); }
double ToDouble(hsize_t v) { return v == H5S_UNLIMITED ? -1.0 : static_cast<double>(v); }

// Applies Slabs (or null: everything) to `space`.
void Select(Napi::Env env, hid_t space, const Napi::Value& slabs, const std::string& what) {
  if (!slabs.IsArray()) {
    CheckH5(env, H5Sselect_all(space), what);
    return;
  }
  int rank = CheckH5(env, H5Sget_simple_extent_ndims(space), what);
  Napi::Array a = slabs.As<Napi::Array>();
  uint32_t n = a.Length() > 0 ? a.Get(0u).As<Napi::Number>().Uint32Value() : 0;
  if (n == 0 || rank <= 0 || a.Length() != 1 + n * 4 * static_cast<uint32_t>(rank)) {
    ThrowUsage(env, what + ": malformed selection");
  }
  std::vector<hsize_t> v(4 * rank);
  for (uint32_t k = 0; k < n; k++) {
    for (int i = 0; i < 4 * rank; i++) v[i] = FromDouble(a.Get(1 + k * 4 * rank + i).As<Napi::Number>().DoubleValue());
    const hsize_t *start = &v[0], *stride = &v[rank], *count = &v[2 * rank], *block = &v[3 * rank];
    CheckH5(env, H5Sselect_hyperslab(space, k == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, start, stride, count, block),
            what);
  }
}

// The selection of `space` as Slabs, or null when it selects everything.
Napi::Value Describe(Napi::Env env, hid_t space, const std::string& what) {
  int rank = CheckH5(env, H5Sget_simple_extent_ndims(space), what);
  H5S_sel_type type = H5Sget_select_type(space);
  if (type == H5S_SEL_ALL) return env.Null();
  Napi::Array out = Napi::Array::New(env);
  if (type == H5S_SEL_NONE || rank <= 0) {
    out.Set(0u, 0.0);
    return out;
  }
  if (type == H5S_SEL_HYPERSLABS && CheckH5(env, H5Sis_regular_hyperslab(space), what) > 0) {
    std::vector<hsize_t> v(4 * rank);
    CheckH5(env, H5Sget_regular_hyperslab(space, &v[0], &v[rank], &v[2 * rank], &v[3 * rank]), what);
    out.Set(0u, 1.0);
    for (int i = 0; i < 4 * rank; i++) out.Set(1 + i, ToDouble(v[i]));
    return out;
  }
  // An irregular selection: its blocks (or points), each a slab of one block.
  std::vector<hsize_t> corners;
  hssize_t n = 0;
  if (type == H5S_SEL_HYPERSLABS) {
    n = CheckH5(env, H5Sget_select_hyper_nblocks(space), what);
    corners.resize(static_cast<size_t>(n) * 2 * rank);
    if (n > 0) CheckH5(env, H5Sget_select_hyper_blocklist(space, 0, n, corners.data()), what);
  } else {
    n = CheckH5(env, H5Sget_select_elem_npoints(space), what);
    std::vector<hsize_t> points(static_cast<size_t>(n) * rank);
    if (n > 0) CheckH5(env, H5Sget_select_elem_pointlist(space, 0, n, points.data()), what);
    corners.resize(static_cast<size_t>(n) * 2 * rank);
    for (hssize_t p = 0; p < n; p++) {
      for (int i = 0; i < rank; i++)
        corners[(2 * p) * rank + i] = corners[(2 * p + 1) * rank + i] = points[p * rank + i];
    }
  }
  out.Set(0u, static_cast<double>(n));
  uint32_t at = 1;
  for (hssize_t b = 0; b < n; b++) {
    const hsize_t* lo = &corners[2 * b * rank];
    const hsize_t* hi = lo + rank;
    for (int i = 0; i < rank; i++) out.Set(at + i, static_cast<double>(lo[i]));
    for (int i = 0; i < rank; i++) out.Set(at + rank + i, 1.0);
    for (int i = 0; i < rank; i++) out.Set(at + 2 * rank + i, 1.0);
    for (int i = 0; i < rank; i++) out.Set(at + 3 * rank + i, static_cast<double>(hi[i] - lo[i] + 1));
    at += 4 * rank;
  }
  return out;
}

std::string Text(Napi::Env env, ssize_t (*get)(hid_t, size_t, char*, size_t), hid_t dcpl, size_t i,
                 const std::string& what) {
  ssize_t n = CheckH5(env, get(dcpl, i, nullptr, 0), what);
  std::string s(static_cast<size_t>(n) + 1, '\0');
  CheckH5(env, get(dcpl, i, &s[0], s.size()), what);
  s.resize(static_cast<size_t>(n));
  return s;
}

}  // namespace

void SetVirtualMappings(Napi::Env env, hid_t dcpl, hid_t space, const Napi::Value& mappings, const std::string& what) {
  Napi::Array list = mappings.As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Object m = list.Get(i).As<Napi::Object>();
    std::string file = m.Get("file").ToString(), path = m.Get("path").ToString();
    std::string at = what + ": mapping " + std::to_string(i) + " ('" + path + "' in '" + file + "')";
    Space target(CheckH5(env, H5Scopy(space), at));
    Select(env, target.get(), m.Get("target"), at + ": select in the virtual dataset");
    std::vector<hsize_t> dims = ToDims(m.Get("sourceShape"));
    Napi::Array max = m.Get("sourceMaxshape").As<Napi::Array>();
    std::vector<hsize_t> maxdims(dims.size());
    for (uint32_t k = 0; k < dims.size(); k++) maxdims[k] = FromDouble(max.Get(k).As<Napi::Number>().DoubleValue());
    Space source(CheckH5(env, H5Screate_simple(static_cast<int>(dims.size()), dims.data(), maxdims.data()), at));
    Select(env, source.get(), m.Get("source"), at + ": select in the source");
    CheckH5(env, H5Pset_virtual(dcpl, target.get(), file.c_str(), path.c_str(), source.get()), at);
  }
}

Napi::Value VirtualSources(const Napi::CallbackInfo& info, hid_t d, const std::string& name) {
  Napi::Env env = info.Env();
  std::string what = "list the sources of dataset '" + name + "'";
  Plist dcpl(CheckH5(env, H5Dget_create_plist(d), what));
  Napi::Array out = Napi::Array::New(env);
  if (H5Pget_layout(dcpl.get()) != H5D_VIRTUAL) return out;
  size_t n = 0;
  CheckH5(env, H5Pget_virtual_count(dcpl.get(), &n), what);
  for (size_t i = 0; i < n; i++) {
    Napi::Object m = Napi::Object::New(env);
    m.Set("file", Text(env, H5Pget_virtual_filename, dcpl.get(), i, what));
    m.Set("path", Text(env, H5Pget_virtual_dsetname, dcpl.get(), i, what));
    Space target(CheckH5(env, H5Pget_virtual_vspace(dcpl.get(), i), what));
    m.Set("target", Describe(env, target.get(), what));
    Space source(CheckH5(env, H5Pget_virtual_srcspace(dcpl.get(), i), what));
    int rank = CheckH5(env, H5Sget_simple_extent_ndims(source.get()), what);
    std::vector<hsize_t> dims(rank > 0 ? rank : 1), maxdims(rank > 0 ? rank : 1);
    if (rank > 0) H5Sget_simple_extent_dims(source.get(), dims.data(), maxdims.data());
    m.Set("sourceShape", FromDims(env, dims.data(), rank));
    Napi::Array max = Napi::Array::New(env, rank);
    for (int k = 0; k < rank; k++) max.Set(k, ToDouble(maxdims[k]));
    m.Set("sourceMaxshape", max);
    m.Set("source", Describe(env, source.get(), what));
    out.Set(static_cast<uint32_t>(i), m);
  }
  return out;
}

}  // namespace h5mpi
