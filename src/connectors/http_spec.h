// HttpToolSpec: how to make a `kind: http` tool's request, parsed from its
// tools/*.yaml entry (given as JSON), e.g.
//
//   kind: http
//   method: GET                          # optional, default GET
//   base_url: ${env:SALES_DATA_URL}      # optional; ${env:NAME} read at call time
//   url: /news?company={{company}}       # Mustache over the arguments, values URL-encoded
//   headers:                             # optional; ${env:NAME} here is a secret
//     Authorization: Bearer ${env:NEWS_API_TOKEN}
//   body: {query: "{{company}}", limit: "{{limit}}"}   # optional JSON template
//   response: {pointer: /articles}       # or {fields: {items: /data/items, total: /meta/total}}
//   timeout_s: 10                        # optional, default 30
//
// Secrets are written `${env:NAME}` and resolved from the environment at
// call time, so they never appear in project files, prompts, traces or
// errors. In `base_url` the same syntax reads plain configuration (a host is
// not a secret and shows in error messages).
//
// The body template: a string leaf that is exactly "{{name}}" becomes the
// argument's JSON value (a number stays a number); any other string leaf is
// rendered as Mustache text (use {{&name}} for text that must not be
// HTML-escaped).
//
// Thread-compatible value type; its templates are immutable and shared.
#ifndef KEEL_CONNECTORS_HTTP_SPEC_H_
#define KEEL_CONNECTORS_HTTP_SPEC_H_

#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "template/mustache.h"

namespace keel {

struct HttpToolSpec {
  std::string method = "GET";
  std::string base_url;  // may hold ${env:NAME}
  std::shared_ptr<const MustacheTemplate> url;
  // Header name -> value; values may hold ${env:NAME} secrets.
  std::vector<std::pair<std::string, std::string>> headers;
  Json body;  // null: no body
  // Each text leaf of `body`, parsed once: leaf text -> template.
  std::map<std::string, std::shared_ptr<const MustacheTemplate>, std::less<>> body_templates;
  std::string response_pointer;  // "" with no fields: the whole response body
  std::vector<std::pair<std::string, std::string>> response_fields;  // output field -> pointer
  double timeout_s = 30;
};

// The fields ParseHttpToolSpec reads, for the tool loader's list of known fields.
inline constexpr std::array<const char*, 7> kHttpToolFields = {
    "method", "base_url", "url", "headers", "body", "response", "timeout_s"};

// Reads the fields above from a tool entry; other fields are ignored. Fails
// with kInvalidArgument naming the field, e.g. "url: line 1, col 8: ...".
Result<HttpToolSpec> ParseHttpToolSpec(const Json& entry);

// Replaces every ${env:NAME} in `text` with the variable's value. Fails with
// kFailedPrecondition (type "missing_secret") naming NAME, never a value,
// when a variable is unset, and kInvalidArgument for an unclosed reference.
// `secrets`, when given, receives each value substituted (for redaction).
Result<std::string> ResolveEnvRefs(const std::string& text,
                                   std::vector<std::string>* secrets = nullptr);

// `text` with every occurrence of each (non-empty) secret replaced by
// "[redacted]", so that a server echoing a header back cannot leak it into
// an error message.
std::string RedactSecrets(std::string text, const std::vector<std::string>& secrets);

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string UrlEncode(std::string_view text);

}  // namespace keel

#endif  // KEEL_CONNECTORS_HTTP_SPEC_H_
