// The hang watchdog's thread (watchdog.cc says what it does); the environment that starts it keeps it in
// its AddonData, whose release stops and joins it.
#pragma once
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace h5mpi {

// Writes `line` to stderr whole and ends the process with `status` at once (no exit handlers, no MPI): what a
// thread does when the main thread is stuck in a call that will not return (the watchdog, a stranded write).
[[noreturn]] void SayAndExit(const std::string& line, int status);

class Watchdog {
 public:
  using Clock = std::chrono::steady_clock;
  Watchdog(double seconds, std::string header, std::string footer, int exitCode);
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog();

  // No notification: the thread wakes on its own by the time the call could have timed out.
  void Enter(std::string label);
  void Leave();

 private:
  void Run();
  // Called with the lock held; never returns.
  [[noreturn]] void Report(Clock::time_point now);

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

}  // namespace h5mpi
