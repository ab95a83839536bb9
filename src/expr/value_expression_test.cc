#include <gtest/gtest.h>

#include "expr/expression.h"

namespace keel {
namespace {

const Json& Scope() {
  static const Json scope = Json::parse(R"j({
    "input": {"account_id": "A-7", "seats": 12},
    "risk": {"level": "low"}
  })j");
  return scope;
}

Result<Json> EvalShape(const Json& shape) {
  Result<ValueExpression> v = ValueExpression::Parse(shape);
  if (!v.ok()) return v.error();
  ExprContext ctx{&Scope(), 100};
  return v->Evaluate(ctx);
}

TEST(ValueExpression, StringLeavesAreExpressionsOtherScalarsLiterals) {
  const Json shape = Json::parse(R"j({
    "account": "input.account_id",
    "channel": "'email'",
    "seats_plus": "input.seats + 1",
    "limit": 20,
    "ratio": 0.5,
    "urgent": false,
    "note": null,
    "list": ["risk.level", 3, ["now()"]],
    "nested": {"deep": {"id": "input.account_id + '-x'"}}
  })j");
  Result<Json> r = EvalShape(shape);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, Json::parse(R"j({
    "account": "A-7", "channel": "email", "seats_plus": 13, "limit": 20, "ratio": 0.5,
    "urgent": false, "note": null, "list": ["low", 3, [100]],
    "nested": {"deep": {"id": "A-7-x"}}
  })j"));
}

TEST(ValueExpression, ScalarAndConstantShapes) {
  EXPECT_EQ(*EvalShape(Json("input.seats * 2")), Json(24));
  EXPECT_EQ(*EvalShape(Json(5)), Json(5));
  EXPECT_TRUE(EvalShape(Json()).value().is_null());
  const Json constant = Json::parse(R"j({"a": [1, 2, {"b": true}], "c": {}})j");
  EXPECT_EQ(*EvalShape(constant), constant);
  EXPECT_EQ(*EvalShape(Json::array()), Json::array());
}

TEST(ValueExpression, EmptyUntilParsed) {
  ValueExpression none;
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(none.RootNames().empty());
  ExprContext ctx{&Scope(), 0};
  Result<Json> r = none.Evaluate(ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_null());
  Result<ValueExpression> parsed = ValueExpression::Parse(Json::object());
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->empty());
}

TEST(ValueExpression, ParseErrorsCarryTheLeafPointer) {
  Result<ValueExpression> v = ValueExpression::Parse(Json::parse(R"j({"summary": "len)"})j"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(v.error().message(), "/summary: col 4: unexpected ')'");

  v = ValueExpression::Parse(Json::parse(R"j({"a": {"list": [1, "ok", "foo(1)"]}})j"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message(), "/a/list/2: col 1: unknown function 'foo'");

  // JSON Pointer escapes '/' and '~' in keys.
  v = ValueExpression::Parse(Json::parse(R"j({"a/b~c": ""})j"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message(), "/a~1b~0c: col 1: unexpected end of expression");

  // A bare expression at the root has no pointer to name.
  v = ValueExpression::Parse(Json("1 +"));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message(), "col 4: unexpected end of expression");
}

TEST(ValueExpression, EvaluationErrorsCarryTheLeafPointer) {
  Result<Json> r = EvalShape(Json::parse(R"j({"id": "input.account_id", "x": ["input.acount"]})j"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error().message(), "/x/0: input.acount: no such field");
}

TEST(ValueExpression, RootNamesAreCollectedOnce) {
  Result<ValueExpression> v = ValueExpression::Parse(Json::parse(R"j({
    "a": "input.x", "b": ["risk.level + input.y", "now()"], "c": {"d": "state.z ?? 1"},
    "e": 5
  })j"));
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  std::vector<std::string> names = v->RootNames();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"input", "risk", "state"}));
}

TEST(ValueExpression, CopiesShareTheParsedTree) {
  Result<ValueExpression> v = ValueExpression::Parse(Json::parse(R"j({"n": "input.seats"})j"));
  ASSERT_TRUE(v.ok());
  ValueExpression copy = *v;
  ExprContext ctx{&Scope(), 0};
  EXPECT_EQ(*copy.Evaluate(ctx), Json::parse(R"j({"n": 12})j"));
  EXPECT_EQ(copy.RootNames(), v->RootNames());
}

}  // namespace
}  // namespace keel
