// keel demo: the sales demo. Seeds the demo CRM, runs renewal prep for a
// handful of accounts, shows a run parked at its approval, approves it, and
// prints the brief, the account's state vector and the run's trace; then has
// the am_request workflow handle four account managers' requests (its
// agent's model simulated by scripted turns), plans stakeholder outreach
// (its CRM notes logged in one batched call), and ends with the statistics
// of every tool call the demo made.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "observe/waterfall.h"
#include "policy/tool_stats.h"

namespace keel {
namespace fs = std::filesystem;
namespace {

// Accounts chosen to show the range: at risk, healthy, and in between.
const char* const kDemoAccounts[] = {"A-1042", "A-1007", "A-1314", "A-1588", "A-1901",
                                     "A-1123", "A-1456", "A-1789", "A-1250", "A-1666"};

// The hand-written turns that stand in for the am_request agent's model
// (examples/sales/demo/README.md), relative to the project.
constexpr char kSimulatedTurns[] = "demo/am_requests.simulated.jsonl";

struct AmRequest {
  const char* account;
  const char* text;
};
const AmRequest kAmRequests[] = {
    {"A-1007",
     "Kira asked for 10% off if they commit to two more years. Put it to the deal desk and "
     "book me a follow-up on 2026-12-01 to walk her through the answer."},
    {"A-1042",
     "Usage fell off a cliff after their SSO migration. Open a high-severity ticket with "
     "engineering and email Tara that we are on it."},
    {"A-1314", "Can you find out whether they plan to roll out to their EU team next year?"},
    {"A-1588", "Loop their new CFO into the renewal conversation."},
};

void Step(const char* text) { std::printf("\n== %s\n", text); }

// The large tier (the am_request agent's) replays the simulated turns, and
// falls back to the offline provider for any request they do not cover.
void UseSimulatedTurns(ProjectConfig* config) {
  config->tiers["large"] = {TierTarget{"scripted", ""}, TierTarget{"offline", ""}};
  config->scripted_file = kSimulatedTurns;
}

// Runs the account managers' requests and prints what the agent did; returns
// the id of the run with the most turns (for its trace).
std::string RunAmRequests(Engine& engine, RunWaiter& waiter) {
  std::string busiest;
  int most_turns = -1;
  for (const AmRequest& request : kAmRequests) {
    Result<std::string> id = engine.StartRun(
        "am_request",
        Json{{"account_id", request.account}, {"request", request.text}, {"today", "2026-11-23"}});
    if (!id.ok()) {
      std::printf("  %s: %s\n", request.account, id.status().ToString().c_str());
      continue;
    }
    RunOutcome o = waiter.Wait(*id);
    std::printf("\n  %s  \"%s\"\n  run %s: %s\n", request.account, request.text, id->c_str(),
                RunStatusName(o.status));
    const Json result = o.result.value("output", Json::object());  // finalize's output
    for (const Json& action : result.value("actions", Json::array())) {
      std::printf("    %s %s\n", action.value("ok", false) ? "ran    " : "refused",
                  action.value("tool", "").c_str());
    }
    std::string summary = o.status == RunStatus::kSucceeded ? result.value("summary", "") : o.error;
    std::printf("    -> %s\n", summary.c_str());
    int turns = result.value("turns", 0);
    if (turns > most_turns) {
      most_turns = turns;
      busiest = *id;
    }
  }
  return busiest;
}

// Stakeholder outreach for `account`: a note per contact, logged in the CRM
// through log_activity's batch form (one call for every contact).
void RunOutreach(Engine& engine, RunWaiter& waiter, Store& store, const std::string& account) {
  Result<std::string> id = engine.StartRun(
      "contact_outreach", Json{{"account_id", account}, {"followup_date", "2026-11-30"}});
  if (!id.ok()) {
    std::printf("  %s\n", id.status().ToString().c_str());
    return;
  }
  RunOutcome o = waiter.Wait(*id);
  std::printf("  run %s: %s\n", id->c_str(), RunStatusName(o.status));
  auto spans = store.LoadSpans(*id);
  if (!spans.ok()) return;
  int single = 0, batched = 0;
  size_t items = 0;
  for (const Span& s : *spans) {
    if (s.kind != "tool") continue;
    if (s.name == "tool log_activity") ++single;
    if (s.name == "tool log_activities") {
      ++batched;
      items += s.attrs.value("batch_items", size_t{0});
    }
  }
  std::printf("  %zu contacts logged with %d batched call(s) to log_activities, %d single calls\n",
              items, batched, single);
}

void PrintTrace(Store& store, const std::string& run_id) {
  auto spans = store.LoadSpans(run_id);
  if (!spans.ok()) return;
  WaterfallOptions w;
  w.color = isatty(STDOUT_FILENO);
  std::fputs(RenderWaterfall(*spans, w).c_str(), stdout);
}

std::string WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return fs::absolute(path).lexically_normal().string();
}

}  // namespace

