// SubprocessTool: a tool implemented by a program that reads the call's
// arguments as JSON on stdin and writes the result as JSON on stdout.
//
// Protocol, as seen by the program:
//   - stdin: the arguments (one JSON value), then end of file;
//   - environment: keel's, the spec's `env`, and KEEL_RUN_ID, KEEL_NODE,
//     KEEL_IDEMPOTENCY_KEY (side-effecting tools: dedupe on it) and
//     TRACEPARENT (W3C) when the call has them;
//   - success: exit code 0 and one JSON value on stdout;
//   - failure: a non-zero exit code. If stdout then holds a JSON object with
//     an "error" field ({"error": type, "message", "retryable",
//     "retry_after_s"}), that is the error; otherwise the call fails with type
//     "process_failed" and the tail of stderr in its message.
// Other failures: "timeout" (the whole process group is killed with SIGKILL),
// "invalid_output" (stdout is not JSON or is over max_output_bytes),
// "spawn_failed" (the program cannot be started).
//
// Thread-safety: thread-safe; one instance serves every run. Start() returns
// at once; the ProcessReactor's single I/O thread waits for every child and
// runs `done` there.
#ifndef KEEL_CONNECTORS_SUBPROCESS_TOOL_H_
#define KEEL_CONNECTORS_SUBPROCESS_TOOL_H_

#include <string>

#include "connectors/process_reactor.h"
#include "connectors/subprocess_spec.h"
#include "tools/tool.h"

namespace keel {

class SubprocessTool : public Tool {
 public:
  // `reactor` must outlive the tool; the default is the process-wide one.
  SubprocessTool(std::string name, SubprocessToolSpec spec,
                 ProcessReactor* reactor = ProcessReactor::Default());

  void Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) override;

  const SubprocessToolSpec& spec() const { return spec_; }

 private:
  std::string name_;
  SubprocessToolSpec spec_;
  ProcessReactor* reactor_;
};

// "00-<trace_id>-<span_id>-01", or "" when either id is not valid W3C hex
// (32 and 16 lower-case hex digits).
std::string TraceParent(const std::string& trace_id, const std::string& span_id);

}  // namespace keel

#endif  // KEEL_CONNECTORS_SUBPROCESS_TOOL_H_
