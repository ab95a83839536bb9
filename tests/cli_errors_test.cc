// How the keel binary reports what it cannot do: exit 3 with a message that
// names the file, position or field for a broken project, bad input or an
// unusable store (and leaves the store untouched); exit 2 for a command line
// it cannot parse; exit 0 for help. Plus `keel init`.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "cli_test_util.h"

namespace keel::testing {
namespace {

constexpr int kExitUsage = 2;
constexpr int kExitInvalid = 3;

class CliErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (KeelBinary().empty()) GTEST_SKIP() << "KEEL_BINARY is not set (run through ctest)";
  }
};

std::string Describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\nstdout: " + r.out + "\nstderr: " + r.err;
}

TEST_F(CliErrorsTest, ValidateReportsFileLineAndColumnAndExits3) {
  ProcessResult r = RunKeel({"validate", "tests/fixtures/projects/bad_yaml"});
  EXPECT_EQ(r.exit_code, kExitInvalid) << Describe(r);
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(workflows/broken\.yaml:\d+:\d+: )")))
      << Describe(r);
  ProcessResult ok = RunKeel({"validate", "examples/sales"});
  EXPECT_EQ(ok.exit_code, 0) << Describe(ok);
}

TEST_F(CliErrorsTest, InvalidInputJsonExits3WithTheBytePosition) {
  TempProject project("examples/sales");
  ProcessResult r = RunKeel(
      {"run", "renewal_prep", "--project", project.path(), "--input", R"({"account_id": )"});
  EXPECT_EQ(r.exit_code, kExitInvalid) << Describe(r);
  EXPECT_NE(r.err.find("--input"), std::string::npos) << Describe(r);
  EXPECT_NE(r.err.find("byte 16"), std::string::npos) << Describe(r);
  ProcessResult missing = RunKeel({"run", "renewal_prep", "--project", project.path(), "--input",
                                   "@" + project.File("no_such_input.json")});
  EXPECT_EQ(missing.exit_code, kExitInvalid) << Describe(missing);
  EXPECT_NE(missing.err.find("no_such_input.json"), std::string::npos) << Describe(missing);
}

TEST_F(CliErrorsTest, InputFailingTheSchemaExits3AndStartsNothing) {
  TempProject project("examples/sales");
  ProcessResult r = RunKeel(
      {"run", "renewal_prep", "--project", project.path(), "--input", R"({"account": "A-1042"})"});
  EXPECT_EQ(r.exit_code, kExitInvalid) << Describe(r);
  EXPECT_NE(r.err.find("renewal_prep"), std::string::npos) << Describe(r);
  EXPECT_NE(r.err.find("account_id"), std::string::npos) << Describe(r);
  ProcessResult runs = RunKeel({"runs", "ls", "--project", project.path(), "--json"});
  ASSERT_EQ(runs.exit_code, 0) << Describe(runs);
  EXPECT_EQ(ParseJsonOutput(runs.out), Json::array()) << runs.out;
}

TEST_F(CliErrorsTest, UnknownWorkflowExits3) {
  TempProject project("examples/sales");
  ProcessResult r = RunKeel({"run", "renewal_perp", "--project", project.path()});
  EXPECT_EQ(r.exit_code, kExitInvalid) << Describe(r);
  EXPECT_NE(r.err.find("renewal_perp"), std::string::npos) << Describe(r);
}

TEST_F(CliErrorsTest, CorruptStoreExits3NamingTheFileAndLeavesItUnchanged) {
  TempProject project("examples/sales");
  std::string db = project.File(".keel/keel.db");
  std::filesystem::create_directories(project.File(".keel"));
  std::string garbage;
  for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 251));
  std::ofstream(db, std::ios::binary) << garbage;

  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"run", "renewal_prep", "--input", R"({"account_id":"A-1042"})"},
        std::vector<std::string>{"runs", "ls"}}) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--project", project.path()});
    ProcessResult r = RunKeel(full);
    EXPECT_EQ(r.exit_code, kExitInvalid) << args[0] << ": " << Describe(r);
    EXPECT_NE(r.err.find(".keel/keel.db"), std::string::npos) << Describe(r);
  }
  EXPECT_EQ(ReadFileBytes(db), garbage) << "keel wrote to a file it could not read";
  EXPECT_FALSE(std::filesystem::exists(db + "-wal"));
}

