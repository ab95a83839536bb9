// The control-flow node kinds: route, optimize, approval, verify, escalate,
// finalize.
#include "project/internal/node_readers.h"

namespace keel::project_internal {

namespace {

// A non-empty list of maps in field `name`; null (reported) otherwise.
const Field* RequireListOfMaps(const NodeInput& in, std::string_view name, const char* shape) {
  const Field* field = in.reader.Require(name);
  if (field == nullptr) return nullptr;
  bool ok = field->value.IsSequence() && field->value.size() > 0;
  if (!ok) {
    in.reader.Error(*field, "'" + field->name + "' must be a non-empty list of " + shape);
    return nullptr;
  }
  return field;
}

}  // namespace

// `classify: {agent, inputs, labels: {label: node id}}` on a route node.
void ReadClassifier(const NodeInput& in, const Field& field) {
  FieldReader classify(in.reader.file(), field.value, "a route's classify",
                       {"agent", "inputs", "labels"}, in.reader.diags());
  if (!classify.is_map()) return;
  NodeInput sub{in.ctx, classify, in.def, in.info};
  const AgentDef* agent = ReadAgentRef(sub, "agent", &in.def->classify_agent);
  in.def->classify_inputs = ReadAgentInputs(sub, "inputs", agent, {});
  const Field* labels = classify.Require("labels");
  if (labels == nullptr) return;
  if (!labels->value.IsMap() || labels->value.size() == 0) {
    classify.Error(*labels, "'labels' must map each label the classifier may answer to a node id");
    return;
  }
  for (const auto& pair : labels->value) {
    std::string label = pair.first.Scalar();
    if (!pair.second.IsScalar()) {
      in.ctx->diags.Add(classify.file().At(pair.second),
                        "label '" + label + "' must name the node to go to");
      continue;
    }
    in.def->labels[label] = pair.second.Scalar();
    in.info->targets.push_back(
        Target{"labels." + label, pair.second.Scalar(), classify.file().At(pair.second)});
  }
}

void ReadRouteFields(const NodeInput& in) {
  const Field* classify = in.reader.Find("classify");
  if (classify != nullptr) ReadClassifier(in, *classify);
  const Field* routes = in.reader.Find("routes");
  if (classify != nullptr && routes == nullptr) {
    ReadTarget(in, "default", &in.def->default_next);
    return;  // the classifier alone decides
  }
  if (const Field* field = RequireListOfMaps(in, "routes", "{when, next}")) {
    for (const YAML::Node& item : field->value) {
      FieldReader route(in.reader.file(), item, "a route", {"when", "next"}, in.reader.diags());
      if (!route.is_map()) continue;
      RouteDef def;
      def.when = ReadExpressionField(route, "when", /*required=*/true, &in.info->reads);
      if (route.String("next", &def.next, /*required=*/true)) {
        in.info->targets.push_back(Target{"next", def.next, route.Where(*route.Find("next"))});
      }
      in.def->routes.push_back(std::move(def));
    }
  }
  ReadTarget(in, "default", &in.def->default_next);
}

void ReadOptimizeFields(const NodeInput& in) {
  LoadContext* ctx = in.ctx;
  const AgentDef* generator = ReadAgentRef(in, "generator", &in.def->generator);
  if (generator != nullptr) ctx->agent_infos[generator->name].generator = true;
  in.def->generator_inputs =
      ReadAgentInputs(in, "generator_inputs", generator, {"previous", "feedback", "iteration"});
  const AgentDef* evaluator = ReadAgentRef(in, "evaluator", &in.def->evaluator);
  if (evaluator != nullptr) ctx->agent_infos[evaluator->name].evaluator = true;
  in.def->evaluator_inputs = ReadAgentInputs(in, "evaluator_inputs", evaluator, {"candidate"});
  if (in.reader.StringList("criteria", &in.def->criteria, nullptr, /*required=*/true) &&
      in.def->criteria.empty()) {
    in.reader.Error(*in.reader.Find("criteria"), "'criteria' must name at least one criterion");
  }
  if (in.reader.Number("threshold", 1, &in.def->threshold) && in.def->threshold > 5) {
    in.reader.Error(*in.reader.Find("threshold"), "'threshold' must be between 1 and 5");
  }
  int64_t max_iterations = 0;
  if (in.reader.Int("max_iterations", 1, &max_iterations)) {
    in.def->max_iterations = static_cast<int>(max_iterations);
  }
}

void ReadApprovalFields(const NodeInput& in) {
  in.def->proposal = ReadValueTemplateField(in.reader, "proposal", /*required=*/true,
                                            /*require_map=*/false, &in.info->reads);
  CompiledSchema schema;
  if (in.ctx->schemas.ReadField(in.reader, "proposal_schema", /*required=*/false, &schema)) {
    in.def->proposal_schema = std::move(schema.schema);
  }
  in.reader.Int("expires_in_s", 1, &in.def->expires_in_s);
  ReadTarget(in, "on_reject", &in.def->on_reject);
  ReadTarget(in, "on_expiry", &in.def->on_expiry);
}

void ReadVerifyFields(const NodeInput& in) {
  if (const Field* field = RequireListOfMaps(in, "checks", "{expr, message}")) {
    for (const YAML::Node& item : field->value) {
      FieldReader check(in.reader.file(), item, "a check", {"expr", "message"}, in.reader.diags());
      if (!check.is_map()) continue;
      CheckDef def;
      def.expr = ReadExpressionField(check, "expr", /*required=*/true, &in.info->reads);
      if (!check.String("message", &def.message) && def.expr) def.message = def.expr->source();
      in.def->checks.push_back(std::move(def));
    }
  }
  ReadTarget(in, "on_fail", &in.def->on_fail);
}

void ReadEscalateFields(const NodeInput& in) {
  in.def->reason = ReadValueTemplateField(in.reader, "reason", /*required=*/true,
                                          /*require_map=*/false, &in.info->reads);
  in.def->evidence = ReadValueTemplateField(in.reader, "evidence", /*required=*/false,
                                            /*require_map=*/false, &in.info->reads);
  in.reader.String("queue", &in.def->queue);
}

void ReadFinalizeFields(const NodeInput& in) {
  in.def->state = ReadValueTemplateField(in.reader, "state", /*required=*/true,
                                         /*require_map=*/false, &in.info->reads);
  in.def->output = ReadValueTemplateField(in.reader, "output", /*required=*/true,
                                          /*require_map=*/false, &in.info->reads);
  std::string& file = in.def->brief_template_file;
  if (!in.reader.String("brief_template", &file)) return;
  TemplateReader& templates = in.ctx->templates;
  in.def->brief_template = templates.Read(file, in.reader.Where(*in.reader.Find("brief_template")),
                                          "brief template file");
  if (in.def->brief_template) {
    for (NameUse& use : templates.TopLevelReads(file)) in.info->reads.push_back(std::move(use));
  }
}

}  // namespace keel::project_internal
