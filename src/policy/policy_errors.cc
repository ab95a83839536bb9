#include "policy/policy_errors.h"

namespace keel::policy {

Status NotAllowed(const std::string& tool, const std::string& agent) {
  return Status(StatusCode::kPermissionDenied,
                "agent '" + agent + "' may not call tool '" + tool + "'", "not_allowed");
}

Status InvalidArguments(const std::string& tool, const std::string& why) {
  return Status(StatusCode::kInvalidArgument, "arguments for tool '" + tool + "': " + why,
                "invalid_arguments");
}

Status RateLimited(const std::string& tool, const std::string& bucket, double retry_after_s) {
  return Status(StatusCode::kResourceExhausted,
                "tool '" + tool + "': " + bucket + " rate limit reached", "rate_limited", true)
      .set_retry_after_s(retry_after_s);
}

Status CircuitOpen(const std::string& tool, double retry_after_s) {
  return Status(StatusCode::kUnavailable,
                "tool '" + tool + "': circuit open after repeated failures", "circuit_open", true)
      .set_retry_after_s(retry_after_s);
}

Status Timeout(const std::string& tool, int64_t timeout_ms, bool side_effects, bool idempotent) {
  std::string message =
      "tool '" + tool + "' did not answer within " + std::to_string(timeout_ms) + " ms";
  if (side_effects) message += "; outcome unknown: the side effect may have happened";
  return Status(StatusCode::kDeadlineExceeded, std::move(message), "timeout",
                !side_effects || idempotent);
}

Status InvalidOutput(const std::string& tool, const std::string& why) {
  return Status(StatusCode::kInternal, "output of tool '" + tool + "': " + why, "invalid_output");
}

}  // namespace keel::policy
