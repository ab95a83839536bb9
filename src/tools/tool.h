// Tools: typed functions agents and workflows call. A ToolDef is the validated,
// immutable definition from tools/*.yaml; a Tool is the implementation; the
// ToolRegistry maps names to implementations and is filled once at start-up
// by the composition root (no static registration).
//
// Tool implementations must be thread-safe: one instance serves every run.
#ifndef KEEL_TOOLS_TOOL_H_
#define KEEL_TOOLS_TOOL_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/source_location.h"
#include "core/status.h"
#include "schema/json_schema.h"
#include "tools/tool_policies.h"

namespace keel {

enum class ToolRisk { kLow, kMedium, kHigh };

struct ToolDef {
  std::string name;  // e.g. "crm.get_account"
  std::string description;
  std::string kind = "builtin";
  ToolRisk risk = ToolRisk::kLow;
  bool side_effects = false;
  bool idempotent = true;  // safe to repeat with the same idempotency key
  Json input_schema;
  Json output_schema;
  std::shared_ptr<const JsonSchema> input;   // compiled input_schema
  std::shared_ptr<const JsonSchema> output;  // compiled output_schema
  ToolPolicies policies;  // the policy chain's settings (project defaults applied)
  // For kinds other than builtin: the kind's own fields from tools/*.yaml
  // (e.g. {"command": [...]} for subprocess), validated by the loader; the
  // composition root builds the implementation from them. Null for builtin.
  Json connector;
  // Optional batch form: another tool that takes {"items": [<this tool's
  // arguments>, ...]} (at most batch_max_items) and answers {"results":
  // [<this tool's output>, ...]} in the same order. A map node over this
  // tool then makes one call per batch instead of one per item.
  std::string batch_tool;
  int batch_max_items = 0;
  SourceLocation location;
};

// What a tool knows about the call beyond its arguments.
struct ToolCallContext {
  std::string run_id;
  std::string node;
  std::string agent;            // the calling agent's identity ("" for tool nodes)
  std::string idempotency_key;  // "run_id/node/key"; set for side-effecting tools
  std::string trace_id;
  std::string span_id;
};

using ToolCallback = std::function<void(Result<Json>)>;

class Tool {
 public:
  virtual ~Tool() = default;
  // Starts a call. `done` runs exactly once, on any thread, possibly before
  // Start returns. Errors are normal values: a Status whose type names the
  // error (e.g. "not_found"), with retryable / retry_after_s set.
  // The default runs Call() inline, which suits built-ins that block briefly
  // on local I/O (callers run them on a pool thread). Connectors that wait on
  // the network or another process override Start and return at once, so no
  // thread is held while they wait.
  virtual void Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) {
    done(Call(args, ctx));
  }
  // The blocking form, for built-ins.
  virtual Result<Json> Call(const Json& args, const ToolCallContext& ctx) {
    return FailedPrecondition("this tool only runs asynchronously");
  }
};

// A tool backed by a plain function.
class FunctionTool : public Tool {
 public:
  using Fn = std::function<Result<Json>(const Json&, const ToolCallContext&)>;
  explicit FunctionTool(Fn fn) : fn_(std::move(fn)) {}
  Result<Json> Call(const Json& args, const ToolCallContext& ctx) override {
    return fn_(args, ctx);
  }

 private:
  Fn fn_;
};

// The structured error JSON every tool failure is reported as:
// {"error": type, "message": ..., "retryable": bool, "retry_after_s": n|null}.
Json ToolErrorJson(const Status& status);

class ToolRegistry {
 public:
  void Register(const std::string& name, std::shared_ptr<Tool> tool) { tools_[name] = tool; }
  // nullptr when no implementation is registered under `name`.
  Tool* Find(const std::string& name) const {
    auto it = tools_.find(name);
    return it == tools_.end() ? nullptr : it->second.get();
  }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& [name, tool] : tools_) names.push_back(name);
    return names;
  }

 private:
  std::map<std::string, std::shared_ptr<Tool>> tools_;
};

}  // namespace keel

#endif  // KEEL_TOOLS_TOOL_H_
