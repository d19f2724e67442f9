// Files: create/open with the sec2 (serial) or MPI-IO driver, close with everything under them, flush.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <malloc.h>

#include <cstring>

#include "agreedio.h"
#include "comm.h"
#include "errors.h"
#include "fpstate.h"
#include "object.h"

namespace h5mpi {
namespace {

// Owns an MPI_Info built from a plain object of hint strings.
class Info {
 public:
  Info(Napi::Env env, const Napi::Value& hints) {
    if (!hints.IsObject()) return;
    CheckMPI(env, MPI_Info_create(&info_), "MPI_Info_create");
    Napi::Object o = hints.As<Napi::Object>();
    Napi::Array keys = o.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); i++) {
      std::string k = keys.Get(i).ToString(), v = o.Get(keys.Get(i)).ToString();
      CheckMPI(env, MPI_Info_set(info_, k.c_str(), v.c_str()), "MPI_Info_set");
    }
  }
  ~Info() {
    if (info_ != MPI_INFO_NULL) MPI_Info_free(&info_);
  }
  MPI_Info get() const { return info_; }

 private:
  MPI_Info info_ = MPI_INFO_NULL;
};

// options: { comm?: Comm, info?: {hint: value}, collectiveMetadata?: boolean, collectiveMetadataReads?: boolean }:
// collectiveMetadata sets HDF5's collective metadata writes, and its reads too unless collectiveMetadataReads
// is false (lib/hdf5compat.ts: HDF5 versions whose collective metadata reads hang variable-length reads).
Plist AccessPlist(Napi::Env env, const Napi::Object& options, const std::string& what) {
  Plist fapl(CheckH5(env, H5Pcreate(H5P_FILE_ACCESS), what));
  Napi::Value comm = options.Get("comm");
  if (comm.IsObject()) {
    MPI_Comm c = CommFromValue(env, comm);
    Info info(env, options.Get("info"));
    CheckH5(env, H5Pset_fapl_mpio(fapl.get(), c, info.get()), what + ": set MPI-IO driver");
    if (options.Get("collectiveMetadata").ToBoolean()) {
      Napi::Value reads = options.Get("collectiveMetadataReads");
      if (reads.IsUndefined() || reads.ToBoolean())
        CheckH5(env, H5Pset_all_coll_metadata_ops(fapl.get(), true), what + ": set collective metadata reads");
      CheckH5(env, H5Pset_coll_metadata_write(fapl.get(), true), what + ": set collective metadata writes");
    }
  }
  return fapl;
}

// The communicator of a file opened with the MPI-IO driver (options.comm), else MPI_COMM_NULL.
MPI_Comm ParallelComm(Napi::Env env, const Napi::Value& options) {
  if (!options.IsObject()) return MPI_COMM_NULL;
  Napi::Value comm = options.As<Napi::Object>().Get("comm");
  return comm.IsObject() ? CommFromValue(env, comm) : MPI_COMM_NULL;
}

// HDF5 opens serial files without O_CLOEXEC, so any process started from here (orted when MPI starts as a
// singleton, child_process.spawn) would inherit the descriptor and its flock() and keep the file locked after
// it is closed. `fapl` is the access plist the file was opened with: asking the file for its own
// (H5Fget_access_plist) would copy an MPI-IO plist, duplicating and freeing its communicator. Returns `file`.
hid_t CloseOnExec(hid_t file, const Plist& fapl) {
  void* handle = nullptr;
  if (H5Pget_driver(fapl.get()) == H5FD_SEC2 && H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) >= 0 && handle) {
    int fd = *static_cast<int*>(handle);
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
  H5Eclear2(H5E_DEFAULT);
  return file;
}

