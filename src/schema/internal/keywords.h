// The draft-07 keyword table: which keywords hold subschemas (and in what
// shape) and which are assertions valijson evaluates. Private to the schema
// module; the single place that knows where subschemas live, so that
// identifiers inside `enum`, `const` or unknown keywords are never mistaken
// for schemas.
//
// Thread-safety: stateless; safe from any thread.
#ifndef KEEL_SCHEMA_INTERNAL_KEYWORDS_H_
#define KEEL_SCHEMA_INTERNAL_KEYWORDS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "core/json.h"

namespace keel::schema_internal {

enum class KeywordKind {
  kOther,         // annotation or unknown keyword: ignored by validation
  kAssertion,     // evaluated against the instance, no subschemas
  kSchema,        // one subschema ("not", "if", ...)
  kSchemaArray,   // array of subschemas ("allOf", ...)
  kSchemaMap,     // name -> subschema ("properties", "definitions", ...)
  kItems,         // one subschema or an array of them
  kDependencies,  // name -> subschema or array of property names
};

KeywordKind ClassifyKeyword(std::string_view keyword);

// The names the bundle gives `type` and `multipleOf`, which keel evaluates
// itself (see constraints.h). The ':' keeps them from clashing with any
// keyword a schema author could mean.
inline constexpr char kTypeKeyword[] = "keel:type";
inline constexpr char kMultipleOfKeyword[] = "keel:multipleOf";

// Where a subschema sits under its parent: `keyword`, then optionally an
// array index or a member name.
struct SubschemaSlot {
  const std::string& keyword;
  enum class Shape { kDirect, kIndex, kName } shape = Shape::kDirect;
  size_t index = 0;
  const std::string* name = nullptr;

  // The child's place inside a copy of the parent object.
  Json& In(Json& parent) const {
    Json& holder = parent[keyword];
    if (shape == Shape::kIndex) return holder[index];
    if (shape == Shape::kName) return holder[*name];
    return holder;
  }
  // The child's JSON Pointer relative to the parent.
  Json::json_pointer Under(const Json::json_pointer& parent) const {
    Json::json_pointer p = parent / keyword;
    if (shape == Shape::kIndex) return p / index;
    if (shape == Shape::kName) return p / *name;
    return p;
  }
};

// Calls fn(const SubschemaSlot&, const Json& child) for every subschema
// position directly inside the schema object `schema`. Values of the wrong
// shape are skipped here; valijson reports them when it compiles.
template <typename Fn>
void ForEachSubschema(const Json& schema, Fn&& fn) {
  using Shape = SubschemaSlot::Shape;
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& key = it.key();
    const Json& value = it.value();
    KeywordKind kind = ClassifyKeyword(key);
    if (kind == KeywordKind::kItems) {
      kind = value.is_array() ? KeywordKind::kSchemaArray : KeywordKind::kSchema;
    }
    switch (kind) {
      case KeywordKind::kSchema:
        fn(SubschemaSlot{key}, value);
        break;
      case KeywordKind::kSchemaArray:
        if (!value.is_array()) break;
        for (size_t i = 0; i < value.size(); ++i) {
          fn(SubschemaSlot{key, Shape::kIndex, i}, value[i]);
        }
        break;
      case KeywordKind::kSchemaMap:
      case KeywordKind::kDependencies:
        if (!value.is_object()) break;
        for (auto m = value.begin(); m != value.end(); ++m) {
          // A dependency given as a list of names is not a schema.
          if (kind == KeywordKind::kDependencies && m.value().is_array()) continue;
          fn(SubschemaSlot{key, Shape::kName, 0, &m.key()}, m.value());
        }
        break;
      default:
        break;
    }
  }
}

}  // namespace keel::schema_internal

#endif  // KEEL_SCHEMA_INTERNAL_KEYWORDS_H_
