#include "project/project_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "project/internal/fixture_test_util.h"

namespace keel {
namespace {

using project_test::FixtureDiagnostics;
using project_test::FixturePath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class ValidProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = LoadProject(FixturePath("valid"), {}, &diagnostics_);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message();
    project_ = std::move(loaded).value();
  }
  std::vector<Diagnostic> diagnostics_;
  Project project_;
};

TEST_F(ValidProjectTest, LoadsWithoutDiagnostics) {
  EXPECT_THAT(diagnostics_, IsEmpty());
  EXPECT_TRUE(std::filesystem::path(project_.root).is_absolute());
  EXPECT_EQ(std::filesystem::path(project_.root).filename(), "valid");
}

TEST_F(ValidProjectTest, ReadsTheConfig) {
  const ProjectConfig& config = project_.config;
  EXPECT_EQ(config.name, "fixture_valid");
  EXPECT_EQ(config.store_path, ".keel/test.db");
  EXPECT_EQ(config.crm_path, ".keel/crm.db");
  EXPECT_EQ(config.model_provider, "scripted");
  EXPECT_EQ(config.scripted_file, "recordings/renewal.jsonl");
  EXPECT_EQ(config.scripted_latency_ms, 5);
  ASSERT_EQ(config.tiers.size(), 2u);
  ASSERT_EQ(config.tiers.at("medium").size(), 2u);
  EXPECT_EQ(config.tiers.at("medium")[0].provider, "scripted");
  EXPECT_EQ(config.tiers.at("medium")[0].model, "m-1");
  EXPECT_EQ(config.tiers.at("medium")[1].provider, "offline");
  EXPECT_EQ(config.lease_s, 20);
  EXPECT_EQ(config.worker_threads, 2);
  EXPECT_EQ(config.max_runs_in_flight, 500);
}

TEST_F(ValidProjectTest, CompilesToolsWithTheirSchemas) {
  ASSERT_EQ(project_.tools.size(), 3u);
  const ToolDef* email = project_.FindTool("email.send");
  ASSERT_NE(email, nullptr);
  EXPECT_EQ(email->risk, ToolRisk::kHigh);
  EXPECT_TRUE(email->side_effects);
  EXPECT_FALSE(email->idempotent);
  EXPECT_EQ(email->kind, "builtin");
  EXPECT_EQ(email->location.file, "tools/send_email.yaml");
  ASSERT_NE(email->input, nullptr);
  EXPECT_FALSE(email->input->Validate(Json::object()).ok());
  EXPECT_TRUE(email->input->Validate(Json{{"to", "a@b.c"}}).ok());
  const ToolDef* usage = project_.FindTool("analytics.get_usage_trend");
  ASSERT_NE(usage, nullptr);
  EXPECT_EQ(usage->input_schema["properties"]["days"]["minimum"], 1);
  EXPECT_FALSE(usage->input->Validate(Json{{"account_id", "A"}, {"days", 0}}).ok());
}

TEST_F(ValidProjectTest, CompilesAgents) {
  const AgentDef* risk = project_.FindAgent("risk_classifier");
  ASSERT_NE(risk, nullptr);
  EXPECT_EQ(risk->tier, "small");
  EXPECT_EQ(risk->prompt_file, "prompts/risk_classifier.mustache");
  ASSERT_NE(risk->prompt, nullptr);
  EXPECT_EQ(risk->inputs, (std::vector<std::string>{"account", "usage"}));
  EXPECT_EQ(risk->tools, (std::vector<std::string>{"crm.get_account"}));
  ASSERT_NE(risk->output, nullptr);
  EXPECT_TRUE(risk->output->Validate(Json{{"level", "low"}}).ok());
  ASSERT_FALSE(risk->fallback.empty());
  Json scope = {{"account", {{"health_score", 40}}}, {"usage", Json::object()}};
  auto fallback = risk->fallback.Evaluate(ExprContext{&scope, 0});
  ASSERT_TRUE(fallback.ok()) << fallback.error().message();
  EXPECT_EQ((*fallback)["level"], "high");
  auto prompt = risk->prompt->Render(Json{{"account", {{"name", "Acme"}}}}, project_.partials);
  ASSERT_TRUE(prompt.ok());
  EXPECT_THAT(*prompt, HasSubstr("Answer in JSON."));  // the footer partial
}

TEST_F(ValidProjectTest, EveryPromptIsAPartialByStem) {
  EXPECT_EQ(project_.partials.size(), 6u);
  EXPECT_EQ(project_.partials.at("footer"), "Answer in JSON.\n");
  EXPECT_EQ(project_.partials.count("brief"), 1u);
}

