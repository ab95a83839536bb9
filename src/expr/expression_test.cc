#include "expr/expression.h"

#include <gtest/gtest.h>

#include <thread>

namespace keel {
namespace {

// Parses and evaluates `source` against `scope`; parse failures surface as errors.
Result<Json> Eval(std::string_view source, const Json& scope = Json::object()) {
  Result<std::shared_ptr<const Expression>> e = Expression::Parse(source);
  if (!e.ok()) return e.error();
  ExprContext ctx;
  ctx.scope = &scope;
  return (*e)->Evaluate(ctx);
}

// Evaluates and expects success; returns the value (null on failure, after
// recording the failure).
Json Value(std::string_view source, const Json& scope = Json::object()) {
  Result<Json> r = Eval(source, scope);
  EXPECT_TRUE(r.ok()) << source << ": " << r.status().ToString();
  return r.ok() ? *r : Json();
}

const Json& Scope() {
  static const Json scope = Json::parse(R"({
    "input": {"account_id": "A-1042", "seats": 40, "name": {"first": "Ada"}, "none": null},
    "usage": {"daily": [3, 5, 8], "trend_pct": -12.5},
    "risk": {"level": "high", "score": 0.82},
    "state": {}
  })");
  return scope;
}

TEST(ExpressionLiterals, Scalars) {
  EXPECT_EQ(Value("42"), Json(42));
  EXPECT_TRUE(Value("42").is_number_integer());
  EXPECT_EQ(Value("2.5"), Json(2.5));
  EXPECT_TRUE(Value("2.5").is_number_float());
  EXPECT_EQ(Value("-7"), Json(-7));
  EXPECT_EQ(Value("'text'"), Json("text"));
  EXPECT_EQ(Value("\"text\""), Json("text"));
  EXPECT_EQ(Value("true"), Json(true));
  EXPECT_EQ(Value("false"), Json(false));
  EXPECT_TRUE(Value("null").is_null());
  // An integer beyond int64 is read as a double rather than rejected.
  EXPECT_TRUE(Value("99999999999999999999").is_number_float());
}

TEST(ExpressionLiterals, StringEscapes) {
  EXPECT_EQ(Value(R"('a\nb\tc')"), Json("a\nb\tc"));
  EXPECT_EQ(Value(R"("say \"hi\"")"), Json("say \"hi\""));
  EXPECT_EQ(Value(R"('it\'s')"), Json("it's"));
  EXPECT_EQ(Value(R"('back\\slash')"), Json("back\\slash"));
  EXPECT_EQ(Value(R"("it's")"), Json("it's"));
}

TEST(ExpressionLiterals, ListsAndObjects) {
  EXPECT_EQ(Value("[1, 'a', null]"), Json::parse(R"([1, "a", null])"));
  EXPECT_EQ(Value("[]"), Json::array());
  EXPECT_EQ(Value("[1, 2,]"), Json::parse("[1, 2]"));
  EXPECT_EQ(Value(R"({"k": 1, v: 'x'})"), Json::parse(R"({"k": 1, "v": "x"})"));
  EXPECT_EQ(Value("{}"), Json::object());
  EXPECT_EQ(Value("[input.seats, {id: input.account_id}]", Scope()),
            Json::parse(R"([40, {"id": "A-1042"}])"));
  EXPECT_EQ(Value("{seats: input.seats + 1}.seats", Scope()), Json(41));
  EXPECT_EQ(Value("[10, 20, 30][1]"), Json(20));
}

TEST(ExpressionPaths, FieldsAndIndexes) {
  EXPECT_EQ(Value("input.account_id", Scope()), Json("A-1042"));
  EXPECT_EQ(Value("input.name.first", Scope()), Json("Ada"));
  EXPECT_EQ(Value("usage.daily[0]", Scope()), Json(3));
  EXPECT_EQ(Value("usage.daily[2]", Scope()), Json(8));
  EXPECT_EQ(Value("usage.daily[1.0]", Scope()), Json(5));
  EXPECT_EQ(Value("usage.daily[len(usage.daily) - 1]", Scope()), Json(8));
  EXPECT_EQ(Value("input[\"account_id\"]", Scope()), Json("A-1042"));
  EXPECT_EQ(Value("input['name'].first", Scope()), Json("Ada"));
  EXPECT_EQ(Value("usage", Scope()), Scope()["usage"]);
  EXPECT_TRUE(Value("input.none", Scope()).is_null());
  EXPECT_EQ(Value("state", Scope()), Json::object());
}

TEST(ExpressionPaths, KeywordsAreFieldNames) {
  Json scope = Json::parse(R"({"x": {"and": 1, "not": 2, "null": 3, "true": 4}})");
  EXPECT_EQ(Value("x.and + x.not + x.null + x.true", scope), Json(10));
}

TEST(ExpressionArithmetic, IntegersStayIntegers) {
  EXPECT_EQ(Value("1 + 2"), Json(3));
  EXPECT_TRUE(Value("1 + 2").is_number_integer());
  EXPECT_EQ(Value("7 - 10"), Json(-3));
  EXPECT_EQ(Value("6 * 7"), Json(42));
  EXPECT_TRUE(Value("6 / 3").is_number_integer());
  EXPECT_EQ(Value("6 / 3"), Json(2));
  EXPECT_TRUE(Value("7 / 2").is_number_float());
  EXPECT_EQ(Value("7 / 2"), Json(3.5));
  EXPECT_EQ(Value("7 % 3"), Json(1));
  EXPECT_EQ(Value("-7 % 3"), Json(-1));
}

TEST(ExpressionArithmetic, Doubles) {
  EXPECT_EQ(Value("1.5 + 1"), Json(2.5));
  EXPECT_TRUE(Value("1.5 + 1.5").is_number_float());
  EXPECT_EQ(Value("5.5 % 2"), Json(1.5));
  EXPECT_EQ(Value("usage.trend_pct * 2", Scope()), Json(-25.0));
  EXPECT_EQ(Value("-usage.trend_pct", Scope()), Json(12.5));
  EXPECT_EQ(Value("- input.seats", Scope()), Json(-40));
}

TEST(ExpressionArithmetic, OverflowFallsBackToDouble) {
  EXPECT_TRUE(Value("9223372036854775807 + 1").is_number_float());
  EXPECT_TRUE(Value("9223372036854775807 * 2").is_number_float());
  EXPECT_EQ(Value("(-9223372036854775807 - 1) % -1"), Json(0));
  EXPECT_TRUE(Value("(-9223372036854775807 - 1) / -1").is_number_float());
}

TEST(ExpressionArithmetic, StringConcatenation) {
  EXPECT_EQ(Value("'a' + 'b'"), Json("ab"));
  EXPECT_EQ(Value("'n=' + 2.5"), Json("n=2.5"));
  EXPECT_EQ(Value("3.0 + ' seats'"), Json("3 seats"));
  EXPECT_EQ(Value("'v' + 10"), Json("v10"));
  EXPECT_EQ(Value("'x' + true + null"), Json("xtruenull"));
  EXPECT_EQ(Value("'l=' + [1, 'a']"), Json("l=[1,\"a\"]"));
  EXPECT_EQ(Value("'id ' + input.account_id", Scope()), Json("id A-1042"));
}

TEST(ExpressionArithmetic, InvalidUtf8IsReplacedNotThrown) {
  Json scope;
  scope["bad"] = Json::array({std::string("\xFF")});
  EXPECT_EQ(Value("'a' + bad", scope), Json("a[\"\xEF\xBF\xBD\"]"));
}

TEST(ExpressionComparison, NumbersAndStrings) {
  EXPECT_EQ(Value("1 < 2"), Json(true));
  EXPECT_EQ(Value("2 < 2"), Json(false));
  EXPECT_EQ(Value("2 <= 2"), Json(true));
  EXPECT_EQ(Value("3 > 2.5"), Json(true));
  EXPECT_EQ(Value("2 >= 2.0"), Json(true));
  EXPECT_EQ(Value("1.5 >= 2"), Json(false));
  EXPECT_EQ(Value("'apple' < 'banana'"), Json(true));
  EXPECT_EQ(Value("'b' > 'abc'"), Json(true));
  EXPECT_EQ(Value("'a' <= 'a'"), Json(true));
}

TEST(ExpressionComparison, DeepEquality) {
  EXPECT_EQ(Value("1 == 1.0"), Json(true));
  EXPECT_EQ(Value("1 != 1.0"), Json(false));
  EXPECT_EQ(Value("'a' == 'a'"), Json(true));
  EXPECT_EQ(Value("'a' == 1"), Json(false));
  EXPECT_EQ(Value("null == null"), Json(true));
  EXPECT_EQ(Value("[1, {a: 2}] == [1.0, {a: 2.0}]"), Json(true));
  EXPECT_EQ(Value("[1, 2] != [2, 1]"), Json(true));
  EXPECT_EQ(Value("usage.daily == [3, 5, 8]", Scope()), Json(true));
  EXPECT_EQ(Value("risk.level == 'high'", Scope()), Json(true));
}

TEST(ExpressionLogic, TruthinessOfEveryKind) {
  for (const char* falsey : {"false", "null", "0", "0.0", "''", "[]", "{}"}) {
    EXPECT_EQ(Value(std::string("not ") + falsey), Json(true)) << falsey;
    EXPECT_EQ(Value(std::string(falsey) + " ? 1 : 2"), Json(2)) << falsey;
  }
  for (const char* truthy : {"true", "1", "-0.5", "'x'", "[0]", "{a: null}"}) {
    EXPECT_EQ(Value(std::string("!") + truthy), Json(false)) << truthy;
    EXPECT_EQ(Value(std::string(truthy) + " ? 1 : 2"), Json(1)) << truthy;
  }
}

TEST(ExpressionLogic, AndOrReturnBooleans) {
  EXPECT_EQ(Value("1 and 'x'"), Json(true));
  EXPECT_EQ(Value("1 && 0"), Json(false));
  EXPECT_EQ(Value("0 or ''"), Json(false));
  EXPECT_EQ(Value("0 || 'x'"), Json(true));
  EXPECT_EQ(Value("not not 5"), Json(true));
}

TEST(ExpressionLogic, ShortCircuitSkipsTheRightSide) {
  // The right sides would fail with a missing path if they were evaluated.
  EXPECT_EQ(Value("false and missing.x"), Json(false));
  EXPECT_EQ(Value("true or missing.x"), Json(true));
  EXPECT_FALSE(Eval("true and missing.x").ok());
  EXPECT_FALSE(Eval("false or missing.x").ok());
  EXPECT_EQ(Value("true ? 1 : missing.x"), Json(1));
  EXPECT_EQ(Value("false ? missing.x : 2"), Json(2));
}

TEST(ExpressionCoalesce, FallsBackOnMissingPathOrNull) {
  EXPECT_EQ(Value("input.acount_id ?? 'none'", Scope()), Json("none"));
  EXPECT_EQ(Value("nosuchroot ?? 1", Scope()), Json(1));
  EXPECT_EQ(Value("usage.daily[10] ?? -1", Scope()), Json(-1));
  EXPECT_EQ(Value("input.none ?? 'dflt'", Scope()), Json("dflt"));
  EXPECT_EQ(Value("input.none.deeper ?? 'dflt'", Scope()), Json("dflt"));
  EXPECT_EQ(Value("null ?? 2"), Json(2));
  EXPECT_EQ(Value("input.seats ?? 0", Scope()), Json(40));
  // Falsey values other than null are kept.
  EXPECT_EQ(Value("0 ?? 5"), Json(0));
  EXPECT_EQ(Value("false ?? true"), Json(false));
  EXPECT_EQ(Value("'' ?? 'x'"), Json(""));
  EXPECT_EQ(Value("a ?? b ?? 3"), Json(3));
  EXPECT_EQ(Value("(a.x ?? b.y) ?? 4"), Json(4));
  EXPECT_EQ(Value("len(input.tags ?? []) + 1", Scope()), Json(1));
}

TEST(ExpressionPaths, ParenthesizedBasesAreQuotedWhole) {
  Result<Json> r = Eval("(input.x ?? input).y", Scope());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "(input.x ?? input).y: no such field");
}

TEST(ExpressionCoalesce, OtherErrorsAreNotSwallowed) {
  Result<Json> r = Eval("(1 / 0) ?? 5");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "division by zero");
  r = Eval("input.account_id.x ?? 5", Scope());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "input.account_id is a string, cannot read 'x'");
  // A missing path on the right side of ?? is reported with its full message.
  r = Eval("a ?? b.c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "b: no such field");
}

