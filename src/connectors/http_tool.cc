#include "connectors/http_tool.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <memory>

#include "connectors/subprocess_tool.h"  // TraceParent

namespace keel {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The arguments with every string URL-encoded, so a value cannot add a path
// segment or a query parameter.
Json UrlEncoded(const Json& value) {
  if (value.is_string()) return UrlEncode(value.get_ref<const std::string&>());
  if (!value.is_structured()) return value;
  Json out = value.is_object() ? Json::object() : Json::array();
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) out[key] = UrlEncoded(item);
  } else {
    for (const Json& item : value) out.push_back(UrlEncoded(item));
  }
  return out;
}

// A dotted name ("lead.company") looked up in the arguments; null when absent.
Json Lookup(const Json& args, std::string_view name) {
  const Json* at = &args;
  while (!name.empty()) {
    size_t dot = name.find('.');
    std::string part(name.substr(0, dot));
    if (!at->is_object() || !at->contains(part)) return nullptr;
    at = &(*at)[part];
    name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  }
  return *at;
}

Result<Json> RenderBody(const HttpToolSpec& spec, const Json& tmpl, const Json& args) {
  if (tmpl.is_string()) {
    std::string_view text = tmpl.get_ref<const std::string&>();
    if (text.size() > 4 && text.starts_with("{{") && text.ends_with("}}") &&
        text.find("{{", 2) == std::string_view::npos && std::isalpha(text[2])) {
      return Lookup(args, text.substr(2, text.size() - 4));
    }
    auto it = spec.body_templates.find(text);
    // ParseHttpToolSpec parsed every leaf of spec.body, which is all this walks.
    if (it == spec.body_templates.end()) return Internal("body template was not parsed");
    Result<std::string> rendered = it->second->Render(args);
    if (!rendered.ok()) return rendered.status();
    return Json(std::move(rendered).value());
  }
  if (!tmpl.is_structured()) return tmpl;
  Json out = tmpl.is_object() ? Json::object() : Json::array();
  for (auto it = tmpl.begin(); it != tmpl.end(); ++it) {
    Result<Json> item = RenderBody(spec, *it, args);
    if (!item.ok()) return item.status();
    if (tmpl.is_object()) {
      out[it.key()] = std::move(item).value();
    } else {
      out.push_back(std::move(item).value());
    }
  }
  return out;
}

double RetryAfterSeconds(std::string_view header) {
  if (header.empty()) return -1;
  std::string text(header);
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (end != text.c_str() && *end == '\0') return std::max(0.0, seconds);
  time_t when = curl_getdate(text.c_str(), nullptr);  // an HTTP-date
  if (when < 0) return -1;
  return std::max(0.0, std::difftime(when, std::time(nullptr)));
}

// What a response body says about an error: its "message" or "error" text
// when it is JSON, else its start.
std::string BodyMessage(std::string_view body) {
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object()) {
    for (const char* key : {"message", "error"}) {
      auto it = parsed.find(key);
      if (it != parsed.end() && it->is_string()) return it->get<std::string>();
    }
  }
  return std::string(body.substr(0, 200));
}

Result<Json> MapResponse(const HttpToolSpec& spec, const Json& body) {
  auto at = [&](const std::string& pointer) -> Result<Json> {
    Json::json_pointer ptr(pointer);
    if (!body.contains(ptr)) {
      return Status(StatusCode::kFailedPrecondition, "the response has nothing at " + pointer,
                    "invalid_response");
    }
    return body.at(ptr);
  };
  if (!spec.response_pointer.empty()) return at(spec.response_pointer);
  if (spec.response_fields.empty()) return body;
  Json out = Json::object();
  for (const auto& [field, pointer] : spec.response_fields) {
    Result<Json> value = at(pointer);
    if (!value.ok()) return value.status();
    out[field] = std::move(value).value();
  }
  return out;
}

// One call's state between Start and the response.
struct HttpCall {
  std::string where;  // "http tool 'x': GET host/path", for messages
  std::vector<std::string> secrets;
  bool side_effects = false;
  ToolCallback done;
};

Status WithWhere(const Status& status, const HttpCall& call) {
  Status out(status.code(), RedactSecrets(call.where + ": " + status.message(), call.secrets),
             status.type(), status.retryable());
  if (status.retry_after_s()) out.set_retry_after_s(*status.retry_after_s());
  return out;
}

void Finish(const HttpToolSpec& spec, HttpCall& call, Result<HttpResponse> result) {
  if (!result.ok()) {
    Status why = result.status();
    // A side effect cut off mid-way may have happened: the engine decides
    // (with the idempotency key), this layer does not claim a retry is safe.
    bool retryable = why.type() == "connection_failed" ||
                     (!call.side_effects && why.type() != "tls" && why.type() != "cancelled");
    call.done(WithWhere(Status(why.code(), why.message(), why.type(), retryable), call));
    return;
  }
  const HttpResponse& response = *result;
  if (response.status < 200 || response.status > 299) {
    std::string body = RedactSecrets(std::string(response.body), call.secrets);
    call.done(
        WithWhere(HttpStatusError(response.status, response.Header("retry-after"), body), call));
    return;
  }
  Json body = response.body.empty()
                  ? Json()
                  : Json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    call.done(WithWhere(
        Status(StatusCode::kFailedPrecondition, "the response is not JSON", "invalid_response"),
        call));
    return;
  }
  Result<Json> mapped = MapResponse(spec, body);
  if (!mapped.ok()) {
    call.done(WithWhere(mapped.status(), call));
    return;
  }
  call.done(std::move(mapped).value());
}

}  // namespace

