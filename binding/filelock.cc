// What lib/file.ts asks the operating system about a path before HDF5 opens it: what is there, and advisory
// locks of the kind HDF5's own file locking takes (flock: shared for readers, exclusive for writers). HDF5
// locks files it opens serially but not with the MPI-IO driver, and it truncates a file for mode 'w' before
// it tries the lock; lib/file.ts uses these to fill both gaps. (Node's fs.statSync costs ~0.25 ms on its
// first call in a process, which lands in the first File.open; stat(2) here costs microseconds.)
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

// fileTryLock(path, exclusive) -> a descriptor (>= 0) holding the lock, or -errno: ENOENT (no such file),
// EWOULDBLOCK (another process holds a conflicting lock), ENOSYS/ENOLCK/EOPNOTSUPP (no locking here).
Napi::Value TryLock(const Napi::CallbackInfo& info) {
  std::string path = info[0].ToString();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Napi::Number::New(info.Env(), -errno);
  if (::flock(fd, (info[1].ToBoolean() ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    return Napi::Number::New(info.Env(), -err);
  }
  return Napi::Number::New(info.Env(), fd);
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

// errnoCodes() -> the errno values fileTryLock reports, by name.
Napi::Value Codes(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("ENOENT", ENOENT);
  o.Set("EWOULDBLOCK", EWOULDBLOCK);
  o.Set("ENOSYS", ENOSYS);
  o.Set("ENOLCK", ENOLCK);
  o.Set("EOPNOTSUPP", EOPNOTSUPP);
  return o;
}

}  // namespace

void InitFileLock(Napi::Env env, Napi::Object exports) {
  exports.Set("pathKind", Napi::Function::New(env, PathKind));
  exports.Set("realPath", Napi::Function::New(env, RealPath));
  exports.Set("fileTryLock", Napi::Function::New(env, TryLock));
  exports.Set("fileUnlock", Napi::Function::New(env, Unlock));
  exports.Set("fileLockErrors", Napi::Function::New(env, Codes));
}

}  // namespace h5mpi
