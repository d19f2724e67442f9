#include "agreedio.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "watchdog.h"

namespace h5mpi {
namespace {

// Process-wide, as the GOT entry they serve: libhdf5 is loaded once per process, and Node's worker threads
// share it (only the thread that initialized MPI calls it: MPI_THREAD_FUNNELED).
struct Registered {
  MPI_Comm comm = MPI_COMM_NULL;
  std::string path;           // where statvfs tells the free room
  bool holdFailures = false;  // see RegisterFile
  // The first held failure of an independent write (AgreedWriteAt) not yet taken: its errno, 0 if unknown.
  bool failed = false;
  int err = 0;
  // Whether any independent write failed since the file was registered: later ones are not made (reported as
  // written too), as the file is unusable from then on; each failed write would print a line of OMPIO's.
  bool doomed = false;
};
struct Registry {
  std::mutex lock;
  std::unordered_map<MPI_File, Registered> files;
  using WriteAtAll = int (*)(MPI_File, MPI_Offset, const void*, int, MPI_Datatype, MPI_Status*);
  using Sync = int (*)(MPI_File);
  WriteAtAll real = nullptr;
  Sync realSync = nullptr;
  WriteAtAll realIndependent = nullptr;  // MPI_File_write_at, same signature
  MPI_Op sumAndMin = MPI_OP_NULL;        // see SumAndMin; created with the first registered file
  bool tried = false, installed = false;
  // Open MPI's OMPIO only: a file of this process alone whose MPI_File_sync tells whether OMPIO holds a
  // request that never ended (see Leaked); once one has, it stays (`leaked`).
  MPI_File probe = MPI_FILE_NULL;
  bool probeTried = false, leaked = false;
  // By path: the errno of the last failed write or sync the ranks agreed on (see Agree).
  std::unordered_map<std::string, int> errnos;
  // How many registered files hold failures: with none, AgreedWriteAt looks nothing up (the common case).
  std::atomic<int> holding{0};
};
Registry& Shared() {
  static Registry* r = new Registry();  // never destroyed: libhdf5 may write through it at exit
  return *r;
}

Registered Lookup(MPI_File fh) {
  Registry& r = Shared();
  std::lock_guard<std::mutex> g(r.lock);
  auto it = r.files.find(fh);
  return it == r.files.end() ? Registered{} : it->second;
}

// {bytes, room} pairs: the bytes the ranks write in all, the least room any rank sees.
void SumAndMin(void* in, void* inout, int* len, MPI_Datatype*) {
  auto* a = static_cast<const int64_t*>(in);
  auto* b = static_cast<int64_t*>(inout);
  for (int i = 0; i + 1 < *len; i += 2) {
    b[i] += a[i];
    if (a[i + 1] < b[i + 1]) b[i + 1] = a[i + 1];
  }
}

// Whether this process's OMPIO holds an I/O request that never ended, which a failed write in Open MPI
// 4.1's collective-write algorithm 'vulcan' leaves behind: its write_init allocates the aggregator's write
// request, and when the write fails it jumps to its exit before waiting on (and so freeing) the request,
// returning MPI_SUCCESS with the full count (fcoll_vulcan_file_write_all.c: 'goto exit' after write_init,
// 'return OMPI_SUCCESS' after 'exit:'). The write is lost silently but for stderr, and OMPIO's
// MPI_File_sync returns MPI_ERR_OTHER before its barrier whenever that process-wide list of requests is not
// empty (mca_io_ompio_file_sync), for every file of the process from then on: that rank returns while the
// others wait in the barrier forever. The same sync on a file of this process alone answers the question
// without waiting for anyone (a barrier on MPI_COMM_SELF, an fsync of an empty file in memory).
bool Leaked() {
  Registry& r = Shared();
  if (r.leaked || r.probe == MPI_FILE_NULL) return r.leaked;
  r.leaked = PMPI_File_sync(r.probe) != MPI_SUCCESS;
  return r.leaked;
}

// Opens the probe file (Leaked), once, where MPI is Open MPI (whose ROMIO has no such list: harmless there).
void OpenProbe(Registry& r) {
#ifdef OPEN_MPI
  if (r.probeTried) return;
  r.probeTried = true;
  const char* tmp = std::getenv("TMPDIR");
  for (std::string dir : {std::string("/dev/shm"), std::string(tmp ? tmp : "/tmp")}) {
    std::string path = dir + "/h5mpi-probe-XXXXXX";
    int fd = ::mkstemp(&path[0]);
    if (fd < 0) continue;
    ::close(fd);
    MPI_File probe = MPI_FILE_NULL;
    int rc = PMPI_File_open(MPI_COMM_SELF, path.c_str(), MPI_MODE_RDWR, MPI_INFO_NULL, &probe);
    ::unlink(path.c_str());  // OMPIO keeps its descriptor; nothing is left behind
    if (rc != MPI_SUCCESS) continue;
    MPI_File_set_errhandler(probe, MPI_ERRORS_RETURN);
    r.probe = probe;
    return;
  }
#else
  (void)r;
#endif
}

// The bytes an aggregator of Open MPI's vulcan writes in one cycle: OMPIO's io_ompio_bytes_per_agg, 32 MiB
// unless set in the environment (a value set in a parameter file is not seen).
int64_t CycleBytes() {
  const char* set = std::getenv("OMPI_MCA_io_ompio_bytes_per_agg");
  int64_t bytes = set ? std::atoll(set) : 0;
  return bytes > 0 ? bytes : int64_t{32} << 20;
}

// Whether the file system takes a write to the file at `path`: asked to allocate the file's first byte
// (kept; the file's size stays), one turned read-only says so even where statvfs does not (ext4's
// emergency_ro). Anything else (no such call there, the path gone) counts as yes.
bool TakesWrites(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno != EROFS;
  int failed = ::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 1) != 0 ? errno : 0;
  ::close(fd);
  return failed != EROFS && failed != EIO;
}

// Whether this collective write might not fit in the file system's free room, alike on every rank. Open
// MPI 4.1's default collective-write algorithm (OMPIO's fcoll 'vulcan') pipelines its aggregators' writes
// with the data exchange of the next cycle; an aggregator whose write fails leaves the loop and the others
// wait for its part of that exchange forever (fcoll_vulcan_file_write_all.c, the goto exit after
// write_init). When the write might not fit, the ranks write their own data independently instead, which
// cannot hang; the normal case keeps the collective algorithm. What statvfs cannot see (a quota, another
// process filling the disk meanwhile) is not foreseen but for a read-only state (TakesWrites). On error the
// write is made collectively, as before.
bool MightNotFit(const Registered& file, int count, MPI_Datatype type) {
  MPI_Count size = 0;
  if (MPI_Type_size_x(type, &size) != MPI_SUCCESS) return false;
  struct statvfs fs;
  int64_t room = INT64_MAX;
  if (::statvfs(file.path.c_str(), &fs) == 0) {
    // A file system turned read-only (ext4 after an error) has no room for anything.
    room = (fs.f_flag & ST_RDONLY) ? 0 : static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize);
  }
  // After a failed write leaked a request (Leaked), the ranks write independently for the rest of the
  // process: the probe cannot tell a second failure from the first.
  if (Shared().leaked) room = 0;
  int64_t bytes = static_cast<int64_t>(size) * count;
  int ranks = 1;
  MPI_Comm_size(file.comm, &ranks);
  // A write large enough for vulcan to loop (more than one cycle's bytes in all: some rank then has at
  // least its share) asks the file system too, on the ranks with such a share, whether it takes writes:
  // a failed write inside the loop hangs (above), and ext4 turned read-only after an error still says
  // writable to statvfs. Smaller writes are left to Leaked afterwards.
  if (room > 0 && bytes * ranks >= CycleBytes() && !TakesWrites(file.path)) room = 0;
  int64_t pair[2] = {bytes, room};
  int64_t all[2] = {0, 0};
  MPI_Op op = Shared().sumAndMin;
  if (op == MPI_OP_NULL || MPI_Allreduce(pair, all, 2, MPI_INT64_T, op, file.comm) != MPI_SUCCESS) return false;
  // A margin for the file system's own blocks (indirect blocks, extents) and for rounding to its block size.
  constexpr int64_t kMargin = 4 << 20;
  return all[0] > 0 && all[0] + all[0] / 64 + kMargin > all[1];
}

