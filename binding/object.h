// The native objects that own HDF5 ids: NativeFile (file.cc), NativeGroup (group.cc), NativeDataset
// (dataset.cc), NativeDatatype (datatype.cc). Each owns its id and whatever it keeps between calls, and is
// closed explicitly by lib/ (in parallel a close is collective, so the garbage collector never closes an
// HDF5 object: a dropped group, dataset or datatype is closed with its file). Objects opened in a file are
// registered in the file's state, so that closing the file closes them first and marks them closed.
#pragma once
#include <memory>
#include <string>
#include <unordered_set>

#include "addon.h"
#include "common.h"
#include "errors.h"

namespace h5mpi {

class OpenObject;

// Closes an object id by its type. H5Dclose and H5Gclose let the id go even when closing fails (a dataset
// whose cached chunks cannot be written to a full disk); H5Oclose in HDF5 1.10 keeps it, and H5close would
// later close it again after its file is gone, and crash.
inline herr_t CloseId(hid_t id) {
  switch (H5Iget_type(id)) {
    case H5I_DATASET: return H5Dclose(id);
    case H5I_GROUP: return H5Gclose(id);
    case H5I_DATATYPE: return H5Tclose(id);
    case H5I_ATTR: return H5Aclose(id);
    default: return H5Oclose(id);
  }
}

// What a file and the objects opened in it share.
struct FileState {
  hid_t id = H5I_INVALID_HID;
  std::string filename;
  std::unordered_set<OpenObject*> objects;  // open groups and datasets, not the file itself
  MPI_File agreed = MPI_FILE_NULL;          // a parallel file's MPI-IO handle, as registered in agreedio.h
};

// An HDF5 group or dataset opened in a file.
class OpenObject {
 public:
  OpenObject() = default;
  OpenObject(const OpenObject&) = delete;
  OpenObject& operator=(const OpenObject&) = delete;
  virtual ~OpenObject() { Forget(); }

  // Takes ownership of `id`, opened in the file of `file`.
  void Adopt(std::shared_ptr<FileState> file, hid_t id, std::string name) {
    file_ = std::move(file);
    id_ = id;
    name_ = std::move(name);
    file_->objects.insert(this);
  }
  bool open() const { return id_ >= 0; }
  const std::string& name() const { return name_; }
  // After a move: the path the binding's messages name.
  void Rename(std::string name) { name_ = std::move(name); }
  // The live id; throws when the object (or its file) was closed.
  hid_t id(Napi::Env env) const {
    if (id_ < 0) ThrowH5Code(env, "'" + name_ + "' is closed", "CLOSED");
    return id_;
  }
  // Closes what the object keeps and its id. Returns HDF5's result of closing the id.
  herr_t Close() {
    Release();
    herr_t r = 0;
    if (id_ >= 0) r = CloseId(id_);
    id_ = H5I_INVALID_HID;
    Forget();
    return r;
  }

 protected:
  // Closes what a subclass keeps besides the id (dataspaces, property lists); local HDF5 objects only.
  virtual void Release() {}
  // Its file's MPI-IO handle as registered in agreedio.h, or MPI_FILE_NULL (serial, or closed).
  MPI_File AgreedFile() const { return file_ ? file_->agreed : MPI_FILE_NULL; }
  std::string FileName() const { return file_ ? file_->filename : std::string(); }

