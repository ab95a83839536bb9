#include "schema/internal/keywords.h"

#include <array>
#include <utility>

namespace keel::schema_internal {

KeywordKind ClassifyKeyword(std::string_view keyword) {
  using K = KeywordKind;
  // A linear scan over ~30 short strings: run once per schema keyword at
  // compile time only, never while validating.
  static constexpr std::array<std::pair<std::string_view, KeywordKind>, 33> kTable = {{
      {"additionalItems", K::kSchema},
      {"additionalProperties", K::kSchema},
      {"contains", K::kSchema},
      {"not", K::kSchema},
      {"propertyNames", K::kSchema},
      {"if", K::kSchema},
      {"then", K::kSchema},
      {"else", K::kSchema},
      {"allOf", K::kSchemaArray},
      {"anyOf", K::kSchemaArray},
      {"oneOf", K::kSchemaArray},
      {"properties", K::kSchemaMap},
      {"patternProperties", K::kSchemaMap},
      {"definitions", K::kSchemaMap},
      {"items", K::kItems},
      {"dependencies", K::kDependencies},
      {"type", K::kAssertion},
      {"enum", K::kAssertion},
      {"const", K::kAssertion},
      {"multipleOf", K::kAssertion},
      {"maximum", K::kAssertion},
      {"exclusiveMaximum", K::kAssertion},
      {"minimum", K::kAssertion},
      {"exclusiveMinimum", K::kAssertion},
      {"maxLength", K::kAssertion},
      {"minLength", K::kAssertion},
      {"pattern", K::kAssertion},
      {"maxItems", K::kAssertion},
      {"minItems", K::kAssertion},
      {"uniqueItems", K::kAssertion},
      {"maxProperties", K::kAssertion},
      {"minProperties", K::kAssertion},
      {"required", K::kAssertion},
  }};
  for (const auto& [name, kind] : kTable) {
    if (name == keyword) return kind;
  }
  return K::kOther;
}

}  // namespace keel::schema_internal
