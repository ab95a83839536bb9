// keel runs ls | runs show | runs prune, keel state show, keel trace.
#include <unistd.h>

#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "observe/waterfall.h"

namespace keel {
namespace {

Result<std::unique_ptr<App>> OpenReadOnly(const CommonFlags& common) {
  AppOptions options;
  options.need_engine = false;
  return OpenApp(common.project, options);
}

Json RunJson(const RunRecord& r) {
  Json j = {{"run_id", r.run_id},         {"workflow", r.workflow},
            {"entity_key", r.entity_key}, {"status", RunStatusName(r.status)},
            {"created", FormatTime(r.created_us)}, {"updated", FormatTime(r.updated_us)},
            {"trace_id", r.trace_id}};
  if (!r.parked_on.empty()) j["approval_id"] = r.parked_on;
  if (!r.error.empty()) j["error"] = r.error;
  if (!r.result.is_null()) j["result"] = r.result;
  return j;
}

}  // namespace

int CmdRunsList(const RunsFlags& flags) {
  auto app = OpenReadOnly(flags.common);
  if (!app.ok()) return ReportError(app.status());
  RunFilter filter;
  if (!flags.status.empty()) {
    filter.status = ParseRunStatus(flags.status);
    if (!filter.status) return ReportError(InvalidArgument("--status: unknown status '" +
                                                           flags.status + "'"));
  }
  filter.workflow = flags.workflow;
  filter.limit = flags.limit;
  auto runs = (*app)->store->ListRuns(filter);
  if (!runs.ok()) return ReportError(runs.status());
  if (flags.common.json) {
    Json out = Json::array();
    for (const RunRecord& r : *runs) {
      Json j = RunJson(r);
      j.erase("result");
      out.push_back(j);
    }
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("%-22s %-16s %-8s %-10s %-19s %s\n", "RUN", "WORKFLOW", "ENTITY", "STATUS",
              "UPDATED (UTC)", "NOTE");
  for (const RunRecord& r : *runs) {
    std::string note = !r.parked_on.empty() ? "approval " + r.parked_on : r.error;
    if (note.size() > 60) note = note.substr(0, 57) + "...";
    std::printf("%-22s %-16s %-8s %-10s %-19s %s\n", r.run_id.c_str(), r.workflow.c_str(),
                r.entity_key.c_str(), RunStatusName(r.status), FormatTime(r.updated_us).c_str(),
                note.c_str());
  }
  return kExitOk;
}

int CmdRunsShow(const RunsFlags& flags) {
  auto app = OpenReadOnly(flags.common);
  if (!app.ok()) return ReportError(app.status());
  auto run = (*app)->store->GetRun(flags.run_id);
  if (!run.ok()) return ReportError(run.status());
  auto events = (*app)->store->LoadEvents(flags.run_id);
  if (!events.ok()) return ReportError(events.status());
  if (flags.common.json) {
    Json out = RunJson(*run);
    out["input"] = run->input;
    out["events"] = Json::array();
    for (const Event& e : *events) {
      out["events"].push_back({{"seq", e.seq}, {"type", EventTypeName(e.type)}, {"node", e.node},
                               {"key", e.key}, {"time", FormatTime(e.ts_us)},
                               {"payload", e.payload}});
    }
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("run %s  workflow %s  entity %s  status %s\ninput %s\n", run->run_id.c_str(),
              run->workflow.c_str(), run->entity_key.c_str(), RunStatusName(run->status),
              run->input.dump().c_str());
  if (!run->error.empty()) std::printf("error %s\n", run->error.c_str());
  for (const Event& e : *events) {
    std::string step = e.key.empty() ? e.node : e.node + "[" + e.key + "]";
    std::string brief = e.payload.dump();
    if (brief.size() > 90) brief = brief.substr(0, 87) + "...";
    std::printf("%4lld  %-19s %-20s %-24s %s\n", static_cast<long long>(e.seq),
                FormatTime(e.ts_us).c_str(), EventTypeName(e.type), step.c_str(), brief.c_str());
  }
  return kExitOk;
}

int CmdRunsPrune(const RunsFlags& flags) {
  Result<int64_t> age = ParseDuration(flags.older_than);
  if (!age.ok()) return ReportError(age.status());
  auto app = OpenReadOnly(flags.common);
  if (!app.ok()) return ReportError(app.status());
  auto pruned = (*app)->store->PruneFinished(Clock::Real()->NowMicros() - *age);
  if (!pruned.ok()) return ReportError(pruned.status());
  if (flags.common.json) {
    std::printf("%s\n", Json({{"pruned", *pruned}}).dump().c_str());
  } else {
    std::printf("pruned %lld finished runs older than %s (parked runs are kept)\n",
                static_cast<long long>(*pruned), flags.older_than.c_str());
  }
  return kExitOk;
}

int CmdStateShow(const CommonFlags& common, const std::string& entity_key, bool history) {
  auto app = OpenReadOnly(common);
  if (!app.ok()) return ReportError(app.status());
  std::vector<StateVector> versions;
  if (history) {
    auto all = (*app)->store->StateHistory(entity_key);
    if (!all.ok()) return ReportError(all.status());
    versions = std::move(all).value();
  } else {
    auto latest = (*app)->store->GetState(entity_key);
    if (!latest.ok()) return ReportError(latest.status());
    if (latest->has_value()) versions.push_back(**latest);
  }
  if (versions.empty()) {
    return ReportError(NotFound("no state vector for '" + entity_key + "' yet"));
  }
  Json out = Json::array();
  for (const StateVector& v : versions) {
    out.push_back({{"entity_key", v.entity_key}, {"version", v.version}, {"run_id", v.run_id},
                   {"updated", FormatTime(v.updated_us)}, {"state", v.data}});
  }
  if (common.json) {
    std::printf("%s\n", (history ? out : out[0]).dump().c_str());
    return kExitOk;
  }
  for (const Json& v : out) {
    std::printf("%s  version %lld  (run %s, %s UTC)\n%s\n", v["entity_key"].get<std::string>().c_str(),
                static_cast<long long>(v["version"].get<int64_t>()),
                v["run_id"].get<std::string>().c_str(), v["updated"].get<std::string>().c_str(),
                v["state"].dump(2).c_str());
  }
  return kExitOk;
}

int CmdTrace(const CommonFlags& common, const std::string& run_id) {
  auto app = OpenReadOnly(common);
  if (!app.ok()) return ReportError(app.status());
  auto spans = (*app)->store->LoadSpans(run_id);
  if (!spans.ok()) return ReportError(spans.status());
  if (spans->empty()) return ReportError(NotFound("no spans for run '" + run_id + "'"));
  if (common.json) {
    Json out = Json::array();
    for (const Span& s : *spans) {
      out.push_back({{"trace_id", s.trace_id}, {"span_id", s.span_id},
                     {"parent_span_id", s.parent_span_id}, {"name", s.name}, {"kind", s.kind},
                     {"start_us", s.start_us}, {"end_us", s.end_us}, {"status", s.status},
                     {"attrs", s.attrs}});
    }
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  WaterfallOptions options;
  options.color = isatty(STDOUT_FILENO);
  std::fputs(RenderWaterfall(*spans, options).c_str(), stdout);
  return kExitOk;
}

}  // namespace keel
