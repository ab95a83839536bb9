#include "connectors/http_spec.h"

#include <cstdlib>

namespace keel {
namespace {

Status FieldError(const std::string& field, const std::string& what) {
  return InvalidArgument(field + ": " + what);
}

bool KnownMethod(const std::string& method) {
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"}) {
    if (method == m) return true;
  }
  return false;
}

// Parses every string leaf of the body template once: a typo fails at load
// time rather than on the first call, and calls only render.
Status ParseBodyTemplates(const Json& value, const std::string& where, HttpToolSpec* spec) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    Result<std::shared_ptr<const MustacheTemplate>> parsed = MustacheTemplate::Parse(text);
    if (!parsed.ok()) return FieldError(where, parsed.status().message());
    spec->body_templates.emplace(text, *parsed);
    return Status();
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      KEEL_RETURN_IF_ERROR(ParseBodyTemplates(item, where + "." + key, spec));
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      KEEL_RETURN_IF_ERROR(
          ParseBodyTemplates(value[i], where + "[" + std::to_string(i) + "]", spec));
    }
  }
  return Status();
}

Status CheckPointer(const Json& value, const std::string& where, std::string* out) {
  if (!value.is_string()) return FieldError(where, "expected a JSON Pointer such as /data/items");
  const std::string& text = value.get_ref<const std::string&>();
  try {
    (void)Json::json_pointer(text);  // validates the syntax
  } catch (const std::exception&) {
    return FieldError(where, "'" + text + "' is not a JSON Pointer (e.g. /data/items)");
  }
  *out = text;
  return Status();
}

Status ParseResponse(const Json& value, HttpToolSpec* spec) {
  if (!value.is_object() || value.size() != 1 ||
      (!value.contains("pointer") && !value.contains("fields"))) {
    return FieldError("response", "expected {pointer: /path} or {fields: {name: /path, ...}}");
  }
  if (auto it = value.find("pointer"); it != value.end()) {
    return CheckPointer(*it, "response.pointer", &spec->response_pointer);
  }
  const Json& fields = value["fields"];
  if (!fields.is_object() || fields.empty()) {
    return FieldError("response.fields", "expected a map of output field to JSON Pointer");
  }
  for (const auto& [name, pointer] : fields.items()) {
    std::string text;
    KEEL_RETURN_IF_ERROR(CheckPointer(pointer, "response.fields." + name, &text));
    spec->response_fields.emplace_back(name, std::move(text));
  }
  return Status();
}

Status ParseHeaders(const Json& value, HttpToolSpec* spec) {
  if (!value.is_object()) return FieldError("headers", "expected a map of header name to value");
  for (const auto& [name, text] : value.items()) {
    if (!text.is_string()) return FieldError("headers." + name, "expected a string");
    const std::string& s = text.get_ref<const std::string&>();
    if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos ||
        s.find_first_of("\r\n") != std::string::npos) {
      return FieldError("headers." + name, "not a valid header");
    }
    spec->headers.emplace_back(name, s);
  }
  return Status();
}

}  // namespace

Result<HttpToolSpec> ParseHttpToolSpec(const Json& entry) {
  if (!entry.is_object()) return InvalidArgument("an http tool must be a mapping");
  HttpToolSpec spec;
  if (auto it = entry.find("method"); it != entry.end()) {
    if (!it->is_string() || !KnownMethod(it->get<std::string>())) {
      return FieldError("method", "expected GET, POST, PUT, PATCH, DELETE or HEAD");
    }
    spec.method = it->get<std::string>();
  }
  if (auto it = entry.find("base_url"); it != entry.end()) {
    if (!it->is_string()) return FieldError("base_url", "expected a string");
    spec.base_url = it->get<std::string>();
  }
  auto url = entry.find("url");
  if (url == entry.end()) return FieldError("url", "required for an http tool");
  if (!url->is_string() || url->get_ref<const std::string&>().empty()) {
    return FieldError("url", "expected a URL template");
  }
  Result<std::shared_ptr<const MustacheTemplate>> parsed =
      MustacheTemplate::Parse(url->get_ref<const std::string&>());
  if (!parsed.ok()) return FieldError("url", parsed.status().message());
  spec.url = *parsed;
  if (auto it = entry.find("headers"); it != entry.end()) {
    KEEL_RETURN_IF_ERROR(ParseHeaders(*it, &spec));
  }
  if (auto it = entry.find("body"); it != entry.end()) {
    KEEL_RETURN_IF_ERROR(ParseBodyTemplates(*it, "body", &spec));
    spec.body = *it;
  }
  if (auto it = entry.find("response"); it != entry.end()) {
    KEEL_RETURN_IF_ERROR(ParseResponse(*it, &spec));
  }
  if (auto it = entry.find("timeout_s"); it != entry.end()) {
    if (!it->is_number() || it->get<double>() <= 0) {
      return FieldError("timeout_s", "expected a positive number of seconds");
    }
    spec.timeout_s = it->get<double>();
  }
  return spec;
}

Result<std::string> ResolveEnvRefs(const std::string& text, std::vector<std::string>* secrets) {
  static constexpr std::string_view kOpen = "${env:";
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t start = text.find(kOpen, pos);
    if (start == std::string::npos) break;
    size_t end = text.find('}', start);
    if (end == std::string::npos) return InvalidArgument("unclosed ${env:...} reference");
    std::string name = text.substr(start + kOpen.size(), end - start - kOpen.size());
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      return Status(StatusCode::kFailedPrecondition, "environment variable " + name + " is not set",
                    "missing_secret");
    }
    out.append(text, pos, start - pos).append(value);
    if (secrets != nullptr && *value != '\0') secrets->emplace_back(value);
    pos = end + 1;
  }
  if (pos == 0) return text;
  out.append(text, pos);
  return out;
}

std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets) {
  static constexpr std::string_view kRedacted = "[redacted]";
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
      text.replace(at, secret.size(), kRedacted);
      at += kRedacted.size();
    }
  }
  return text;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace keel
