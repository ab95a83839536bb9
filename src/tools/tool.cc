#include "tools/tool.h"

namespace keel {

Json ToolErrorJson(const Status& status) {
  Json out = {{"error", status.type()},
              {"message", status.message()},
              {"retryable", status.retryable()},
              {"retry_after_s", nullptr}};
  if (status.retry_after_s()) out["retry_after_s"] = *status.retry_after_s();
  return out;
}

}  // namespace keel
