// Evaluates a parsed expression tree against a scope (internal to src/expr).
//
// Paths are followed by pointer into the scope, so reading
// `usage.daily[0]` copies only the final value, never the subtrees on the way.
// All evaluation state lives on the caller's stack; thread-safe for
// concurrent calls on the same tree.
#ifndef KEEL_EXPR_INTERNAL_EVALUATOR_H_
#define KEEL_EXPR_INTERNAL_EVALUATOR_H_

#include <string_view>

#include "core/json.h"
#include "core/status.h"
#include "expr/expression.h"
#include "expr/internal/ast.h"

namespace keel::expr {

// Evaluates `root`, parsed from `source` (quoted in error messages), into
// *out. Errors are kInvalidArgument naming the path or operation.
Status Evaluate(const Node& root, std::string_view source, const ExprContext& ctx, Json* out);

}  // namespace keel::expr

#endif  // KEEL_EXPR_INTERNAL_EVALUATOR_H_
