// Deciding what the test server answers, shared by both protocols.
#include <string>

#include "protocol.h"

namespace keel::model_server {
namespace {

std::string TextOf(const Json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array()) {
    for (const auto& part : content) {
      if (part.is_object() && part.value("type", "") == "text") out += part.value("text", "");
    }
  }
  return out;
}

int64_t CountTokens(const Json& request) {
  // About four characters per token, like the providers' own rule of thumb.
  return 8 + static_cast<int64_t>(request.dump().size()) / 4;
}

void FinishAnswer(const Json& request, Answer& a) {
  a.prompt_tokens = CountTokens(request);
  std::string produced = a.text;
  for (const auto& call : a.tool_calls) produced += call.arguments.dump();
  a.completion_tokens = 1 + static_cast<int64_t>(produced.size()) / 4;
  int64_t max_tokens = request.value("max_tokens", request.value("max_completion_tokens", 0));
  if (max_tokens > 0 && a.completion_tokens > max_tokens && a.tool_calls.empty()) {
    a.text = a.text.substr(0, static_cast<size_t>(max_tokens) * 4);
    a.completion_tokens = max_tokens;
    a.truncated = true;
  }
}

bool FromCanned(const std::optional<Json>& canned, Answer& a) {
  if (!canned) return false;
  a.text = canned->value("text", "");
  int n = 0;
  for (const auto& call : canned->value("tool_calls", Json::array())) {
    a.tool_calls.push_back({"call_canned_" + std::to_string(n++), call.value("name", ""),
                            call.value("arguments", Json::object())});
  }
  return true;
}

// The shared decision once each protocol has named the last user text, the
// offered tools ({name, schema}), the forced tool and the response schema.
struct Ask {
  std::string last_user;
  bool tool_result_seen = false;
  std::vector<std::pair<std::string, Json>> tools;
  std::string forced_tool;
  bool tools_declined = false;
  std::optional<Json> response_schema;
};

Answer Decide(const Json& request, const Ask& ask, const std::optional<Json>& canned) {
  Answer a;
  if (FromCanned(canned, a)) {
  } else if (ask.last_user.find("refuse") != std::string::npos) {
    a.refused = true;
    a.text = "I can't help with that.";
  } else if (!ask.tools.empty() && !ask.tools_declined && !ask.tool_result_seen) {
    const auto* tool = &ask.tools.front();
    for (const auto& t : ask.tools) {
      if (t.first == ask.forced_tool) tool = &t;
    }
    a.tool_calls.push_back({"call_" + std::to_string(CountTokens(request)), tool->first,
                            SampleFromSchema(tool->second)});
  } else if (ask.response_schema) {
    a.text = SampleFromSchema(*ask.response_schema).dump();
  } else {
    a.text = "echo: " + ask.last_user;
  }
  FinishAnswer(request, a);
  return a;
}

}  // namespace

Json SampleFromSchema(const Json& schema) {
  if (!schema.is_object()) return nullptr;
  if (schema.contains("const")) return schema["const"];
  if (schema.contains("enum") && !schema["enum"].empty()) return schema["enum"][0];
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    if (schema.contains(key) && !schema[key].empty()) return SampleFromSchema(schema[key][0]);
  }
  Json type = schema.value("type", Json("object"));
  if (type.is_array()) type = type.empty() ? Json("null") : type[0];
  const std::string t = type.get<std::string>();
  if (t == "string") return "sample";
  if (t == "integer") return schema.value("minimum", 1);
  if (t == "number") return schema.value("minimum", 1.5);
  if (t == "boolean") return true;
  if (t == "null") return nullptr;
  if (t == "array") {
    Json out = Json::array();
    for (int i = 0; i < schema.value("minItems", 0); ++i) {
      out.push_back(SampleFromSchema(schema.value("items", Json::object())));
    }
    return out;
  }
  Json out = Json::object();
  const Json props = schema.value("properties", Json::object());
  for (const auto& name : schema.value("required", Json::array())) {
    const std::string key = name.get<std::string>();
    out[key] = SampleFromSchema(props.value(key, Json::object()));
  }
  return out;
}

Answer DecideOpenAi(const Json& request, const std::optional<Json>& canned) {
  Ask ask;
  for (const auto& m : request.value("messages", Json::array())) {
    const std::string role = m.value("role", "");
    if (role == "user") {
      ask.last_user = TextOf(m.value("content", Json()));
      ask.tool_result_seen = false;
    } else if (role == "tool") {
      ask.tool_result_seen = true;
    }
  }
  for (const auto& t : request.value("tools", Json::array())) {
    const Json fn = t.value("function", Json::object());
    ask.tools.emplace_back(fn.value("name", ""), fn.value("parameters", Json::object()));
  }
  const Json choice = request.value("tool_choice", Json());
  ask.tools_declined = choice == "none";
  if (choice.is_object()) ask.forced_tool = choice["function"].value("name", "");
  const Json format = request.value("response_format", Json::object());
  if (format.value("type", "") == "json_schema") {
    ask.response_schema = format["json_schema"].value("schema", Json::object());
  }
  return Decide(request, ask, canned);
}

Answer DecideAnthropic(const Json& request, const std::optional<Json>& canned) {
  Ask ask;
  for (const auto& m : request.value("messages", Json::array())) {
    if (m.value("role", "") != "user") continue;
    const Json content = m.value("content", Json());
    ask.tool_result_seen = false;
    if (content.is_array()) {
      for (const auto& block : content) {
        if (block.value("type", "") == "tool_result") ask.tool_result_seen = true;
      }
    }
    std::string text = TextOf(content);
    if (!text.empty() || !ask.tool_result_seen) ask.last_user = text;
  }
  for (const auto& t : request.value("tools", Json::array())) {
    ask.tools.emplace_back(t.value("name", ""), t.value("input_schema", Json::object()));
  }
  const Json choice = request.value("tool_choice", Json::object());
  ask.tools_declined = choice.value("type", "") == "none";
  if (choice.value("type", "") == "tool") ask.forced_tool = choice.value("name", "");
  return Decide(request, ask, canned);
}

}  // namespace keel::model_server
