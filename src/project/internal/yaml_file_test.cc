#include "project/internal/yaml_file.h"

#include <gtest/gtest.h>

namespace keel::project_internal {
namespace {

Json Convert(const std::string& yaml) { return YamlToJson(YAML::Load(yaml)); }

TEST(YamlToJsonTest, PlainScalarsTakeTheirJsonType) {
  EXPECT_EQ(Convert("42"), Json(42));
  EXPECT_EQ(Convert("-7"), Json(-7));
  EXPECT_EQ(Convert("+3"), Json(3));
  EXPECT_EQ(Convert("2.5"), Json(2.5));
  EXPECT_EQ(Convert("1e3"), Json(1000.0));
  EXPECT_EQ(Convert("true"), Json(true));
  EXPECT_EQ(Convert("False"), Json(false));
  EXPECT_EQ(Convert("~"), Json(nullptr));
  EXPECT_EQ(Convert("null"), Json(nullptr));
  EXPECT_EQ(Convert("a:"), (Json{{"a", nullptr}}));
}

TEST(YamlToJsonTest, QuotedScalarsStayStrings) {
  EXPECT_EQ(Convert("\"42\""), Json("42"));
  EXPECT_EQ(Convert("'true'"), Json("true"));
  EXPECT_EQ(Convert("\"null\""), Json("null"));
  EXPECT_EQ(Convert("!!str 12"), Json("12"));
}

TEST(YamlToJsonTest, YamlOneOneWordsAndOddNumbersAreStrings) {
  EXPECT_EQ(Convert("yes"), Json("yes"));
  EXPECT_EQ(Convert("off"), Json("off"));
  EXPECT_EQ(Convert(".inf"), Json(".inf"));
  EXPECT_EQ(Convert("nan"), Json("nan"));
  EXPECT_EQ(Convert("1.2.3"), Json("1.2.3"));
  EXPECT_EQ(Convert("input.account_id"), Json("input.account_id"));
}

TEST(YamlToJsonTest, HugeIntegersBecomeDoubles) {
  Json v = Convert("123456789012345678901234");
  ASSERT_TRUE(v.is_number_float());
  EXPECT_DOUBLE_EQ(v.get<double>(), 1.23456789012345678901234e23);
}

TEST(YamlToJsonTest, WalksMapsAndLists) {
  EXPECT_EQ(Convert("{a: [1, 'x', {b: false}], c: d}"),
            (Json{{"a", {1, "x", {{"b", false}}}}, {"c", "d"}}));
}

YamlFile Parse(const std::string& text) {
  YamlFile file;
  file.path = "f.yaml";
  file.text = text;
  file.root = YAML::Load(text);
  return file;
}

TEST(YamlFileTest, PositionsAreOneBased) {
  YamlFile file = Parse("a: 1\nbb:\n  c: x\n");
  SourceLocation loc = file.At(file.root["bb"]["c"]);
  EXPECT_EQ(loc.ToString(), "f.yaml:3:6");
}

TEST(YamlFileTest, ScalarOffsetMapsPlainAndQuotedValues) {
  YamlFile file = Parse("p: a + b\nq: \"a + b\"\nr: 'it''s'\n");
  EXPECT_EQ(file.AtScalarOffset(file.root["p"], 4).ToString(), "f.yaml:1:8");
  EXPECT_EQ(file.AtScalarOffset(file.root["q"], 4).ToString(), "f.yaml:2:9");
  // An escaped quote breaks the 1:1 mapping: the value's own position.
  EXPECT_EQ(file.AtScalarOffset(file.root["r"], 3).ToString(), "f.yaml:3:4");
}

TEST(YamlFileTest, ScalarOffsetDoesNotMapMultiLineValues) {
  YamlFile file = Parse("p: |\n  a +\n  b\nq: a\n  + b\n");
  EXPECT_EQ(file.AtScalarOffset(file.root["p"], 2).ToString(), "f.yaml:1:4");
  EXPECT_EQ(file.AtScalarOffset(file.root["q"], 2).ToString(), "f.yaml:4:4");
}

TEST(LocationOfOffsetTest, CountsLinesAndColumns) {
  std::string text = "ab\ncde\n";
  EXPECT_EQ(LocationOfOffset("x", text, 0).ToString(), "x:1:1");
  EXPECT_EQ(LocationOfOffset("x", text, 4).ToString(), "x:2:2");
  EXPECT_EQ(LocationOfOffset("x", text, 99).ToString(), "x:3:1");
}

TEST(IsIdentifierTest, AcceptsOnlyPlainNames) {
  EXPECT_TRUE(IsIdentifier("account_2"));
  EXPECT_TRUE(IsIdentifier("_x"));
  EXPECT_FALSE(IsIdentifier(""));
  EXPECT_FALSE(IsIdentifier("2x"));
  EXPECT_FALSE(IsIdentifier("a-b"));
  EXPECT_FALSE(IsIdentifier("a.b"));
}

}  // namespace
}  // namespace keel::project_internal
