#include "project/internal/expr_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace keel::project_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

TEST(FindRootNameTest, FindsRootsOutsideStringsAndPaths) {
  EXPECT_EQ(FindRootName("usage.trend > 1", "usage"), 0u);
  EXPECT_EQ(FindRootName("'usage' + usage", "usage"), 10u);
  EXPECT_EQ(FindRootName("account.usage + usage", "usage"), 16u);
  EXPECT_EQ(FindRootName("usages + usage", "usage"), 9u);
  EXPECT_EQ(FindRootName("\"a \\\" usage\"", "usage"), std::string_view::npos);
  EXPECT_EQ(FindRootName("x", "usage"), std::string_view::npos);
}

class ExprReaderTest : public ::testing::Test {
 protected:
  FieldReader Read(const std::string& text) {
    file_.path = "w.yaml";
    file_.text = text;
    file_.root = YAML::Load(text);
    return FieldReader(file_, file_.root, "a node", {"e", "v"}, &diags_);
  }
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags_.list()) out.push_back(d.ToString());
    return out;
  }
  YamlFile file_;
  Diagnostics diags_;
  std::vector<NameUse> reads_;
};

TEST_F(ExprReaderTest, ExpressionReadsAreLocated) {
  FieldReader reader = Read("e: a.x + max(b, 2)\n");
  auto expr = ReadExpressionField(reader, "e", true, &reads_);
  ASSERT_NE(expr, nullptr);
  EXPECT_THAT(Messages(), IsEmpty());
  ASSERT_EQ(reads_.size(), 2u);
  std::vector<std::string> where;
  for (const NameUse& use : reads_) where.push_back(use.name + "@" + use.where.ToString());
  EXPECT_THAT(where, ::testing::UnorderedElementsAre("a@w.yaml:1:4", "b@w.yaml:1:14"));
}

TEST_F(ExprReaderTest, ParseErrorColumnIsMappedIntoTheFile) {
  FieldReader reader = Read("e: \"a + )\"\n");
  EXPECT_EQ(ReadExpressionField(reader, "e", true, &reads_), nullptr);
  ASSERT_EQ(Messages().size(), 1u);
  EXPECT_THAT(Messages()[0], StartsWith("w.yaml:1:9: invalid expression: "));
}

TEST_F(ExprReaderTest, NonScalarExpressionIsReported) {
  FieldReader reader = Read("e: [1]\n");
  EXPECT_EQ(ReadExpressionField(reader, "e", true, &reads_), nullptr);
  EXPECT_THAT(Messages(), ElementsAre("w.yaml:1:4: 'e' must be an expression (a string)"));
}

TEST_F(ExprReaderTest, ValueTemplateReportsEveryBadLeaf) {
  FieldReader reader = Read("v: {a: x +, b: [ok, (y], c: 3}\n");
  ValueExpression value = ReadValueTemplateField(reader, "v", true, false, &reads_);
  EXPECT_TRUE(value.empty());
  std::vector<std::string> messages = Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_THAT(messages[0], StartsWith("w.yaml:1:11: invalid expression: "));
  EXPECT_THAT(messages[1], StartsWith("w.yaml:1:23: invalid expression: "));
}

TEST_F(ExprReaderTest, ValueTemplateMustBeAMapWhenAsked) {
  FieldReader reader = Read("v: x\n");
  EXPECT_TRUE(ReadValueTemplateField(reader, "v", true, true, &reads_).empty());
  EXPECT_THAT(Messages(), ElementsAre("w.yaml:1:4: 'v' must be a map"));
}

TEST_F(ExprReaderTest, ValueTemplateEvaluatesWithYamlTypes) {
  FieldReader reader = Read("v: {n: 90, s: \"'lit'\", p: input.id, z: null}\n");
  ValueExpression value = ReadValueTemplateField(reader, "v", true, true, &reads_);
  ASSERT_FALSE(value.empty());
  Json scope = {{"input", {{"id", "A-1"}}}};
  auto out = value.Evaluate(ExprContext{&scope, 0});
  ASSERT_TRUE(out.ok()) << out.error().message();
  EXPECT_EQ(*out, (Json{{"n", 90}, {"s", "lit"}, {"p", "A-1"}, {"z", nullptr}}));
  ASSERT_EQ(reads_.size(), 1u);
  EXPECT_EQ(reads_[0].where.ToString(), "w.yaml:1:27");
}

}  // namespace
}  // namespace keel::project_internal