TEST(ExpressionPrecedence, BinaryOperators) {
  EXPECT_EQ(Value("1 + 2 * 3"), Json(7));
  EXPECT_EQ(Value("(1 + 2) * 3"), Json(9));
  EXPECT_EQ(Value("10 - 4 - 3"), Json(3));  // left associative
  EXPECT_EQ(Value("24 / 4 / 2"), Json(3));
  EXPECT_EQ(Value("2 * 5 % 3"), Json(1));  // (2 * 5) % 3
  EXPECT_EQ(Value("1 + 2 < 4"), Json(true));
  EXPECT_EQ(Value("1 < 2 == 2 < 3"), Json(true));  // (1 < 2) == (2 < 3)
  EXPECT_EQ(Value("1 == 1 and 2 == 3"), Json(false));
  EXPECT_EQ(Value("true or true and false"), Json(true));  // and binds tighter
  EXPECT_EQ(Value("(true or true) and false"), Json(false));
  EXPECT_EQ(Value("false and true or true"), Json(true));
}

TEST(ExpressionPrecedence, UnaryAndPostfix) {
  EXPECT_EQ(Value("-2 * 3"), Json(-6));
  EXPECT_EQ(Value("-usage.daily[1]", Scope()), Json(-5));  // postfix before unary
  EXPECT_EQ(Value("not 1 == 2"), Json(false));             // (not 1) == 2
  EXPECT_EQ(Value("not (1 == 2)"), Json(true));
  EXPECT_EQ(Value("!false and false"), Json(false));
  EXPECT_EQ(Value("- - 3"), Json(3));
  EXPECT_EQ(Value("2 - -3"), Json(5));
}

