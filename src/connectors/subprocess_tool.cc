#include "connectors/subprocess_tool.h"

#include <memory>
#include <optional>
#include <utility>

#include "connectors/tail_buffer.h"

namespace keel {
namespace {

// One call in flight; shared by the reactor's callbacks.
struct SubprocessCall {
  SubprocessCall(const std::string& tool, const SubprocessToolSpec& spec, ToolCallback cb)
      : tool_name(tool),
        max_output(spec.max_output_bytes),
        timeout_s(spec.timeout_s),
        stderr_tail(spec.max_stderr_bytes),
        done(std::move(cb)) {}

  std::string tool_name;
  size_t max_output;
  double timeout_s;
  std::string out;
  bool overflow = false;
  TailBuffer stderr_tail;
  ToolCallback done;
};

bool IsLowerHex(const std::string& s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return s.find_first_not_of('0') != std::string::npos;  // all-zero ids are invalid
}

std::string StderrSuffix(const TailBuffer& err) {
  if (err.empty()) return "";
  return "; stderr: " + err.Text();
}

std::string Snippet(const std::string& text) {
  constexpr size_t kMax = 200;
  return text.size() <= kMax ? text : text.substr(0, kMax) + "...";
}

// A structured error the program printed before exiting non-zero.
std::optional<Status> StructuredError(const std::string& out) {
  Json parsed = Json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return std::nullopt;
  auto error = parsed.find("error");
  if (error == parsed.end() || !error->is_string()) return std::nullopt;
  std::string message = parsed.value("message", "");
  bool retryable = parsed.value("retryable", false);
  Status status(StatusCode::kUnknown, message.empty() ? error->get<std::string>() : message,
                error->get<std::string>(), retryable);
  auto after = parsed.find("retry_after_s");
  if (after != parsed.end() && after->is_number()) status.set_retry_after_s(after->get<double>());
  return status;
}

Result<Json> Outcome(SubprocessCall& call, const ProcessExit& exit) {
  const std::string where = "tool '" + call.tool_name + "': ";
  if (exit.timed_out) {
    return Status(StatusCode::kDeadlineExceeded,
                  where + "no result within " + Json(call.timeout_s).dump() +
                      " s; the process was killed" + StderrSuffix(call.stderr_tail),
                  "timeout", /*retryable=*/true);
  }
  if (call.overflow) {
    return Status(StatusCode::kResourceExhausted,
                  where + "wrote more than " + std::to_string(call.max_output) +
                      " bytes to stdout; the process was killed",
                  "invalid_output");
  }
  if (!exit.success()) {
    if (std::optional<Status> structured = StructuredError(call.out)) {
      Status status(structured->code(), where + structured->message(), structured->type(),
                    structured->retryable());
      if (structured->retry_after_s()) status.set_retry_after_s(*structured->retry_after_s());
      return status;
    }
    return Status(
        StatusCode::kUnknown,
        where + "process failed (" + exit.Describe() + ")" + StderrSuffix(call.stderr_tail),
        "process_failed");
  }
  Json result = Json::parse(call.out, nullptr, /*allow_exceptions=*/false);
  if (result.is_discarded()) {
    std::string what =
        call.out.empty() ? "no output on stdout" : "stdout is not JSON: " + Snippet(call.out);
    return Status(StatusCode::kInternal, where + what + StderrSuffix(call.stderr_tail),
                  "invalid_output");
  }
  return result;
}

}  // namespace

std::string TraceParent(const std::string& trace_id, const std::string& span_id) {
  if (!IsLowerHex(trace_id, 32) || !IsLowerHex(span_id, 16)) return "";
  return "00-" + trace_id + "-" + span_id + "-01";
}

SubprocessTool::SubprocessTool(std::string name, SubprocessToolSpec spec, ProcessReactor* reactor)
    : name_(std::move(name)), spec_(std::move(spec)), reactor_(reactor) {}

void SubprocessTool::Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) {
  SpawnOptions options;
  options.argv = spec_.command;
  options.cwd = spec_.cwd;
  options.env = spec_.env;
  // Always set, even when empty, so values in keel's own environment never
  // leak into a call.
  options.env.emplace_back("KEEL_RUN_ID", ctx.run_id);
  options.env.emplace_back("KEEL_NODE", ctx.node);
  options.env.emplace_back("KEEL_IDEMPOTENCY_KEY", ctx.idempotency_key);
  std::string traceparent = TraceParent(ctx.trace_id, ctx.span_id);
  if (!traceparent.empty()) options.env.emplace_back("TRACEPARENT", traceparent);
  // Replace invalid UTF-8 rather than throw: arguments may come from a model.
  options.stdin_data = args.dump(-1, ' ', false, Json::error_handler_t::replace);
  options.stdin_data.push_back('\n');
  options.timeout_us = static_cast<int64_t>(spec_.timeout_s * 1e6);

  auto call = std::make_shared<SubprocessCall>(name_, spec_, std::move(done));
  ProcessCallbacks callbacks;
  callbacks.on_stdout = [call](std::string_view chunk) {
    if (call->out.size() + chunk.size() > call->max_output) {
      call->overflow = true;
      return false;
    }
    call->out.append(chunk);
    return true;
  };
  callbacks.on_stderr = [call](std::string_view chunk) { call->stderr_tail.Append(chunk); };
  callbacks.on_exit = [call](const ProcessExit& exit) {
    ToolCallback finish = std::move(call->done);
    finish(Outcome(*call, exit));
  };
  Result<ProcessHandle> child = reactor_->Spawn(options, std::move(callbacks));
  if (!child.ok()) {
    call->done(Status(child.error().code(), "tool '" + name_ + "': " + child.error().message(),
                      child.error().type()));
  }
}

}  // namespace keel
