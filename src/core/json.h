// The JSON value type used across keel (nlohmann::json). Included through the
// precompiled header, so including it here costs nothing extra per unit.
#ifndef KEEL_CORE_JSON_H_
#define KEEL_CORE_JSON_H_

#include <nlohmann/json.hpp>

namespace keel {
using Json = nlohmann::json;
}  // namespace keel

#endif  // KEEL_CORE_JSON_H_
