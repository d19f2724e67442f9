// Memory for large arrays: transparent huge pages, and page alignment. With THP in "madvise" mode (Debian's
// default) a region gets 2 MiB pages only when asked; and the kernel's copy from the page cache runs at full
// speed only into memory aligned as the page cache is (malloc's large blocks start 16 bytes into a page);
// huge pages also take far fewer faults on first touch (bench/NOTES.md has the figures). numpy puts arrays
// of 4 MiB or more on huge pages; lib/memory.ts does the same for the typed arrays it makes.
#include <sys/mman.h>

#include <cstdint>

#include "common.h"

namespace h5mpi {
namespace {

constexpr uintptr_t kHugePage = uintptr_t{1} << 21;

// hugePageStart(arrayBuffer) -> the byte offset of the first 2 MiB boundary in the buffer's memory, from
// which on the buffer's whole 2 MiB pages are advised onto huge pages (MADV_HUGEPAGE). Advice only: the
// contents are untouched, and pages already touched stay as they are.
Napi::Value HugePageStart(const Napi::CallbackInfo& info) {
  Napi::ArrayBuffer buffer = info[0].As<Napi::ArrayBuffer>();
  auto begin = reinterpret_cast<uintptr_t>(buffer.Data());
  uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
  uintptr_t end = (begin + buffer.ByteLength()) & ~(kHugePage - 1);
  if (end > first) ::madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
  return Napi::Number::New(info.Env(), static_cast<double>(first - begin));
}

}  // namespace

void InitMemory(Napi::Env env, Napi::Object exports) {
  exports.Set("hugePageStart", Napi::Function::New(env, HugePageStart));
}

}  // namespace h5mpi