TEST_F(ValidProjectTest, CompilesTheWorkflowWithEveryNodeKind) {
  const WorkflowDef* workflow = project_.FindWorkflow("renewal_prep");
  ASSERT_NE(workflow, nullptr);
  EXPECT_EQ(workflow->file, "workflows/renewal.yaml");
  ASSERT_NE(workflow->input, nullptr);
  ASSERT_NE(workflow->entity_key, nullptr);
  EXPECT_EQ(workflow->entity_key->source(), "input.account_id");
  ASSERT_NE(workflow->state, nullptr);
  std::vector<std::string> kinds;
  for (const NodeDef& node : workflow->nodes) kinds.push_back(NodeKindName(node.kind));
  EXPECT_THAT(kinds, ElementsAre("parallel", "llm", "map", "route", "optimize", "approval",
                                 "verify", "tool", "finalize", "escalate"));
}

TEST_F(ValidProjectTest, ReadsEachKindsFields) {
  const std::vector<NodeDef>& nodes = project_.FindWorkflow("renewal_prep")->nodes;
  const NodeDef& prep = nodes[0];
  ASSERT_EQ(prep.branches.size(), 2u);
  EXPECT_EQ(prep.branches[1].id, "usage");
  EXPECT_EQ(prep.branches[1].tool, "analytics.get_usage_trend");
  EXPECT_EQ(prep.location.line, 7);
  EXPECT_EQ(prep.location.col, 5);
  EXPECT_EQ(nodes[1].agent, "risk_classifier");
  const NodeDef& notes = nodes[2];
  EXPECT_EQ(notes.as, "contact");
  EXPECT_EQ(notes.max_concurrency, 2);
  ASSERT_EQ(notes.body.size(), 1u);
  EXPECT_EQ(notes.body[0].kind, NodeKind::kLlm);
  const NodeDef& pick = nodes[3];
  ASSERT_EQ(pick.routes.size(), 1u);
  EXPECT_EQ(pick.routes[0].next, "escalate_now");
  EXPECT_EQ(pick.default_next, "offer");
  const NodeDef& offer = nodes[4];
  EXPECT_EQ(offer.generator, "discount_proposer");
  EXPECT_EQ(offer.criteria, (std::vector<std::string>{"margin_impact", "retention_lift"}));
  EXPECT_EQ(offer.threshold, 4);
  EXPECT_EQ(offer.max_iterations, 3);
  EXPECT_EQ(nodes[5].on_reject, "escalate");
  EXPECT_EQ(nodes[5].on_expiry, "fail");
  ASSERT_EQ(nodes[6].checks.size(), 2u);
  EXPECT_EQ(nodes[6].checks[0].message, "discount above 20% policy cap");
  EXPECT_EQ(nodes[6].checks[1].message, "len(notes) >= 0");  // defaults to the expression
  EXPECT_EQ(nodes[6].on_fail, "escalate_now");
  EXPECT_NE(nodes[8].brief_template, nullptr);
  EXPECT_EQ(nodes[9].queue, "account_managers");
}

TEST_F(ValidProjectTest, ValueTemplatesKeepYamlTypes) {
  const NodeDef& usage = project_.FindWorkflow("renewal_prep")->nodes[0].branches[1];
  Json scope = {{"input", {{"account_id", "A-1"}}}};
  auto args = usage.args.Evaluate(ExprContext{&scope, 0});
  ASSERT_TRUE(args.ok()) << args.error().message();
  EXPECT_EQ(*args, (Json{{"account_id", "A-1"}, {"days", 90}}));
}

TEST(LoadProjectTest, MissingFolderIsOneDiagnostic) {
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadProject("tests/fixtures/projects/no_such_project", {}, &diagnostics);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), StatusCode::kInvalidArgument);
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0].ToString(),
            "tests/fixtures/projects/no_such_project: project folder does not exist");
}

TEST(LoadProjectTest, ErrorMessageJoinsEveryDiagnostic) {
  std::vector<Diagnostic> diagnostics;
  auto loaded = LoadProject(FixturePath("many_errors"), {}, &diagnostics);
  ASSERT_FALSE(loaded.ok());
  ASSERT_GE(diagnostics.size(), 2u);
  std::string joined;
  for (const Diagnostic& d : diagnostics) joined += (joined.empty() ? "" : "\n") + d.ToString();
  EXPECT_EQ(loaded.error().message(), joined);
}

TEST(LoadProjectTest, ReportsEveryProblemInOneProject) {
  EXPECT_THAT(
      FixtureDiagnostics("many_errors"),
      ElementsAre(
          "keel.yaml:2:1: unknown field 'stor' in keel.yaml (did you mean 'store'?)",
          "tools/lookup.yaml:3:7: unknown risk 'severe' (expected low, medium or high)",
          "agents/writer.yaml:2:7: unknown tier 'huge' (expected small, medium or large)",
          "agents/writer.yaml:5:17: unknown tool 'crm.nothing' in the allowlist",
          "workflows/flow.yaml:6:5: unknown field 'agnet' in an llm node (did you mean 'agent'?)",
          "workflows/flow.yaml:4:5: missing required field 'agent' in an llm node",
          "workflows/flow.yaml:8:11: unknown node kind 'lm' (did you mean 'llm'?)",
          "workflows/flow.yaml:12:11: 'next' names unknown node 'nowhere'",
          "workflows/flow.yaml:17:9: node 'orphan' is unreachable from the first node 'first'"));
}

}  // namespace
}  // namespace keel
