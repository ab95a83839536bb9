// Parser for the expression language (internal to src/expr).
//
// Hand-written recursive descent with Pratt-style operator precedence: no
// Debian-packaged library parses a language this small straight into nlohmann
// JSON literals, and writing it by hand gives exact 1-based columns in every
// error message, which `keel validate` reports to the user.
//
// Precedence, low to high: ?? ; ? : ; or || ; and && ; == != ; < <= > >= ;
// + - ; * / % ; unary not ! - ; postfix .name [expr] f(...).
// `??` and `? :` group to the right, the binary operators to the left.
//
// Stateless function; thread-safe.
#ifndef KEEL_EXPR_INTERNAL_PARSER_H_
#define KEEL_EXPR_INTERNAL_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "expr/internal/ast.h"

namespace keel::expr {

struct ParsedTree {
  std::unique_ptr<Node> root;
  std::vector<std::string> root_names;  // distinct, in order of first use
};

// Parses `source`. Errors are kInvalidArgument "col N: <what>"; unknown
// functions and wrong argument counts are parse errors too.
Result<ParsedTree> Parse(std::string_view source);

}  // namespace keel::expr

#endif  // KEEL_EXPR_INTERNAL_PARSER_H_
