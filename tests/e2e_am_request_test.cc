// The sales pack's tool-calling agent end to end through the real keel
// binary: an account manager's request handled by the am_request agent, its
// model simulated by the pack's hand-written scripted turns
// (examples/sales/demo). The agent acts through the tools it may call, is
// refused the one it may not, and with no model the request goes to a person.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include <sqlite3.h>

#include "cli_test_util.h"

namespace keel::testing {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitParked = 4;  // parked or escalated: a human is needed

// Rows in `table` of the SQLite database at `path`; -1 when it cannot be read.
int64_t CountRows(const std::string& path, const std::string& table) {
  sqlite3* db = nullptr;
  int64_t n = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    std::string sql = "SELECT count(*) FROM " + table;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      n = sqlite3_column_int64(stmt, 0);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return n;
}

class E2eAmRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
    project_ = std::make_unique<TempProject>("examples/sales");
  }

  // Points the agent's tier at the simulated turns, with the offline provider behind them.
  void UseSimulatedTurns() {
    std::string path = project_->File("keel.yaml");
    std::ifstream in(path);
    std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    yaml = std::regex_replace(yaml, std::regex(R"(large: +\[\{provider: offline\}\])"),
                              "large: [{provider: scripted}, {provider: offline}]");
    yaml = std::regex_replace(yaml, std::regex(R"(  provider: offline\n)"),
                              "  provider: offline\n  scripted_file: demo/am_requests.simulated.jsonl\n");
    std::ofstream(path) << yaml;
  }

  Json Run(const std::string& account, const std::string& request, int expected_exit) {
    Json input = {{"account_id", account}, {"request", request}, {"today", "2026-11-23"}};
    ProcessResult r = RunKeel(
        {"run", "am_request", "--input", input.dump(), "--project", project_->path(), "--json"});
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    Json out = ParseJsonOutput(r.out);
    EXPECT_FALSE(out.is_discarded()) << r.out << r.err;
    return out.is_discarded() ? Json::object() : out;
  }

  std::unique_ptr<TempProject> project_;
};

TEST_F(E2eAmRequestTest, TheAgentActsWithItsToolsAndIsRefusedTheOthers) {
  UseSimulatedTurns();
  Json run = Run("A-1042",
                 "Usage fell off a cliff after their SSO migration. Open a high-severity ticket "
                 "with engineering and email Tara that we are on it.",
                 kExitOk);
  ASSERT_EQ(run.value("status", ""), "succeeded") << run.dump();
  const Json& output = run["result"]["output"];
  ASSERT_EQ(output["actions"].size(), 3u) << output.dump();
  EXPECT_EQ(output["actions"][0]["tool"], "escalate_to_engineering");
  EXPECT_EQ(output["actions"][1]["tool"], "send_email");
  EXPECT_EQ(output["actions"][1]["ok"], false);  // not the agent's to call
  EXPECT_EQ(output["actions"][2]["tool"], "draft_renewal_email");
  EXPECT_EQ(output["turns"], 3);

  // What happened in the CRM: a ticket and a draft, and nothing sent.
  std::string crm = project_->File(".keel/crm.db");
  EXPECT_EQ(CountRows(crm, "escalations"), 1);
  EXPECT_EQ(CountRows(crm, "email_drafts"), 1);
  EXPECT_EQ(CountRows(crm, "outbox"), 0);
}

TEST_F(E2eAmRequestTest, WithNoModelTheRequestGoesToAPerson) {
  Json run = Run("A-1007", "Kira asked for 10% off for two more years.", kExitParked);
  EXPECT_EQ(run.value("status", ""), "escalated") << run.dump();
  EXPECT_NE(run.dump().find("handed to a person"), std::string::npos) << run.dump();
}

}  // namespace
}  // namespace keel::testing
