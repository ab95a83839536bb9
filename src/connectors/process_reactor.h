// ProcessReactor: runs child processes and serves all of their pipes from one
// I/O thread, however many are in flight. Subprocess tools and MCP stdio
// servers both use it, so waiting on a child never holds a thread per call.
//
// The thread polls every child's stdout, stderr and stdin (while input is
// queued) plus a pidfd per child that becomes readable when the child exits;
// it reaps with waitpid(WNOHANG), so no SIGCHLD handler is installed. Where the
// kernel has no pidfd, children whose pipes have closed are re-checked every
// few milliseconds instead. A child is finished once it has been reaped and
// both of its output pipes reached end of file; a child the reactor killed is
// finished at most `kKillGraceMicros` after the kill even if a descendant that
// left its process group still holds a pipe.
//
// Deadlines and timers (the reactor is also a TimerService) are measured on
// the injected Clock; tests use a FakeClock, advance it and call Poke().
//
// Thread-safety: every method is thread-safe. Callbacks run on the reactor
// thread, one at a time, with no reactor lock held; they must be quick (hand
// real work to a pool) and must not block on the reactor.
#ifndef KEEL_CONNECTORS_PROCESS_REACTOR_H_
#define KEEL_CONNECTORS_PROCESS_REACTOR_H_

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/timer_service.h"

namespace keel {

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::string cwd;                // "" keeps ours
  std::vector<std::pair<std::string, std::string>> env;  // added to ours; overrides
  std::string stdin_data;                                // written first
  bool keep_stdin_open = false;  // false: stdin closes once stdin_data is written
  int64_t timeout_us = 0;        // > 0: killed (whole process group) after this long
};

// How a child ended.
struct ProcessExit {
  int exit_code = -1;      // 0..255 when it exited by itself
  int signal = 0;          // the signal that ended it, when one did
  bool timed_out = false;  // the reactor killed it because its timeout passed
  bool killed = false;     // the reactor or an owner (Signal) asked it to stop
  bool success() const { return exit_code == 0 && !timed_out; }
  // "exit code 3", "killed by signal 9 (Killed)", "timed out".
  std::string Describe() const;
};

struct ProcessCallbacks {
  // A chunk of stdout; returning false stops the child (SIGKILL to its group),
  // e.g. when it writes more than the caller accepts.
  std::function<bool(std::string_view)> on_stdout;
  std::function<void(std::string_view)> on_stderr;  // may be empty: stderr is drained
  std::function<void(const ProcessExit&)> on_exit;  // exactly once, last
};

class ProcessReactor;

// A running child. Copyable handle; outliving the child or the call is fine.
class ProcessHandle {
 public:
  ProcessHandle() = default;
  pid_t pid() const;
  // Queues bytes for the child's stdin. Returns false when stdin is closed.
  bool Write(std::string data);
  // Closes stdin once queued bytes are written (the child sees end of file).
  void CloseStdin();
  // Sends `sig` to the child's process group unless it has been reaped.
  void Signal(int sig);

 private:
  friend class ProcessReactor;
  struct Child;
  ProcessHandle(ProcessReactor* reactor, std::shared_ptr<Child> child)
      : reactor_(reactor), child_(std::move(child)) {}
  ProcessReactor* reactor_ = nullptr;
  std::shared_ptr<Child> child_;
};

class ProcessReactor : public TimerService {
 public:
  // A child killed by the reactor is finished at most this long (on the
  // reactor's clock) after the kill, open pipes or not.
  static constexpr int64_t kKillGraceMicros = 2'000'000;

  explicit ProcessReactor(Clock* clock = Clock::Real());
  // Kills every child still running (each gets its on_exit) and joins the thread.
  ~ProcessReactor() override;
  ProcessReactor(const ProcessReactor&) = delete;
  ProcessReactor& operator=(const ProcessReactor&) = delete;

  // The process-wide reactor on the real clock, started on first use.
  static ProcessReactor* Default();

  // Starts a child. On failure (type "spawn_failed") no callback runs.
  // Blocks only for posix_spawn itself.
  Result<ProcessHandle> Spawn(const SpawnOptions& options, ProcessCallbacks callbacks);

  // TimerService: runs `fn` on the reactor thread after `delay_us` on the clock.
  void After(int64_t delay_us, std::function<void()> fn) override;

  // Wakes the thread to re-check deadlines and timers (after a FakeClock moves).
  void Poke();

  // Children not yet finished.
  size_t running() const;

 private:
  friend class ProcessHandle;
  using Child = ProcessHandle::Child;

  void Loop();
  int PollTimeoutMs(bool reap_polling) const;
  void ServiceChild(Child& child, short out_events, short err_events, short in_events,
                    short pid_events);
  void ReadPipe(Child& child, int* fd, bool is_stdout);
  void FlushStdin(Child& child);
  void TryReap(Child& child);
  void KillLocked(Child& child, bool timed_out);
  void CheckDeadlines(int64_t now);
  void RunDueTimers(int64_t now);
  bool MaybeFinish(Child& child, int64_t now);
  void Finish(Child& child);

  Clock* clock_;
  int wake_fd_ = -1;  // eventfd
  mutable std::mutex mu_;
  bool stop_ = false;
  std::vector<std::shared_ptr<Child>> incoming_;          // spawned, not yet polled (mu_)
  std::multimap<int64_t, std::function<void()>> timers_;  // by due time (mu_)
  size_t running_ = 0;                                    // (mu_)
  // Owned by the reactor thread.
  std::vector<std::shared_ptr<Child>> children_;
  std::thread thread_;
};

}  // namespace keel

#endif  // KEEL_CONNECTORS_PROCESS_REACTOR_H_
