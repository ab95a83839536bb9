// keel init (scaffold a project) and keel validate.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/cli_support.h"
#include "cli/commands.h"

namespace keel {
namespace fs = std::filesystem;
namespace {

struct ScaffoldFile {
  const char* path;
  const char* text;
};

// A small support-triage project that runs with no model and no CRM: one
// llm node with a deterministic fallback, a route, and finalize.
const ScaffoldFile kScaffold[] = {
    {"keel.yaml", R"(name: my_project
store: .keel/keel.db
crm: .keel/crm.db
model:
  provider: offline
defaults:
  lease_s: 30
)"},
    {"workflows/triage.yaml", R"(name: triage
description: Classifies a support message and records what to do next.
input_schema: schemas/triage_input.json
entity_key: input.customer_id
nodes:
  - id: classify
    kind: llm
    agent: triager
    inputs: {message: input.message}
  - id: urgent
    kind: route
    routes:
      - {when: "classify.priority == 'high'", next: hand_over}
    default: done
  - id: done
    kind: finalize
    state: {customer_id: input.customer_id, last_category: classify.category,
            open_tickets: "(state.open_tickets ?? 0) + 1"}
    output: {category: classify.category, priority: classify.priority}
  - id: hand_over
    kind: escalate
    reason: "'urgent ' + classify.category + ' message'"
    queue: support_leads
)"},
    {"agents/triager.yaml", R"(name: triager
description: Sorts a customer message into a category and a priority.
tier: small
prompt: prompts/triager.mustache
inputs: [message]
output_schema: schemas/triage.json
tools: []
fallback:
  category: "contains(message, 'refund') or contains(message, 'charge') ? 'billing' : 'general'"
  priority: "contains(message, 'urgent') or contains(message, 'down') ? 'high' : 'normal'"
)"},
    {"prompts/triager.mustache", R"(Classify this customer message.
Reply with JSON: {"category": "billing" | "general", "priority": "high" | "normal"}.

Message:
{{message}}
)"},
    {"schemas/triage_input.json", R"({
  "type": "object",
  "required": ["customer_id", "message"],
  "properties": {
    "customer_id": {"type": "string", "minLength": 1},
    "message": {"type": "string", "minLength": 1}
  },
  "additionalProperties": false
}
)"},
    {"schemas/triage.json", R"({
  "type": "object",
  "required": ["category", "priority"],
  "properties": {
    "category": {"enum": ["billing", "general"]},
    "priority": {"enum": ["high", "normal"]}
  },
  "additionalProperties": false
}
)"},
};

}  // namespace

int CmdInit(const std::string& dir) {
  if (fs::exists(fs::path(dir) / "keel.yaml")) {
    return ReportError(FailedPrecondition(dir + "/keel.yaml already exists; not overwriting"));
  }
  for (const ScaffoldFile& f : kScaffold) {
    fs::path path = fs::path(dir) / f.path;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path);
    if (ec || !(out << f.text)) {
      return ReportError(InvalidArgument(path.string() + ": cannot write"));
    }
  }
  fs::create_directories(fs::path(dir) / "tools");
  std::printf("created a keel project in %s\n"
              "  keel validate %s\n"
              "  keel run triage --project %s --input '{\"customer_id\":\"C-1\",\"message\":\"I "
              "was charged twice\"}'\n",
              dir.c_str(), dir.c_str(), dir.c_str());
  return kExitOk;
}

int CmdValidate(const std::string& dir, bool json) {
  std::vector<Diagnostic> diagnostics;
  LoadOptions options;
  options.builtin_tools = BuiltinToolNames();
  Result<Project> project = LoadProject(dir, options, &diagnostics);
  if (json) {
    Json out = {{"ok", project.ok()}, {"diagnostics", Json::array()}};
    for (const Diagnostic& d : diagnostics) {
      out["diagnostics"].push_back({{"file", d.location.file}, {"line", d.location.line},
                                    {"col", d.location.col}, {"message", d.message}});
    }
    if (!project.ok() && diagnostics.empty()) out["error"] = project.status().message();
    std::printf("%s\n", out.dump().c_str());
    return project.ok() ? kExitOk : kExitInvalid;
  }
  for (const Diagnostic& d : diagnostics) std::fprintf(stderr, "%s\n", d.ToString().c_str());
  if (!project.ok()) {
    if (diagnostics.empty()) std::fprintf(stderr, "%s\n", project.status().message().c_str());
    return kExitInvalid;
  }
  std::printf("%s: ok (%zu workflows, %zu agents, %zu tools)\n", dir.c_str(),
              project->workflows.size(), project->agents.size(), project->tools.size());
  return kExitOk;
}

}  // namespace keel