// The errno a failed MPI-IO call left, where it is one a write or sync fails with (OMPIO returns
// MPI_ERR_OTHER or MPI_ERR_IO and keeps it nowhere else; the C library's value survives its return).
int IoErrno(int saved) {
  switch (saved) {
    case ENOSPC:
    case EDQUOT:
    case EROFS:
    case EIO:
    case EFBIG: return saved;
    default: return 0;
  }
}

// The ranks' agreement on a call's outcome: `failed` here, with `err` (an errno or 0); returns whether it
// failed anywhere, and keeps an errno one of the failed ranks got for the file, for lib/'s message on
// every rank (IoErrno in filelock.cc, through AgreedErrno). False also when the agreement itself failed.
bool Agree(const Registered& file, bool failed, int err) {
  int mine = failed ? (err > 0 ? err : 1) : 0, any = 0;  // 1: failed, errno unknown
  if (MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, file.comm) != MPI_SUCCESS) return false;
  if (any > 1) {
    std::lock_guard<std::mutex> g(Shared().lock);
    Shared().errnos[file.path] = any;
  }
  return any != 0;
}

#ifdef OPEN_MPI
// The exit status of a job ended by StuckPeersExit: EX_IOERR of sysexits.h, apart from the watchdog's 124
// (lib/watchdog.ts HANG_EXIT_CODE) and fail-fast's 1 (lib/mpi.ts abortJob). docs/errors.md names it.
constexpr int kStuckWriteExit = 74;

