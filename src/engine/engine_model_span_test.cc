// The model span of an llm node: every meter of the provider's usage, the
// cost, and the tier entries that failed over before one answered.
#include <gtest/gtest.h>

#include "engine/engine_test_util.h"
#include "models/offline_model.h"

namespace keel {
namespace {

using engine_test::EngineHarness;
using engine_test::HarnessOptions;

// Answers with the offline output as if a provider had, after a fail-over.
class MeteredModel : public Model {
 public:
  std::string name() const override { return "metered"; }
  void Generate(const ModelRequest& request, ModelCallback done) override {
    offline_.Generate(request, [done = std::move(done)](Result<ModelReply> reply) {
      if (reply.ok()) {
        reply->from_fallback = false;
        reply->provider = "openai";
        reply->model = "gpt-test";
        reply->usage = {100, 20, 30, 5, 7, 0.25};
        reply->failed_over = {"anthropic/claude-test: overloaded"};
      }
      done(std::move(reply));
    });
  }

 private:
  OfflineModel offline_{Clock::Real()};
};

Span ModelSpan(Store& store, const std::string& run_id) {
  Result<std::vector<Span>> spans = store.LoadSpans(run_id);
  EXPECT_TRUE(spans.ok()) << spans.status().ToString();
  if (spans.ok()) {
    for (const Span& s : *spans) {
      if (s.kind == "model") return s;
    }
  }
  ADD_FAILURE() << "no model span for run " << run_id;
  return {};
}

TEST(EngineModelSpanTest, SpanRecordsEveryMeterCostAndFailOver) {
  HarnessOptions options;
  options.project = "tests/fixtures/engine/bad_runtime";
  options.model = std::make_shared<MeteredModel>();
  auto h = EngineHarness::Open(options);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  (*h)->engine().Start();
  Result<std::string> id = (*h)->engine().StartRun("score", {{"name", "Acme"}});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  std::optional<RunOutcome> outcome = (*h)->Wait(*id);
  ASSERT_TRUE(outcome.has_value());
  ASSERT_EQ(outcome->status, RunStatus::kSucceeded) << outcome->error;

  Span span = ModelSpan((*h)->store(), *id);
  EXPECT_EQ(span.attrs.value("provider", ""), "openai");
  EXPECT_EQ(span.attrs.value("tokens_in", 0), 100);
  EXPECT_EQ(span.attrs.value("tokens_out", 0), 20);
  EXPECT_EQ(span.attrs.value("tokens_cached_in", 0), 30);
  EXPECT_EQ(span.attrs.value("tokens_cache_write", 0), 5);
  EXPECT_EQ(span.attrs.value("tokens_reasoning", 0), 7);
  EXPECT_DOUBLE_EQ(span.attrs.value("cost_usd", 0.0), 0.25);
  EXPECT_EQ(span.attrs["failed_over"], Json::array({"anthropic/claude-test: overloaded"}));
  EXPECT_FALSE(span.attrs.contains("fallback")) << span.attrs.dump();
}

}  // namespace
}  // namespace keel
