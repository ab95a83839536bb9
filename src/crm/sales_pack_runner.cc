#include "crm/sales_pack_runner.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "expr/expression.h"
#include "template/mustache.h"

namespace keel::crm_test {
namespace {

// 2026-11-01T00:00:00Z, the demo CRM's reference date, as what now() returns.
constexpr int64_t kNowUnixS = 1793491200;

Json PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  size_t digits = s[0] == '-' || s[0] == '+' ? 1 : 0;
  if (digits < s.size() &&
      (std::isdigit(static_cast<unsigned char>(s[digits])) || s[digits] == '.')) {
    int64_t i = 0;
    auto [p, ec] = std::from_chars(s.data() + (s[0] == '+'), s.data() + s.size(), i);
    if (ec == std::errc() && p == s.data() + s.size()) return i;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end == s.c_str() + s.size()) return d;
  }
  return s;
}

Json Convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      // Quoted and block scalars carry the non-specific tag "!".
      return node.Tag() == "!" ? Json(node.Scalar()) : PlainScalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(Convert(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& pair : node) out[pair.first.Scalar()] = Convert(pair.second);
      return out;
    }
    default:
      return nullptr;
  }
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Result<Json> Eval(const Json& tmpl, const Json& scope, const std::string& where) {
  auto parsed = ValueExpression::Parse(tmpl);
  if (!parsed.ok()) return parsed.status().WithContext(where + ": ");
  ExprContext ctx{&scope, kNowUnixS};
  auto value = parsed->Evaluate(ctx);
  if (!value.ok()) return value.status().WithContext(where + ": ");
  return value;
}

Result<bool> EvalBool(const Json& source, const Json& scope, const std::string& where) {
  auto value = Eval(source, scope, where);
  if (!value.ok()) return value.status();
  if (!value->is_boolean()) return InvalidArgument(where + ": not a boolean: " + value->dump());
  return value->get<bool>();
}

Status Check(const std::shared_ptr<const JsonSchema>& schema, const Json& value,
             const std::string& what) {
  if (!schema) return Status::Ok();
  Status s = schema->Validate(value);
  return s.ok() ? s : s.WithContext(what + " " + value.dump() + ": ");
}

}  // namespace

Json YamlFileToJson(const std::string& path, Status* error) {
  try {
    return Convert(YAML::LoadFile(path));
  } catch (const YAML::Exception& e) {
    *error = InvalidArgument(path + ": " + e.what());
    return nullptr;
  }
}

