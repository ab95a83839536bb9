#include "store/records.h"

#include <array>
#include <utility>

namespace keel {
namespace {

// Each enum's names in declaration order; the stored and displayed spelling.
constexpr std::array<const char*, 6> kRunStatusNames = {"pending",   "running", "parked",
                                                        "succeeded", "failed",  "escalated"};
constexpr std::array<const char*, 9> kEventTypeNames = {
    "run_started",      "node_started", "node_completed", "node_failed", "approval_requested",
    "approval_decided", "escalated",    "state_written",  "run_finished"};
constexpr std::array<const char*, 4> kApprovalStatusNames = {"pending", "approved", "rejected",
                                                             "expired"};

template <typename Enum, size_t N>
const char* NameOf(const std::array<const char*, N>& names, Enum value) {
  auto index = static_cast<size_t>(value);
  return index < N ? names[index] : "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> Parse(const std::array<const char*, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (name == names[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

const char* RunStatusName(RunStatus s) { return NameOf(kRunStatusNames, s); }
std::optional<RunStatus> ParseRunStatus(std::string_view name) {
  return Parse<RunStatus>(kRunStatusNames, name);
}

const char* EventTypeName(EventType t) { return NameOf(kEventTypeNames, t); }
std::optional<EventType> ParseEventType(std::string_view name) {
  return Parse<EventType>(kEventTypeNames, name);
}

const char* ApprovalStatusName(ApprovalStatus s) { return NameOf(kApprovalStatusNames, s); }
std::optional<ApprovalStatus> ParseApprovalStatus(std::string_view name) {
  return Parse<ApprovalStatus>(kApprovalStatusNames, name);
}

}  // namespace keel
