// keel.yaml's tiers, providers, prices and model breaker.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "project/project_loader.h"

namespace keel {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

class ModelConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("keel_model_config_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result<Project> Load(const std::string& yaml, std::vector<std::string>* messages) {
    std::ofstream(dir_ / "keel.yaml") << yaml;
    std::vector<Diagnostic> diagnostics;
    Result<Project> project = LoadProject(dir_.string(), {}, &diagnostics);
    for (const Diagnostic& d : diagnostics) messages->push_back(d.ToString());
    return project;
  }

  fs::path dir_;
};

TEST_F(ModelConfigTest, ReadsChainsProvidersPricesAndBreaker) {
  std::vector<std::string> messages;
  Result<Project> project = Load(R"(name: t
tiers:
  small:
    - {provider: openai, model: gpt-4o-mini}
    - {provider: anthropic, model: claude-3-5-haiku}
    - {provider: offline}
providers:
  openai: {base_url: "http://127.0.0.1:9/v1", max_connections_per_host: 7, max_attempts: 2,
           total_timeout_ms: 5000}
  anthropic: {stream: true}
prices:
  gpt-4o-mini: {input: 1.5, output: 6}
model_breaker: {failures: 2, cooldown_ms: 100}
)",
                                 &messages);
  ASSERT_TRUE(project.ok()) << ::testing::PrintToString(messages);
  const ProjectConfig& config = project->config;
  const std::vector<TierTarget>& small = config.tiers.at("small");
  ASSERT_EQ(small.size(), 3u);
  EXPECT_EQ(small[0].provider, "openai");
  EXPECT_EQ(small[0].model, "gpt-4o-mini");
  EXPECT_EQ(small[1].provider, "anthropic");
  EXPECT_EQ(small[2].provider, "offline");
  const ProviderSettings& openai = config.models.providers.at("openai");
  EXPECT_EQ(openai.base_url, "http://127.0.0.1:9/v1");
  EXPECT_EQ(openai.max_connections_per_host, 7);
  EXPECT_EQ(openai.max_attempts, 2);
  EXPECT_EQ(openai.total_timeout_ms, 5000);
  EXPECT_TRUE(config.models.providers.at("anthropic").stream);
  EXPECT_EQ(config.models.prices["gpt-4o-mini"]["output"], 6.0);
  EXPECT_EQ(config.models.breaker.failures, 2);
  EXPECT_EQ(config.models.breaker.cooldown_ms, 100);
}

TEST_F(ModelConfigTest, ReportsBadProviderAndPriceSettings) {
  std::vector<std::string> messages;
  Result<Project> project = Load(R"(name: t
providers:
  openia: {}
  openai: {max_attempts: 0, base_url: [1]}
prices:
  gpt-4o: {input: -1, outptu: 2}
)",
                                 &messages);
  EXPECT_FALSE(project.ok());
  EXPECT_THAT(messages,
              ElementsAre("keel.yaml:3:3: unknown provider 'openia' under 'providers' (openai, "
                          "anthropic)",
                          ::testing::HasSubstr("base_url"),
                          ::testing::HasSubstr("'max_attempts' must be an integer >= 1"),
                          ::testing::HasSubstr("unknown field 'outptu'"),
                          ::testing::HasSubstr("'input' must be a number >= 0")));
}

}  // namespace
}  // namespace keel
