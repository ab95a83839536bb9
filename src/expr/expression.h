// Expression: the small expression language used in workflows for routes,
// verify checks, tool arguments, fallbacks and state fields.
//
//   paths       input.account_id   usage.daily[0]   account["name"]
//   literals    1  2.5  "text"  'text'  true  false  null  [1, 2]  {"k": v}
//   operators   + - * / %  == != < <= > >=  and or not  && || !  a ? b : c
//               (+ on two strings or a string and a value concatenates)
//   functions   len(x) min(a, b, ...|list) max(...) contains(list|string|object, x)
//               now() -> unix seconds, days(n) -> n * 86400, date("YYYY-MM-DD")
//               -> unix seconds, round(x[, digits]), abs(x), str(x), sum(list), avg(list)
//
// Identifiers resolve against the scope object given to Evaluate (keel passes
// {"input":..., "state":..., "<node id>": <node output>, ...}). Reading a path
// that does not exist yields an error naming the path, never a silent null;
// use `x ?? default` to supply a default for a missing path.
//
// A parsed Expression is immutable and safe to evaluate from many threads.
#ifndef KEEL_EXPR_EXPRESSION_H_
#define KEEL_EXPR_EXPRESSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace keel {

struct ExprContext {
  const Json* scope = nullptr;  // object whose keys are the root identifiers
  int64_t now_unix_s = 0;       // what now() returns (the caller's clock)
  const Json* more = nullptr;   // optional object consulted for roots not in `scope`
};

class Expression {
 public:
  // Parses `source`. On failure returns kInvalidArgument with a message
  // "col N: <what>" where N is the 1-based column in `source`.
  static Result<std::shared_ptr<const Expression>> Parse(std::string_view source);

  // Evaluates against `ctx`. Errors (kInvalidArgument) name the failing
  // path or operation, e.g. "input.acount_id: no such field".
  Result<Json> Evaluate(const ExprContext& ctx) const;

  // The root identifiers the expression reads (e.g. {"input", "usage"}),
  // for `keel validate` to check against what a node can see and for the
  // engine to prepare them. Computed once, at parse time.
  const std::vector<std::string>& RootNames() const;

  const std::string& source() const;

  ~Expression();

 private:
  Expression();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A JSON-shaped template whose string leaves are expressions: used for tool
// arguments, fallbacks and state fields written in YAML. Numbers, booleans and
// null are literals; objects and arrays are walked; strings are parsed as
// expressions (write a literal string as "'text'").
class ValueExpression {
 public:
  // Parse errors are prefixed with the failing leaf's JSON Pointer, e.g.
  // "/summary: col 4: unexpected ')'", so callers can map it to a file line.
  static Result<ValueExpression> Parse(const Json& shape);
  Result<Json> Evaluate(const ExprContext& ctx) const;
  // Every leaf's root identifiers, without repeats; computed at parse time.
  const std::vector<std::string>& RootNames() const;
  bool empty() const { return !root_; }

 private:
  struct NodeT;
  std::shared_ptr<const NodeT> root_;
};

}  // namespace keel

#endif  // KEEL_EXPR_EXPRESSION_H_
