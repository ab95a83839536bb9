// HttpTool: a `kind: http` tool, one HTTP request per call on keel's event
// loop (io/http_client.h), described by an HttpToolSpec (http_spec.h).
//
// Per call: the URL (base_url + url template, argument values URL-encoded)
// must name an http(s) host on the egress allowlist, or the call fails with
// type "egress_denied" before any connection. Headers are resolved at call
// time (${env:NAME} secrets); a W3C `traceparent` is added from the call's
// trace and span ids and, for side-effecting tools, `Idempotency-Key` from
// its idempotency key. Secret values are redacted from every error message.
//
// Results: a 2xx JSON body, mapped by the spec's `response` pointers. Errors
// are structured (ToolErrorJson): 429 "rate_limited" and 5xx "server_error"
// are retryable with Retry-After honoured; 4xx are not ("invalid_argument",
// "unauthenticated", "permission_denied", "not_found", "conflict",
// "client_error"); transport failures keep the client's types ("timeout",
// "connection_failed", "connection_dropped", "tls"); a body that is not JSON
// or lacks a mapped field is "invalid_response".
//
// Thread-safety: thread-safe; one instance serves every run. Start() never
// blocks; `done` runs on the event loop's thread.
#ifndef KEEL_CONNECTORS_HTTP_TOOL_H_
#define KEEL_CONNECTORS_HTTP_TOOL_H_

#include <string>
#include <string_view>
#include <vector>

#include "connectors/http_spec.h"
#include "io/http_client.h"
#include "tools/tool.h"

namespace keel {

class HttpTool : public Tool {
 public:
  // `client` must outlive the tool. `egress_allow` lists host names (exact,
  // case-insensitive) or "*.example.com" suffix patterns; empty denies all.
  HttpTool(std::string name, HttpToolSpec spec, HttpClient* client,
           std::vector<std::string> egress_allow, bool side_effects);

  void Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) override;

 private:
  std::string name_;
  HttpToolSpec spec_;
  HttpClient* client_;
  std::vector<std::string> egress_allow_;
  bool side_effects_;
};

// The host of an http(s) URL (without port or brackets); "" when `url` is
// not an absolute http(s) URL.
std::string UrlHost(std::string_view url);

// True when `host` matches an entry of `allow` (see HttpTool).
bool EgressAllowed(const std::vector<std::string>& allow, std::string_view host);

// Maps a non-2xx response to a structured error (see HttpTool). `body` may
// supply the message; it should already be redacted.
Status HttpStatusError(int status, std::string_view retry_after, std::string_view body);

}  // namespace keel

#endif  // KEEL_CONNECTORS_HTTP_TOOL_H_
