// Filters: the pipeline of a dataset being created, the description of an existing one, what filters this
// HDF5 can apply, and where it looks for plugins. The choice of filters, their order and their checking
// are lib/spec.ts's.
#include "filters.h"

#include <dlfcn.h>
#include <link.h>

#include <cstring>

#include "addon.h"
#include "errors.h"
#include "fpstate.h"

namespace h5mpi {
namespace {

std::vector<unsigned> ToUints(const Napi::Value& v) {
  std::vector<unsigned> out;
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  out.resize(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = a.Get(i).As<Napi::Number>().Uint32Value();
  return out;
}

// filterInfo(id) -> { available, encode, decode }. Asking may load a plugin (see fpstate.h).
Napi::Value FilterInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  FPGuard fp(Data(env).fp);
  auto id = static_cast<H5Z_filter_t>(info[0].As<Napi::Number>().Int32Value());
  Napi::Object o = Napi::Object::New(env);
  htri_t avail = H5Zfilter_avail(id);
  unsigned config = 0;
  if (avail > 0 && H5Zget_filter_info(id, &config) < 0) config = 0;
  H5Eclear2(H5E_DEFAULT);  // "no" is an answer here, not a failure
  o.Set("available", avail > 0);
  o.Set("encode", (config & H5Z_FILTER_CONFIG_ENCODE_ENABLED) != 0);
  o.Set("decode", (config & H5Z_FILTER_CONFIG_DECODE_ENABLED) != 0);
  return o;
}

// pluginPaths() -> the directories HDF5 searches for plugins, in order (HDF5_PLUGIN_PATH, or the default
// it was built with).
Napi::Value PluginPaths(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  unsigned n = 0;
  CheckH5(env, H5PLsize(&n), "list the plugin search path");
  std::vector<std::string> paths;
  for (unsigned i = 0; i < n; i++) {
    ssize_t len = CheckH5(env, H5PLget(i, nullptr, 0), "list the plugin search path");
    std::string p(static_cast<size_t>(len) + 1, '\0');
    CheckH5(env, H5PLget(i, &p[0], p.size()), "list the plugin search path");
    p.resize(static_cast<size_t>(len));
    paths.push_back(p);
  }
  return FromStrings(env, paths);
}

// The file of the loaded object that defines `symbol`, or "".
std::string DefiningFile(void* symbol) {
  Dl_info where;
  if (symbol == nullptr || dladdr(symbol, &where) == 0 || where.dli_fname == nullptr) return "";
  return where.dli_fname;
}

int CollectLoaded(struct dl_phdr_info* info, size_t, void* data) {
  if (info->dlpi_name && info->dlpi_name[0]) static_cast<std::vector<std::string>*>(data)->push_back(info->dlpi_name);
  return 0;
}

using SetAuto = herr_t (*)(hid_t, H5E_auto2_t, void*);

// hdf5Libraries() -> { own, others }: the libhdf5 this addon calls, and any other libhdf5 loaded in the
// process. A plugin built for another HDF5 (Debian's serial plugins, in a parallel program) brings its own
// libhdf5 along, and the plugin's calls into it cannot see h5mpi's objects. Such a library prints its error
// stack to stderr by default: that is turned off here, as errors.cc does for h5mpi's own.
Napi::Value Hdf5Libraries(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string own = DefiningFile(reinterpret_cast<void*>(&H5open));
  std::vector<std::string> loaded, others;
  dl_iterate_phdr(CollectLoaded, &loaded);
  for (const std::string& path : loaded) {
    const char* base = std::strrchr(path.c_str(), '/');
    base = base ? base + 1 : path.c_str();
    if (std::strncmp(base, "libhdf5", 7) != 0) continue;
    void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) continue;
    void* setAuto = dlsym(handle, "H5Eset_auto2");
    std::string file = DefiningFile(setAuto);
    // Only the library that defines HDF5's API (not libhdf5_hl, which depends on it), once.
    if (!file.empty() && file == path && file != own) {
      reinterpret_cast<SetAuto>(setAuto)(H5E_DEFAULT, nullptr, nullptr);
      others.push_back(file);
    }
    dlclose(handle);
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("own", own);
  o.Set("others", FromStrings(env, others));
  return o;
}

}  // namespace

void SetFilters(Napi::Env env, hid_t dcpl, const Napi::Value& filters, const std::string& what) {
  if (!filters.IsArray()) return;
  Napi::Array a = filters.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Object f = a.Get(i).As<Napi::Object>();
    auto id = static_cast<H5Z_filter_t>(f.Get("id").As<Napi::Number>().Int32Value());
    unsigned flags = f.Get("flags").As<Napi::Number>().Uint32Value();
    std::vector<unsigned> cd = ToUints(f.Get("cdValues"));
    std::string step = what + ": add filter " + std::to_string(id);
    auto at = [&](size_t k) {
      if (k >= cd.size()) ThrowUsage(env, step + ": missing parameter " + std::to_string(k));
      return cd[k];
    };
    herr_t r;
    switch (id) {
      case H5Z_FILTER_DEFLATE: r = H5Pset_deflate(dcpl, at(0)); break;
      case H5Z_FILTER_SHUFFLE: r = H5Pset_shuffle(dcpl); break;
      case H5Z_FILTER_FLETCHER32: r = H5Pset_fletcher32(dcpl); break;
      case H5Z_FILTER_SZIP: r = H5Pset_szip(dcpl, at(0), at(1)); break;
      case H5Z_FILTER_NBIT: r = H5Pset_nbit(dcpl); break;
      case H5Z_FILTER_SCALEOFFSET:
        r = H5Pset_scaleoffset(dcpl, static_cast<H5Z_SO_scale_type_t>(at(0)), static_cast<int>(at(1)));
        break;
      default: r = H5Pset_filter(dcpl, id, flags, cd.size(), cd.data()); break;
    }
    CheckH5(env, r, step);
  }
}

