// A watchdog for collective calls that never return (a rank that never makes the call): lib/ marks entering
// and leaving collective calls, and a thread ends the process once the outermost call has lasted longer
// than the timeout, after printing what it was in. Ending the process is enough for mpiexec to end the job;
// MPI_Abort from this thread is not allowed at MPI_THREAD_FUNNELED. When to start it and what the report
// says are decided in lib/watchdog.ts; here is only "time out and report".
#include "watchdog.h"

#include <unistd.h>

#include <sstream>

#include "addon.h"

namespace h5mpi {

Watchdog::Watchdog(double seconds, std::string header, std::string footer, int exitCode)
    : timeout_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds))),
      // Sleeping at most the timeout when idle means a call entered while the thread slept is still
      // caught on time.
      idlePoll_(std::min(timeout_, Clock::duration(std::chrono::seconds(1)))),
      header_(std::move(header)),
      footer_(std::move(footer)),
      exitCode_(exitCode),
      thread_([this] { Run(); }) {}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::Enter(std::string label) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (calls_.empty()) {
    since_ = Clock::now();
    sinceWall_ = std::time(nullptr);
  }
  calls_.push_back(std::move(label));
}

void Watchdog::Leave() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!calls_.empty()) calls_.pop_back();
}

void Watchdog::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    Clock::time_point now = Clock::now();
    if (!calls_.empty() && now - since_ >= timeout_) Report(now);
    wake_.wait_until(lock, calls_.empty() ? now + idlePoll_ : since_ + timeout_);
  }
}

void Watchdog::Report(Clock::time_point now) {
  char when[32] = "";
  struct tm local;
  if (localtime_r(&sinceWall_, &local)) std::strftime(when, sizeof when, "%H:%M:%S", &local);
  std::ostringstream text;
  text.precision(1);
  text << std::fixed << header_ << ": stuck for " << std::chrono::duration<double>(now - since_).count() << " s (since "
       << when << ") in ";
  for (size_t i = 0; i < calls_.size(); i++) text << (i ? " > " : "") << calls_[i];
  text << footer_ << "\n";
  SayAndExit(text.str(), exitCode_);
}

void SayAndExit(const std::string& line, int status) {
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::_exit(status);
}

namespace {

// watchdogStart(seconds, header, footer, exitCode): starts the thread (once).
Napi::Value Start(const Napi::CallbackInfo& info) {
  AddonData& data = Data(info.Env());
  if (!data.watchdog) {
    data.watchdog = std::make_unique<Watchdog>(info[0].As<Napi::Number>().DoubleValue(), info[1].ToString(),
                                               info[2].ToString(), info[3].As<Napi::Number>().Int32Value());
  }
  return info.Env().Undefined();
}

// watchdogEnter(label): a collective call starts (calls nest: the outermost one is timed).
Napi::Value Enter(const Napi::CallbackInfo& info) {
  AddonData& data = Data(info.Env());
  if (data.watchdog) data.watchdog->Enter(info[0].ToString());
  return info.Env().Undefined();
}

// watchdogLeave(): the innermost call returned (or threw).
Napi::Value Leave(const Napi::CallbackInfo& info) {
  AddonData& data = Data(info.Env());
  if (data.watchdog) data.watchdog->Leave();
  return info.Env().Undefined();
}

}  // namespace

void InitWatchdog(Napi::Env env, Napi::Object exports) {
  exports.Set("watchdogStart", Napi::Function::New(env, Start));
  exports.Set("watchdogEnter", Napi::Function::New(env, Enter));
  exports.Set("watchdogLeave", Napi::Function::New(env, Leave));
}

}  // namespace h5mpi
