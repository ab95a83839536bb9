#include "connectors/process_reactor.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "connectors/internal/child.h"
#include "connectors/internal/spawn.h"

namespace keel {

using connectors_internal::SignalGroup;

namespace {

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

}  // namespace

ProcessReactor::ProcessReactor(Clock* clock) : clock_(clock) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] { Loop(); });
}

ProcessReactor::~ProcessReactor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  Poke();
  thread_.join();
  if (wake_fd_ >= 0) close(wake_fd_);
}

ProcessReactor* ProcessReactor::Default() {
  // Leaked on purpose: children and timers may be in flight at exit.
  static ProcessReactor* reactor = new ProcessReactor();
  return reactor;
}

Result<ProcessHandle> ProcessReactor::Spawn(const SpawnOptions& options,
                                            ProcessCallbacks callbacks) {
  Result<connectors_internal::SpawnedChild> spawned =
      connectors_internal::SpawnChild(options.argv, options.cwd, options.env);
  if (!spawned.ok()) return spawned.status();
  auto child = std::make_shared<Child>();
  child->pid = spawned->pid;
  child->in_fd = spawned->stdin_fd;
  child->out_fd = spawned->stdout_fd;
  child->err_fd = spawned->stderr_fd;
  child->pidfd = spawned->pidfd;
  child->callbacks = std::move(callbacks);
  child->stdin_queue = options.stdin_data;
  child->close_stdin = !options.keep_stdin_open;
  if (options.timeout_us > 0) child->deadline = clock_->MonotonicMicros() + options.timeout_us;
  {
    std::lock_guard<std::mutex> lock(mu_);
    incoming_.push_back(child);
    ++running_;
  }
  Poke();
  return ProcessHandle(this, std::move(child));
}

void ProcessReactor::After(int64_t delay_us, std::function<void()> fn) {
  int64_t due = clock_->MonotonicMicros() + std::max<int64_t>(delay_us, 0);
  bool earliest;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = timers_.emplace(due, std::move(fn));
    earliest = it == timers_.begin();
  }
  if (earliest) Poke();
}

void ProcessReactor::Poke() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd_, &one, sizeof(one));
}

size_t ProcessReactor::running() const {
  std::lock_guard<std::mutex> lock(mu_);
  return running_;
}

int ProcessReactor::PollTimeoutMs(bool reap_polling) const {
  int64_t now = clock_->MonotonicMicros();
  int64_t next = INT64_MAX;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!timers_.empty()) next = timers_.begin()->first;
    for (const auto& child : children_) {
      if (child->deadline > 0 && !child->timed_out) {
        next = std::min(next, child->deadline);
      }
      // Once passed, a kill deadline waits on the reap (pidfd or polling);
      // counting it here would spin.
      if (child->kill_deadline > now) next = std::min(next, child->kill_deadline);
    }
  }
  int timeout = -1;
  if (next != INT64_MAX) {
    int64_t ms = (std::max<int64_t>(next - now, 0) + 999) / 1000;
    timeout = static_cast<int>(std::min<int64_t>(ms, INT_MAX));
  }
  // Without a pidfd, exits are noticed by re-checking waitpid.
  constexpr int kReapPollMs = 10;
  if (reap_polling && (timeout < 0 || timeout > kReapPollMs)) timeout = kReapPollMs;
  return timeout;
}

void ProcessReactor::Loop() {
  // Writes to a child whose stdin closed must fail with EPIPE, not kill us.
  // SIGPIPE from write() is directed at the writing thread, so blocking it
  // here is enough; children get a clean mask from SpawnChild.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);

  std::vector<pollfd> fds;
  std::vector<int> slots;  // per child: index of its first pollfd
  while (true) {
    bool reap_polling = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) break;
      for (auto& child : incoming_) children_.push_back(std::move(child));
      incoming_.clear();
      for (auto& child : children_) {
        child->in_buf.append(child->stdin_queue);
        child->stdin_queue.clear();
        bool waiting_for_exit = child->out_fd < 0 && child->err_fd < 0;
        if (child->pidfd < 0 && !child->reaped && (waiting_for_exit || child->killed)) {
          reap_polling = true;
        }
      }
    }
    fds.clear();
    slots.clear();
    fds.push_back({wake_fd_, POLLIN, 0});
    for (auto& child : children_) {
      FlushStdin(*child);
      slots.push_back(static_cast<int>(fds.size()));
      bool want_write = child->in_fd >= 0 && child->in_off < child->in_buf.size();
      fds.push_back({child->out_fd, POLLIN, 0});
      fds.push_back({child->err_fd, POLLIN, 0});
      fds.push_back({want_write ? child->in_fd : -1, POLLOUT, 0});
      // A reaped child's pidfd stays readable; polling it would spin.
      fds.push_back({child->reaped ? -1 : child->pidfd, POLLIN, 0});
    }
    int timeout = PollTimeoutMs(reap_polling);
    if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) continue;
    if (fds[0].revents != 0) {
      uint64_t count;
      [[maybe_unused]] ssize_t n = read(wake_fd_, &count, sizeof(count));
    }
    for (size_t i = 0; i < slots.size(); ++i) {
      const pollfd* p = &fds[slots[i]];
      ServiceChild(*children_[i], p[0].revents, p[1].revents, p[2].revents, p[3].revents);
    }
    int64_t now = clock_->MonotonicMicros();
    CheckDeadlines(now);
    RunDueTimers(now);
    auto done = std::remove_if(children_.begin(), children_.end(),
                               [&](const auto& child) { return MaybeFinish(*child, now); });
    children_.erase(done, children_.end());
  }

  // Shutting down: nothing may outlive the reactor.
  for (auto& child : incoming_) children_.push_back(std::move(child));
  incoming_.clear();
  for (auto& child : children_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      child->killed = true;
      if (!child->reaped) {
        SignalGroup(child->pid, SIGKILL);
        waitpid(child->pid, &child->wait_status, 0);
        child->reaped = true;
      }
    }
    Finish(*child);
  }
  children_.clear();
}