Result<std::shared_ptr<const JsonSchema>> SalesPackRunner::Schema(const std::string& path) const {
  Json doc = Json::parse(ReadText(dir_ + "/" + path), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument(path + ": not JSON");
  auto schema = JsonSchema::Compile(doc);
  if (!schema.ok()) return schema.status().WithContext(path + ": ");
  return *schema;
}

Result<std::unique_ptr<SalesPackRunner>> SalesPackRunner::Load(const std::string& dir,
                                                               const ToolRegistry* tools) {
  auto runner = std::unique_ptr<SalesPackRunner>(new SalesPackRunner());
  runner->dir_ = dir;
  runner->tools_ = tools;
  namespace fs = std::filesystem;
  Status error;
  auto each = [&](const char* sub, const char* ext, auto fn) {
    for (const auto& entry : fs::directory_iterator(fs::path(dir) / sub)) {
      if (entry.path().extension() == ext) fn(entry.path());
    }
  };
  each("prompts", ".mustache",
       [&](const fs::path& p) { runner->partials_[p.stem().string()] = ReadText(p.string()); });
  each("workflows", ".yaml", [&](const fs::path& p) {
    Json wf = YamlFileToJson(p.string(), &error);
    if (wf.is_object()) runner->workflows_[wf.value("name", "")] = wf;
  });
  each("agents", ".yaml", [&](const fs::path& p) {
    Json def = YamlFileToJson(p.string(), &error);
    if (!def.is_object()) return;
    auto schema = runner->Schema(def.value("output_schema", ""));
    if (!schema.ok()) error = schema.status();
    runner->agents_[def.value("name", "")] = {def, schema.ok() ? *schema : nullptr};
  });
  each("tools", ".yaml", [&](const fs::path& p) {
    Json def = YamlFileToJson(p.string(), &error);
    if (!def.is_object()) return;
    auto in = runner->Schema(def.value("input_schema", ""));
    auto out = runner->Schema(def.value("output_schema", ""));
    if (!in.ok() || !out.ok()) error = in.ok() ? out.status() : in.status();
    runner->tool_schemas_[def.value("name", "")] = {in.ok() ? *in : nullptr,
                                                    out.ok() ? *out : nullptr};
  });
  if (!error.ok()) return error;
  return runner;
}

Result<Json> SalesPackRunner::CallAgent(const std::string& name, const Json& inputs) const {
  auto it = agents_.find(name);
  if (it == agents_.end()) return NotFound("no agent " + name);
  const Json& def = it->second.def;
  const Json declared = def.value("inputs", Json::array());
  for (const auto& [key, value] : inputs.items()) {
    bool engine_supplied =
        key == "previous" || key == "feedback" || key == "iteration" || key == "candidate";
    if (!engine_supplied && std::find(declared.begin(), declared.end(), key) == declared.end()) {
      return InvalidArgument(name + " was given undeclared input '" + key + "'");
    }
  }
  auto prompt = MustacheTemplate::Parse(ReadText(dir_ + "/" + def.value("prompt", "")));
  if (!prompt.ok()) return prompt.status().WithContext(name + " prompt: ");
  MustacheOptions strict;
  strict.strict = true;
  auto text = (*prompt)->Render(inputs, partials_, strict);
  if (!text.ok()) return text.status().WithContext(name + " prompt: ");
  auto out = Eval(def["fallback"], inputs, name + " fallback");
  if (!out.ok()) return out.status();
  KEEL_RETURN_IF_ERROR(Check(it->second.output, *out, name + " output"));
  return out;
}

Result<Json> SalesPackRunner::RunLeaf(const Json& node, const Json& scope,
                                      const std::string& run_id) {
  const std::string id = node.value("id", "");
  if (node.value("kind", "") == "llm") {
    auto inputs = Eval(node["inputs"], scope, id + ".inputs");
    if (!inputs.ok()) return inputs.status();
    return CallAgent(node.value("agent", ""), *inputs);
  }
  const std::string name = node.value("tool", "");
  auto args = Eval(node["args"], scope, id + ".args");
  if (!args.ok()) return args.status();
  const ToolSchemas& schemas = tool_schemas_[name];
  KEEL_RETURN_IF_ERROR(Check(schemas.input, *args, name + " args"));
  Tool* tool = tools_->Find(name);
  if (tool == nullptr) return NotFound("no tool " + name);
  ToolCallContext ctx;
  ctx.run_id = run_id;
  ctx.node = id;
  ctx.idempotency_key = run_id + "/" + id + "/0";
  auto out = tool->Call(*args, ctx);
  if (!out.ok()) return out.status().WithContext(id + ": ");
  KEEL_RETURN_IF_ERROR(Check(schemas.output, *out, name + " output"));
  return out;
}

Result<Json> SalesPackRunner::RunOptimize(const Json& node, const Json& scope) {
  const std::string id = node.value("id", "");
  const int max_iterations = node.value("max_iterations", 3);
  const double threshold = node.value("threshold", 4.0);
  Json candidate, evaluation;
  for (int iteration = 1;; ++iteration) {
    auto gen_in = Eval(node["generator_inputs"], scope, id + ".generator_inputs");
    if (!gen_in.ok()) return gen_in.status();
    (*gen_in)["iteration"] = iteration;
    (*gen_in)["previous"] = candidate;
    (*gen_in)["feedback"] = evaluation;
    auto generated = CallAgent(node.value("generator", ""), *gen_in);
    if (!generated.ok()) return generated.status();
    candidate = *generated;
    auto eval_in = Eval(node["evaluator_inputs"], scope, id + ".evaluator_inputs");
    if (!eval_in.ok()) return eval_in.status();
    (*eval_in)["candidate"] = candidate;
    auto evaluated = CallAgent(node.value("evaluator", ""), *eval_in);
    if (!evaluated.ok()) return evaluated.status();
    evaluation = *evaluated;
    bool passed = true;
    for (const Json& criterion : node["criteria"]) {
      const Json& score = evaluation["scores"][criterion.get<std::string>()];
      passed = passed && score.is_number() && score.get<double>() >= threshold;
    }
    if (passed || iteration >= max_iterations) {
      return Json{{"candidate", candidate},
                  {"scores", evaluation["scores"]},
                  {"feedback", evaluation["feedback"]},
                  {"iterations", iteration},
                  {"passed", passed}};
    }
  }
}

Result<SalesPackRunner::Outcome> SalesPackRunner::Run(const std::string& workflow,
                                                      const Json& input,
                                                      const std::string& run_id) {
  auto wf = workflows_.find(workflow);
  if (wf == workflows_.end()) return NotFound("no workflow " + workflow);
  const Json& nodes = wf->second["nodes"];
  auto input_schema = Schema(wf->second.value("input_schema", ""));
  auto state_schema = Schema(wf->second.value("state_schema", ""));
  if (!input_schema.ok()) return input_schema.status();
  if (!state_schema.ok()) return state_schema.status();
  KEEL_RETURN_IF_ERROR(Check(*input_schema, input, "input"));
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].value("id", "")] = i;

  Outcome out;
  out.scope = {{"input", input}, {"state", Json::object()}};
  std::string current = nodes[0].value("id", "");
  for (int steps = 0; steps < 100 && !current.empty(); ++steps) {
    if (!index.count(current)) return NotFound("no node " + current);
    const size_t i = index[current];
    const Json& node = nodes[i];
    const std::string kind = node.value("kind", "");
    out.path.push_back(current);
    std::string next = i + 1 < nodes.size() ? nodes[i + 1].value("id", "") : "";
    next = node.value("next", next);
    Json& scope = out.scope;
    if (kind == "tool" || kind == "llm") {
      auto result = RunLeaf(node, scope, run_id);
      if (!result.ok()) return result.status();
      scope[current] = *result;
    } else if (kind == "parallel") {
      Json joined = Json::object();
      for (const Json& branch : node["branches"]) {
        // Branches see the scope as it was before the node, never each other.
        auto result = RunLeaf(branch, scope, run_id);
        if (!result.ok()) return result.status();
        joined[branch.value("id", "")] = *result;
      }
      for (const auto& [id, value] : joined.items()) scope[id] = value;
      scope[current] = joined;
    } else if (kind == "map") {
      auto items = Eval(node["over"], scope, current + ".over");
      if (!items.ok()) return items.status();
      const std::string as = node.value("as", "item");
      Json results = Json::array();
      for (size_t k = 0; k < items->size(); ++k) {
        Json item_scope = scope;
        item_scope[as] = (*items)[k];
        item_scope[as + "_index"] = k;
        auto result = RunLeaf(node["do"], item_scope, run_id + "/" + std::to_string(k));
        if (!result.ok()) return result.status();
        results.push_back(*result);
      }
      scope[current] = results;
    } else if (kind == "route") {
      next = node.value("default", "");
      for (const Json& route : node["routes"]) {
        auto taken = EvalBool(route["when"], scope, current + ".when");
        if (!taken.ok()) return taken.status();
        if (*taken) {
          next = route.value("next", "");
          break;
        }
      }
    } else if (kind == "optimize") {
      auto result = RunOptimize(node, scope);
      if (!result.ok()) return result.status();
      scope[current] = *result;
    } else if (kind == "approval") {
      auto proposal = Eval(node["proposal"], scope, current + ".proposal");
      if (!proposal.ok()) return proposal.status();
      scope[current] = {{"decision", "approved"},
                        {"proposal", *proposal},
                        {"edited", false},
                        {"reason", ""},
                        {"by", "sim"}};
    } else if (kind == "verify") {
      Json failed = Json::array();
      for (const Json& check : node["checks"]) {
        auto held = EvalBool(check["expr"], scope, current + ".checks");
        if (!held.ok()) return held.status();
        if (!*held) failed.push_back(check.value("message", ""));
      }
      scope[current] = {{"passed", failed.empty()}, {"failed", failed}};
      if (!failed.empty()) next = node.value("on_fail", "");
    } else if (kind == "escalate") {
      auto reason = Eval(node["reason"], scope, current + ".reason");
      if (!reason.ok()) return reason.status();
      auto evidence = Eval(node.value("evidence", Json()), scope, current + ".evidence");
      if (!evidence.ok()) return evidence.status();
      out.end = "escalate";
      out.end_node = current;
      out.result = {{"reason", *reason}, {"evidence", *evidence}};
      return out;
    } else if (kind == "finalize") {
      auto state = Eval(node["state"], scope, current + ".state");
      if (!state.ok()) return state.status();
      KEEL_RETURN_IF_ERROR(Check(*state_schema, *state, "state vector"));
      auto output = Eval(node["output"], scope, current + ".output");
      if (!output.ok()) return output.status();
      auto brief = MustacheTemplate::Parse(ReadText(dir_ + "/" + node.value("brief_template", "")));
      if (!brief.ok()) return brief.status();
      MustacheOptions strict;
      strict.strict = true;
      auto markdown = (*brief)->Render(scope, partials_, strict);
      if (!markdown.ok()) return markdown.status().WithContext("brief: ");
      out.end = "finalize";
      out.end_node = current;
      out.result = {{"state", *state}, {"output", *output}, {"markdown", *markdown}};
      return out;
    } else {
      return InvalidArgument("unknown node kind " + kind);
    }
    current = next;
  }
  return FailedPrecondition("workflow " + workflow + " ran off its node list");
}

}  // namespace keel::crm_test
