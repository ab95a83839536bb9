// Tools for keel's own fault tests, registered only when the environment
// variable KEEL_TESTING_TOOLS_DB names a SQLite file (see README "Testing").
//
//   testing.record_effect  side effect, idempotent: records every invocation
//                          and applies its effect once per idempotency key.
//                          Arguments {label, sleep_ms}: sleep_ms makes it a
//                          deliberately slow tool, so a test can kill keel
//                          while calls are in flight.
//   testing.fire_once      side effect, NOT idempotent: records every
//                          invocation; used to prove keel escalates an
//                          in-doubt call instead of repeating it.
//
// Thread-safe; each call opens its own connection, as these tools value
// durability (synchronous=FULL) over speed.
#ifndef KEEL_TOOLS_TESTING_TOOLS_H_
#define KEEL_TOOLS_TESTING_TOOLS_H_

#include <string>

#include "tools/tool.h"

namespace keel {

void RegisterTestingTools(ToolRegistry& registry, const std::string& db_path);

}  // namespace keel

#endif  // KEEL_TOOLS_TESTING_TOOLS_H_