TEST_F(CliErrorsTest, LockedStoreExits3SayingItIsLocked) {
  TempProject project("examples/sales");
  ProcessResult first = RunKeel({"runs", "ls", "--project", project.path()});
  ASSERT_EQ(first.exit_code, 0) << Describe(first);  // creates the store
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(project.File(".keel/keel.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);

  ProcessResult r = RunKeel({"run", "renewal_prep", "--project", project.path(), "--input",
                             R"({"account_id":"A-1042"})"});
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(r.exit_code, kExitInvalid) << Describe(r);
  EXPECT_NE(r.err.find("locked"), std::string::npos) << Describe(r);
  EXPECT_NE(r.err.find(".keel/keel.db"), std::string::npos) << Describe(r);
  // Once the lock is gone, the same command works.
  ProcessResult after = RunKeel({"run", "renewal_prep", "--project", project.path(), "--input",
                                 R"({"account_id":"A-1042"})"});
  EXPECT_EQ(after.exit_code, 4) << Describe(after);
}

TEST_F(CliErrorsTest, CommandLinesKeelCannotParseExit2) {
  const std::vector<std::vector<std::string>> bad = {
      {},              // no command
      {"frobnicate"},  // unknown command
      {"run"},         // missing workflow
      {"run", "renewal_prep", "--no-such-flag"},
      {"reject", "apr_1"},  // a rejection needs a reason
      {"runs"},             // missing subcommand
  };
  for (const std::vector<std::string>& args : bad) {
    ProcessResult r = RunKeel(args);
    std::string cmd;
    for (const std::string& a : args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, kExitUsage) << "keel " << cmd << "\n" << Describe(r);
    EXPECT_FALSE(r.err.empty()) << "keel " << cmd << " said nothing";
  }
}

TEST_F(CliErrorsTest, HelpExits0) {
  ProcessResult top = RunKeel({"--help"});
  EXPECT_EQ(top.exit_code, 0) << Describe(top);
  EXPECT_NE(top.out.find("run"), std::string::npos);
  EXPECT_NE(top.out.find("approve"), std::string::npos);
  ProcessResult run = RunKeel({"run", "--help"});
  EXPECT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_NE(run.out.find("--input"), std::string::npos) << run.out;
}

TEST_F(CliErrorsTest, InitCreatesAProjectThatValidatesAndRuns) {
  TempProject parent("tests/fixtures/projects/no_config");  // any folder to hold it
  std::string dir = parent.File("fresh");
  ProcessResult init = RunKeel({"init", dir});
  ASSERT_EQ(init.exit_code, 0) << Describe(init);
  ProcessResult valid = RunKeel({"validate", dir});
  EXPECT_EQ(valid.exit_code, 0) << Describe(valid);
  ProcessResult run = RunKeel({"run", "triage", "--project", dir, "--json", "--input",
                               R"({"customer_id":"C-1","message":"I was charged twice"})"});
  EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 4) << Describe(run);
  Json out = ParseJsonOutput(run.out);
  ASSERT_FALSE(out.is_discarded()) << Describe(run);
  EXPECT_EQ(out["result"]["output"]["category"], "billing") << out.dump();

  // A second init must not overwrite the project.
  std::string before = ReadFileBytes(dir + "/keel.yaml");
  std::ofstream(dir + "/workflows/triage.yaml", std::ios::app) << "# edited by hand\n";
  std::string workflow = ReadFileBytes(dir + "/workflows/triage.yaml");
  ProcessResult again = RunKeel({"init", dir});
  EXPECT_EQ(again.exit_code, kExitInvalid) << Describe(again);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << Describe(again);
  EXPECT_EQ(ReadFileBytes(dir + "/keel.yaml"), before);
  EXPECT_EQ(ReadFileBytes(dir + "/workflows/triage.yaml"), workflow);
}

TEST_F(CliErrorsTest, UnknownIdsExit3NamingThem) {
  TempProject project("examples/sales");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"approve", "apr_missing"},
        std::vector<std::string>{"reject", "apr_missing", "--reason", "no"},
        std::vector<std::string>{"runs", "show", "run_missing"}}) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--project", project.path()});
    ProcessResult r = RunKeel(full);
    EXPECT_EQ(r.exit_code, kExitInvalid) << args[0] << ": " << Describe(r);
    EXPECT_NE(r.err.find("_missing"), std::string::npos) << Describe(r);
  }
}

}  // namespace
}  // namespace keel::testing
