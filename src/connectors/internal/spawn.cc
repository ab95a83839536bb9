#include "connectors/internal/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace keel::connectors_internal {
namespace {

// The six pipe ends of a spawn; closes those it still owns when it goes out of
// scope, which keeps SpawnChild's error paths short.
class PipeFds {
 public:
  ~PipeFds() {
    for (int fd : fds_) {
      if (fd >= 0) close(fd);
    }
  }
  int* in() { return &fds_[0]; }
  int* out() { return &fds_[2]; }
  int* err() { return &fds_[4]; }
  int Release(int* fd) {
    int value = *fd;
    *fd = -1;
    return value;
  }

 private:
  std::array<int, 6> fds_ = {-1, -1, -1, -1, -1, -1};
};

std::vector<std::string> MergedEnvironment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view key = entry.substr(0, entry.find('='));
    bool overridden = false;
    for (const auto& [k, v] : extra) overridden = overridden || k == key;
    if (!overridden) out.emplace_back(entry);
  }
  for (const auto& [k, v] : extra) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int OpenPidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) fcntl(fd, F_SETFD, FD_CLOEXEC);
  return fd;
#else
  return -1;
#endif
}

Status SpawnError(const std::string& what, const std::string& program, int err) {
  return Status(StatusCode::kFailedPrecondition,
                "cannot start '" + program + "': " + what + ": " + std::strerror(err),
                "spawn_failed");
}

}  // namespace

Result<SpawnedChild> SpawnChild(const std::vector<std::string>& argv, const std::string& cwd,
                                const std::vector<std::pair<std::string, std::string>>& env) {
  if (argv.empty() || argv[0].empty()) {
    return Status(StatusCode::kInvalidArgument, "empty command", "spawn_failed");
  }
  PipeFds fds;
  int* in = fds.in();
  int* out = fds.out();
  int* err = fds.err();
  // pipe2 can fail when the process is out of descriptors.
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    return SpawnError("pipe", argv[0], errno);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a timeout kills the whole tree; a clean signal
  // mask and default SIGPIPE, whatever the spawning thread had.
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGXFSZ);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv_copy(argv);
  std::vector<std::string> env_strings = MergedEnvironment(env);
  std::vector<char*> c_argv = CStrings(argv_copy);
  std::vector<char*> c_env = CStrings(env_strings);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return SpawnError("spawn", argv[0], rc);

  SpawnedChild child;
  child.pid = pid;
  child.stdin_fd = fds.Release(&in[1]);
  child.stdout_fd = fds.Release(&out[0]);
  child.stderr_fd = fds.Release(&err[0]);
  for (int fd : {child.stdin_fd, child.stdout_fd, child.stderr_fd}) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  child.pidfd = OpenPidfd(pid);
  return child;  // the child's ends close with `fds`
}

}  // namespace keel::connectors_internal