 private:
  void Forget() {
    if (file_) file_->objects.erase(this);
    file_.reset();
  }
  std::shared_ptr<FileState> file_;
  hid_t id_ = H5I_INVALID_HID;
  std::string name_;
};

// After a move of `from` to `to` in `file`: the objects open at or under `from` take their new paths.
inline void RenameUnder(FileState& file, const std::string& from, const std::string& to) {
  for (OpenObject* o : file.objects) {
    const std::string& name = o->name();
    if (name.compare(0, from.size(), from) == 0 && (name.size() == from.size() || name[from.size()] == '/')) {
      o->Rename(to + name.substr(from.size()));
    }
  }
}

// Type tags: a native object passed back in is checked to be what the call expects before it is unwrapped.
extern const napi_type_tag kCommTag;
extern const napi_type_tag kFileTag;
extern const napi_type_tag kGroupTag;
extern const napi_type_tag kDatasetTag;
extern const napi_type_tag kDatatypeTag;

// Makes a NativeGroup / NativeDataset / NativeDatatype owning `id`, opened at `name` in `file`.
Napi::Object NewGroup(Napi::Env env, const std::shared_ptr<FileState>& file, hid_t id, const std::string& name);
Napi::Object NewDataset(Napi::Env env, const std::shared_ptr<FileState>& file, hid_t id, const std::string& name);
Napi::Object NewDatatype(Napi::Env env, const std::shared_ptr<FileState>& file, hid_t id, const std::string& name);

// Attribute calls on any location (attrs.cc); the classes expose them as methods.
Napi::Value AttrWrite(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value AttrRead(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value AttrNames(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value AttrExists(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value AttrDelete(const Napi::CallbackInfo& info, hid_t loc);
// References and dimension scales, from any location of a file (references.cc, dimscales.cc):
// makeReferences(elements, region) -> ArrayBuffer; resolveReference(bytes, region) -> path | null;
// dimScales(op, path, ...) (see dimscales.cc).
Napi::Value MakeReferences(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value ResolveReference(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value DimScales(const Napi::CallbackInfo& info, hid_t loc);
// Calls on a file's tree, with absolute paths (group.cc, dataset.cc); NativeFile exposes them as methods.
// createGroup(path, trackOrder) -> NativeGroup, with any missing groups above it.
Napi::Value CreateGroup(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file);
// createDataset(path, spec) -> NativeDataset.
Napi::Value CreateDataset(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file);
// commitDatatype(path, type descriptor) -> NativeDatatype, with any missing groups above it (datatype.cc).
Napi::Value CommitDatatype(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file);
// open(path) -> NativeGroup | NativeDataset | NativeDatatype;
// kind(path) -> 'group' | 'dataset' | 'datatype' | 'missing'.
Napi::Value OpenObjectAt(const Napi::CallbackInfo& info, const std::shared_ptr<FileState>& file);
Napi::Value ObjectKind(const Napi::CallbackInfo& info, hid_t loc);
// delete(path): unlinks it.
Napi::Value LinkDelete(const Napi::CallbackInfo& info, hid_t loc);
// names() -> the names of the links in a group: in creation order where the group tracks it, else name order.
Napi::Value LinkNames(const Napi::CallbackInfo& info, hid_t loc);
// Link and tree calls (links.cc), with absolute paths: linkExists(path) -> boolean (a link is there, even a
// dangling one); crossesExternal(path) -> whether opening it goes through an external link; externalOn(path)
// -> the path of the first external link opening it goes through, or null; linkInfo(path)
// -> null | { type: 'hard' | 'soft' | 'external' | 'user', target?, file? }; createSoftLink(path, target),
// createHardLink(path, existingPath), createExternalLink(path, file, objectPath); move(from, to);
// copy(sourceFile: NativeFile, from, to, { shallow, expandSoft, expandExternal, expandRefs, withoutAttrs });
// visit(path) -> [names relative to path, kinds], every object once, in name order.
Napi::Value LinkExists(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value PathCrossesExternal(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value ExternalOnPath(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value LinkInfo(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value CreateSoftLink(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value CreateHardLink(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value CreateExternalLink(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value LinkMove(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value ObjectCopy(const Napi::CallbackInfo& info, hid_t loc);
Napi::Value ObjectVisit(const Napi::CallbackInfo& info, hid_t loc);
// Collects the names of the links (or, with `attributes`, the attributes) at `loc`, in creation order where
// it is tracked, else in name order.
herr_t CollectNames(hid_t loc, bool attributes, std::vector<std::string>* names);
// Whether the object at `loc` tracks the creation order of its links (a group) or, with `attributes`, of its
// attributes (a file's: its root group's), by the flag its creation list reports, as h5py asks.
bool TracksOrder(hid_t loc, bool attributes);
// Sets link (with `links`) and attribute creation-order tracking, indexed, on a file/group/dataset creation list.
void SetCreationOrder(Napi::Env env, hid_t cpl, bool links, const std::string& what);
// The live id of a NativeFile passed in from JS (type-checked); throws when it is not one or is closed.
hid_t FileIdOf(Napi::Env env, const Napi::Value& value);

// The methods every location class has: attributes, and (for groups and files) link names.
template <typename T>
void LocationMethods(std::vector<Napi::ClassPropertyDescriptor<T>>& methods) {
  using W = Napi::ObjectWrap<T>;
  methods.push_back(W::InstanceMethod("attrWrite", &T::AttrWriteM));
  methods.push_back(W::InstanceMethod("attrRead", &T::AttrReadM));
  methods.push_back(W::InstanceMethod("attrNames", &T::AttrNamesM));
  methods.push_back(W::InstanceMethod("attrExists", &T::AttrExistsM));
  methods.push_back(W::InstanceMethod("attrDelete", &T::AttrDeleteM));
  methods.push_back(W::InstanceMethod("makeReferences", &T::MakeReferencesM));
  methods.push_back(W::InstanceMethod("resolveReference", &T::ResolveReferenceM));
  methods.push_back(W::InstanceMethod("dimScales", &T::DimScalesM));
}

// Defines the attribute methods of a class whose `Loc(env)` gives its live id.
#define H5MPI_LOCATION_METHODS                                                                                      \
  Napi::Value AttrWriteM(const Napi::CallbackInfo& info) { return AttrWrite(info, Loc(info.Env())); }               \
  Napi::Value AttrReadM(const Napi::CallbackInfo& info) { return AttrRead(info, Loc(info.Env())); }                 \
  Napi::Value AttrNamesM(const Napi::CallbackInfo& info) { return AttrNames(info, Loc(info.Env())); }               \
  Napi::Value AttrExistsM(const Napi::CallbackInfo& info) { return AttrExists(info, Loc(info.Env())); }             \
  Napi::Value AttrDeleteM(const Napi::CallbackInfo& info) { return AttrDelete(info, Loc(info.Env())); }             \
  Napi::Value MakeReferencesM(const Napi::CallbackInfo& info) { return MakeReferences(info, Loc(info.Env())); }     \
  Napi::Value ResolveReferenceM(const Napi::CallbackInfo& info) { return ResolveReference(info, Loc(info.Env())); } \
  Napi::Value DimScalesM(const Napi::CallbackInfo& info) { return DimScales(info, Loc(info.Env())); }

}  // namespace h5mpi
