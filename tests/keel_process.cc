#include "keel_process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

namespace keel::testing {
namespace fs = std::filesystem;
namespace {

// Reads both pipes to their ends at once: a child that fills one pipe
// while the other is being read would otherwise block forever.
void ReadBoth(int out_fd, int err_fd, std::string* out, std::string* err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {out, err};
  char buf[65536];
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_fds;
      }
    }
  }
}

[[noreturn]] void ExecKeel(const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  for (const std::string& kv : env) putenv(const_cast<char*>(strdup(kv.c_str())));
  std::vector<char*> argv;
  std::string binary = KeelBinary();
  argv.push_back(binary.data());
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  _exit(127);
}

}  // namespace

std::string KeelBinary() {
  const char* path = std::getenv("KEEL_BINARY");
  if (!path || !fs::exists(path)) return "";
  return path;
}

ProcessResult RunKeel(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return {};
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    close(out_pipe[0]);
    close(err_pipe[0]);
    ExecKeel(args, env);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  ProcessResult result;
  ReadBoth(out_pipe[0], err_pipe[0], &result.out, &result.err);
  close(out_pipe[0]);
  close(err_pipe[0]);
  result.exit_code = WaitFor(pid);
  return result;
}

pid_t SpawnKeel(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  pid_t pid = fork();
  if (pid == 0) {
    int null_fd = open("/dev/null", O_WRONLY);
    dup2(null_fd, 1);
    dup2(null_fd, 2);
    ExecKeel(args, env);
  }
  return pid;
}

int WaitFor(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

// Copies made by this test process, removed when it exits (kept when
// KEEL_KEEP_TEST_DIRS is set, to look at after a failure).
std::vector<std::string>& Copies() {
  static std::vector<std::string> copies;
  return copies;
}

void RemoveCopies() {
  if (std::getenv("KEEL_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  for (const std::string& dir : Copies()) fs::remove_all(dir, ec);
}

}  // namespace

std::string CopyFixture(const std::string& fixture) {
  if (Copies().empty()) std::atexit(RemoveCopies);
  std::random_device rd;
  fs::path dir = fs::temp_directory_path() /
                 ("keel-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  Copies().push_back(dir.string());
  fs::create_directories(dir);
  fs::copy(fixture, dir, fs::copy_options::recursive);
  fs::remove_all(dir / ".keel");
  return dir.string();
}

}  // namespace keel::testing
