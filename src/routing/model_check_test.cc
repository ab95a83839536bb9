// Model check against the protocol test server: working and failing entries,
// a tier with no working entry, and no key in what it reports.
#include "routing/model_check.h"

#include <gtest/gtest.h>

#include "model_server.h"

namespace keel {
namespace {

constexpr char kKey[] = "sk-check-test-9999";

TEST(ModelCheckTest, ReportsEachEntryAndTiersWithNoWorkingEntry) {
  ModelServerOptions server_options;
  server_options.api_key = kKey;
  ModelTestServer server(server_options);
  ASSERT_TRUE(server.Start().ok());
  auto loop = std::make_unique<EventLoop>(Clock::Real());
  loop->Start();

  ProjectConfig config;
  ProviderSettings openai;
  openai.base_url = server.base_url() + "/v1";
  openai.api_key = kKey;
  openai.max_attempts = 1;
  config.models.providers["openai"] = openai;
  ProviderSettings anthropic;
  anthropic.base_url = server.base_url();
  anthropic.api_key = "sk-ant-wrong-5555";
  anthropic.max_attempts = 1;
  config.models.providers["anthropic"] = anthropic;
  config.tiers["small"] = {{"openai", "gpt-test"}, {"offline", ""}};
  config.tiers["medium"] = {{"anthropic", "claude-test"}};
  ModelSetupDeps deps;
  deps.loop = loop.get();
  deps.clock = Clock::Real();
  auto resources = ModelResources::Create(config, deps);
  ASSERT_TRUE(resources.ok());

  std::vector<TierCheck> tiers = CheckModels(config, resources->get());
  loop->Stop();
  Json report = ModelCheckJson(tiers);
  EXPECT_FALSE(report["ok"]);
  ASSERT_EQ(report["tiers"].size(), 3u) << report.dump(2);
  const Json& small = report["tiers"][0];
  const Json& medium = report["tiers"][1];
  const Json& large = report["tiers"][2];
  EXPECT_EQ(large["tier"], "large");
  EXPECT_TRUE(large["ok"]) << "the default provider is offline";
  EXPECT_FALSE(medium["ok"]);
  EXPECT_EQ(medium["entries"][0]["error"], "auth");
  EXPECT_TRUE(small["ok"]);
  const Json& entry = small["entries"][0];
  EXPECT_EQ(entry["entry"], "openai/gpt-test");
  EXPECT_TRUE(entry["ok"]) << entry.dump();
  EXPECT_GT(entry["tokens_in"].get<int64_t>(), 0);
  EXPECT_GE(entry["latency_ms"].get<double>(), 0);
  EXPECT_EQ(small["entries"][1]["note"], "deterministic fallback");

  std::string text = report.dump() + ModelCheckTable(tiers);
  EXPECT_EQ(text.find("sk-ant-wrong-5555"), std::string::npos);
  EXPECT_EQ(text.find(kKey), std::string::npos);
  EXPECT_NE(ModelCheckTable(tiers).find("NO WORKING ENTRY"), std::string::npos);
  resources->reset();
}

}  // namespace
}  // namespace keel
