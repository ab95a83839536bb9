// Resolves every `$ref` of a draft-07 schema (following `$id` base URIs,
// plain-name fragments and remote documents) and emits one self-contained
// document whose references are all local, ready for valijson. Private to the
// schema module.
//
// Why this exists: valijson 1.0 only knows the draft-04 `id` keyword and joins
// relative URIs by string concatenation, so `$id` scopes, location-independent
// identifiers ("#foo"), URNs and base-URI changes all resolve wrongly there.
// Resolving here and handing valijson nothing but "#/t/<n>" pointers keeps
// valijson's own reference handling out of the picture.
//
// The bundle is {"$ref": "#/t/0", "t": [root, target1, target2, ...]}: one
// entry per distinct reference target. Each entry keeps only the keywords
// valijson evaluates; annotations, `definitions` (reached only through
// references) and `format` (an annotation in draft-07, not an assertion) are
// left out.
//
// Thread-safety: a pure function; safe from any thread. It calls `loader`
// from the calling thread only.
#ifndef KEEL_SCHEMA_INTERNAL_SCHEMA_BUNDLE_H_
#define KEEL_SCHEMA_INTERNAL_SCHEMA_BUNDLE_H_

#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "schema/json_schema.h"

namespace keel::schema_internal {

struct SchemaBundle {
  Json document;
  // Every `pattern` value and `patternProperties` name in the bundle, so the
  // caller can check and precompile them once.
  std::vector<std::string> patterns;
  std::vector<std::string> property_patterns;
};

// Fails with kInvalidArgument when a `$ref` is not a string, points nowhere,
// or names a document that `loader` (possibly null) does not provide.
Result<SchemaBundle> BundleSchema(const Json& root, const SchemaDocumentLoader& loader);

}  // namespace keel::schema_internal

#endif  // KEEL_SCHEMA_INTERNAL_SCHEMA_BUNDLE_H_