TEST(ExpressionPrecedence, ConditionalAndCoalesce) {
  EXPECT_EQ(Value("true ? 1 : 2 + 10"), Json(1));
  EXPECT_EQ(Value("false ? 1 : 2 + 10"), Json(12));
  EXPECT_EQ(Value("1 > 2 or 3 > 2 ? 'y' : 'n'"), Json("y"));
  // Right associative: a ? b : (c ? d : e).
  EXPECT_EQ(Value("false ? 1 : true ? 2 : 3"), Json(2));
  EXPECT_EQ(Value("true ? false ? 1 : 2 : 3"), Json(2));
  // ?? is the loosest: x ?? (c ? a : b), and (c ? a : b) ?? y.
  EXPECT_EQ(Value("missing ?? true ? 'a' : 'b'"), Json("a"));
  EXPECT_EQ(Value("false ? 1 : null ?? 9"), Json(9));
  EXPECT_EQ(Value("missing ?? 1 + 1"), Json(2));
}

TEST(ExpressionPrecedence, RiskRoute) {
  Json scope = Scope();
  EXPECT_EQ(Value("risk.level == 'high' and len(usage.daily) > 2", scope), Json(true));
  EXPECT_EQ(Value("risk.level == \"high\" and len(usage.daily) > 30", scope), Json(false));
}

