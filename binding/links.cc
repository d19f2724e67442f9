// Links and walks over a file's tree: making soft, hard and external links, describing a link, moving a link,
// copying objects (within and across files), visiting every object under a group, and listing names in
// creation order where the group or object tracks it. Paths are absolute, from the file's root.
#include <algorithm>
#include <set>

#include "errors.h"
#include "h5compat.h"
#include "object.h"

namespace h5mpi {
namespace {

// HDF5 stops following soft links after this many (H5L_NUM_LINKS); so does CrossesExternal.
constexpr int kMaxSoftLinks = 16;

std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    if (slash > pos) parts.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return parts;
}

// Whether a link is at `path`: every link along it is checked in turn, since HDF5 reports a missing (or
// dangling, or non-group) intermediate component as an error rather than "no". h5py's `name in group`.
bool LinkPathExists(hid_t loc, const std::string& path) {
  std::string prefix;
  for (const std::string& part : Components(path)) {
    prefix += "/" + part;
    htri_t exists = H5Lexists(loc, prefix.c_str(), H5P_DEFAULT);
    if (exists <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
  }
  return true;
}

// The value of the soft link at `path` (its info already read into `li`).
std::string SoftTarget(Napi::Env env, hid_t loc, const std::string& path, const h5compat::LinkInfo& li,
                       const std::string& what) {
  std::string buf(li.u.val_size, '\0');
  CheckH5(env, H5Lget_val(loc, path.c_str(), &buf[0], buf.size(), H5P_DEFAULT), what);
  return std::string(buf.c_str());
}

// Whether opening `path` would go through an external link (open another file): walks the path one link at a
// time, following soft links by their text, without traversing any external link itself. `at` gets the
// path of the first external link on the way (untrusted mode checks the file it leads to first).
bool CrossesExternal(hid_t loc, const std::string& path, int depth, std::string* at = nullptr) {
  if (depth > kMaxSoftLinks) return false;
  std::vector<std::string> parts = Components(path);
  std::string prefix;
  for (size_t i = 0; i < parts.size(); i++) {
    std::string parent = prefix;
    prefix += "/" + parts[i];
    h5compat::LinkInfo li;
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0 || h5compat::LinkInfoByName(loc, prefix.c_str(), &li) < 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
    if (li.type == H5L_TYPE_EXTERNAL) {
      if (at) *at = prefix;
      return true;
    }
    if (li.type == H5L_TYPE_SOFT) {
      std::string buf(li.u.val_size, '\0');
      if (H5Lget_val(loc, prefix.c_str(), &buf[0], buf.size(), H5P_DEFAULT) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
      std::string target(buf.c_str());
      std::string rest = target[0] == '/' ? target : parent + "/" + target;
      for (size_t j = i + 1; j < parts.size(); j++) rest += "/" + parts[j];
      return CrossesExternal(loc, rest, depth + 1, at);
    }
  }
  return false;
}

// A link creation list: missing groups above the new link are created (as h5py's), and a name that is not
// ASCII is marked UTF-8 (as h5py marks it).
Plist LinkCreatePlist(Napi::Env env, const std::string& path, const std::string& what) {
  Plist lcpl(CheckH5(env, H5Pcreate(H5P_LINK_CREATE), what));
  CheckH5(env, H5Pset_create_intermediate_group(lcpl.get(), 1), what);
  bool ascii = std::all_of(path.begin(), path.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (!ascii) CheckH5(env, H5Pset_char_encoding(lcpl.get(), H5T_CSET_UTF8), what);
  return lcpl;
}

// Makes a link at `path` with `make(lcpl)` (an H5Lcreate_* or H5Lmove call), the link creation property
// list creating missing groups on the way; a failure names `what`, the group and the file.
template <typename Make>
Napi::Value MakeLink(const Napi::CallbackInfo& info, hid_t loc, const std::string& path, const std::string& what,
                     Make make) {
  Napi::Env env = info.Env();
  ErrorSubject subject(env, loc);
  Plist lcpl = LinkCreatePlist(env, path, what);
  CheckH5(env, make(lcpl.get()), what);
  return env.Undefined();
}

struct Collected {
  std::vector<std::string> names;
  std::vector<std::string> kinds;
};

const char* KindName(H5O_type_t type) {
  switch (type) {
    case H5O_TYPE_GROUP: return "group";
    case H5O_TYPE_DATASET: return "dataset";
    case H5O_TYPE_NAMED_DATATYPE: return "datatype";
    default: return "unknown";
  }
}

// The creation property list of the object at `loc`. For a file, the root group's: HDF5 keeps the root's
// link-order flags there and not in the file's creation list once the file is reopened (HDFGroup/hdf5#5183),
// and h5py 3.12 and later ask the root group for both its links and its attributes (h5py/h5py#2410).
Plist CreatePlistOf(hid_t loc, bool attributes) {
  switch (H5Iget_type(loc)) {
    case H5I_FILE: {
      Handle<H5Gclose> root(H5Gopen2(loc, "/", H5P_DEFAULT));
      return Plist(root.valid() ? H5Gget_create_plist(root.get()) : H5I_INVALID_HID);
    }
    case H5I_GROUP: return Plist(H5Gget_create_plist(loc));
    case H5I_DATASET: return Plist(H5Dget_create_plist(loc));
    case H5I_DATATYPE: return Plist(H5Tget_create_plist(loc));
    default: return Plist();
  }
}

}  // namespace

bool TracksOrder(hid_t loc, bool attributes) {
  Plist cpl = CreatePlistOf(loc, attributes);
  unsigned flags = 0;
  herr_t r = -1;
  if (cpl.valid()) {
    r = attributes ? H5Pget_attr_creation_order(cpl.get(), &flags) : H5Pget_link_creation_order(cpl.get(), &flags);
  }
  if (r < 0) {
    H5Eclear2(H5E_DEFAULT);
    return false;
  }
  return (flags & H5P_CRT_ORDER_TRACKED) != 0;
}

namespace {

struct Named {
  std::string name;
  int64_t corder;
  bool hasOrder;
};

template <typename Info>
herr_t CollectNamed(hid_t, const char* name, const Info* info, void* data) {
  static_cast<std::vector<Named>*>(data)->push_back({name, info->corder, info->corder_valid != 0});
  return 0;
}

}  // namespace

herr_t CollectNames(hid_t loc, bool attributes, std::vector<std::string>* names) {
  // HDF5's native order (no index asked for), sorted here: any other order makes HDF5 build a table of the
  // dense storage's members sized by the count the file claims, and when a damaged file holds fewer
  // entries than that, HDF5 1.10 frees the table's unfilled ones and crashes (H5G__link_release_table,
  // docs/untrusted-files.md). Sorted as h5py lists them: in creation order where the group or object says
  // it tracks it (a reopened file's root group too, as h5py 3.12 and later list it: see CreatePlistOf),
  // else in name order (HDF5's is strcmp's, which std::string's is). Members without a creation order
  // (tracked but not indexed) list in name order.
  std::vector<Named> found;
  hsize_t idx = 0;
  herr_t r = attributes ? H5Aiterate2(loc, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, CollectNamed<H5A_info_t>, &found)
                        : h5compat::IterateLinks(loc, H5_INDEX_NAME, H5_ITER_NATIVE, &idx,
                                                 CollectNamed<h5compat::LinkInfo>, &found);
  if (r < 0) return r;
  bool byOrder = TracksOrder(loc, attributes) &&
                 std::all_of(found.begin(), found.end(), [](const Named& n) { return n.hasOrder; });
  std::sort(found.begin(), found.end(), [byOrder](const Named& a, const Named& b) {
    return byOrder && a.corder != b.corder ? a.corder < b.corder : a.name < b.name;
  });
  names->clear();
  names->reserve(found.size());
  for (auto& n : found) names->push_back(std::move(n.name));
  return r;
}

Napi::Value LinkExists(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  std::string path = info[0].ToString();
  return Napi::Boolean::New(info.Env(), path == "/" || LinkPathExists(loc, path));
}

Napi::Value PathCrossesExternal(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  return Napi::Boolean::New(info.Env(), CrossesExternal(loc, info[0].ToString(), 0));
}

Napi::Value ExternalOnPath(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  std::string at;
  if (!CrossesExternal(loc, info[0].ToString(), 0, &at)) return info.Env().Null();
  return Napi::String::New(info.Env(), at);
}

Napi::Value LinkInfo(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  if (path == "/" || !LinkPathExists(loc, path)) return env.Null();
  std::string what = "read the link " + Quote(path);
  h5compat::LinkInfo li;
  CheckH5(env, h5compat::LinkInfoByName(loc, path.c_str(), &li), what);
  Napi::Object o = Napi::Object::New(env);
  switch (li.type) {
    case H5L_TYPE_HARD: o.Set("type", "hard"); break;
    case H5L_TYPE_SOFT:
      o.Set("type", "soft");
      o.Set("target", SoftTarget(env, loc, path, li, what));
      break;
    case H5L_TYPE_EXTERNAL: {
      std::string buf(li.u.val_size, '\0');
      CheckH5(env, H5Lget_val(loc, path.c_str(), &buf[0], buf.size(), H5P_DEFAULT), what);
      unsigned flags = 0;
      const char* file = nullptr;
      const char* object = nullptr;
      CheckH5(env, H5Lunpack_elink_val(&buf[0], buf.size(), &flags, &file, &object), what);
      o.Set("type", "external");
      o.Set("file", file);
      o.Set("target", object);
      break;
    }
    default: o.Set("type", "user"); break;
  }
  return o;
}

Napi::Value CreateSoftLink(const Napi::CallbackInfo& info, hid_t loc) {
  std::string path = info[0].ToString(), target = info[1].ToString();
  return MakeLink(info, loc, path, "create soft link " + Quote(path) + " to " + Quote(target),
                  [&](hid_t lcpl) { return H5Lcreate_soft(target.c_str(), loc, path.c_str(), lcpl, H5P_DEFAULT); });
}

Napi::Value CreateHardLink(const Napi::CallbackInfo& info, hid_t loc) {
  std::string path = info[0].ToString(), target = info[1].ToString();
  return MakeLink(info, loc, path, "create hard link " + Quote(path) + " to " + Quote(target), [&](hid_t lcpl) {
    return H5Lcreate_hard(loc, target.c_str(), loc, path.c_str(), lcpl, H5P_DEFAULT);
  });
}

Napi::Value CreateExternalLink(const Napi::CallbackInfo& info, hid_t loc) {
  std::string path = info[0].ToString(), file = info[1].ToString(), object = info[2].ToString();
  std::string what = "create external link " + Quote(path) + " to " + Quote(object) + " in " + Quote(file);
  return MakeLink(info, loc, path, what, [&](hid_t lcpl) {
    return H5Lcreate_external(file.c_str(), object.c_str(), loc, path.c_str(), lcpl, H5P_DEFAULT);
  });
}

Napi::Value LinkMove(const Napi::CallbackInfo& info, hid_t loc) {
  std::string from = info[0].ToString(), to = info[1].ToString();
  return MakeLink(info, loc, to, "move " + Quote(from) + " to " + Quote(to),
                  [&](hid_t lcpl) { return H5Lmove(loc, from.c_str(), loc, to.c_str(), lcpl, H5P_DEFAULT); });
}

Napi::Value ObjectCopy(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  // A copy that converts the data (variable-length strings into another file, expanded references) runs
  // the filters, and the first use of one loads its plugin (fpstate.h).
  FPGuard fp(Data(env).fp);
  hid_t source = FileIdOf(env, info[0]);
  std::string from = info[1].ToString(), to = info[2].ToString();
  Napi::Object options = info[3].As<Napi::Object>();
  std::string what = "copy " + Quote(from) + " to " + Quote(to);
  unsigned flags = 0;
  if (options.Get("shallow").ToBoolean()) flags |= H5O_COPY_SHALLOW_HIERARCHY_FLAG;
  if (options.Get("expandSoft").ToBoolean()) flags |= H5O_COPY_EXPAND_SOFT_LINK_FLAG;
  if (options.Get("expandExternal").ToBoolean()) flags |= H5O_COPY_EXPAND_EXT_LINK_FLAG;
  if (options.Get("expandRefs").ToBoolean()) flags |= H5O_COPY_EXPAND_REFERENCE_FLAG;
  if (options.Get("withoutAttrs").ToBoolean()) flags |= H5O_COPY_WITHOUT_ATTR_FLAG;
  Plist ocpypl(CheckH5(env, H5Pcreate(H5P_OBJECT_COPY), what));
  CheckH5(env, H5Pset_copy_object(ocpypl.get(), flags), what);
  Plist lcpl = LinkCreatePlist(env, to, what);
  CheckH5(env, H5Ocopy(source, from.c_str(), loc, to.c_str(), ocpypl.get(), lcpl.get()), what);
  return env.Undefined();
}

namespace {

struct LinkSeen {
  std::string name;
  bool hard;
};

herr_t CollectLink(hid_t, const char* name, const h5compat::LinkInfo* li, void* data) {
  static_cast<std::vector<LinkSeen>*>(data)->push_back({name, li->type == H5L_TYPE_HARD});
  return 0;
}

// H5Ovisit's walk (as h5py's visit asks for it: by name, increasing) made from native-order listings:
// HDF5's name order over a group in dense storage builds the table that HDF5 1.10 frees half-filled on a
// damaged heap (docs/untrusted-files.md, site 1), so each group's links are listed in native order and
// sorted here (strcmp's order, as HDF5's name index). The result is H5Ovisit's: depth first, each object
// once under the first name that reaches it, hard links only. Every object is remembered (H5Ovisit
// remembers those with more than one link): a damaged file whose link counts lie cannot make a cycle.
struct Visit {
  Napi::Env env;
  std::string start;
  std::set<std::string> seen;
  Collected out;
  // A name relative to the start as a path from the root, for messages.
  std::string Absolute(const std::string& name) const { return start == "/" ? "/" + name : start + "/" + name; }
};

void VisitGroup(Visit& v, hid_t group, const std::string& prefix) {
  std::string where = "visit the objects under " + Quote(v.start);
  std::vector<LinkSeen> links;
  hsize_t idx = 0;
  CheckH5(v.env, h5compat::IterateLinks(group, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, CollectLink, &links),
          prefix.empty() ? where : where + ": list " + Quote(v.Absolute(prefix.substr(0, prefix.size() - 1))));
  std::sort(links.begin(), links.end(), [](const LinkSeen& a, const LinkSeen& b) { return a.name < b.name; });
  for (const LinkSeen& link : links) {
    if (!link.hard) continue;
    std::string name = prefix + link.name;
    h5compat::ObjectInfo oi;
    CheckH5(v.env, h5compat::ObjectInfoByName(group, link.name.c_str(), &oi), where + ": " + Quote(v.Absolute(name)));
    if (!v.seen.insert(h5compat::KeyBytes(h5compat::KeyOf(oi))).second) continue;
    v.out.names.push_back(name);
    v.out.kinds.emplace_back(KindName(oi.type));
    if (oi.type != H5O_TYPE_GROUP) continue;
    Handle<H5Gclose> sub(
        CheckH5(v.env, H5Gopen2(group, link.name.c_str(), H5P_DEFAULT), where + ": " + Quote(v.Absolute(name))));
    VisitGroup(v, sub.get(), name + "/");
  }
}

}  // namespace

Napi::Value ObjectVisit(const Napi::CallbackInfo& info, hid_t loc) {
  ErrorSubject subject(info.Env(), loc);
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  Visit v{env, path, {}, {}};
  std::string where = "visit the objects under " + Quote(path);
  h5compat::ObjectInfo oi;
  CheckH5(env, h5compat::ObjectInfoByName(loc, path.c_str(), &oi), where);
  v.seen.insert(h5compat::KeyBytes(h5compat::KeyOf(oi)));
  if (oi.type == H5O_TYPE_GROUP) {
    Handle<H5Gclose> group(CheckH5(env, H5Gopen2(loc, path.c_str(), H5P_DEFAULT), where));
    VisitGroup(v, group.get(), "");
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, FromStrings(env, v.out.names));
  out.Set(1u, FromStrings(env, v.out.kinds));
  return out;
}

void SetCreationOrder(Napi::Env env, hid_t cpl, bool links, const std::string& what) {
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  if (links) CheckH5(env, H5Pset_link_creation_order(cpl, order), what + ": track link creation order");
  CheckH5(env, H5Pset_attr_creation_order(cpl, order), what + ": track attribute creation order");
}

}  // namespace h5mpi