// NativeFile: an open file (its id, shared with the objects opened in it through FileState) and the calls
// on its tree, made with absolute paths from the root.
class NativeFile : public Napi::ObjectWrap<NativeFile> {
 public:
  static Napi::Function Define(Napi::Env env) {
    std::vector<Napi::ClassPropertyDescriptor<NativeFile>> methods = {
        InstanceMethod<&NativeFile::Close>("close"),
        InstanceMethod<&NativeFile::CloseAfterFailure>("closeAfterFailure"),
        InstanceMethod<&NativeFile::Flush>("flush"),
        InstanceMethod<&NativeFile::TakeWriteFailure>("takeWriteFailure"),
        InstanceMethod<&NativeFile::Size>("size"),
        InstanceMethod<&NativeFile::AccessInfo>("accessInfo"),
        InstanceMethod<&NativeFile::Identity>("identity"),
        InstanceMethod<&NativeFile::CreateGroupM>("createGroup"),
        InstanceMethod<&NativeFile::CreateDatasetM>("createDataset"),
        InstanceMethod<&NativeFile::CommitDatatypeM>("commitDatatype"),
        InstanceMethod<&NativeFile::OpenM>("open"),
        InstanceMethod<&NativeFile::KindM>("kind"),
        InstanceMethod<&NativeFile::DeleteM>("delete"),
        InstanceMethod<&NativeFile::NamesM>("names"),
        InstanceMethod<&NativeFile::LinkExistsM>("linkExists"),
        InstanceMethod<&NativeFile::CrossesExternalM>("crossesExternal"),
        InstanceMethod<&NativeFile::ExternalOnM>("externalOn"),
        InstanceMethod<&NativeFile::LinkInfoM>("linkInfo"),
        InstanceMethod<&NativeFile::CreateSoftLinkM>("createSoftLink"),
        InstanceMethod<&NativeFile::CreateHardLinkM>("createHardLink"),
        InstanceMethod<&NativeFile::CreateExternalLinkM>("createExternalLink"),
        InstanceMethod<&NativeFile::MoveM>("move"),
        InstanceMethod<&NativeFile::CopyM>("copy"),
        InstanceMethod<&NativeFile::VisitM>("visit"),
    };
    LocationMethods(methods);
    return DefineClass(env, "NativeFile", methods);
  }

  explicit NativeFile(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeFile>(info) {
    info.This().As<Napi::Object>().TypeTag(&kFileTag);
  }
  // Never closes the file: in parallel that is collective (lib/ closes files, also at exit).

  // `comm`: a parallel file's communicator (collective then), whose ranks agree on every collective write's
  // outcome (agreedio.h); MPI_COMM_NULL for a serial file. `independentMetadata`: HDF5 writes its metadata
  // independently (no collective metadata writes), whose failures are held (agreedio.h RegisterFile).
  static Napi::Object New(Napi::Env env, hid_t id, const std::string& filename, MPI_Comm comm,
                          bool independentMetadata) {
    Napi::Object o = Data(env).fileClass.New({});
    NativeFile* f = Unwrap(o);
    f->state_ = std::make_shared<FileState>();
    f->state_->id = id;
    f->state_->filename = filename;
    void* handle = nullptr;
    if (comm != MPI_COMM_NULL && InstallAgreedWrites() && H5Fget_vfd_handle(id, H5P_DEFAULT, &handle) >= 0 && handle) {
      f->state_->agreed = *static_cast<MPI_File*>(handle);
      RegisterFile(f->state_->agreed, comm, filename, independentMetadata);
    }
    H5Eclear2(H5E_DEFAULT);
    return o;
  }

  H5MPI_LOCATION_METHODS

  // The live file id; throws when the file was closed.
  hid_t Loc(Napi::Env env) const {
    if (!state_ || state_->id < 0)
      ThrowH5Code(env, "file '" + (state_ ? state_->filename : "") + "' is closed", "CLOSED");
    return state_->id;
  }

 private:
  std::shared_ptr<FileState> state_;

  const std::shared_ptr<FileState>& State(Napi::Env env) const {
    Loc(env);
    return state_;
  }

  // close(): closes every object still open in this file by this process, then the file.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FPGuard fp(Data(env).fp);  // closing writes the chunks still cached, through their filters
    hid_t file = Loc(env);
    std::string what = "close file '" + state_->filename + "'";
    CloseObjects(env, file, what);
    state_->id = H5I_INVALID_HID;
    herr_t closed = H5Fclose(file);  // its flush's collective writes still agreed
    // A write of the close's own that failed and was held (lib/ flushed just before, so there is little left).
    HeldFailure held = state_->agreed != MPI_FILE_NULL ? TakeHeldFailure(state_->agreed, false) : HeldFailure{};
    Unregister();
    CheckH5(env, closed, what);
    if (held.failed) ThrowH5Code(env, what + " failed: a write of HDF5's metadata failed" + ErrnoText(held.err), "IO");
    return env.Undefined();
  }

