// Bad input, at each place it can enter a run: the run's input, a tool's
// answer (an unknown account), a prompt reading a field its inputs lack, and
// a model answer that breaks the agent's schema. Each must end with a clear
// message naming what and where, and leave nothing half-written.
#include <gtest/gtest.h>

#include <atomic>

#include "engine/engine_test_util.h"
#include "models/scripted_model.h"

namespace keel {
namespace {

using engine_test::EngineHarness;
using engine_test::EventsOf;
using engine_test::HarnessOptions;

constexpr char kBadRuntime[] = "tests/fixtures/engine/bad_runtime";

std::unique_ptr<EngineHarness> OpenOrDie(HarnessOptions options) {
  auto h = EngineHarness::Open(std::move(options));
  EXPECT_TRUE(h.ok()) << h.status().ToString();
  if (!h.ok()) return nullptr;
  (*h)->engine().Start();
  return std::move(h).value();
}

RunOutcome RunToRest(EngineHarness& h, const std::string& workflow, const Json& input) {
  Result<std::string> id = h.engine().StartRun(workflow, input);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  if (!id.ok()) return {};
  std::optional<RunOutcome> outcome = h.Wait(*id);
  EXPECT_TRUE(outcome.has_value()) << "run " << *id << " never came to rest";
  return outcome.value_or(RunOutcome{});
}

// Counts calls and remembers the repair hints on the way to another model.
class CountingModel : public Model {
 public:
  explicit CountingModel(std::unique_ptr<Model> inner) : inner_(std::move(inner)) {}
  std::string name() const override { return inner_->name(); }
  void Generate(const ModelRequest& request, ModelCallback done) override {
    ++calls_;
    if (!request.repair_hint.empty()) ++repairs_;
    inner_->Generate(request, std::move(done));
  }
  int calls() const { return calls_; }
  int repairs() const { return repairs_; }

 private:
  std::unique_ptr<Model> inner_;
  std::atomic<int> calls_{0};
  std::atomic<int> repairs_{0};
};

std::shared_ptr<CountingModel> ScriptedBadScores() {
  auto scripted =
      ScriptedModel::Load(std::string(kBadRuntime) + "/recordings/bad_scores.jsonl", nullptr, 0);
  EXPECT_TRUE(scripted.ok()) << scripted.status().ToString();
  if (!scripted.ok()) return nullptr;
  return std::make_shared<CountingModel>(std::move(scripted).value());
}

Span ModelSpan(Store& store, const std::string& run_id) {
  Result<std::vector<Span>> spans = store.LoadSpans(run_id);
  if (!spans.ok()) {
    ADD_FAILURE() << spans.status().ToString();
    return {};
  }
  for (const Span& s : *spans) {
    if (s.kind == "model") return s;
  }
  ADD_FAILURE() << "no model span for run " << run_id;
  return {};
}

TEST(EngineBadInputTest, InputFailingTheSchemaIsRefusedAndNothingIsWritten) {
  auto h = OpenOrDie(HarnessOptions{});
  ASSERT_TRUE(h);
  Result<std::string> wrong_type = h->engine().StartRun("crash_flow", {{"n", "seven"}});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_EQ(wrong_type.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong_type.status().message().find("crash_flow"), std::string::npos)
      << wrong_type.status().message();
  EXPECT_NE(wrong_type.status().message().find("/n: expected integer"), std::string::npos)
      << wrong_type.status().message();

  Result<std::string> extra = h->engine().StartRun("crash_flow", {{"n", 1}, {"surprise", true}});
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(extra.status().message().find("surprise"), std::string::npos)
      << extra.status().message();

  Result<std::string> missing = h->engine().EnqueueRun("crash_flow", Json::object());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);

