// The structured errors the tool policy chain reports. Each is a keel::Status
// whose type() is the machine name agents and operators see through
// ToolErrorJson ({"error", "message", "retryable", "retry_after_s"}):
//
//   not_allowed        the calling agent may not use the tool
//   invalid_arguments  the arguments fail the tool's input schema
//   rate_limited       the tool's or the workspace's bucket is empty
//   circuit_open       the tool's breaker is open
//   timeout            an attempt took longer than the hard timeout
//   invalid_output     the tool answered with output its schema rejects
//
// Plain functions; thread-safe.
#ifndef KEEL_POLICY_POLICY_ERRORS_H_
#define KEEL_POLICY_POLICY_ERRORS_H_

#include <cstdint>
#include <string>

#include "core/status.h"

namespace keel::policy {

Status NotAllowed(const std::string& tool, const std::string& agent);
Status InvalidArguments(const std::string& tool, const std::string& why);
Status RateLimited(const std::string& tool, const std::string& bucket, double retry_after_s);
Status CircuitOpen(const std::string& tool, double retry_after_s);
// For a side-effecting tool the message says the outcome is unknown, and the
// error is retryable only when the tool is idempotent (the retry carries the
// same idempotency key, so the tool dedupes).
Status Timeout(const std::string& tool, int64_t timeout_ms, bool side_effects, bool idempotent);
Status InvalidOutput(const std::string& tool, const std::string& why);

}  // namespace keel::policy

#endif  // KEEL_POLICY_POLICY_ERRORS_H_