  static std::string ErrnoText(int err) {
    return err != 0 ? std::string(": ") + std::strerror(err) + " (errno " + std::to_string(err) + ")" : "";
  }

  // takeWriteFailure(collective) -> undefined | { message, errno?, rank? }: a write HDF5 made since the last
  // call that failed and was held (agreedio.h RegisterFile), cleared. `collective`: agreed on every rank of
  // the file (every rank calls), naming a rank where it failed. Nothing for files that do not hold failures.
  Napi::Value TakeWriteFailure(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    // A closed file was unregistered (on every rank that closed it): nothing held, nothing to agree on.
    if (!state_ || state_->agreed == MPI_FILE_NULL) return env.Undefined();
    HeldFailure held = TakeHeldFailure(state_->agreed, info[0].ToBoolean());
    if (!held.failed) return env.Undefined();
    Napi::Object o = Napi::Object::New(env);
    std::string where = held.here || held.rank < 0 ? "" : " on rank " + std::to_string(held.rank);
    o.Set("message", "HDF5's write to '" + state_->filename + "' failed" + where + ErrnoText(held.err));
    if (held.err != 0) o.Set("errno", held.err);
    if (held.rank >= 0) o.Set("rank", held.rank);
    return o;
  }

  void Unregister() {
    if (state_->agreed != MPI_FILE_NULL) UnregisterFile(state_->agreed);
    state_->agreed = MPI_FILE_NULL;
  }

