// `keel models check` and keeping API keys secret, end to end: the keel
// binary against the protocol test server on 127.0.0.1 (an ephemeral port).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cli_test_util.h"
#include "model_server.h"

namespace keel::testing {
namespace {

constexpr char kKey[] = "sk-canary-31337-do-not-leak";
constexpr char kAnthropicKey[] = "sk-ant-canary-27182-do-not-leak";

class CliModelsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
    ModelServerOptions options;
    options.api_key = kKey;
    server_ = std::make_unique<ModelTestServer>(options);
    ASSERT_TRUE(server_->Start().ok());
    project_ = std::make_unique<TempProject>("examples/sales");
  }

  // Replaces the sales pack's offline tiers with `tiers` (YAML) and adds the
  // providers' settings pointing at the test server.
  void Configure(const std::string& tiers) {
    std::string yaml = ReadFileBytes(project_->File("keel.yaml"));
    size_t start = yaml.find("tiers:\n");
    size_t end = yaml.find("defaults:");
    ASSERT_NE(start, std::string::npos);
    ASSERT_NE(end, std::string::npos);
    std::string models = "tiers:\n" + tiers +
                         "providers:\n"
                         "  openai: {base_url: \"" +
                         server_->base_url() +
                         "/v1\", max_attempts: 1}\n"
                         "  anthropic: {base_url: \"" +
                         server_->base_url() + "\", api_key: \"" + kAnthropicKey +
                         "\", max_attempts: 1}\n"
                         "model_breaker: {failures: 3, cooldown_ms: 60000}\n";
    yaml.replace(start, end - start, models);
    std::ofstream(project_->File("keel.yaml")) << yaml;
  }

  ProcessResult Keel(std::vector<std::string> args) {
    args.insert(args.end(), {"--project", project_->path()});
    ProcessResult r = RunKeel(args, {std::string("OPENAI_API_KEY=") + kKey});
    outputs_ += r.out + r.err;
    return r;
  }

  static void ExpectNoKey(const std::string& text, const std::string& where) {
    EXPECT_EQ(text.find(kKey), std::string::npos) << "the OpenAI key leaked into " << where;
    EXPECT_EQ(text.find(kAnthropicKey), std::string::npos)
        << "the Anthropic key leaked into " << where;
  }

  std::unique_ptr<ModelTestServer> server_;
  std::unique_ptr<TempProject> project_;
  std::string outputs_;  // every stdout and stderr so far
};

TEST_F(CliModelsTest, CheckReportsEachEntryAndFailsWhenATierHasNoWorkingEntry) {
  Configure(
      "  small: [{provider: openai, model: gpt-test}, {provider: offline}]\n"
      "  medium: [{provider: anthropic, model: claude-test}]\n"
      "  large: [{provider: openai, model: gpt-test}]\n");
  ProcessResult r = Keel({"models", "check", "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  Json report = ParseJsonOutput(r.out);
  ASSERT_FALSE(report.is_discarded()) << r.out << r.err;
  EXPECT_FALSE(report["ok"]);
  ASSERT_EQ(report["tiers"].size(), 3u);
  EXPECT_EQ(report["tiers"][0]["tier"], "small");
  EXPECT_TRUE(report["tiers"][0]["entries"][0]["ok"]) << report.dump(2);
  EXPECT_GT(report["tiers"][0]["entries"][0]["tokens_in"].get<int64_t>(), 0);
  EXPECT_EQ(report["tiers"][1]["entries"][0]["error"], "auth");
  EXPECT_TRUE(report["tiers"][2]["ok"]);
  ExpectNoKey(outputs_, "the output of models check");
}

TEST_F(CliModelsTest, CheckPassesWhenEveryTierHasAWorkingEntry) {
  Configure(
      "  small: [{provider: anthropic, model: claude-test}, {provider: offline}]\n"
      "  medium: [{provider: openai, model: gpt-test}]\n"
      "  large: [{provider: offline}]\n");
  ProcessResult r = Keel({"models", "check"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("openai/gpt-test"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("auth"), std::string::npos) << "the failing entry is listed: " << r.out;
}

// A run against the server with faults (401, 500) and a cassette: the keys
// appear in no output, span, event, store file or cassette. The OpenAI key
// comes from the environment, the Anthropic one from keel.yaml (the server
// quotes a wrong key in its 401 message; `models check` meets that).
TEST_F(CliModelsTest, KeysNeverLeakIntoOutputStoreTracesOrCassettes) {
  Configure(
      "  small: [{provider: openai, model: gpt-test}, {provider: offline}]\n"
      "  medium: [{provider: openai, model: gpt-test}, {provider: offline}]\n"
      "  large: [{provider: anthropic, model: claude-test}, {provider: offline}]\n");
  server_->PushFault({FaultKind::kUnauthorized});
  for (int i = 0; i < 4; ++i) server_->PushFault({FaultKind::kServerError});
  std::string cassette = project_->File("cassette.jsonl");
  ProcessResult run = Keel({"run", "renewal_prep", "--input", R"({"account_id": "A-1042"})",
                            "--record", cassette, "--json"});
  ASSERT_TRUE(run.exit_code == 0 || run.exit_code == 4) << run.out << run.err;
  Json out = ParseJsonOutput(run.out);
  ASSERT_FALSE(out.is_discarded()) << run.out << run.err;
  std::string run_id = out.value("run_id", "");
  ASSERT_FALSE(run_id.empty()) << run.out;
  EXPECT_GT(server_->request_count(), 0) << "the tiers reached the server";

  Keel({"runs", "show", run_id, "--json"});
  Keel({"trace", run_id});
  Keel({"models", "check", "--json"});
  ExpectNoKey(outputs_, "command output");
  ExpectNoKey(ReadFileBytes(cassette), "the cassette");
  EXPECT_FALSE(ReadFileBytes(cassette).empty()) << "the run recorded its model exchanges";
  std::string store;
  for (const auto& entry : std::filesystem::directory_iterator(project_->File(".keel"))) {
    std::string bytes = ReadFileBytes(entry.path().string());
    ExpectNoKey(bytes, entry.path().filename().string());
    store += bytes;
  }
  // The faults were met: the run's model spans name the entries that failed over.
  EXPECT_NE(store.find("openai/gpt-test: auth"), std::string::npos);
  EXPECT_NE(store.find("openai/gpt-test: server_error"), std::string::npos);
}

}  // namespace
}  // namespace keel::testing
