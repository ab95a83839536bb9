// Small pieces the commands share: error printing, exit codes from a
// Status, reading --input, and waiting for runs to come to rest.
#ifndef KEEL_CLI_CLI_SUPPORT_H_
#define KEEL_CLI_CLI_SUPPORT_H_

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "cli/app.h"
#include "core/status.h"

namespace keel {

// Prints "keel: <message>" to stderr and returns the exit code for `status`:
// 3 for invalid project/input or an unusable store, 1 otherwise.
int ReportError(const Status& status);

// Exit code for a run that came to rest with `status`.
int ExitCodeFor(RunStatus status);

// Parses --input: JSON text, or @path to a JSON file. kInvalidArgument with
// the position of a syntax error.
Result<Json> ParseInputArgument(const std::string& text);

// Parses "30d", "12h", "90m", "45s" into microseconds.
Result<int64_t> ParseDuration(const std::string& text);

// "2026-11-22 21:40:03" (UTC) for a microsecond timestamp.
std::string FormatTime(int64_t us);

// Collects run outcomes from an engine's listener, so a command can wait
// for the runs it started.
class RunWaiter {
 public:
  explicit RunWaiter(Engine& engine);
  // Blocks until `run_id` comes to rest.
  RunOutcome Wait(const std::string& run_id);
  // Forgets where `run_id` last came to rest, so the next Wait() waits for
  // its next rest (e.g. after an approval resumes it).
  void Forget(const std::string& run_id);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, RunOutcome> outcomes_;
};

}  // namespace keel

#endif  // KEEL_CLI_CLI_SUPPORT_H_