  // closeAfterFailure(comm?, apart?): after a failed write, closes the file without writing what HDF5 still caches
  // for it. HDF5 1.10 cannot be told to drop dirty metadata, and its close flushes: on a full or read-only
  // file system that fails again, in parallel on some ranks only, which then wait in different collectives
  // (the metadata cache's sync point on one, MPI_File_close on another) forever; and a failed H5Fclose keeps
  // an id whose file it freed, which H5close crashes on. So the file's descriptor (sec2) or MPI-IO handle is
  // first swapped for an anonymous memory file, which every write succeeds on, the same on every rank; then
  // the close runs its usual course and its writes go nowhere. Collective on `comm` for a parallel file.
  //
  // `apart` (info[1], parallel only): a collective call failed on some ranks only, and the ranks' HDF5
  // metadata differs. HDF5's close then runs a different number of its internal collectives (the metadata
  // cache's sync points: the candidate list rank 0 sends names entries another rank does not hold, which
  // fails there and skips a barrier) and the ranks wait for each other forever, even into a memory file.
  // So HDF5 is not asked to close the file at all: its MPI-IO handle is closed (collective, no I/O, the same
  // on every rank), and its ids are abandoned, never to be used again; shutdown then skips H5close, which
  // would close them (lib/runtime.ts has closed every other file by then).
  Napi::Value CloseAfterFailure(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FPGuard fp(Data(env).fp);
    hid_t file = Loc(env);
    std::string what = "close file '" + state_->filename + "' after a failure";
    if (info.Length() > 1 && info[1].ToBoolean()) {
      Unregister();
      void* handle = nullptr;
      if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) >= 0 && handle) MPI_File_close(static_cast<MPI_File*>(handle));
      H5Eclear2(H5E_DEFAULT);
      state_->id = H5I_INVALID_HID;
      Data(env).abandonedFiles++;
      return env.Undefined();
    }
    int scratch = memfd_create("h5mpi-failed-file", MFD_CLOEXEC);
    if (scratch < 0) ThrowH5Code(env, what + " failed: memfd_create: " + std::strerror(errno), "IO");
    // Kept open until the file is closed: an MPI-IO library may open the path only when it first writes
    // (ROMIO's deferred open), and the number must not name another file by then.
    struct Closer {
      int fd;
      ~Closer() { close(fd); }
    } keep{scratch};
    Unregister();  // its handle is closed here
    void* handle = nullptr;
    herr_t got = H5Fget_vfd_handle(file, H5P_DEFAULT, &handle);
    H5Eclear2(H5E_DEFAULT);
    MPI_File registered = MPI_FILE_NULL;
    if (info[0].IsObject()) {
      MPI_Comm comm = CommFromValue(env, info[0]);
      // Every rank opens its own memory file (the names differ; MPI-IO only opens each rank's).
      std::string path = "/proc/self/fd/" + std::to_string(scratch);
      MPI_File sink = MPI_FILE_NULL;
      int rc = MPI_File_open(comm, path.c_str(), MPI_MODE_RDWR, MPI_INFO_NULL, &sink);
      if (rc != MPI_SUCCESS) ThrowMPI(env, rc, what + ": MPI_File_open of a memory file");
      if (got >= 0 && handle) {
        MPI_File* fh = static_cast<MPI_File*>(handle);
        MPI_File_close(fh);  // the real file: collective, no I/O
        *fh = sink;
        // The flush below syncs it: agreed as the real file's syncs, for a rank whose OMPIO was left with
        // a failed write's request would return from the sync before the barrier the others wait in.
        RegisterFile(sink, comm, path, false);
        registered = sink;
      } else {
        MPI_File_close(&sink);
      }
    } else if (got >= 0 && handle) {
      dup2(scratch, *static_cast<int*>(handle));
    }
    CloseObjects(env, file, what);
    // A flush that failed leaves HDF5 1.10's metadata cache with its skip list still enabled and dirty
    // entries in it, and every later flush (close's too) then fails at its start ("slist already
    // enabled?"), though it goes on: this one writes the entries out, into the memory file, and the cache
    // is left as after a good flush, so that the close succeeds and frees the file's id.
    H5Fflush(file, H5F_SCOPE_LOCAL);
    H5Eclear2(H5E_DEFAULT);
    state_->id = H5I_INVALID_HID;
    herr_t closed = H5Fclose(file);
    if (registered != MPI_FILE_NULL) UnregisterFile(registered);
    CheckH5(env, closed, what);
    return env.Undefined();
  }

  // Closes every object still open in the file: lib/'s, then any other id.
  void CloseObjects(Napi::Env env, hid_t file, const std::string& what) {
    // Copied: each one's Close takes it out of the set.
    std::vector<OpenObject*> objects(state_->objects.begin(), state_->objects.end());
    for (OpenObject* o : objects) o->Close();
    // Anything else still open in it (nothing lib/ knows of, normally).
    const unsigned kinds = H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR | H5F_OBJ_LOCAL;
    ssize_t n = CheckH5(env, H5Fget_obj_count(file, kinds), what);
    std::vector<hid_t> ids(n);
    if (n > 0) n = CheckH5(env, H5Fget_obj_ids(file, kinds, ids.size(), ids.data()), what);
    for (ssize_t i = 0; i < n; i++) CloseId(ids[i]);
    H5Eclear2(H5E_DEFAULT);
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    FPGuard fp(Data(env).fp);  // as close
    CheckH5(env, H5Fflush(Loc(env), H5F_SCOPE_GLOBAL), "flush file '" + state_->filename + "'");
    return env.Undefined();
  }

  // size() -> bytes
  Napi::Value Size(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    hsize_t size = 0;
    CheckH5(env, H5Fget_filesize(Loc(env), &size), "get the size of file '" + state_->filename + "'");
    return Napi::Number::New(env, static_cast<double>(size));
  }

  // identity() -> { dev, ino, size, mtimeNs } (dev, ino and mtimeNs as decimal strings) of the file the sec2
  // driver holds open: fstat of its descriptor, so what HDF5 opened, whatever the name leads to now
  // (untrusted mode compares it with what the check opened). null under another driver (MPI-IO has no fd).
  Napi::Value Identity(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    hid_t file = Loc(env);
    std::string what = "identify file '" + state_->filename + "'";
    Plist fapl(CheckH5(env, H5Fget_access_plist(file), what));
    if (H5Pget_driver(fapl.get()) != H5FD_SEC2) return env.Null();
    int* fd = nullptr;
    CheckH5(env, H5Fget_vfd_handle(file, fapl.get(), reinterpret_cast<void**>(&fd)), what);
    struct stat st;
    if (fd == nullptr || fstat(*fd, &st) != 0) ThrowH5Code(env, what + ": fstat failed: " + std::strerror(errno), "IO");
    Napi::Object o = Napi::Object::New(env);
    o.Set("dev", std::to_string(static_cast<unsigned long long>(st.st_dev)));
    o.Set("ino", std::to_string(static_cast<unsigned long long>(st.st_ino)));
    o.Set("size", static_cast<double>(st.st_size));
    o.Set("mtimeNs", std::to_string(static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec));
    return o;
  }

  // accessInfo() -> { driver: 'mpio' | 'other', hints?: {key: value} as the open MPI file reports them,
  // collectiveMetadataReads, collectiveMetadataWrites }
  Napi::Value AccessInfo(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    hid_t file = Loc(env);
    std::string what = "describe the access to file '" + state_->filename + "'";
    Plist fapl(CheckH5(env, H5Fget_access_plist(file), what));
    Napi::Object o = Napi::Object::New(env);
    bool mpio = H5Pget_driver(fapl.get()) == H5FD_MPIO;
    o.Set("driver", mpio ? "mpio" : "other");
    if (mpio) {
      MPI_File* fh = nullptr;
      CheckH5(env, H5Fget_vfd_handle(file, fapl.get(), reinterpret_cast<void**>(&fh)), what);
      MPI_Info used = MPI_INFO_NULL;
      CheckMPI(env, MPI_File_get_info(*fh, &used), "MPI_File_get_info");
      Napi::Object hints = Napi::Object::New(env);
      int nkeys = 0;
      MPI_Info_get_nkeys(used, &nkeys);
      for (int i = 0; i < nkeys; i++) {
        char key[MPI_MAX_INFO_KEY + 1] = "";
        MPI_Info_get_nthkey(used, i, key);
        int len = 0, flag = 0;
        MPI_Info_get_valuelen(used, key, &len, &flag);
        std::string value(static_cast<size_t>(len) + 1, '\0');
        MPI_Info_get(used, key, len + 1, &value[0], &flag);
        value.resize(static_cast<size_t>(len));
        if (flag) hints.Set(key, value);
      }
      MPI_Info_free(&used);
      o.Set("hints", hints);
    }
    hbool_t reads = false, writes = false;
    CheckH5(env, H5Pget_all_coll_metadata_ops(fapl.get(), &reads), what);
    CheckH5(env, H5Pget_coll_metadata_write(fapl.get(), &writes), what);
    o.Set("collectiveMetadataReads", static_cast<bool>(reads));
    o.Set("collectiveMetadataWrites", static_cast<bool>(writes));
    return o;
  }

  Napi::Value CreateGroupM(const Napi::CallbackInfo& info) { return CreateGroup(info, State(info.Env())); }
  Napi::Value CreateDatasetM(const Napi::CallbackInfo& info) { return CreateDataset(info, State(info.Env())); }
  Napi::Value CommitDatatypeM(const Napi::CallbackInfo& info) { return CommitDatatype(info, State(info.Env())); }
  Napi::Value OpenM(const Napi::CallbackInfo& info) { return OpenObjectAt(info, State(info.Env())); }
  Napi::Value KindM(const Napi::CallbackInfo& info) { return ObjectKind(info, Loc(info.Env())); }
  Napi::Value DeleteM(const Napi::CallbackInfo& info) { return LinkDelete(info, Loc(info.Env())); }
  Napi::Value NamesM(const Napi::CallbackInfo& info) { return LinkNames(info, Loc(info.Env())); }
  Napi::Value LinkExistsM(const Napi::CallbackInfo& info) { return LinkExists(info, Loc(info.Env())); }
  Napi::Value CrossesExternalM(const Napi::CallbackInfo& info) { return PathCrossesExternal(info, Loc(info.Env())); }
  Napi::Value ExternalOnM(const Napi::CallbackInfo& info) { return ExternalOnPath(info, Loc(info.Env())); }
  Napi::Value LinkInfoM(const Napi::CallbackInfo& info) { return LinkInfo(info, Loc(info.Env())); }
  Napi::Value CreateSoftLinkM(const Napi::CallbackInfo& info) { return CreateSoftLink(info, Loc(info.Env())); }
  Napi::Value CreateHardLinkM(const Napi::CallbackInfo& info) { return CreateHardLink(info, Loc(info.Env())); }
  Napi::Value CreateExternalLinkM(const Napi::CallbackInfo& info) { return CreateExternalLink(info, Loc(info.Env())); }
  // move(from, to), absolute paths; the objects open under `from` name their new paths, as lib/'s do.
  Napi::Value MoveM(const Napi::CallbackInfo& info) {
    Napi::Value done = LinkMove(info, Loc(info.Env()));
    RenameUnder(*state_, info[0].ToString(), info[1].ToString());
    return done;
  }
  Napi::Value CopyM(const Napi::CallbackInfo& info) { return ObjectCopy(info, Loc(info.Env())); }
  Napi::Value VisitM(const Napi::CallbackInfo& info) { return ObjectVisit(info, Loc(info.Env())); }
};

