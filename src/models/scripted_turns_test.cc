// Agent turns in cassettes: the scripted model replays them by (agent,
// inputs, turn), or by a phrase of the prompt for hand-written scripts; the
// recording model writes what the scripted one replays.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/clock.h"
#include "models/recording_model.h"
#include "models/scripted_model.h"
#include "project/definitions.h"

namespace keel {
namespace {

std::string TempPath(const std::string& stem) {
  return (std::filesystem::temp_directory_path() /
          ("keel-turns-" + std::to_string(getpid()) + "-" + stem + ".jsonl"))
      .string();
}

Result<TurnReply> Replay(Model& model, const AgentDef& agent, const Json& inputs, int turn,
                         const std::string& prompt = "") {
  TurnRequest request;
  request.agent = &agent;
  request.inputs = inputs;
  request.turn = turn;
  request.messages.push_back(ChatMessage::User(prompt));
  std::optional<Result<TurnReply>> got;
  model.Turn(request, [&got](Result<TurnReply> r) { got = std::move(r); });
  EXPECT_TRUE(got.has_value()) << "no latency configured: the reply is immediate";
  return got.value_or(Status(StatusCode::kInternal, "no reply"));
}

class ScriptedTurnsTest : public ::testing::Test {
 protected:
  void SetUp() override { agent_.name = "handler"; }
  void TearDown() override { std::filesystem::remove(path_); }
  std::unique_ptr<ScriptedModel> Load(const std::string& text) {
    std::ofstream(path_) << text;
    auto model = ScriptedModel::Load(path_, nullptr, 0);
    EXPECT_TRUE(model.ok()) << model.status().ToString();
    return model.ok() ? std::move(model).value() : nullptr;
  }

  AgentDef agent_;
  std::string path_ = TempPath(::testing::UnitTest::GetInstance()->current_test_info()->name());
};

TEST_F(ScriptedTurnsTest, PhrasesPickTheScriptAndTurnsFollowInOrder) {
  auto model = Load(
      R"({"agent":"handler","turn":1,"match":"discount","reply":{"tool_calls":[{"name":"ask","arguments":{"pct":10}}]}})"
      "\n"
      R"({"agent":"handler","turn":1,"reply":{"text":"{\"done\":false}"}})"
      "\n"
      R"({"agent":"handler","turn":2,"match":"discount","reply":{"text":"{\"done\":true}"},"usage":{"input_tokens":50}})"
      "\n");
  ASSERT_TRUE(model);
  Result<TurnReply> first = Replay(*model, agent_, {{"x", 1}}, 1, "please get a discount");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->tool_calls.size(), 1u);
  EXPECT_EQ(first->tool_calls[0].name, "ask");
  EXPECT_EQ(first->tool_calls[0].arguments["pct"], 10);
  EXPECT_FALSE(first->tool_calls[0].id.empty());  // ids are made up when a script has none
  EXPECT_EQ(first->stop_reason, "tool_use");

  Result<TurnReply> second = Replay(*model, agent_, {{"x", 1}}, 2, "please get a discount");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->text, "{\"done\":true}");
  EXPECT_EQ(second->usage.input_tokens, 50);

  // Another request: the line with no phrase answers turn 1; turn 2 has none.
  Result<TurnReply> other = Replay(*model, agent_, {{"x", 2}}, 1, "book a call");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->text, "{\"done\":false}");
  Result<TurnReply> none = Replay(*model, agent_, {{"x", 2}}, 2, "book a call");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().type(), "no_recording");
}

TEST_F(ScriptedTurnsTest, ATurnLineWithoutAReplyNamesTheLine) {
  std::ofstream(path_) << "{\"agent\":\"handler\",\"output\":{}}\n{\"agent\":\"handler\",\"turn\":1}\n";
  auto model = ScriptedModel::Load(path_, nullptr, 0);
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find(":2: a turn line needs a 'reply'"), std::string::npos)
      << model.status().message();
}

// Answers every turn with a call, then the final answer.
class TwoTurnModel : public Model {
 public:
  std::string name() const override { return "two-turn"; }
  void Generate(const ModelRequest&, ModelCallback done) override {
    done(Status(StatusCode::kInternal, "unused"));
  }
  void Turn(const TurnRequest& request, TurnCallback done) override {
    TurnReply reply;
    if (request.turn == 1) {
      reply.tool_calls.push_back({"c1", "ask", {{"pct", 5}}});
    } else {
      reply.text = "{\"done\":true}";
    }
    reply.usage.output_tokens = 7;
    done(std::move(reply));
  }
};

TEST_F(ScriptedTurnsTest, WhatIsRecordedReplaysTurnByTurn) {
  auto recorder = RecordingModel::Open(path_, std::make_shared<TwoTurnModel>(), Clock::Real());
  ASSERT_TRUE(recorder.ok());
  Json inputs = {{"account", "A-1"}};
  ASSERT_TRUE(Replay(**recorder, agent_, inputs, 1).ok());
  ASSERT_TRUE(Replay(**recorder, agent_, inputs, 2).ok());
  recorder->reset();

  auto replay = ScriptedModel::Load(path_, nullptr, 0);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  Result<TurnReply> first = Replay(**replay, agent_, inputs, 1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->tool_calls.size(), 1u);
  EXPECT_EQ(first->tool_calls[0].id, "c1");
  EXPECT_EQ(first->usage.output_tokens, 7);
  Result<TurnReply> second = Replay(**replay, agent_, inputs, 2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->text, "{\"done\":true}");
  // Keyed by the inputs: other inputs have no recording.
  EXPECT_FALSE(Replay(**replay, agent_, {{"account", "A-2"}}, 1).ok());
}

}  // namespace
}  // namespace keel
