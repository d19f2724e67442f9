// What lib/file.ts asks the operating system about a path before HDF5 opens it: what is there, and advisory
// locks of the kind HDF5's own file locking takes (flock: shared for readers, exclusive for writers). HDF5
// locks files it opens serially but not with the MPI-IO driver, and it truncates a file for mode 'w' before
// it tries the lock; lib/file.ts uses these to fill both gaps, and to create a new file for a parallel job
// so that it is locked from the moment it appears (two jobs creating one file at once: exactly one gets
// it). And who holds a lock, for the message of the one refused. (stat(2) here rather than Node's
// fs.statSync, whose first call in a process is slow and would land in the first File.open.)
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>

#include "agreedio.h"
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

// ioErrno(path) -> [errno, text, reported?] | undefined: why a write to the file at `path` failed, as the
// failed call reported it (`reported`), else as its file system tells now: ENOENT (the file is gone), EROFS
// (read-only), ENOSPC (no block free to this user), EACCES (not writable). For MPI-IO files, whose MPI library reports
// a failed write without the errno (Open MPI's OMPIO prints it on stderr and returns a short count), so that the error
// can still say why.
Napi::Value IoErrno(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  // What a rank's failed collective write or sync got, where the ranks agreed on it (agreedio.h): the
  // failure's own errno, on every rank.
  if (int got = AgreedErrno(path)) {
    Napi::Array out = Napi::Array::New(env, 3);
    out.Set(0u, Napi::Number::New(env, got));
    out.Set(1u, Napi::String::New(env, std::strerror(got)));
    out.Set(2u, Napi::Boolean::New(env, true));
    return out;
  }
  int found = 0;
  struct stat st;
  struct statvfs fs;
  if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
    found = ENOENT;
  } else if (::statvfs(path.c_str(), &fs) == 0) {
    unsigned long long free = ::geteuid() == 0 ? fs.f_bfree : fs.f_bavail;
    if (fs.f_flag & ST_RDONLY) found = EROFS;
    else if (free == 0) found = ENOSPC;
    else if (::access(path.c_str(), W_OK) != 0 && errno == EACCES) found = EACCES;
  }
  if (found == 0) {
    // A file system that turned read-only after an error (ext4's errors=remount-ro) may still say it is
    // writable: asking it to allocate the file's first byte, which the file keeps (HDF5's superblock is
    // there; the size is kept), is refused with the real reason.
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1) != 0 &&
          (errno == EROFS || errno == ENOSPC || errno == EDQUOT || errno == EIO)) {
        found = errno;
      }
      ::close(fd);
    } else if (errno == EROFS) {
      found = EROFS;
    }
  }
  if (found == 0) return env.Undefined();
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, found));
  out.Set(1u, Napi::String::New(env, std::strerror(found)));
  return out;
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

// Whether flock's errno says this file system cannot lock at all (as opposed to: someone holds the lock).
bool LockingUnsupported(int err) { return err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL; }

// Whether `path` still names the file open at `fd`: a lock on a file that was unlinked or replaced after it
// was opened protects nothing.
bool StillNamed(int fd, const std::string& path) {
  struct stat a, b;
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// fileTryLock(path, exclusive) -> a descriptor (>= 0) holding the lock; 'busy' when another process holds
// a conflicting lock (EWOULDBLOCK); 'missing' when there is no such file; 'unsupported' when this file
// system cannot lock (ENOSYS, ENOLCK, EOPNOTSUPP) or the file cannot be opened to lock it.
Napi::Value TryLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  int op = (info[1].ToBoolean() ? LOCK_EX : LOCK_SH) | LOCK_NB;
  // A creator that failed removes its new file while it holds the lock: if that happened between our open
  // and our lock, lock whatever the path names now.
  for (int attempt = 0; attempt < 3; attempt++) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Napi::String::New(env, errno == ENOENT ? "missing" : "unsupported");
    if (::flock(fd, op) != 0) {
      int err = errno;
      ::close(fd);
      return Napi::String::New(env, err == EWOULDBLOCK ? "busy" : "unsupported");
    }
    if (StillNamed(fd, path)) return Napi::Number::New(env, fd);
    ::close(fd);
  }
  return Napi::String::New(env, "busy");
}

// Links the file open at `fd` (locked, unnamed or under `temp`) at `path`, which must not exist: link(2)
// never replaces. 0, or errno.
int LinkAt(int fd, const std::string& from, const std::string& path) {
  if (!from.empty()) return ::link(from.c_str(), path.c_str()) == 0 ? 0 : errno;
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  return ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
}