int CmdDemo(const DemoFlags& flags) {
  Step("opening the demo CRM (seeded on first use: 1,000 accounts, deterministic)");
  AppOptions options;
  options.engine.claim = false;
  bool simulated = fs::exists(fs::path(flags.common.project) / kSimulatedTurns);
  if (simulated) options.adjust_models = UseSimulatedTurns;
  auto opened = OpenApp(flags.common.project, options);
  if (!opened.ok()) return ReportError(opened.status());
  App& app = **opened;
  std::printf("project %s\nstore   %s\ncrm     %s\n", app.project.root.c_str(),
              ProjectPath(app.project, app.project.config.store_path).c_str(),
              app.crm->path().c_str());

  Engine& engine = *app.engine;
  RunWaiter waiter(engine);
  engine.Start();
  int count = std::min<int>(flags.accounts, std::size(kDemoAccounts));
  Step("running renewal_prep for each account (offline model: deterministic fallbacks)");
  std::vector<std::pair<std::string, std::string>> runs;  // account, run id
  for (int i = 0; i < count; ++i) {
    Result<std::string> id =
        engine.StartRun("renewal_prep", Json{{"account_id", kDemoAccounts[i]}});
    if (!id.ok()) return ReportError(id.status());
    runs.emplace_back(kDemoAccounts[i], *id);
  }
  std::string parked_run, parked_account, approval_id;
  for (const auto& [account, id] : runs) {
    RunOutcome o = waiter.Wait(id);
    std::printf("  %-7s %s  %-9s %s\n", account.c_str(), id.c_str(), RunStatusName(o.status),
                o.status == RunStatus::kParked ? ("approval " + o.approval_id).c_str()
                                               : o.error.c_str());
    std::fflush(stdout);
    if (o.status == RunStatus::kParked && approval_id.empty()) {
      parked_run = id;
      parked_account = account;
      approval_id = o.approval_id;
    }
  }
  if (approval_id.empty()) {
    std::printf("no run parked at an approval\n");
    return kExitOk;
  }

  Step(("run for " + parked_account + " is parked; it holds no thread and no memory").c_str());
  auto approval = app.store->GetApproval(approval_id);
  if (!approval.ok()) return ReportError(approval.status());
  std::printf("approval %s expires %s UTC\nproposal:\n%s\n", approval_id.c_str(),
              FormatTime(approval->expires_us).c_str(), approval->proposal.dump(2).c_str());

  Step("approving it as the sales manager, then resuming the run");
  waiter.Forget(parked_run);
  std::promise<Status> decided;
  engine.Decide(approval_id, ApprovalStatus::kApproved, Json(),
                "within policy; customer is strategic", "sales.manager@demo",
                [&decided](Status s) { decided.set_value(s); });
  Status status = decided.get_future().get();
  if (!status.ok()) return ReportError(status);
  RunOutcome done = waiter.Wait(parked_run);
  std::printf("run %s: %s\n", parked_run.c_str(), RunStatusName(done.status));
  if (done.status != RunStatus::kSucceeded) return ExitCodeFor(done.status);

  Step("the renewal brief");
  std::string markdown = done.result.value("markdown", "");
  std::printf("%s\n", markdown.c_str());
  fs::path out = fs::path(flags.out_dir);
  std::string md_path = WriteFile(out / (parked_account + "-brief.md"), markdown);
  std::string json_path = WriteFile(out / (parked_account + "-brief.json"),
                                    done.result.dump(2) + "\n");

  Step(("state vector of " + parked_account).c_str());
  auto state = app.store->GetState(parked_account);
  if (state.ok() && state->has_value()) {
    std::printf("version %lld\n%s\n", static_cast<long long>((*state)->version),
                (*state)->data.dump(2).c_str());
  }

  Step("trace waterfall");
  PrintTrace(*app.store, parked_run);

  std::string agent_run;
  if (simulated) {
    Step("account managers' requests: a small-tier classifier sorts them, the am_request agent "
         "(a tool-calling loop; its model simulated by scripted turns, see demo/README.md) "
         "acts on them");
    agent_run = RunAmRequests(engine, waiter);
    if (!agent_run.empty()) {
      Step("trace of the agent's busiest run: model turns, tool calls, the refused one");
      PrintTrace(*app.store, agent_run);
    }
  }

  if (app.project.FindWorkflow("contact_outreach") != nullptr) {
    Step(("stakeholder outreach for " + parked_account +
          ": one note per contact, logged through log_activity's batch form")
             .c_str());
    RunOutreach(engine, waiter, *app.store, parked_account);
  }

  Step("tool calls through the policy chain (keel tools stats)");
  auto all_spans = app.store->LoadSpansSince(0);
  if (all_spans.ok()) {
    std::fputs(policy::ToolStatsTable(policy::ComputeToolStats(*all_spans)).c_str(), stdout);
  }

  Step("written");
  std::printf("  %s\n  %s\n", md_path.c_str(), json_path.c_str());
  std::printf("\nnext: keel approvals ls --project %s   (the other parked runs)\n"
              "      keel trace %s --project %s\n",
              flags.common.project.c_str(), parked_run.c_str(), flags.common.project.c_str());
  return kExitOk;
}

}  // namespace keel
