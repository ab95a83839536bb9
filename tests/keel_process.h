// Runs the keel binary as a child process for integration tests: the
// binary's path comes from KEEL_BINARY (set by CTest), the working directory
// is the repository root.
#ifndef KEEL_TESTS_KEEL_PROCESS_H_
#define KEEL_TESTS_KEEL_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace keel::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;     // stdout
  std::string err;     // stderr
};

// The keel binary, or "" when KEEL_BINARY is unset or missing.
std::string KeelBinary();

// Runs keel with `args` to completion, with `env` ("K=V") added to ours.
ProcessResult RunKeel(const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {});

// Starts keel in the background; stdout/stderr go to /dev/null.
pid_t SpawnKeel(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// Waits for `pid`; returns its exit code, or -1 if a signal ended it.
int WaitFor(pid_t pid);

// Copies a fixture folder (e.g. "tests/fixtures/crash_project") to a fresh
// temporary folder and returns its path. The copy is removed when the test
// process exits, unless KEEL_KEEP_TEST_DIRS is set.
std::string CopyFixture(const std::string& fixture);

}  // namespace keel::testing

#endif  // KEEL_TESTS_KEEL_PROCESS_H_
