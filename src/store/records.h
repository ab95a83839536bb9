// The records keel keeps in its store: runs, their append-only event log,
// approvals, state vectors and trace spans. Plain values; thread-compatible.
#ifndef KEEL_STORE_RECORDS_H_
#define KEEL_STORE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/json_text.h"

namespace keel {

enum class RunStatus {
  kPending,    // runnable: new, or made runnable again by an approval decision
  kRunning,    // leased by a worker
  kParked,     // waiting for a human (approval); holds no thread and no memory
  kSucceeded,  // finished
  kFailed,     // finished with an error
  kEscalated,  // handed to a human queue; finished as far as the engine goes
};
const char* RunStatusName(RunStatus s);  // "pending", "running", ...
std::optional<RunStatus> ParseRunStatus(std::string_view name);
inline bool IsFinished(RunStatus s) {
  return s == RunStatus::kSucceeded || s == RunStatus::kFailed || s == RunStatus::kEscalated;
}

struct RunRecord {
  std::string run_id;
  std::string workflow;
  std::string entity_key;  // e.g. "A-1042"; "" when the workflow has none
  Json input;
  RunStatus status = RunStatus::kPending;
  std::string parked_on;  // approval id while parked
  int64_t wake_us = 0;    // when a parked run becomes runnable by itself (approval expiry)
  int64_t created_us = 0;
  int64_t updated_us = 0;
  std::string lease_owner;  // "" when not leased
  std::string lease_host;   // host of the lease holder's process
  int64_t lease_pid = 0;    // pid of the lease holder's process on lease_host
  int64_t lease_expires_us = 0;
  Json result;        // the run's final output (null until finished; see RunUpdate::result_of)
  std::string error;  // why it failed or escalated
  std::string trace_id;
};

enum class EventType {
  kRunStarted,         // payload: {"input", "state_version"}
  kNodeStarted,        // payload: {"attempt", "idempotency_key"} (side-effecting steps only)
  kNodeCompleted,      // payload: the step's output (+ bookkeeping for loops)
  kNodeFailed,         // payload: {"error", "message", "retryable"}
  kApprovalRequested,  // payload: {"approval_id", "expires_us"} (the proposal: the approval's)
  kApprovalDecided,    // payload: {"approval_id", "decision", "edited", "reason", "by"}
  kEscalated,          // payload: {"reason", "evidence"}
  kStateWritten,       // payload: {"entity_key", "version"}
  kRunFinished,        // payload: {"status", "result"|"error"}
};
const char* EventTypeName(EventType t);
std::optional<EventType> ParseEventType(std::string_view name);

// One entry of a run's event log. (run_id, seq) is unique; seq starts at 1.
// `node` + `key` name the step: key is "" for a plain node, the branch or
// item index inside a map ("3"), or a loop slot for optimize ("gen", "eval").
struct Event {
  std::string run_id;
  int64_t seq = 0;
  int64_t ts_us = 0;
  EventType type = EventType::kRunStarted;
  std::string node;
  std::string key;
  Json payload;
  // The payload already serialized (by SerializePayload), when the writer
  // keeps `payload` itself for other uses: saves a deep copy. Wins over
  // `payload` when set.
  std::string payload_text = std::string();
};

// JSON text as the store keeps it (invalid UTF-8 replaced, never thrown).
inline std::string SerializePayload(const Json& value) { return DumpJsonText(value); }

enum class ApprovalStatus { kPending, kApproved, kRejected, kExpired };
const char* ApprovalStatusName(ApprovalStatus s);
std::optional<ApprovalStatus> ParseApprovalStatus(std::string_view name);

struct Approval {
  std::string approval_id;
  std::string run_id;
  std::string node;
  std::string workflow;
  std::string entity_key;
  ApprovalStatus status = ApprovalStatus::kPending;
  Json proposal;  // what the agent wants to do
  Json edited;    // the approver's version (null when approved as proposed)
  std::string reason;
  std::string decided_by;
  int64_t requested_us = 0;
  int64_t expires_us = 0;
  int64_t decided_us = 0;
};

// One version of an entity's state vector.
struct StateVector {
  std::string entity_key;
  int64_t version = 0;  // 1 for the first write
  Json data;
  std::string run_id;  // the run that wrote it
  int64_t updated_us = 0;
};

struct Span {
  std::string trace_id;
  std::string span_id;
  std::string parent_span_id;  // "" for the run span
  std::string run_id;
  std::string name;  // e.g. "node usage_summarizer", "tool crm.get_account"
  std::string kind;  // "run" | "node" | "model" | "tool"
  int64_t start_us = 0;
  int64_t end_us = 0;
  std::string status;  // "ok" | "error" | "parked"
  Json attrs;          // tokens, cost_usd, model, tool, error, ...
};

}  // namespace keel

#endif  // KEEL_STORE_RECORDS_H_
