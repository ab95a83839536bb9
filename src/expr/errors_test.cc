// Every parse and evaluation error the expression language reports, with
// its exact message: `keel validate` and run failures show these to users.
#include <gtest/gtest.h>

#include <string>

#include "expr/expression.h"

namespace keel {
namespace {

struct ErrorCase {
  std::string source;
  std::string message;
};

std::string ParseErrorOf(const std::string& source) {
  Result<std::shared_ptr<const Expression>> e = Expression::Parse(source);
  if (e.ok()) return "<parsed>";
  EXPECT_EQ(e.error().code(), StatusCode::kInvalidArgument) << source;
  return e.error().message();
}

TEST(ExpressionParseErrors, MessagesAndColumns) {
  const ErrorCase cases[] = {
      {"", "col 1: unexpected end of expression"},
      {"   ", "col 4: unexpected end of expression"},
      {"1 +", "col 4: unexpected end of expression"},
      {"not", "col 4: unexpected end of expression"},
      {"(1 + 2", "col 7: expected ')'"},
      {"len(a b)", "col 7: expected ')'"},
      {"len(a,", "col 7: unexpected end of expression"},
      {"[1, 2", "col 6: expected ']'"},
      {"[1 2]", "col 4: expected ']'"},
      {"{a: 1", "col 6: expected '}'"},
      {"{a 1}", "col 4: expected ':'"},
      {"{1: 2}", "col 2: expected object key"},
      {"{a: 1, 'a': 2}", "col 8: duplicate key 'a'"},
      {"a ? b", "col 6: expected ':'"},
      {"a ? b c", "col 7: expected ':'"},
      {"a.", "col 3: expected field name after '.'"},
      {"a.1", "col 3: expected field name after '.'"},
      {"a.'b'", "col 3: expected field name after '.'"},
      {"a[1", "col 4: expected ']'"},
      {"1 2", "col 3: unexpected '2'"},
      {"a )", "col 3: unexpected ')'"},
      {")", "col 1: unexpected ')'"},
      {"1 + * 2", "col 5: unexpected '*'"},
      {"(1)(2)", "col 4: unexpected '('"},
      {"a.b(1)", "col 4: unexpected '('"},
      {"foo(1)", "col 1: unknown function 'foo'"},
      {"1 + foo(1)", "col 5: unknown function 'foo'"},
      {"len()", "col 1: len() takes 1 argument, got 0"},
      {"x + len(1, 2)", "col 5: len() takes 1 argument, got 2"},
      {"round(1, 2, 3)", "col 1: round() takes 1 to 2 arguments, got 3"},
      {"min()", "col 1: min() takes at least 1 argument, got 0"},
      {"now(1)", "col 1: now() takes 0 arguments, got 1"},
      {"contains([1])", "col 1: contains() takes 2 arguments, got 1"},
      {"'abc", "col 1: unterminated string"},
      {"x == \"abc", "col 6: unterminated string"},
      {"'abc\\", "col 1: unterminated string"},
      {"x + 'ab\\q'", "col 8: unknown escape '\\q'"},
      {"a = 1", "col 3: unexpected '=' (use '==' to compare)"},
      {"a @ b", "col 3: unexpected character '@'"},
      {"a & b", "col 3: unexpected character '&'"},
      {"a | b", "col 3: unexpected character '|'"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(ParseErrorOf(c.source), c.message) << "source: " << c.source;
  }
}

TEST(ExpressionParseErrors, NestingIsBounded) {
  const std::string parens = std::string(300, '(') + "1" + std::string(300, ')');
  EXPECT_NE(ParseErrorOf(parens).find("nested too deeply"), std::string::npos);
  std::string chain = "1";
  for (int i = 0; i < 300; ++i) chain += " + 1";
  EXPECT_NE(ParseErrorOf(chain).find("nested too deeply"), std::string::npos);
  std::string path = "a";
  for (int i = 0; i < 300; ++i) path += ".b";
  EXPECT_NE(ParseErrorOf(path).find("nested too deeply"), std::string::npos);
  EXPECT_NE(ParseErrorOf(std::string(300, '-') + "x").find("nested too deeply"), std::string::npos);
  // Ordinary sizes are far from the bound.
  EXPECT_EQ(ParseErrorOf(std::string(50, '(') + "1" + std::string(50, ')')), "<parsed>");
}

std::string EvalErrorOf(const std::string& source) {
  static const Json scope = Json::parse(R"({
    "input": {"account_id": "A-1", "seats": 40, "none": null},
    "usage": {"daily": [3, 5, 8]}
  })");
  Result<std::shared_ptr<const Expression>> e = Expression::Parse(source);
  if (!e.ok()) return "parse error: " + e.error().message();
  ExprContext ctx{&scope, 0};
  Result<Json> r = (*e)->Evaluate(ctx);
  if (r.ok()) return "<value " + r->dump() + ">";
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << source;
  return r.error().message();
}

TEST(ExpressionEvalErrors, Paths) {
  const ErrorCase cases[] = {
      {"input.acount_id", "input.acount_id: no such field"},
      {"inptu.account_id", "inptu: no such field"},
      {"usage.daily[3]", "usage.daily[3]: no such field"},
      {"usage.daily[-1]", "usage.daily[-1]: no such field"},
      {"input['seat' + 's2']", "input['seat' + 's2']: no such field"},
      {"input.none.x", "input.none.x: no such field (input.none is null)"},
      {"input.none[0]", "input.none[0]: no such field (input.none is null)"},
      {"input.seats.x", "input.seats is a number, cannot read 'x'"},
      {"input.account_id[0]", "input.account_id is a string, cannot read [0]"},
      {"usage.daily.x", "usage.daily is an array, cannot read 'x'"},
      {"usage.daily['a']", "usage.daily is an array, index must be an integer, got \"a\""},
      {"usage.daily[1.5]", "usage.daily is an array, index must be an integer, got 1.5"},
      {"input[1]", "input is an object, key must be a string, got number"},
      {"len(input.x)", "input.x: no such field"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(EvalErrorOf(c.source), c.message) << "source: " << c.source;
  }
}

TEST(ExpressionEvalErrors, Operators) {
  const ErrorCase cases[] = {
      {"1 < 'a'", "'<' cannot compare number with string"},
      {"'a' <= 1", "'<=' cannot compare string with number"},
      {"[1] > [0]", "'>' cannot compare array with array"},
      {"null >= 1", "'>=' cannot compare null with number"},
      {"1 / 0", "division by zero"},
      {"1.5 / 0.0", "division by zero"},
      {"5 % 0", "division by zero"},
      {"1 - 'a'", "'-' needs numbers, got number and string"},
      {"true * 2", "'*' needs numbers, got boolean and number"},
      {"{} / 2", "'/' needs numbers, got object and number"},
      {"null % 2", "'%' needs numbers, got null and number"},
      {"[1] + 1", "'+' needs numbers or a string, got array and number"},
      {"-'a'", "'-' needs a number, got string"},
      {"-input.account_id", "'-' needs a number, got string"},
  };
  for (const ErrorCase& c : cases) {
    EXPECT_EQ(EvalErrorOf(c.source), c.message) << "source: " << c.source;
  }
}

}  // namespace
}  // namespace keel
