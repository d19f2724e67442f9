// Advisory file locks of the kind HDF5's own file locking takes (flock: shared for readers, exclusive for
// writers). HDF5 locks files it opens serially but not with the MPI-IO driver, and it truncates a file for
// mode 'w' before it tries the lock; lib/file.ts uses these to fill both gaps.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "common.h"

namespace h5mpi {
namespace {

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
  exports.Set("fileTryLock", Napi::Function::New(env, TryLock));
  exports.Set("fileUnlock", Napi::Function::New(env, Unlock));
  exports.Set("fileLockErrors", Napi::Function::New(env, Codes));
}

}  // namespace h5mpi
