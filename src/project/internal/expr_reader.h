// Reading expressions and value templates out of project YAML: parse errors
// are reported at their column inside the file, and the root names each one
// reads are kept with their positions for the scope checks that run once the
// workflow graph is known. Internal to src/project; thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_EXPR_READER_H_
#define KEEL_PROJECT_INTERNAL_EXPR_READER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expression.h"
#include "project/internal/field_reader.h"

namespace keel::project_internal {

// A root name read by an expression or a template, and where it is written.
struct NameUse {
  std::string name;
  SourceLocation where;
  bool from_template = false;  // read by a Mustache template, not an expression
};

// Parses field `name` of `reader` as one expression (a scalar). Reports a
// missing required field, a non-scalar value or a parse error; returns null
// then. Appends the root names it reads to `reads`.
std::shared_ptr<const Expression> ReadExpressionField(const FieldReader& reader,
                                                      std::string_view name, bool required,
                                                      std::vector<NameUse>* reads);

// Parses field `name` as a value template (string leaves are expressions),
// reporting every leaf that fails to parse. With `require_map` the value must
// be a map (tool args, agent inputs). Returns an empty ValueExpression when
// absent or invalid.
ValueExpression ReadValueTemplateField(const FieldReader& reader, std::string_view name,
                                       bool required, bool require_map,
                                       std::vector<NameUse>* reads);

// Same, for a value template that is a whole YAML value.
ValueExpression ReadValueTemplate(const YamlFile& file, const YAML::Node& node, Diagnostics* diags,
                                  std::vector<NameUse>* reads);

// Offset in `source` of the first place it reads root name `name` (outside
// string literals, not after a '.'), or npos.
size_t FindRootName(std::string_view source, std::string_view name);

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_EXPR_READER_H_