void ProcessReactor::ServiceChild(Child& child, short out_events, short err_events, short in_events,
                                  short pid_events) {
  if (out_events != 0) ReadPipe(child, &child.out_fd, /*is_stdout=*/true);
  if (err_events != 0) ReadPipe(child, &child.err_fd, /*is_stdout=*/false);
  if (in_events != 0) FlushStdin(child);
  // Without a pidfd every wake-up re-checks; PollTimeoutMs bounds the wait.
  if (pid_events != 0 || child.pidfd < 0) TryReap(child);
}

void ProcessReactor::ReadPipe(Child& child, int* fd, bool is_stdout) {
  char buf[65536];
  // A few reads per wake-up, so one chatty child cannot starve the others.
  for (int round = 0; round < 4; ++round) {
    ssize_t n = read(*fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      CloseFd(fd);
      return;
    }
    std::string_view chunk(buf, static_cast<size_t>(n));
    if (!is_stdout) {
      if (child.callbacks.on_stderr) child.callbacks.on_stderr(chunk);
    } else if (!child.stdout_rejected && child.callbacks.on_stdout &&
               !child.callbacks.on_stdout(chunk)) {
      child.stdout_rejected = true;
      std::lock_guard<std::mutex> lock(mu_);
      KillLocked(child, /*timed_out=*/false);
    }
  }
}

void ProcessReactor::FlushStdin(Child& child) {
  while (child.in_fd >= 0 && child.in_off < child.in_buf.size()) {
    ssize_t n =
        write(child.in_fd, child.in_buf.data() + child.in_off, child.in_buf.size() - child.in_off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) {  // EPIPE: the child closed its stdin; the rest is moot
      CloseFd(&child.in_fd);
      break;
    }
    child.in_off += static_cast<size_t>(n);
  }
  if (child.in_off == child.in_buf.size()) {
    child.in_buf.clear();
    child.in_off = 0;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (child.in_fd < 0 || (child.close_stdin && child.in_buf.empty())) {
    CloseFd(&child.in_fd);
    child.stdin_closed = true;
    child.stdin_queue.clear();
  }
}

void ProcessReactor::TryReap(Child& child) {
  std::lock_guard<std::mutex> lock(mu_);
  if (child.reaped) return;
  pid_t r = waitpid(child.pid, &child.wait_status, WNOHANG);
  if (r == child.pid || (r < 0 && errno == ECHILD)) child.reaped = true;
}

void ProcessReactor::KillLocked(Child& child, bool timed_out) {
  child.killed = true;
  child.timed_out = child.timed_out || timed_out;
  if (child.kill_deadline == 0) child.kill_deadline = clock_->MonotonicMicros() + kKillGraceMicros;
  if (!child.reaped) {
    SignalGroup(child.pid, SIGKILL);
  } else {
    // The child is gone but a descendant still holds its pipes. The group
    // id cannot be reused while that descendant is in the group.
    kill(-child.pid, SIGKILL);
  }
}

void ProcessReactor::CheckDeadlines(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& child : children_) {
    bool drained = child->out_fd < 0 && child->err_fd < 0;
    bool running = !child->reaped || !drained;
    if (child->deadline > 0 && now >= child->deadline && !child->timed_out && running) {
      KillLocked(*child, /*timed_out=*/true);
    }
  }
}

void ProcessReactor::RunDueTimers(int64_t now) {
  std::vector<std::function<void()>> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto end = timers_.upper_bound(now);
    for (auto it = timers_.begin(); it != end; ++it) due.push_back(std::move(it->second));
    timers_.erase(timers_.begin(), end);
  }
  for (auto& fn : due) fn();
}

bool ProcessReactor::MaybeFinish(Child& child, int64_t now) {
  bool reaped, overdue;
  {
    std::lock_guard<std::mutex> lock(mu_);
    reaped = child.reaped;
    overdue = child.kill_deadline > 0 && now >= child.kill_deadline;
  }
  if (!reaped) return false;
  bool drained = child.out_fd < 0 && child.err_fd < 0;
  if (!drained && !overdue) return false;
  Finish(child);
  return true;
}

void ProcessReactor::Finish(Child& child) {
  CloseFd(&child.in_fd);
  CloseFd(&child.out_fd);
  CloseFd(&child.err_fd);
  CloseFd(&child.pidfd);
  ProcessExit exit;
  {
    std::lock_guard<std::mutex> lock(mu_);
    child.stdin_closed = true;
    exit.timed_out = child.timed_out;
    exit.killed = child.killed;
    if (WIFEXITED(child.wait_status)) exit.exit_code = WEXITSTATUS(child.wait_status);
    if (WIFSIGNALED(child.wait_status)) exit.signal = WTERMSIG(child.wait_status);
    --running_;
  }
  child.finished = true;
  ProcessCallbacks callbacks = std::move(child.callbacks);
  child.callbacks = {};
  if (callbacks.on_exit) callbacks.on_exit(exit);
}

}  // namespace keel