// fileCreate(path, exclusive, options, trackOrder) -> NativeFile
Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  std::string what = "create file '" + path + "'";
  Plist fapl = AccessPlist(env, info[2].As<Napi::Object>(), what);
  Plist fcpl(CheckH5(env, H5Pcreate(H5P_FILE_CREATE), what));
  if (info[3].ToBoolean()) SetCreationOrder(env, fcpl.get(), true, what);
  unsigned flags = info[1].ToBoolean() ? H5F_ACC_EXCL : H5F_ACC_TRUNC;
  hid_t id = CloseOnExec(CheckH5(env, H5Fcreate(path.c_str(), flags, fcpl.get(), fapl.get()), what), fapl);
  return NativeFile::New(env, id, path, ParallelComm(env, info[2]),
                         !info[2].As<Napi::Object>().Get("collectiveMetadata").ToBoolean());
}

// fileOpen(path, writable, options) -> NativeFile
Napi::Value Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  std::string what = "open file '" + path + "'";
  Plist fapl = AccessPlist(env, info[2].As<Napi::Object>(), what);
  unsigned flags = info[1].ToBoolean() ? H5F_ACC_RDWR : H5F_ACC_RDONLY;
  hid_t id = CloseOnExec(CheckH5(env, H5Fopen(path.c_str(), flags, fapl.get()), what), fapl);
  return NativeFile::New(env, id, path, ParallelComm(env, info[2]),
                         !info[2].As<Napi::Object>().Get("collectiveMetadata").ToBoolean());
}

