#include "project/definitions.h"

namespace keel {

const char* NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kTool:
      return "tool";
    case NodeKind::kLlm:
      return "llm";
    case NodeKind::kAgent:
      return "agent";
    case NodeKind::kParallel:
      return "parallel";
    case NodeKind::kMap:
      return "map";
    case NodeKind::kRoute:
      return "route";
    case NodeKind::kOptimize:
      return "optimize";
    case NodeKind::kApproval:
      return "approval";
    case NodeKind::kVerify:
      return "verify";
    case NodeKind::kEscalate:
      return "escalate";
    case NodeKind::kFinalize:
      return "finalize";
  }
  return "unknown";
}

}  // namespace keel
