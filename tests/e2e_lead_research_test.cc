// The sales pack's lead research end to end through the real keel binary:
// CRM-backed built-ins, HTTP tools against the local fixture server (news and
// funding, in parallel), the lead written back under optimistic locking and
// the rep's task created; plus the egress allowlist and secret handling.
#include <gtest/gtest.h>

#include "cli_test_util.h"
#include "crm/sales_desk.h"
#include "fixture_server.h"

namespace keel::testing {
namespace {

constexpr int kExitOk = 0;
constexpr char kToken[] = "fixture-token-9b1e";

class E2eLeadResearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
    project_ = std::make_unique<TempProject>("examples/sales");
    ASSERT_GT(server_.Start(), 0);
  }

  ProcessResult Run(const std::string& lead_id, const std::string& base_url) {
    return RunKeel({"run", "lead_research", "--input", Json{{"lead_id", lead_id}}.dump(),
                    "--project", project_->path(), "--json"},
                   {"SALES_DATA_URL=" + base_url, std::string("SALES_DATA_TOKEN=") + kToken});
  }

  Json Keel(std::vector<std::string> args) {
    args.insert(args.end(), {"--project", project_->path(), "--json"});
    ProcessResult r = RunKeel(args);
    EXPECT_EQ(r.exit_code, kExitOk) << r.out << r.err;
    Json out = ParseJsonOutput(r.out);
    return out.is_discarded() ? Json::object() : out;
  }

  FixtureServer server_{"tests/fixtures/http"};
  std::unique_ptr<TempProject> project_;
};

TEST_F(E2eLeadResearchTest, ResearchesTheLeadAndWritesItBack) {
  ProcessResult r = Run("L-1042", server_.base_url());
  ASSERT_EQ(r.exit_code, kExitOk) << r.out << r.err;
  Json done = ParseJsonOutput(r.out);
  ASSERT_FALSE(done.is_discarded()) << r.out;
  EXPECT_EQ(done["status"], "succeeded") << done.dump();
  const Json& output = done["result"]["output"];
  EXPECT_EQ(output["company"], "Cobalt Defense Inc");
  EXPECT_EQ(output["status"], "researched");
  EXPECT_EQ(output["funding_stage"], "Series C");
  EXPECT_EQ(output["articles"], 2);
  EXPECT_EQ(output["lead_version"], 2);
  EXPECT_EQ(server_.requests(), 2);  // news and funding, once each

  auto desk = SalesDesk::Open(project_->File(".keel/crm.db"));
  ASSERT_TRUE(desk.ok()) << desk.status().ToString();
  Result<Json> lead = (*desk)->ReadLead("L-1042");
  ASSERT_TRUE(lead.ok());
  EXPECT_EQ((*lead)["version"], 2);
  EXPECT_EQ((*lead)["fields"]["funding_stage"], "Series C");
  std::string notes = (*lead)["fields"]["research_notes"];
  EXPECT_NE(notes.find("latest: Cobalt Defense opens a European security operations centre"),
            std::string::npos)
      << notes;
  EXPECT_EQ(*(*desk)->Count("tasks"), 1);

  // The credential reached the data service, but no trace or event holds it.
  std::string run_id = done.value("run_id", "");
  std::string recorded = Keel({"trace", run_id}).dump() + Keel({"runs", "show", run_id}).dump();
  EXPECT_EQ(recorded.find(kToken), std::string::npos);

  // A second run reads the new version, so its update does not conflict.
  ProcessResult again = Run("L-1042", server_.base_url());
  ASSERT_EQ(again.exit_code, kExitOk) << again.out << again.err;
  EXPECT_EQ(ParseJsonOutput(again.out)["result"]["output"]["lead_version"], 3);
}

TEST_F(E2eLeadResearchTest, AHostOffTheAllowlistIsRefusedBeforeAnyConnection) {
  // 127.0.0.2 reaches this machine too, but keel.yaml allows only 127.0.0.1.
  std::string elsewhere =
      "http://127.0.0.2:" + server_.base_url().substr(server_.base_url().rfind(':') + 1);
  ProcessResult r = Run("L-1042", elsewhere);
  EXPECT_NE(r.exit_code, kExitOk);
  EXPECT_NE((r.out + r.err).find("not on the egress allowlist"), std::string::npos)
      << r.out << r.err;
  EXPECT_EQ(server_.requests(), 0);
}

}  // namespace
}  // namespace keel::testing
