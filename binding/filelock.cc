// What lib/file.ts asks the operating system about a path before HDF5 opens it: what is there, and advisory
// locks of the kind HDF5's own file locking takes (flock: shared for readers, exclusive for writers). HDF5
// locks files it opens serially but not with the MPI-IO driver, and it truncates a file for mode 'w' before
// it tries the lock; lib/file.ts uses these to fill both gaps. (stat(2) here rather than Node's
// fs.statSync, whose first call in a process is slow and would land in the first File.open.)
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "common.h"

namespace h5mpi {
namespace {

// pathKind(path) -> 'missing' (ENOENT), 'directory', or 'file': anything else, including what stat cannot
// tell (e.g. EACCES), which HDF5 then reports when it opens the path.
Napi::Value PathKind(const Napi::CallbackInfo& info) {
  std::string path = info[0].ToString();
  struct stat st;
  const char* kind = "file";
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) kind = "missing";
  } else if (S_ISDIR(st.st_mode)) {
    kind = "directory";
  }
  return Napi::String::New(info.Env(), kind);
}

// realPath(path) -> the absolute path with every symbolic link resolved (realpath(3)), or undefined.
Napi::Value RealPath(const Napi::CallbackInfo& info) {
  std::string path = info[0].ToString();
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr) return info.Env().Undefined();
  Napi::String out = Napi::String::New(info.Env(), resolved);
  std::free(resolved);
  return out;
}

// fileTryLock(path, exclusive) -> a descriptor (>= 0) holding the lock; 'busy' when another process holds
// a conflicting lock (EWOULDBLOCK); 'missing' when there is no such file; 'unsupported' when this file
// system cannot lock (ENOSYS, ENOLCK, EOPNOTSUPP) or the file cannot be opened to lock it.
Napi::Value TryLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Napi::String::New(env, errno == ENOENT ? "missing" : "unsupported");
  if (::flock(fd, (info[1].ToBoolean() ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    return Napi::String::New(env, err == EWOULDBLOCK ? "busy" : "unsupported");
  }
  return Napi::Number::New(env, fd);
}

// fileUnlock(fd): releases the lock and the descriptor.
Napi::Value Unlock(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (fd >= 0) {
    ::flock(fd, LOCK_UN);
    ::close(fd);
  }
  return info.Env().Undefined();
}

}  // namespace

void InitFileLock(Napi::Env env, Napi::Object exports) {
  exports.Set("pathKind", Napi::Function::New(env, PathKind));
  exports.Set("realPath", Napi::Function::New(env, RealPath));
  exports.Set("fileTryLock", Napi::Function::New(env, TryLock));
  exports.Set("fileUnlock", Napi::Function::New(env, Unlock));
}

}  // namespace h5mpi
