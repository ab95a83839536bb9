// The built-in functions of the expression language (internal to src/expr).
// The parser resolves a call's name to its Builtin once, checking the
// argument count, so evaluation never looks a function up by name.
// The table is constant; thread-safe.
#ifndef KEEL_EXPR_INTERNAL_FUNCTIONS_H_
#define KEEL_EXPR_INTERNAL_FUNCTIONS_H_

#include <span>
#include <string>
#include <string_view>

#include "core/json.h"
#include "expr/expression.h"

namespace keel::expr {

// Computes the function's result into *out from evaluated arguments; false
// with *error set (e.g. "avg() of an empty list") when the arguments do not fit.
using BuiltinFn = bool (*)(std::span<const Json* const> args, const ExprContext& ctx, Json* out,
                           std::string* error);

struct Builtin {
  std::string_view name;
  int min_args;
  int max_args;  // -1: no upper bound
  BuiltinFn fn;
};

// The function called `name`, or nullptr when there is none.
const Builtin* FindBuiltin(std::string_view name);

// Empty when `fn` takes `argc` arguments; otherwise the message, e.g.
// "len() takes 1 argument, got 2".
std::string ArityError(const Builtin& fn, size_t argc);

}  // namespace keel::expr

#endif  // KEEL_EXPR_INTERNAL_FUNCTIONS_H_
