// Memory for large arrays: page alignment, and transparent huge pages where lib/memory.ts asks for them. The
// kernel's copy from the page cache runs at full speed only into memory aligned as the page cache is
// (malloc's large blocks start 16 bytes into a page); with THP in "madvise" mode (Debian's default) a region
// gets 2 MiB pages only when asked, which then take far fewer faults on first touch (bench/NOTES.md has the
// figures, and when huge pages do not pay).
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

#include "common.h"

namespace h5mpi {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{1} << 21;

// pageStart(arrayBuffer, huge) -> the byte offset of the buffer's first page boundary: of a 2 MiB page when
// `huge`, from which on the buffer's whole 2 MiB pages are advised onto huge pages (MADV_HUGEPAGE), else of
// an ordinary page. Advice only: the contents are untouched, and pages already touched stay as they are.
Napi::Value PageStart(const Napi::CallbackInfo& info) {
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  bool huge = info[1].ToBoolean();
  uintptr_t page = huge ? kHugePage : static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  auto begin = reinterpret_cast<uintptr_t>(buffer.Data());
  uintptr_t first = (begin + page - 1) & ~(page - 1);
  uintptr_t end = (begin + buffer.ByteLength()) & ~(page - 1);
  if (huge && end > first) ::madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
  return Napi::Number::New(info.Env(), static_cast<double>(first - begin));
}

}  // namespace

void InitMemory(Napi::Env env, Napi::Object exports) { exports.Set("pageStart", Napi::Function::New(env, PageStart)); }

}  // namespace h5mpi
