#include "models/scripted_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "models/offline_model.h"
#include "project/definitions.h"

namespace keel {
namespace {

// Collects timers instead of waiting, so the test decides when time passes.
class ManualTimers : public TimerService {
 public:
  void After(int64_t delay_us, std::function<void()> fn) override {
    delays.push_back(delay_us);
    pending.push_back(std::move(fn));
  }
  void FireAll() {
    auto fns = std::move(pending);
    pending.clear();
    for (auto& fn : fns) fn();
  }
  std::vector<int64_t> delays;
  std::vector<std::function<void()>> pending;
};

// A cassette file for one test, removed when the test ends.
class Cassette {
 public:
  explicit Cassette(const std::string& text)
      : path_((std::filesystem::temp_directory_path() /
               ("keel-scripted-" + std::to_string(getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".jsonl"))
                  .string()) {
    std::ofstream(path_) << text;
  }
  ~Cassette() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

AgentDef Agent(const std::string& name) {
  AgentDef a;
  a.name = name;
  return a;
}

TEST(ScriptedModelTest, ConfiguredLatencyOverridesRecordedLatency) {
  Cassette cassette("{\"agent\":\"risk\",\"output\":{},\"latency_ms\":5}\n");
  ManualTimers timers;
  auto model = ScriptedModel::Load(cassette.path(), &timers, 1000);
  ASSERT_TRUE(model.ok());
  AgentDef agent = Agent("risk");
  (*model)->Generate(ModelRequest{&agent, "", Json::object(), ""}, [](Result<ModelReply>) {});
  ASSERT_EQ(timers.delays.size(), 1u);
  EXPECT_EQ(timers.delays[0], 1'000'000);
}

TEST(ScriptedModelTest, ReplaysByInputHashThenWildcardAfterLatency) {
  Json specific_inputs = {{"account", "A-1042"}};
  Cassette cassette(
      "{\"agent\":\"risk\",\"input_hash\":\"" + ScriptedModel::InputHash(specific_inputs) +
      "\",\"output\":{\"level\":\"high\"},\"usage\":{\"input_tokens\":10,\"output_tokens\":3}}\n"
      "\n"
      "{\"agent\":\"risk\",\"output\":{\"level\":\"low\"},\"latency_ms\":5}\n");
  ManualTimers timers;
  auto model = ScriptedModel::Load(cassette.path(), &timers, 0);  // recorded latencies apply
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  AgentDef agent = Agent("risk");

  std::vector<ModelReply> replies;
  auto collect = [&](Result<ModelReply> r) {
    ASSERT_TRUE(r.ok());
    replies.push_back(*r);
  };
  (*model)->Generate(ModelRequest{&agent, "", specific_inputs, ""}, collect);
  (*model)->Generate(ModelRequest{&agent, "", Json{{"account", "A-7"}}, ""}, collect);
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_EQ(timers.delays.size(), 1u);     // the first line recorded no latency: answered inline
  EXPECT_EQ(timers.delays[0], 5'000);      // the wildcard line's own latency
  timers.FireAll();
  ASSERT_EQ(replies.size(), 2u) << "the second reply waits on the timer, not inline";
  // Replayed outputs come back as text, for the caller to parse off the loop.
  EXPECT_EQ(Json::parse(replies[0].output_text)["level"], "high");
  EXPECT_EQ(replies[0].usage.input_tokens, 10);
  EXPECT_EQ(Json::parse(replies[1].output_text)["level"], "low");
}

TEST(ScriptedModelTest, UnknownAgentFailsWithNoRecording) {
  Cassette cassette("{\"agent\":\"risk\",\"output\":{}}\n");
  auto model = ScriptedModel::Load(cassette.path(), nullptr, 0);
  ASSERT_TRUE(model.ok());
  AgentDef agent = Agent("other");
  Status status;
  (*model)->Generate(ModelRequest{&agent, "", Json::object(), ""},
                     [&](Result<ModelReply> r) { status = r.status(); });
  EXPECT_EQ(status.type(), "no_recording");
}

TEST(ScriptedModelTest, MalformedLineNamesFileAndLine) {
  Cassette cassette("{\"agent\":\"a\",\"output\":{}}\nnot json\n");
  auto model = ScriptedModel::Load(cassette.path(), nullptr, 0);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find(cassette.path() + ":2:"), std::string::npos)
      << model.status().message();
  EXPECT_EQ(ScriptedModel::Load("/nonexistent/x.jsonl", nullptr, 0).status().code(),
            StatusCode::kNotFound);
}

TEST(OfflineModelTest, AnswersWithTheAgentsFallback) {
  AgentDef agent = Agent("risk");
  auto fallback = ValueExpression::Parse(Json{{"level", "health < 50 ? 'high' : 'low'"}});
  ASSERT_TRUE(fallback.ok());
  agent.fallback = *fallback;
  OfflineModel model(Clock::Real());
  std::vector<std::string> levels;
  for (int health : {30, 80}) {
    model.Generate(ModelRequest{&agent, "", Json{{"health", health}}, ""},
                   [&](Result<ModelReply> r) {
                     ASSERT_TRUE(r.ok());
                     EXPECT_TRUE(r->from_fallback);
                     levels.push_back(r->output["level"]);
                   });
  }
  EXPECT_EQ(levels, (std::vector<std::string>{"high", "low"}));
  AgentDef bare = Agent("bare");
  model.Generate(ModelRequest{&bare, "", Json::object(), ""}, [](Result<ModelReply> r) {
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  });
}

}  // namespace
}  // namespace keel
