// The floating-point control state (flush-to-zero, denormals-are-zero, rounding), kept as it was when the
// addon loaded. HDF5 dlopens filter plugins when it first needs one (creating, opening, reading, writing or
// flushing a filtered dataset, asking whether a filter is available), and plugins built with -ffast-math
// (Debian's bitshuffle and LZF among them) set FTZ/DAZ in their constructors: for the whole thread, so that
// afterwards `5e-324 > 0` is false in JavaScript. An FPGuard around such calls puts the state back. Reading
// the control register costs a few cycles; it is written only when a call changed it.
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#elif !defined(__aarch64__)
#include <cfenv>
#endif

namespace h5mpi {

#if defined(__x86_64__) || defined(__i386__)
// MXCSR: bits 0-5 are sticky exception flags (arithmetic sets them); the rest is control (DAZ, masks,
// rounding, FTZ).
struct FPControl {
  unsigned bits = 0;
};
constexpr unsigned kMxcsrControl = 0xFFC0u;
inline FPControl SaveFPControl() { return FPControl{_mm_getcsr() & kMxcsrControl}; }
inline void RestoreFPControl(const FPControl& saved) {
  unsigned now = _mm_getcsr();
  if ((now & kMxcsrControl) != saved.bits) _mm_setcsr((now & ~kMxcsrControl) | saved.bits);
}
#elif defined(__aarch64__)
// FPCR holds only control bits (FZ, rounding, trap enables); the flags are in FPSR.
struct FPControl {
  unsigned long long bits = 0;
};
inline FPControl SaveFPControl() { return FPControl{__builtin_aarch64_get_fpcr64()}; }
inline void RestoreFPControl(const FPControl& saved) {
  if (__builtin_aarch64_get_fpcr64() != saved.bits) __builtin_aarch64_set_fpcr64(saved.bits);
}
#else
// Elsewhere the whole environment, which also resets the exception flags: rarely used, so the cost is fine.
struct FPControl {
  std::fenv_t env{};
};
inline FPControl SaveFPControl() {
  FPControl c;
  std::fegetenv(&c.env);
  return c;
}
inline void RestoreFPControl(const FPControl& saved) { std::fesetenv(&saved.env); }
#endif

// Puts the saved control state back when it goes out of scope (also when the call throws).
class FPGuard {
 public:
  explicit FPGuard(const FPControl& saved) : saved_(saved) {}
  FPGuard(const FPGuard&) = delete;
  FPGuard& operator=(const FPGuard&) = delete;
  ~FPGuard() { RestoreFPControl(saved_); }

 private:
  const FPControl& saved_;
};

}  // namespace h5mpi
