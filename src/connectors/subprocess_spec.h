// SubprocessToolSpec: how to run a `kind: subprocess` tool, parsed from its
// tools/*.yaml entry (given as JSON), e.g.
//
//   kind: subprocess
//   command: [python3, tools/score_lead.py, --fast]
//   cwd: tools            # optional, relative to the process's working dir
//   env: {MODEL: small}   # optional, added to keel's environment
//   timeout_s: 10         # optional, default 30
//   max_output_bytes: 1048576   # optional, default 4 MiB
//
// Thread-compatible value type.
#ifndef KEEL_CONNECTORS_SUBPROCESS_SPEC_H_
#define KEEL_CONNECTORS_SUBPROCESS_SPEC_H_

#include <array>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace keel {

struct SubprocessToolSpec {
  std::vector<std::string> command;  // argv; command[0] is looked up in PATH
  std::string cwd;                   // "" keeps keel's working directory
  std::vector<std::pair<std::string, std::string>> env;
  double timeout_s = 30;
  size_t max_output_bytes = 4 << 20;  // stdout beyond this fails the call
  size_t max_stderr_bytes = 8 << 10;  // the tail of stderr kept for errors
};

// The fields ParseSubprocessToolSpec reads, for the tool loader's list of
// known fields.
inline constexpr std::array<const char*, 5> kSubprocessToolFields = {
    "command", "cwd", "env", "timeout_s", "max_output_bytes"};

// Reads the fields above from a tool entry; other fields are the tool
// loader's and are ignored. Fails with kInvalidArgument naming the field,
// e.g. "command: expected a non-empty list of strings".
Result<SubprocessToolSpec> ParseSubprocessToolSpec(const Json& entry);

// Reads an `env` mapping: string values, numbers and booleans are taken as
// their text. Shared with the MCP server configuration. `field` names the
// field in errors.
Status ParseEnvMap(const Json& value, const std::string& field,
                   std::vector<std::pair<std::string, std::string>>* env);

// Reads a non-empty list of non-empty strings (a command line).
Status ParseCommand(const Json& value, const std::string& field, std::vector<std::string>* command);

}  // namespace keel

#endif  // KEEL_CONNECTORS_SUBPROCESS_SPEC_H_
