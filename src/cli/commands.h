// The keel commands. main.cc parses the command line (CLI11) into these
// option structs and calls one function; each returns the process exit code
// (see ExitCode in app.h) and prints its own output.
#ifndef KEEL_CLI_COMMANDS_H_
#define KEEL_CLI_COMMANDS_H_

#include <string>

namespace keel {

struct CommonFlags {
  std::string project = ".";
  bool json = false;
  std::string record;  // append every model exchange to this cassette (run, worker)
};

int CmdInit(const std::string& dir);
int CmdValidate(const std::string& dir, bool json);

struct RunFlags {
  CommonFlags common;
  std::string workflow;
  std::string input = "{}";  // JSON text, or @file
  bool detach = false;
};
int CmdRun(const RunFlags& flags);

struct WorkerFlags {
  CommonFlags common;
  bool until_idle = false;
};
int CmdWorker(const WorkerFlags& flags);

struct RunsFlags {
  CommonFlags common;
  std::string status;
  std::string workflow;
  int limit = 20;
  std::string run_id;
  std::string older_than = "30d";
};
int CmdRunsList(const RunsFlags& flags);
int CmdRunsShow(const RunsFlags& flags);
int CmdRunsPrune(const RunsFlags& flags);

struct ApprovalFlags {
  CommonFlags common;
  std::string approval_id;
  std::string edit;  // JSON: the approver's version of the proposal
  std::string reason;
  std::string by;
  bool all = false;      // list decided ones too
  bool no_resume = false;  // only record the decision
};
int CmdApprovalsList(const ApprovalFlags& flags);
int CmdDecide(const ApprovalFlags& flags, bool approve);

int CmdStateShow(const CommonFlags& common, const std::string& entity_key, bool history);
int CmdTrace(const CommonFlags& common, const std::string& run_id);

struct DemoFlags {
  CommonFlags common;
  int accounts = 5;
  std::string out_dir = "out";
};
int CmdDemo(const DemoFlags& flags);

struct ToolsFlags {
  CommonFlags common;
  std::string since = "24h";  // runs started within this window
};
int CmdToolsStats(const ToolsFlags& flags);

struct BenchFlags {
  CommonFlags common;
  std::string which = "engine";  // engine | waiting | tools
  int runs = 0;                  // 0 = the benchmark's default
  int concurrency = 0;
  int latency_ms = 1000;
};
int CmdBench(const BenchFlags& flags);
int BenchTools(const BenchFlags& flags);  // the policy chain's overhead (bench_tools.cc)

}  // namespace keel

#endif  // KEEL_CLI_COMMANDS_H_