std::string UrlHost(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return "";
  std::string proto = Lower(url.substr(0, scheme));
  if (proto != "http" && proto != "https") return "";
  std::string_view rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.starts_with("[")) {
    size_t close = rest.find(']');
    return close == std::string_view::npos ? "" : Lower(rest.substr(1, close - 1));
  }
  return Lower(rest.substr(0, rest.find(':')));
}

bool EgressAllowed(const std::vector<std::string>& allow, std::string_view host) {
  if (host.empty()) return false;
  for (const std::string& entry : allow) {
    std::string pattern = Lower(entry);
    if (pattern == host) return true;
    if (pattern.starts_with("*.") && host.size() > pattern.size() - 1 &&
        host.ends_with(std::string_view(pattern).substr(1))) {
      return true;
    }
  }
  return false;
}

Status HttpStatusError(int status, std::string_view retry_after, std::string_view body) {
  std::string message = "HTTP " + std::to_string(status);
  std::string detail = BodyMessage(body);
  if (!detail.empty()) message += ": " + detail;
  double wait = RetryAfterSeconds(retry_after);
  if (status == 429 || status >= 500) {
    Status out = status == 429
                     ? Status(StatusCode::kResourceExhausted, message, "rate_limited", true)
                     : Status(StatusCode::kUnavailable, message, "server_error", true);
    if (wait >= 0) out.set_retry_after_s(wait);
    return out;
  }
  switch (status) {
    case 400:
    case 422:
      return Status(StatusCode::kInvalidArgument, message, "invalid_argument");
    case 401:
      return Status(StatusCode::kPermissionDenied, message, "unauthenticated");
    case 403:
      return Status(StatusCode::kPermissionDenied, message, "permission_denied");
    case 404:
      return Status(StatusCode::kNotFound, message, "not_found");
    case 409:
      return Status(StatusCode::kAborted, message, "conflict");
    default:
      return Status(StatusCode::kFailedPrecondition, message, "client_error");
  }
}

HttpTool::HttpTool(std::string name, HttpToolSpec spec, HttpClient* client,
                   std::vector<std::string> egress_allow, bool side_effects)
    : name_(std::move(name)),
      spec_(std::move(spec)),
      client_(client),
      egress_allow_(std::move(egress_allow)),
      side_effects_(side_effects) {}

void HttpTool::Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) {
  auto call = std::make_shared<HttpCall>();
  call->side_effects = side_effects_;
  call->done = std::move(done);
  call->where = "http tool '" + name_ + "'";
  Result<std::string> base = ResolveEnvRefs(spec_.base_url);
  if (!base.ok()) {  // a setting, not a secret: its own type
    Status why(base.status().code(), base.status().message(), "missing_setting");
    return call->done(WithWhere(why, *call));
  }
  Result<std::string> path = spec_.url->Render(UrlEncoded(args));
  if (!path.ok()) return call->done(WithWhere(path.status(), *call));
  HttpRequest request;
  request.method = spec_.method;
  request.url = *base + *path;
  std::string host = UrlHost(request.url);
  call->where += ": " + spec_.method + " " + (host.empty() ? request.url : host);
  if (host.empty()) {
    return call->done(
        WithWhere(InvalidArgument("'" + request.url + "' is not an http(s) URL"), *call));
  }
  if (!EgressAllowed(egress_allow_, host)) {
    return call->done(WithWhere(Status(StatusCode::kPermissionDenied,
                                       "host '" + host +
                                           "' is not on the egress allowlist (keel.yaml "
                                           "egress.allow)",
                                       "egress_denied"),
                                *call));
  }
  for (const auto& [name, value] : spec_.headers) {
    Result<std::string> resolved = ResolveEnvRefs(value, &call->secrets);
    if (!resolved.ok()) return call->done(WithWhere(resolved.status(), *call));
    request.headers.emplace_back(name, std::move(resolved).value());
  }
  request.headers.emplace_back("Accept", "application/json");
  std::string traceparent = TraceParent(ctx.trace_id, ctx.span_id);
  if (!traceparent.empty()) request.headers.emplace_back("traceparent", std::move(traceparent));
  if (side_effects_ && !ctx.idempotency_key.empty()) {
    request.headers.emplace_back("Idempotency-Key", ctx.idempotency_key);
  }
  if (!spec_.body.is_null()) {
    Result<Json> body = RenderBody(spec_, spec_.body, args);
    if (!body.ok()) return call->done(WithWhere(body.status(), *call));
    request.body = body->dump(-1, ' ', false, Json::error_handler_t::replace);
    request.headers.emplace_back("Content-Type", "application/json");
  }
  request.total_timeout_ms = static_cast<int64_t>(std::ceil(spec_.timeout_s * 1000));
  request.idle_timeout_ms = 0;  // the total timeout bounds the call
  HttpCallbacks callbacks;
  const HttpToolSpec* spec = &spec_;
  callbacks.on_done = [spec, call](Result<HttpResponse> result) {
    Finish(*spec, *call, std::move(result));
  };
  client_->Send(std::move(request), std::move(callbacks));
}

}  // namespace keel
