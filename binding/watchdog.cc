// A watchdog for collective calls that never return (a rank that never makes the call): lib/ marks entering
// and leaving collective calls, and a thread ends the process once the outermost call has lasted longer
// than the timeout, after printing what it was in. Ending the process is enough for mpiexec to end the job;
// MPI_Abort from this thread is not allowed at MPI_THREAD_FUNNELED. When to start it and what the report
// says are decided in lib/watchdog.ts; here is only "time out and report".
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "common.h"

namespace h5mpi {
namespace {

using Clock = std::chrono::steady_clock;

class Watchdog {
 public:
  Watchdog(double seconds, std::string header, std::string footer, int exitCode)
      : timeout_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds))),
        // Sleeping at most the timeout when idle means a call entered while the thread slept is still
        // caught on time.
        idlePoll_(std::min(timeout_, Clock::duration(std::chrono::seconds(1)))),
        header_(std::move(header)),
        footer_(std::move(footer)),
        exitCode_(exitCode),
        thread_([this] { Run(); }) {}

  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  // No notification: the thread wakes on its own by the time the call could have timed out.
  void Enter(std::string label) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (calls_.empty()) {
      since_ = Clock::now();
      sinceWall_ = std::time(nullptr);
    }
    calls_.push_back(std::move(label));
  }

  void Leave() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!calls_.empty()) calls_.pop_back();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stop_) {
      Clock::time_point now = Clock::now();
      if (!calls_.empty() && now - since_ >= timeout_) Report(now);
      wake_.wait_until(lock, calls_.empty() ? now + idlePoll_ : since_ + timeout_);
    }
  }

  // Called with the lock held; never returns.
  [[noreturn]] void Report(Clock::time_point now) {
    char when[32] = "";
    struct tm local;
    if (localtime_r(&sinceWall_, &local)) std::strftime(when, sizeof when, "%H:%M:%S", &local);
    std::ostringstream text;
    text.precision(1);
    text << std::fixed << header_ << ": stuck for " << std::chrono::duration<double>(now - since_).count()
         << " s (since " << when << ") in ";
    for (size_t i = 0; i < calls_.size(); i++) text << (i ? " > " : "") << calls_[i];
    text << footer_ << "\n";
    std::string s = text.str();
    const char* p = s.data();
    size_t left = s.size();
    while (left > 0) {
      ssize_t n = ::write(STDERR_FILENO, p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
    ::_exit(exitCode_);
  }

  const Clock::duration timeout_;
  const Clock::duration idlePoll_;
  const std::string header_;
  const std::string footer_;
  const int exitCode_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::string> calls_;  // outermost first
  Clock::time_point since_;
  std::time_t sinceWall_ = 0;
  bool stop_ = false;
  std::thread thread_;  // last: starts once everything above is initialised
};

// Destroyed at process exit, which stops and joins the thread.
std::unique_ptr<Watchdog> watchdog;

// watchdogStart(seconds, header, footer, exitCode): starts the thread (once).
Napi::Value Start(const Napi::CallbackInfo& info) {
  if (!watchdog) {
    watchdog = std::make_unique<Watchdog>(info[0].As<Napi::Number>().DoubleValue(), info[1].ToString(),
                                          info[2].ToString(), info[3].As<Napi::Number>().Int32Value());
  }
  return info.Env().Undefined();
}

// watchdogEnter(label): a collective call starts (calls nest: the outermost one is timed).
Napi::Value Enter(const Napi::CallbackInfo& info) {
  if (watchdog) watchdog->Enter(info[0].ToString());
  return info.Env().Undefined();
}

// watchdogLeave(): the innermost call returned (or threw).
Napi::Value Leave(const Napi::CallbackInfo& info) {
  if (watchdog) watchdog->Leave();
  return info.Env().Undefined();
}

}  // namespace

void InitWatchdog(Napi::Env env, Napi::Object exports) {
  exports.Set("watchdogStart", Napi::Function::New(env, Start));
  exports.Set("watchdogEnter", Napi::Function::New(env, Enter));
  exports.Set("watchdogLeave", Napi::Function::New(env, Leave));
}

}  // namespace h5mpi
