// Draft-07 `type` and `multipleOf`, evaluated by keel instead of valijson.
// Private to the schema module.
//
// valijson 1.0 gets both wrong in ways its callers cannot patch: `type:
// integer` rejects 1.0 (draft-06+ says a number with a zero fractional part is
// an integer), and `multipleOf` converts strings to numbers (so "7" fails
// `multipleOf: 2` although non-numbers must be ignored) and misjudges large
// quotients. The bundle renames both keywords (see schema_bundle.h) and these
// custom constraints take their place.
//
// Thread-safety: the constraints are immutable; validate() may run on many
// threads at once.
#ifndef KEEL_SCHEMA_INTERNAL_CONSTRAINTS_H_
#define KEEL_SCHEMA_INTERNAL_CONSTRAINTS_H_

#include "schema/internal/keywords.h"
#include "schema/internal/valijson.h"

namespace keel::schema_internal {

// Registers the builders for both keywords; `parser` takes ownership. The
// builders throw std::runtime_error on a malformed keyword value.
void AddKeelConstraints(valijson::SchemaParser& parser);

}  // namespace keel::schema_internal

#endif  // KEEL_SCHEMA_INTERNAL_CONSTRAINTS_H_