Napi::Array DescribeFilters(Napi::Env env, hid_t dcpl, const std::string& what) {
  int n = CheckH5(env, H5Pget_nfilters(dcpl), what + ": list filters");
  Napi::Array out = Napi::Array::New(env, static_cast<size_t>(n));
  for (int i = 0; i < n; i++) {
    unsigned flags = 0, config = 0;
    std::vector<unsigned> cd(16);
    size_t ncd = cd.size();
    char name[256] = "";
    H5Z_filter_t id =
        H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &ncd, cd.data(), sizeof name, name, &config);
    if (id >= 0 && ncd > cd.size()) {  // more parameters than the first guess: ask again for all of them
      cd.resize(ncd);
      id = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &ncd, cd.data(), sizeof name, name, &config);
    }
    if (id < 0) ThrowH5(env, what + ": describe filter " + std::to_string(i));
    // Naming a filter HDF5 has not loaded pushes "not registered" on the error stack without failing.
    H5Eclear2(H5E_DEFAULT);
    Napi::Object f = Napi::Object::New(env);
    f.Set("id", static_cast<double>(id));
    f.Set("flags", flags);
    Napi::Array values = Napi::Array::New(env, ncd);
    for (size_t k = 0; k < ncd && k < cd.size(); k++) values.Set(static_cast<uint32_t>(k), cd[k]);
    f.Set("cdValues", values);
    name[sizeof name - 1] = '\0';
    f.Set("description", name);
    out.Set(static_cast<uint32_t>(i), f);
  }
  return out;
}

void InitFilters(Napi::Env env, Napi::Object exports) {
  exports.Set("filterInfo", Napi::Function::New(env, FilterInfo));
  exports.Set("pluginPaths", Napi::Function::New(env, PluginPaths));
  exports.Set("hdf5Libraries", Napi::Function::New(env, Hdf5Libraries));
}

}  // namespace h5mpi