  Result<std::string> unknown = h->engine().StartRun("no_such_flow", {{"n", 1}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("no_such_flow"), std::string::npos);

  h->store().Flush();
  EXPECT_EQ(*h->store().CountRuns(std::nullopt), 0);
  EXPECT_EQ(h->engine().ActiveRuns(), 0u);
}

TEST(EngineBadInputTest, UnknownAccountFailsTheRunNamingIt) {
  HarnessOptions options;
  options.project = "examples/sales";
  options.crm = true;
  auto h = OpenOrDie(options);
  ASSERT_TRUE(h);
  RunOutcome outcome = RunToRest(*h, "renewal_prep", {{"account_id", "A-9999"}});
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  EXPECT_NE(outcome.error.find("A-9999"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("not found"), std::string::npos) << outcome.error;
  // The failure stopped the run at the prep node: no agent ran, nothing parked
  // for a human, no state vector, no side effect in the CRM.
  EXPECT_TRUE(EventsOf(h->store(), outcome.run_id, EventType::kNodeCompleted, "risk").empty());
  EXPECT_EQ(EventsOf(h->store(), outcome.run_id, EventType::kNodeFailed).size(), 1u);
  EXPECT_TRUE(h->store().ListApprovals(std::nullopt)->empty());
  EXPECT_FALSE(h->store().GetState("A-9999")->has_value());
  EXPECT_EQ(*h->crm()->CountSideEffects("discount_requests"), 0);
  EXPECT_EQ(*h->crm()->CountSideEffects("email_drafts"), 0);
  Result<RunRecord> row = h->store().GetRun(outcome.run_id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->status, RunStatus::kFailed);
  EXPECT_EQ(row->error, outcome.error);
}

TEST(EngineBadInputTest, PromptReadingAMissingFieldFailsNamingTheTemplate) {
  HarnessOptions options;
  options.project = kBadRuntime;
  auto h = OpenOrDie(options);
  ASSERT_TRUE(h);
  RunOutcome outcome = RunToRest(*h, "greet", {{"name", "Acme"}});
  EXPECT_EQ(outcome.status, RunStatus::kFailed);
  EXPECT_NE(outcome.error.find("prompts/greeter.mustache"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("nickname"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("greeting"), std::string::npos)
      << "names the node: " << outcome.error;
  EXPECT_TRUE(EventsOf(h->store(), outcome.run_id, EventType::kNodeCompleted).empty());
}

TEST(EngineBadInputTest, ModelOutputBreakingTheSchemaIsRepairedOnceThenFallsBack) {
  std::shared_ptr<CountingModel> model = ScriptedBadScores();
  ASSERT_TRUE(model);
  HarnessOptions options;
  options.project = kBadRuntime;
  options.model = model;
  auto h = OpenOrDie(options);
  ASSERT_TRUE(h);
  RunOutcome outcome = RunToRest(*h, "score", {{"name", "Acme"}});
  ASSERT_EQ(outcome.status, RunStatus::kSucceeded) << outcome.error;
  EXPECT_EQ(outcome.result, Json({{"score", 3}})) << "the agent's fallback";
  EXPECT_EQ(model->calls(), 2) << "one call and one repair, no more";
  EXPECT_EQ(model->repairs(), 1);
  Span span = ModelSpan(h->store(), outcome.run_id);
  EXPECT_EQ(span.attrs.value("fallback", false), true) << span.attrs.dump();
  EXPECT_NE(span.attrs.value("schema_error", "").find("score"), std::string::npos)
      << span.attrs.dump();
  EXPECT_EQ(span.attrs.value("tokens_in", 0), 20) << "both calls are counted";
}

TEST(EngineBadInputTest, FallbackBreakingTheSchemaTooEscalates) {
  std::shared_ptr<CountingModel> model = ScriptedBadScores();
  ASSERT_TRUE(model);
  HarnessOptions options;
  options.project = kBadRuntime;
  options.model = model;
  auto h = OpenOrDie(options);
  ASSERT_TRUE(h);
  RunOutcome outcome = RunToRest(*h, "score_broken", {{"name", "Acme"}});
  EXPECT_EQ(outcome.status, RunStatus::kEscalated);
  EXPECT_NE(outcome.error.find("broken_scorer"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find("schema"), std::string::npos) << outcome.error;
  EXPECT_EQ(model->calls(), 2);
  std::vector<Event> escalated = EventsOf(h->store(), outcome.run_id, EventType::kEscalated);
  ASSERT_EQ(escalated.size(), 1u);
  EXPECT_EQ(escalated[0].node, "rate");
  EXPECT_FALSE(escalated[0].payload["evidence"].value("schema_error", "").empty());
  EXPECT_TRUE(EventsOf(h->store(), outcome.run_id, EventType::kNodeCompleted).empty());
}

}  // namespace
}  // namespace keel