// fileCreateLocked(path) -> a new, empty file at `path` that no other process can have locked before this
// one: { fd, locked } with the descriptor holding its exclusive lock (locked false where the file system
// cannot lock); 'exists' when something is at `path` already; 'failed' when it could not be made here (HDF5
// then says why when it tries). The file is made unnamed (O_TMPFILE) or under a temporary name, locked, and
// only then linked at `path`, so that it appears already locked: a process that finds it there and tries
// to lock it is refused. Where neither works (no O_TMPFILE, no hard links), it is created with O_EXCL and
// locked just after, and a process that locked it in between wins: then 'busy'.
Napi::Value CreateLocked(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  auto lock = [](int fd) { return ::flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : errno; };
  auto result = [&](int fd, int lockErr) -> Napi::Value {
    if (lockErr != 0 && !LockingUnsupported(lockErr)) {
      ::close(fd);
      return Napi::String::New(env, "busy");
    }
    Napi::Object created = Napi::Object::New(env);
    created.Set("fd", Napi::Number::New(env, fd));
    created.Set("locked", Napi::Boolean::New(env, lockErr == 0));
    return created;
  };

  // 1. Unnamed, then linked.
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
  if (fd >= 0) {
    int lockErr = lock(fd);
    int err = LinkAt(fd, "", path);
    if (err == 0) return result(fd, lockErr);
    ::close(fd);
    if (err == EEXIST) return Napi::String::New(env, "exists");
  }
  // 2. Under a temporary name next to it, then linked.
  std::random_device random;
  for (int attempt = 0; attempt < 4; attempt++) {
    std::string temp = dir + "/.h5mpi-new-" + std::to_string(::getpid()) + "-" + std::to_string(random());
    fd = ::open(temp.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) break;
    int lockErr = lock(fd);
    int err = LinkAt(fd, temp, path);
    ::unlink(temp.c_str());
    if (err == 0) return result(fd, lockErr);
    ::close(fd);
    if (err == EEXIST) return Napi::String::New(env, "exists");
    break;
  }
  // 3. Exclusively, then locked.
  fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) return Napi::String::New(env, errno == EEXIST ? "exists" : "failed");
  return result(fd, lock(fd));
}

// fileDiscard(path, fd): a creator that failed removes the file it made, if `path` still names it, while it
// still holds the lock; then releases the lock and the descriptor.
Napi::Value Discard(const Napi::CallbackInfo& info) {
  std::string path = info[0].ToString();
  int fd = info[1].As<Napi::Number>().Int32Value();
  if (fd >= 0) {
    if (StillNamed(fd, path)) ::unlink(path.c_str());
    ::flock(fd, LOCK_UN);
    ::close(fd);
  }
  return info.Env().Undefined();
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

// The command line of process `pid` (/proc/<pid>/cmdline, arguments joined by spaces), '' when unreadable.
std::string CommandOf(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!cmd.empty() && cmd.back() == '\0') cmd.pop_back();
  for (char& c : cmd)
    if (c == '\0') c = ' ';
  return cmd;
}

// fileLockHolders(path) -> [{ pid, command }] of the processes on this machine that hold a lock on the file,
// as /proc/locks lists them (by device and inode); [] where that cannot be told (e.g. locks held on
// another machine of a network file system).
Napi::Value LockHolders(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].ToString();
  Napi::Array out = Napi::Array::New(env);
  struct stat st;
  std::ifstream locks("/proc/locks");
  if (::stat(path.c_str(), &st) != 0 || !locks) return out;
  char want[64];
  std::snprintf(want, sizeof want, "%02x:%02x:%llu", major(st.st_dev), minor(st.st_dev),
                static_cast<unsigned long long>(st.st_ino));
  // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF"; waiters ("1: -> FLOCK ...") hold nothing.
  std::string line;
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string id, kind, advisory, access, pid, where;
    if (!(in >> id >> kind >> advisory >> access >> pid >> where) || kind == "->" || where != want) continue;
    long n = std::strtol(pid.c_str(), nullptr, 10);
    if (n <= 0) continue;
    Napi::Object holder = Napi::Object::New(env);
    holder.Set("pid", Napi::Number::New(env, static_cast<double>(n)));
    holder.Set("command", Napi::String::New(env, CommandOf(n)));
    out.Set(out.Length(), holder);
  }
  return out;
}

}  // namespace

void InitFileLock(Napi::Env env, Napi::Object exports) {
  exports.Set("pathKind", Napi::Function::New(env, PathKind));
  exports.Set("ioErrno", Napi::Function::New(env, IoErrno));
  exports.Set("realPath", Napi::Function::New(env, RealPath));
  exports.Set("fileTryLock", Napi::Function::New(env, TryLock));
  exports.Set("fileCreateLocked", Napi::Function::New(env, CreateLocked));
  exports.Set("fileDiscard", Napi::Function::New(env, Discard));
  exports.Set("fileUnlock", Napi::Function::New(env, Unlock));
  exports.Set("fileLockHolders", Napi::Function::New(env, LockHolders));
}

}  // namespace h5mpi
