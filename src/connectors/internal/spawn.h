// Starting a child process with posix_spawn: three pipes for its stdio, its own
// process group (so a timeout can kill everything it started) and a pidfd
// that becomes readable when it exits. Private to the connectors module.
//
// Thread-safety: SpawnChild may be called from any thread at once; every
// descriptor it opens is close-on-exec, so concurrent spawns never leak one
// pipe into another child.
#ifndef KEEL_CONNECTORS_INTERNAL_SPAWN_H_
#define KEEL_CONNECTORS_INTERNAL_SPAWN_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace keel::connectors_internal {

struct SpawnedChild {
  pid_t pid = -1;
  int stdin_fd = -1;   // write end, non-blocking
  int stdout_fd = -1;  // read end, non-blocking
  int stderr_fd = -1;  // read end, non-blocking
  int pidfd = -1;      // -1 where the kernel has no pidfd_open
};

// Spawns argv[0] (looked up in PATH when it has no '/') in `cwd` ("" keeps
// ours) with our environment plus `env` (which overrides). Fails with type
// "spawn_failed" when the program cannot be started. Never blocks on the child.
Result<SpawnedChild> SpawnChild(const std::vector<std::string>& argv, const std::string& cwd,
                                const std::vector<std::pair<std::string, std::string>>& env);

}  // namespace keel::connectors_internal

#endif  // KEEL_CONNECTORS_INTERNAL_SPAWN_H_