// hdf5Version() -> "1.10.8"
Napi::Value Version(const Napi::CallbackInfo& info) {
  unsigned major, minor, release;
  H5get_libversion(&major, &minor, &release);
  return Napi::String::New(info.Env(),
                           std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release));
}

// openIds() -> { files, datasets, groups, datatypes, attributes }: how many HDF5 ids of each kind are open in
// this process, over every file (H5Fget_obj_count(H5F_OBJ_ALL, ...)). A diagnostic for leak tests; HDF5 1.10
// has no public count of dataspaces or property lists.
Napi::Value OpenIds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  const std::pair<const char*, unsigned> kinds[] = {{"files", H5F_OBJ_FILE},
                                                    {"datasets", H5F_OBJ_DATASET},
                                                    {"groups", H5F_OBJ_GROUP},
                                                    {"datatypes", H5F_OBJ_DATATYPE},
                                                    {"attributes", H5F_OBJ_ATTR}};
  for (const auto& [name, kind] : kinds) {
    ssize_t n = H5Fget_obj_count(H5F_OBJ_ALL, kind);
    o.Set(name, static_cast<double>(n < 0 ? -1 : n));
  }
  return o;
}

// mallocInUse() -> bytes of this process's memory that malloc has handed out and not had back (glibc's
// mallinfo2: small blocks plus mmapped ones). A diagnostic for leak tests: unlike resident memory, it
// does not move with V8's heap or the allocator's retained pages.
Napi::Value MallocInUse(const Napi::CallbackInfo& info) {
  struct mallinfo2 m = mallinfo2();
  return Napi::Number::New(info.Env(), static_cast<double>(m.uordblks + m.hblkhd));
}

}  // namespace

hid_t FileIdOf(Napi::Env env, const Napi::Value& value) {
  if (!value.IsObject() || !value.As<Napi::Object>().CheckTypeTag(&kFileTag)) ThrowUsage(env, "expected a NativeFile");
  return NativeFile::Unwrap(value.As<Napi::Object>())->Loc(env);
}

void InitFile(Napi::Env env, Napi::Object exports) {
  Data(env).fileClass = Napi::Persistent(NativeFile::Define(env));
  exports.Set("fileCreate", Napi::Function::New(env, Create));
  exports.Set("fileOpen", Napi::Function::New(env, Open));
  exports.Set("hdf5Version", Napi::Function::New(env, Version));
  exports.Set("openIds", Napi::Function::New(env, OpenIds));
  exports.Set("mallocInUse", Napi::Function::New(env, MallocInUse));
}

}  // namespace h5mpi
