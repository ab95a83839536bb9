// The state the reactor keeps per child process, shared between
// ProcessHandle and ProcessReactor. Private to the connectors module.
//
// Thread-safety: fields marked (mu_) are guarded by the owning reactor's
// mutex; the rest belong to the reactor thread.
#ifndef KEEL_CONNECTORS_INTERNAL_CHILD_H_
#define KEEL_CONNECTORS_INTERNAL_CHILD_H_

#include <signal.h>

#include <string>

#include "connectors/process_reactor.h"

namespace keel {

struct ProcessHandle::Child {
  pid_t pid = -1;
  ProcessCallbacks callbacks;
  int64_t deadline = 0;       // timeout on the clock; 0 = none
  std::string stdin_queue;    // (mu_) bytes from Write() not yet taken
  bool close_stdin = false;   // (mu_) close once everything is written
  bool stdin_closed = false;  // (mu_) no more writes accepted
  bool reaped = false;        // (mu_)
  int wait_status = 0;        // (mu_)
  bool killed = false;        // (mu_)
  bool timed_out = false;     // (mu_)
  int64_t kill_deadline = 0;  // (mu_) finish by this time after a kill
  int in_fd = -1;
  int out_fd = -1;
  int err_fd = -1;
  int pidfd = -1;
  std::string in_buf;
  size_t in_off = 0;
  bool stdout_rejected = false;
  bool finished = false;
};

namespace connectors_internal {

// Kills the process group and, should the child have left it, the child.
inline void SignalGroup(pid_t pid, int sig) {
  if (kill(-pid, sig) != 0) kill(pid, sig);
}

}  // namespace connectors_internal
}  // namespace keel

#endif  // KEEL_CONNECTORS_INTERNAL_CHILD_H_
