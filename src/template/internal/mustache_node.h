// The parsed form of a Mustache template: a tree of nodes built once by
// ParseMustache() and walked by RenderMustache(). Private to src/template.
//
// Thread-safety: a parsed tree is never modified after parsing, so any number
// of threads may render it at once. A renderer keeps all per-render state
// (context stack, partial cache) in itself.
#ifndef KEEL_TEMPLATE_INTERNAL_MUSTACHE_NODE_H_
#define KEEL_TEMPLATE_INTERNAL_MUSTACHE_NODE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "template/mustache.h"

namespace keel::mustache_internal {

enum class NodeKind : uint8_t {
  kText,      // literal text
  kVariable,  // {{x}}, {{{x}}}, {{&x}}
  kSection,   // {{#x}}...{{/x}}
  kInverted,  // {{^x}}...{{/x}}
  kPartial,   // {{>x}} or {{>*x}}
  kBlock,     // {{$x}}...{{/x}} (inheritance: an overridable block)
  kParent,    // {{<x}}...{{/x}} (inheritance: a partial with block overrides)
};

struct Node {
  NodeKind kind = NodeKind::kText;
  // kVariable: {{x}} escapes HTML; {{{x}}} and {{&x}} do not.
  bool escape = true;
  // kPartial / kParent: `text` is a dotted name whose value names the partial.
  bool dynamic = false;
  // 1-based line of the tag in its template, for strict-mode errors.
  uint32_t line = 0;
  // kText: the literal. Otherwise the tag's name as written, e.g. "account.name".
  std::string text;
  // The name split on '.', resolved once here rather than per render; empty
  // for the implicit iterator ".".
  std::vector<std::string> path;
  // kPartial / kParent used standalone: the whitespace before the tag, which
  // the spec prepends to every line of the partial.
  std::string indent;
  std::vector<Node> children;
};

// Parses `text` with the default {{ }} delimiters. Fails with kInvalidArgument
// "line L, col C: ..." on an unclosed tag or section, a mismatched closing tag,
// a bad delimiter tag or an empty or malformed name.
Result<std::vector<Node>> ParseMustache(std::string_view text);

// Renders `nodes` against `data`, appending to `out`. Returns the first error
// (strict-mode miss, bad partial, partials nested too deeply).
Status RenderMustache(const std::vector<Node>& nodes, const Json& data,
                      const MustachePartials& partials, const MustacheOptions& options,
                      std::string* out);

}  // namespace keel::mustache_internal

#endif  // KEEL_TEMPLATE_INTERNAL_MUSTACHE_NODE_H_
