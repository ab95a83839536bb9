// The built-in functions: results, result types and error messages.
#include <gtest/gtest.h>

#include <string>

#include "expr/expression.h"

namespace keel {
namespace {

constexpr int64_t kNow = 1'717'200'000;  // 2024-06-01T00:00:00Z

Result<Json> Eval(const std::string& source) {
  static const Json scope = Json::parse(R"({
    "account": {"name": "Ünïcode Co", "tags": ["vip", "emea"], "plan": {"tier": "gold"}},
    "usage": {"daily": [3, 5, 8], "empty": [], "mixed": [1, 2.5], "bad": [1, "x"]}
  })");
  Result<std::shared_ptr<const Expression>> e = Expression::Parse(source);
  if (!e.ok()) return e.error();
  ExprContext ctx{&scope, kNow};
  return (*e)->Evaluate(ctx);
}

Json Value(const std::string& source) {
  Result<Json> r = Eval(source);
  EXPECT_TRUE(r.ok()) << source << ": " << r.status().ToString();
  return r.ok() ? *r : Json("<error>");
}

std::string ErrorOf(const std::string& source) {
  Result<Json> r = Eval(source);
  return r.ok() ? "<value " + r->dump() + ">" : r.error().message();
}

TEST(ExpressionFunctions, Len) {
  EXPECT_EQ(Value("len('abc')"), Json(3));
  EXPECT_EQ(Value("len('')"), Json(0));
  EXPECT_EQ(Value("len(account.name)"), Json(10));  // characters, not UTF-8 bytes
  EXPECT_EQ(Value("len(usage.daily)"), Json(3));
  EXPECT_EQ(Value("len(account.plan)"), Json(1));
  EXPECT_TRUE(Value("len(usage.daily)").is_number_integer());
  EXPECT_EQ(ErrorOf("len(5)"), "len() needs a string, array or object, got number");
  EXPECT_EQ(ErrorOf("len(null)"), "len() needs a string, array or object, got null");
}

TEST(ExpressionFunctions, MinMax) {
  EXPECT_EQ(Value("min(3, 1, 2)"), Json(1));
  EXPECT_EQ(Value("max(3, 1, 2)"), Json(3));
  EXPECT_EQ(Value("min(usage.daily)"), Json(3));
  EXPECT_EQ(Value("max(usage.daily)"), Json(8));
  EXPECT_EQ(Value("max(usage.mixed)"), Json(2.5));
  EXPECT_EQ(Value("min(2, 1.5)"), Json(1.5));
  EXPECT_EQ(Value("max(7)"), Json(7));
  EXPECT_EQ(Value("max(1, 2, 3, 4, 5, 6)"), Json(6));  // more than the inline argument slots
  EXPECT_TRUE(Value("min(4, 9)").is_number_integer());
  EXPECT_EQ(ErrorOf("min(usage.empty)"), "min() of an empty list");
  EXPECT_EQ(ErrorOf("max([])"), "max() of an empty list");
  EXPECT_EQ(ErrorOf("min(1, 'a')"), "min() needs numbers, got string");
  EXPECT_EQ(ErrorOf("max(usage.bad)"), "max() needs numbers, got string");
  EXPECT_EQ(ErrorOf("max('a')"), "max() needs numbers, got string");
}

TEST(ExpressionFunctions, Contains) {
  EXPECT_EQ(Value("contains(account.tags, 'vip')"), Json(true));
  EXPECT_EQ(Value("contains(account.tags, 'apac')"), Json(false));
  EXPECT_EQ(Value("contains([1, 2], 2.0)"), Json(true));
  EXPECT_EQ(Value("contains([[1], {a: 1}], {a: 1})"), Json(true));
  EXPECT_EQ(Value("contains(account.name, 'Co')"), Json(true));
  EXPECT_EQ(Value("contains('abc', 'x')"), Json(false));
  EXPECT_EQ(Value("contains(account.plan, 'tier')"), Json(true));
  EXPECT_EQ(Value("contains(account.plan, 'gold')"), Json(false));
  EXPECT_EQ(ErrorOf("contains(5, 1)"), "contains() needs an array, string or object, got number");
  EXPECT_EQ(ErrorOf("contains('abc', 1)"),
            "contains() on string needs a string to look for, got number");
  EXPECT_EQ(ErrorOf("contains(account.plan, null)"),
            "contains() on object needs a string to look for, got null");
}

TEST(ExpressionFunctions, TimeFunctions) {
  EXPECT_EQ(Value("now()"), Json(kNow));
  EXPECT_EQ(Value("days(2)"), Json(172800));
  EXPECT_TRUE(Value("days(2)").is_number_integer());
  EXPECT_EQ(Value("days(0.5)"), Json(43200.0));
  EXPECT_EQ(Value("date('1970-01-01')"), Json(0));
  EXPECT_EQ(Value("date('2024-06-01')"), Json(kNow));
  EXPECT_EQ(Value("date('2024-02-29')"), Json(1709164800));  // leap day
  EXPECT_EQ(Value("date('1969-12-31')"), Json(-86400));
  EXPECT_EQ(Value("now() - date('2024-05-01') > days(30)"), Json(true));
  EXPECT_EQ(ErrorOf("days('1')"), "days() needs a number, got string");
  EXPECT_EQ(ErrorOf("date(20240601)"), "date() needs a \"YYYY-MM-DD\" string, got number");
  for (const char* bad : {"2024-6-01", "2024/06/01", "2024-13-01", "2023-02-29", "2024-04-31",
                          "2024-00-10", "24-06-01", "2024-06-01T00:00:00Z", "", "abcd-ef-gh"}) {
    EXPECT_EQ(ErrorOf(std::string("date('") + bad + "')"),
              std::string("date() needs \"YYYY-MM-DD\", got \"") + bad + "\"");
  }
}

TEST(ExpressionFunctions, Round) {
  EXPECT_EQ(Value("round(2.5)"), Json(3));
  EXPECT_TRUE(Value("round(2.5)").is_number_integer());
  EXPECT_EQ(Value("round(-2.5)"), Json(-3));  // half away from zero
  EXPECT_EQ(Value("round(2.4)"), Json(2));
  EXPECT_EQ(Value("round(7)"), Json(7));
  EXPECT_EQ(Value("round(3.14159, 2)"), Json(3.14));
  EXPECT_EQ(Value("round(2.675, 1)"), Json(2.7));
  EXPECT_EQ(Value("round(1250, -2)"), Json(1300));
  EXPECT_EQ(Value("round(1234.5, -1)"), Json(1230));
  EXPECT_EQ(Value("round(5, 3)"), Json(5));
  EXPECT_EQ(ErrorOf("round('a')"), "round() needs a number, got string");
  EXPECT_EQ(ErrorOf("round(1.5, 1.5)"),
            "round() digits must be an integer from -15 to 15, got 1.5");
  EXPECT_EQ(ErrorOf("round(1.5, 99)"), "round() digits must be an integer from -15 to 15, got 99");
}

TEST(ExpressionFunctions, Abs) {
  EXPECT_EQ(Value("abs(-3)"), Json(3));
  EXPECT_TRUE(Value("abs(-3)").is_number_integer());
  EXPECT_EQ(Value("abs(2.5)"), Json(2.5));
  EXPECT_EQ(Value("abs(-2.5)"), Json(2.5));
  EXPECT_EQ(ErrorOf("abs(null)"), "abs() needs a number, got null");
}

TEST(ExpressionFunctions, Str) {
  EXPECT_EQ(Value("str(2.5)"), Json("2.5"));
  EXPECT_EQ(Value("str(3.0)"), Json("3"));
  EXPECT_EQ(Value("str(42)"), Json("42"));
  EXPECT_EQ(Value("str(0.1)"), Json("0.1"));
  EXPECT_EQ(Value("str('x')"), Json("x"));
  EXPECT_EQ(Value("str(true)"), Json("true"));
  EXPECT_EQ(Value("str(null)"), Json("null"));
  EXPECT_EQ(Value("str([1, 2])"), Json("[1,2]"));
  EXPECT_EQ(Value("str(account.plan)"), Json(R"({"tier":"gold"})"));
}

TEST(ExpressionFunctions, SumAndAvg) {
  EXPECT_EQ(Value("sum(usage.daily)"), Json(16));
  EXPECT_TRUE(Value("sum(usage.daily)").is_number_integer());
  EXPECT_EQ(Value("sum(usage.mixed)"), Json(3.5));
  EXPECT_EQ(Value("sum([])"), Json(0));
  EXPECT_EQ(Value("avg([2, 4])"), Json(3));
  EXPECT_TRUE(Value("avg([2, 4])").is_number_integer());
  EXPECT_EQ(Value("avg(usage.daily)"), Json(16.0 / 3));
  EXPECT_EQ(Value("avg(usage.mixed)"), Json(1.75));
  EXPECT_EQ(ErrorOf("avg(usage.empty)"), "avg() of an empty list");
  EXPECT_EQ(ErrorOf("sum(5)"), "sum() needs an array of numbers, got number");
  EXPECT_EQ(ErrorOf("avg('x')"), "avg() needs an array of numbers, got string");
  EXPECT_EQ(ErrorOf("sum(usage.bad)"), "sum() needs an array of numbers, got string at [1]");
}

TEST(ExpressionFunctions, ArgumentsMayBeAnyExpression) {
  EXPECT_EQ(Value("max(len(account.tags), sum(usage.daily) / 4, 1)"), Json(4));
  EXPECT_EQ(Value("str(round(avg(usage.daily), 1)) + '/day'"), Json("5.3/day"));
}

}  // namespace
}  // namespace keel