// How long a rank whose collective write failed inside vulcan waits for the others at the outcome
// agreement: 10 s, or half of H5MPI_HANG_TIMEOUT (this process's) when that is shorter, so that this rank's
// clear report comes before the watchdog on the waiting ranks blames a call made on some ranks only (they
// have been inside the write since before this rank left it).
std::chrono::milliseconds StuckWait() {
  double seconds = 10;
  const char* set = std::getenv("H5MPI_HANG_TIMEOUT");
  double hang = set ? std::atof(set) : 0;
  if (hang > 0) seconds = std::min(seconds, hang / 2);
  return std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

// The errno a write vulcan failed got, where known: OMPIO's asynchronous writes keep it nowhere (aio_error's
// code goes into a request status nobody reads), so a file system with no room left counts as ENOSPC.
int LeakedWriteErrno(const std::string& path, int saved) {
  if (IoErrno(saved) != 0) return saved;
  struct statvfs fs;
  if (::statvfs(path.c_str(), &fs) != 0) return 0;
  if (fs.f_flag & ST_RDONLY) return EROFS;
  return static_cast<int64_t>(fs.f_bavail) * static_cast<int64_t>(fs.f_frsize) < (int64_t{1} << 20) ? ENOSPC : 0;
}

// Armed on a rank whose collective write failed inside Open MPI 4.1's vulcan, around its blocking part in
// the outcome agreement. Vulcan's aggregator leaves its loop when its write fails (see Leaked), and where
// the write had a further cycle the other ranks wait inside MPI_File_write_at_all for this rank's part of
// that cycle's exchange, forever: no call of theirs returns, so they never reach the agreement either. If
// they have not come within StuckWait, this rank says so on stderr and ends its process, which makes
// mpiexec end the job (as the watchdog does: MPI_Abort is not allowed from this thread at
// MPI_THREAD_FUNNELED, and the main thread is inside the agreement). Where the failure was in the write's
// last cycle the others arrive, and the agreement ends as on any failure: errors on every rank. A thread,
// not a nonblocking allreduce polled here: the other ranks, not knowing of the failure, call the blocking
// one, which a nonblocking one would not match (MPI-3.1 5.12), and the normal path stays as it was.
class StuckPeersExit {
 public:
  StuckPeersExit(std::string message, std::chrono::milliseconds wait)
      : message_(std::move(message)), thread_([this, wait] { Run(wait); }) {}
  ~StuckPeersExit() {
    {
      std::lock_guard<std::mutex> g(lock_);
      arrived_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  StuckPeersExit(const StuckPeersExit&) = delete;
  StuckPeersExit& operator=(const StuckPeersExit&) = delete;

 private:
  void Run(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> g(lock_);
    if (wake_.wait_for(g, wait, [this] { return arrived_; })) return;
    SayAndExit(message_, kStuckWriteExit);
  }
  std::string message_;
  std::mutex lock_;
  std::condition_variable wake_;
  bool arrived_ = false;
  std::thread thread_;
};

// What StuckPeersExit prints: one line naming the rank, the file, the errno and why the job ends.
std::string StuckMessage(const Registered& file, int err, std::chrono::milliseconds wait) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  std::string why = err > 0 ? "errno " + std::to_string(err) + ", " + std::strerror(err)
                            : std::string("errno unknown: Open MPI's asynchronous write keeps it nowhere");
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f", static_cast<double>(wait.count()) / 1000);
  return "[h5mpi] rank " + std::to_string(rank) + " of " + std::to_string(size) + " (" + host + ", pid " +
         std::to_string(::getpid()) + "): a collective write to file '" + file.path + "' failed on this rank (" + why +
         ") inside Open MPI's collective-write algorithm 'vulcan' (OMPIO fcoll), which leaves the other " +
         "ranks waiting in MPI_File_write_at_all for this rank's part of its next cycle, forever: they did not " +
         "reach the agreement on the write's outcome within " + secs + " s. Ending the job (exit status " +
         std::to_string(kStuckWriteExit) + "); OMPI_MCA_fcoll=individual (or two_phase) makes such a failure an " +
         "error on every rank instead\n";
}

#endif

// What libhdf5 calls instead of MPI_File_write_at_all: the write, then the ranks' agreement on its outcome.
// A short write counts as failed, as HDF5 counts it (bytes written, by MPI_Get_elements_x, against the
// type's size times the count).
int AgreedWriteAtAll(MPI_File fh, MPI_Offset offset, const void* buf, int count, MPI_Datatype type,
                     MPI_Status* status) {
  Registered file = Lookup(fh);
  if (file.comm == MPI_COMM_NULL) return Shared().real(fh, offset, buf, count, type, status);
  bool independent = MightNotFit(file, count, type);
  errno = 0;
  int rc = independent ? MPI_File_write_at(fh, offset, buf, count, type, status)
                       : Shared().real(fh, offset, buf, count, type, status);
  int saved = errno;
  int err = rc != MPI_SUCCESS ? IoErrno(saved) : 0;
  int failed = rc != MPI_SUCCESS;
  // A write vulcan failed says MPI_SUCCESS; the request it left behind tells. (Leaked is sticky: a request
  // an earlier write leaked sends later writes down the independent path, MightNotFit.)
  bool inVulcan = false;
  if (!failed && !independent && Leaked()) failed = 1, inVulcan = true;
  if (!failed && status != MPI_STATUS_IGNORE) {
    MPI_Count written = 0, size = 0;
    if (MPI_Get_elements_x(status, type, &written) == MPI_SUCCESS && MPI_Type_size_x(type, &size) == MPI_SUCCESS) {
      failed = written != size * count;
    }
  }
  // Where this rank's collective write failed inside Open MPI's MPI-IO, the other ranks may be stuck in it
  // for good (StuckPeersExit); only then is the agreement guarded, the normal path is untouched.
#ifdef OPEN_MPI
  std::optional<StuckPeersExit> guard;
  if (!independent && (inVulcan || rc != MPI_SUCCESS)) {
    if (err == 0) err = LeakedWriteErrno(file.path, saved);
    std::chrono::milliseconds wait = StuckWait();
    guard.emplace(StuckMessage(file, err, wait), wait);
  }
#endif
  if (!Agree(file, failed, err)) return rc;
  return rc != MPI_SUCCESS ? rc : MPI_ERR_IO;
}

// What libhdf5 calls instead of MPI_File_sync (HDF5's flush): the ranks first agree on whether any has a
// leaked request (Leaked), which would make OMPIO's sync return there before the barrier the others wait
// in; if one has, every rank syncs the file itself (a barrier, then fsync of the path) instead. Then they
// agree on the outcome, as for writes: an fsync that fails on some ranks only (an error at writeback)
// would leave HDF5 on different paths.
int SyncByPath(const Registered& file) {
  if (MPI_Barrier(file.comm) != MPI_SUCCESS) return MPI_ERR_IO;
  int fd = ::open(file.path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return MPI_ERR_IO;
  int rc = ::fsync(fd) == 0 ? MPI_SUCCESS : MPI_ERR_IO;
  int err = errno;
  ::close(fd);
  errno = err;  // for AgreedSync's message
  return rc;
}

int AgreedSync(MPI_File fh) {
  Registered file = Lookup(fh);
  if (file.comm == MPI_COMM_NULL) return Shared().realSync(fh);
  int leaked = Leaked(), anyLeaked = 0;
  if (MPI_Allreduce(&leaked, &anyLeaked, 1, MPI_INT, MPI_MAX, file.comm) != MPI_SUCCESS) return MPI_ERR_IO;
  errno = 0;
  int rc = anyLeaked ? SyncByPath(file) : Shared().realSync(fh);
  int err = rc != MPI_SUCCESS ? IoErrno(errno) : 0;
  if (!Agree(file, rc != MPI_SUCCESS, err)) return rc;
  return rc != MPI_SUCCESS ? rc : MPI_ERR_IO;
}

// The errno an MPI error class stands for, where it names one; 0 otherwise (lib/ then asks the file system).
int ErrnoOfClass(int rc) {
  int cls = MPI_ERR_OTHER;
  if (MPI_Error_class(rc, &cls) != MPI_SUCCESS) return 0;
  switch (cls) {
    case MPI_ERR_NO_SPACE: return ENOSPC;
    case MPI_ERR_QUOTA: return EDQUOT;
    case MPI_ERR_READ_ONLY: return EROFS;
    case MPI_ERR_ACCESS: return EACCES;
    case MPI_ERR_NO_SUCH_FILE: return ENOENT;
    default: return 0;
  }
}

// What libhdf5 calls instead of MPI_File_write_at. In a file registered with holdFailures (independent
// metadata writes), a failed write is held, not returned: HDF5 1.10 writes each rank's share of the
// metadata cache's dirty entries independently at a sync point, and a rank whose write fails leaves the
// sync point early (skipping its barrier: the others wait there forever) and leaves the cache mid-flush
// (its skip list enabled, so that every later flush and the close fail: "slist already enabled?", and the
// file's id is never freed). Reported as written, the failed write lets HDF5 go on the same path on every
// rank; lib/ takes the held failure right after the call (TakeHeldFailure), agreed across the ranks for a
// collective call, and the file is unusable from then on (what HDF5 thinks is on disk is not).
int AgreedWriteAt(MPI_File fh, MPI_Offset offset, const void* buf, int count, MPI_Datatype type, MPI_Status* status) {
  Registry& r = Shared();
  if (r.holding.load(std::memory_order_relaxed) == 0) return r.realIndependent(fh, offset, buf, count, type, status);
  bool hold = false, doomed = false;
  {
    std::lock_guard<std::mutex> g(r.lock);
    auto it = r.files.find(fh);
    hold = it != r.files.end() && it->second.holdFailures;
    doomed = hold && it->second.doomed;
  }
  MPI_Status own;
  MPI_Status* st = status == MPI_STATUS_IGNORE ? &own : status;
  if (doomed) {
    MPI_Status_set_elements_x(st, type, static_cast<MPI_Count>(count));
    return MPI_SUCCESS;
  }
  int rc = r.realIndependent(fh, offset, buf, count, type, st);
  if (!hold) return rc;
  bool failed = rc != MPI_SUCCESS;
  if (!failed) {
    MPI_Count written = 0, size = 0;
    if (MPI_Get_elements_x(st, type, &written) == MPI_SUCCESS && MPI_Type_size_x(type, &size) == MPI_SUCCESS) {
      failed = written != size * count;
    }
  }
  if (!failed) return rc;
  {
    std::lock_guard<std::mutex> g(r.lock);
    auto it = r.files.find(fh);
    if (it != r.files.end() && !it->second.doomed) {
      it->second.failed = it->second.doomed = true;
      it->second.err = rc != MPI_SUCCESS ? ErrnoOfClass(rc) : 0;
    }
  }
  MPI_Status_set_elements_x(st, type, static_cast<MPI_Count>(count));
  return MPI_SUCCESS;
}

#if defined(__x86_64__)
constexpr unsigned kJumpSlot = R_X86_64_JUMP_SLOT, kGlobDat = R_X86_64_GLOB_DAT;
#elif defined(__aarch64__)
constexpr unsigned kJumpSlot = R_AARCH64_JUMP_SLOT, kGlobDat = R_AARCH64_GLOB_DAT;
#endif

struct Search {
  ElfW(Addr) base;
  const char* symbol;
  void** slot = nullptr;
  bool relro = false;
};

#if defined(__x86_64__) || defined(__aarch64__)
// dl_iterate_phdr's callback: in the object loaded at `base`, the GOT slot its relocations bind `symbol` to.
int FindSlot(struct dl_phdr_info* info, size_t, void* data) {
  auto* s = static_cast<Search*>(data);
  if (info->dlpi_addr != s->base) return 0;
  const ElfW(Dyn)* dyn = nullptr;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    if (info->dlpi_phdr[i].p_type == PT_DYNAMIC) {
      dyn = reinterpret_cast<const ElfW(Dyn)*>(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    }
  }
  if (dyn == nullptr) return 1;
  ElfW(Addr) symtab = 0, strtab = 0, jmprel = 0, rela = 0;
  size_t pltrelsz = 0, relasz = 0;
  for (; dyn->d_tag != DT_NULL; dyn++) {
    switch (dyn->d_tag) {
      case DT_SYMTAB: symtab = dyn->d_un.d_ptr; break;
      case DT_STRTAB: strtab = dyn->d_un.d_ptr; break;
      case DT_JMPREL: jmprel = dyn->d_un.d_ptr; break;
      case DT_PLTRELSZ: pltrelsz = dyn->d_un.d_val; break;
      case DT_RELA: rela = dyn->d_un.d_ptr; break;
      case DT_RELASZ: relasz = dyn->d_un.d_val; break;
      default: break;
    }
  }
  // The loader relocates these addresses in place on most architectures; an offset is still below the base.
  auto at = [info](ElfW(Addr) a) { return a < info->dlpi_addr ? a + info->dlpi_addr : a; };
  if (symtab == 0 || strtab == 0) return 1;
  const auto* syms = reinterpret_cast<const ElfW(Sym)*>(at(symtab));
  const char* names = reinterpret_cast<const char*>(at(strtab));
  for (auto [table, bytes] : {std::pair<ElfW(Addr), size_t>{jmprel, pltrelsz}, {rela, relasz}}) {
    if (table == 0) continue;
    const auto* r = reinterpret_cast<const ElfW(Rela)*>(at(table));
    for (size_t i = 0; i < bytes / sizeof(ElfW(Rela)); i++) {
      unsigned type = ELF64_R_TYPE(r[i].r_info);
      if (type != kJumpSlot && type != kGlobDat) continue;
      if (std::strcmp(names + syms[ELF64_R_SYM(r[i].r_info)].st_name, s->symbol) != 0) continue;
      s->slot = reinterpret_cast<void**>(info->dlpi_addr + r[i].r_offset);
    }
  }
  if (s->slot == nullptr) return 1;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& p = info->dlpi_phdr[i];
    ElfW(Addr) from = info->dlpi_addr + p.p_vaddr, slot = reinterpret_cast<ElfW(Addr)>(s->slot);
    if (p.p_type == PT_GNU_RELRO && slot >= from && slot < from + p.p_memsz) s->relro = true;
  }
  return 1;
}
#endif

}  // namespace

namespace {
#if defined(__x86_64__) || defined(__aarch64__)
// Points libhdf5's GOT slot for `symbol` at `replacement`; returns what the slot called before, when it is
// bound (not a lazy-binding stub inside libhdf5): keeps whatever a profiling tool put between libhdf5 and
// MPI (Darshan); else MPI's own function (`pmpi`). nullptr when the slot was not found or not writable.
void* Patch(const Dl_info& hdf5, const char* symbol, void* replacement, void* pmpi) {
  Search s{reinterpret_cast<ElfW(Addr)>(hdf5.dli_fbase), symbol};
  dl_iterate_phdr(FindSlot, &s);
  if (s.slot == nullptr) return nullptr;
  void* current = *s.slot;
  Dl_info where;
  bool bound = current != nullptr && dladdr(current, &where) && where.dli_fbase != hdf5.dli_fbase;
  long page = sysconf(_SC_PAGESIZE);
  void* start = reinterpret_cast<void*>(reinterpret_cast<uintptr_t>(s.slot) & ~static_cast<uintptr_t>(page - 1));
  if (mprotect(start, static_cast<size_t>(page), PROT_READ | PROT_WRITE) != 0) return nullptr;
  *s.slot = replacement;
  if (s.relro) mprotect(start, static_cast<size_t>(page), PROT_READ);
  return bound ? current : pmpi;
}
#endif
}  // namespace

bool InstallAgreedWrites() {
  Registry& r = Shared();
  std::lock_guard<std::mutex> g(r.lock);
  if (r.tried) return r.installed;
  r.tried = true;
#if defined(__x86_64__) || defined(__aarch64__)
  Dl_info hdf5;
  if (!dladdr(reinterpret_cast<void*>(&H5Fopen), &hdf5) || hdf5.dli_fbase == nullptr) return false;
  // The sync first: AgreedWriteAtAll may leave it to the sync's agreement (Leaked).
  r.realSync = reinterpret_cast<Registry::Sync>(
      Patch(hdf5, "MPI_File_sync", reinterpret_cast<void*>(&AgreedSync), reinterpret_cast<void*>(&PMPI_File_sync)));
  // The independent write before the collective one: RegisterFile holds failures only where it is rerouted.
  r.realIndependent =
      reinterpret_cast<Registry::WriteAtAll>(Patch(hdf5, "MPI_File_write_at", reinterpret_cast<void*>(&AgreedWriteAt),
                                                   reinterpret_cast<void*>(&PMPI_File_write_at)));
  r.real = reinterpret_cast<Registry::WriteAtAll>(Patch(hdf5, "MPI_File_write_at_all",
                                                        reinterpret_cast<void*>(&AgreedWriteAtAll),
                                                        reinterpret_cast<void*>(&PMPI_File_write_at_all)));
  r.installed = r.real != nullptr;
#endif
  return r.installed;
}

void RegisterFile(MPI_File fh, MPI_Comm comm, const std::string& path, bool holdFailures) {
  MPI_Comm dup = MPI_COMM_NULL;
  if (MPI_Comm_dup(comm, &dup) != MPI_SUCCESS) return;
  MPI_Comm_set_errhandler(dup, MPI_ERRORS_RETURN);
  Registry& r = Shared();
  std::lock_guard<std::mutex> g(r.lock);
  if (r.sumAndMin == MPI_OP_NULL) MPI_Op_create(SumAndMin, 1, &r.sumAndMin);
  OpenProbe(r);
  bool hold = holdFailures && r.realIndependent != nullptr;
  r.files[fh] = Registered{dup, path, hold};
  if (hold) r.holding++;
}

bool AnyHoldsFailures() { return Shared().holding.load(std::memory_order_relaxed) > 0; }

HeldFailure TakeHeldFailure(MPI_File fh, bool collective) {
  Registry& r = Shared();
  HeldFailure out;
  MPI_Comm comm = MPI_COMM_NULL;
  {
    std::lock_guard<std::mutex> g(r.lock);
    auto it = r.files.find(fh);
    // Alike on every rank (the file's options are), so that the ranks communicate below or none does.
    if (it == r.files.end() || !it->second.holdFailures) return out;
    out.failed = it->second.failed;
    out.err = it->second.err;
    it->second.failed = false;
    comm = it->second.comm;
  }
  if (!collective) return out;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  out.here = out.failed;
  // The highest failed rank and its errno: MAX of {failed, rank, errno} is enough to name one.
  int mine[3] = {out.failed ? 1 : 0, out.failed ? rank : -1, out.failed ? out.err : 0};
  int all[3] = {0, -1, 0};
  if (MPI_Allreduce(mine, all, 3, MPI_INT, MPI_MAX, comm) != MPI_SUCCESS) return out;
  out.failed = all[0] != 0;
  out.rank = all[1];
  out.err = out.here ? out.err : all[2];
  return out;
}

void UnregisterFile(MPI_File fh) {
  MPI_Comm dup = MPI_COMM_NULL;
  {
    Registry& r = Shared();
    std::lock_guard<std::mutex> g(r.lock);
    auto it = r.files.find(fh);
    if (it == r.files.end()) return;
    dup = it->second.comm;
    if (it->second.holdFailures) r.holding--;
    r.errnos.erase(it->second.path);
    r.files.erase(it);
  }
  MPI_Comm_free(&dup);
}

int AgreedErrno(const std::string& path) {
  Registry& r = Shared();
  std::lock_guard<std::mutex> g(r.lock);
  auto it = r.errnos.find(path);
  return it == r.errnos.end() ? 0 : it->second;
}

void CloseAgreedIO() {
  Registry& r = Shared();
  std::lock_guard<std::mutex> g(r.lock);
  if (r.probe != MPI_FILE_NULL) PMPI_File_close(&r.probe);
}

}  // namespace h5mpi