TEST(ExpressionApi, RootNamesAreDistinctAndSkipFunctions) {
  auto e = Expression::Parse("len(usage.daily) > input.seats and usage.x ?? risk[input.k]");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->RootNames(), (std::vector<std::string>{"usage", "input", "risk"}));
  EXPECT_EQ((*e)->source(), "len(usage.daily) > input.seats and usage.x ?? risk[input.k]");
  auto constant = Expression::Parse("now() + days(1)");
  ASSERT_TRUE(constant.ok());
  EXPECT_TRUE((*constant)->RootNames().empty());
}

TEST(ExpressionApi, NullOrNonObjectScopeHasNoFields) {
  auto e = Expression::Parse("input.x");
  ASSERT_TRUE(e.ok());
  ExprContext ctx;
  Result<Json> r = (*e)->Evaluate(ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "input: no such field");
  Json array = Json::array({1});
  ctx.scope = &array;
  EXPECT_EQ((*e)->Evaluate(ctx).error().message(), "input: no such field");
}

TEST(ExpressionApi, WhitespaceIsIgnored) {
  EXPECT_EQ(Value("  input . seats\n+\t1 ", Scope()), Json(41));
}

TEST(ExpressionApi, OneExpressionEvaluatesFromManyThreads) {
  auto e = Expression::Parse("input.seats * 2 + len(usage.daily) + (input.x ?? 0)");
  ASSERT_TRUE(e.ok());
  std::vector<std::thread> threads;
  std::vector<int64_t> results(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Json scope = Scope();
      scope["input"]["seats"] = t;
      ExprContext ctx{&scope, 0};
      int64_t last = -1;
      for (int i = 0; i < 2000; ++i) last = (*e)->Evaluate(ctx)->get<int64_t>();
      results[t] = last;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(results, (std::vector<int64_t>{3, 5, 7, 9}));
}

}  // namespace
}  // namespace keel
