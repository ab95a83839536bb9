#include "observe/internal/span_tree.h"

#include <gtest/gtest.h>

namespace keel::observe_internal {
namespace {

Span MakeSpan(std::string id, std::string parent, int64_t start_us, Json attrs = Json::object()) {
  Span span;
  span.span_id = id;
  span.parent_span_id = std::move(parent);
  span.name = std::move(id);
  span.start_us = start_us;
  span.end_us = start_us + 10;
  span.attrs = std::move(attrs);
  return span;
}

// "name@depth" for each row, in order.
std::vector<std::string> Shape(const std::vector<TreeRow>& rows) {
  std::vector<std::string> shape;
  shape.reserve(rows.size());
  for (const auto& row : rows) shape.push_back(row.span->name + "@" + std::to_string(row.depth));
  return shape;
}

TEST(SpanTreeTest, DepthFirstWithSiblingsByStart) {
  std::vector<Span> spans = {MakeSpan("b2", "b", 40),  MakeSpan("a", "root", 10),
                             MakeSpan("b", "root", 5), MakeSpan("root", "", 0),
                             MakeSpan("b1", "b", 20),  MakeSpan("a1", "a", 11)};
  auto rows = TreeOrder(spans);
  EXPECT_EQ(Shape(rows),
            (std::vector<std::string>{"root@0", "b@1", "b1@2", "b2@2", "a@1", "a1@2"}));
  EXPECT_EQ(rows[0].parent, -1);
  EXPECT_EQ(rows[2].parent, 1);
  EXPECT_EQ(rows[4].parent, 0);
}

TEST(SpanTreeTest, OrphansAndExtraRootsHangUnderTheRoot) {
  std::vector<Span> spans = {MakeSpan("late_root", "", 30), MakeSpan("root", "", 0),
                             MakeSpan("orphan", "gone", 20), MakeSpan("child", "root", 10)};
  EXPECT_EQ(Shape(TreeOrder(spans)),
            (std::vector<std::string>{"root@0", "child@1", "orphan@1", "late_root@1"}));
}

TEST(SpanTreeTest, WithoutARootOrphansAreTopLevel) {
  std::vector<Span> spans = {MakeSpan("y", "gone", 20), MakeSpan("x", "gone", 10),
                             MakeSpan("x1", "x", 15)};
  EXPECT_EQ(Shape(TreeOrder(spans)), (std::vector<std::string>{"x@0", "x1@1", "y@0"}));
}

TEST(SpanTreeTest, ParentCyclesAreBrokenAndEverySpanAppearsOnce) {
  std::vector<Span> spans = {MakeSpan("root", "", 0), MakeSpan("p", "q", 10),
                             MakeSpan("q", "p", 20), MakeSpan("self", "self", 30)};
  EXPECT_EQ(Shape(TreeOrder(spans)), (std::vector<std::string>{"root@0", "self@1", "p@1", "q@2"}));
}

TEST(SpanTreeTest, FiguresComeFromAttrs) {
  Span model = MakeSpan("m", "", 0, {{"tokens_in", 1200}, {"tokens_out", 300}, {"cost_usd", 0.5}});
  EXPECT_EQ(SpanTokens(model), 1500);
  EXPECT_EQ(SpanCost(model), 0.5);
  Span plain = MakeSpan("n", "", 0, Json());  // attrs null, not an object
  EXPECT_FALSE(SpanTokens(plain).has_value());
  EXPECT_FALSE(SpanCost(plain).has_value());
  EXPECT_FALSE(IsParked(plain));
  EXPECT_FALSE(SpanTokens(MakeSpan("s", "", 0, {{"tokens_in", "12"}})).has_value());
  EXPECT_TRUE(IsParked(MakeSpan("p", "", 0, {{"parked", true}})));
  plain.status = "parked";
  EXPECT_TRUE(IsParked(plain));
}

TEST(SpanTreeTest, TotalsDoNotCountAParentThatRepeatsItsChildren) {
  std::vector<Span> spans = {
      MakeSpan("run", "", 0, {{"tokens_in", 400}, {"tokens_out", 100}, {"cost_usd", 0.3}}),
      MakeSpan("node", "run", 1),
      MakeSpan("m1", "node", 2, {{"tokens_in", 100}, {"cost_usd", 0.1}}),
      MakeSpan("m2", "node", 3, {{"tokens_in", 300}, {"tokens_out", 100}, {"cost_usd", 0.2}}),
      MakeSpan("lone", "", 4, {{"tokens_out", 7}}),  // an extra root: under "run", counted
  };
  TraceTotals totals = Totals(TreeOrder(spans));
  EXPECT_EQ(totals.tokens, 507);
  ASSERT_TRUE(totals.cost.has_value());
  EXPECT_DOUBLE_EQ(*totals.cost, 0.3);

  std::vector<Span> none = {MakeSpan("run", "", 0)};
  EXPECT_FALSE(Totals(TreeOrder(none)).tokens.has_value());
  EXPECT_FALSE(Totals(TreeOrder(none)).cost.has_value());
}

}  // namespace
}  // namespace keel::observe_internal
