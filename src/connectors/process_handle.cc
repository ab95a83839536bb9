// ProcessHandle and ProcessExit: the caller-facing side of a reactor child.
#include <signal.h>
#include <string.h>

#include "connectors/internal/child.h"
#include "connectors/process_reactor.h"

namespace keel {

using connectors_internal::SignalGroup;

std::string ProcessExit::Describe() const {
  if (timed_out) return "timed out";
  if (signal != 0)
    return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "exit code " + std::to_string(exit_code);
}

pid_t ProcessHandle::pid() const { return child_ ? child_->pid : -1; }

bool ProcessHandle::Write(std::string data) {
  if (!child_) return false;
  {
    std::lock_guard<std::mutex> lock(reactor_->mu_);
    if (child_->stdin_closed || child_->close_stdin) return false;
    child_->stdin_queue.append(data);
  }
  reactor_->Poke();
  return true;
}

void ProcessHandle::CloseStdin() {
  if (!child_) return;
  {
    std::lock_guard<std::mutex> lock(reactor_->mu_);
    child_->close_stdin = true;
  }
  reactor_->Poke();
}

void ProcessHandle::Signal(int sig) {
  if (!child_) return;
  {
    std::lock_guard<std::mutex> lock(reactor_->mu_);
    if (child_->reaped) return;
    if (sig == SIGKILL) {
      child_->killed = true;
      child_->kill_deadline =
          reactor_->clock_->MonotonicMicros() + ProcessReactor::kKillGraceMicros;
    }
    // Under the lock, so the reactor cannot reap the child (and the kernel
    // reuse its pid) between the check and the kill.
    SignalGroup(child_->pid, sig);
  }
  reactor_->Poke();
}

}  // namespace keel
