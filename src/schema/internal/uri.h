// URI reference resolution (RFC 3986 section 5.2) for JSON Schema `$id` and
// `$ref`. Private to the schema module.
//
// Hand-written rather than taken from libcurl's URL API because schema
// identifiers are often URNs or bare relative paths (no base at all), which a
// URL parser built for fetching rejects; the algorithm is short and pure.
//
// Thread-safety: free functions over values; safe from any thread.
#ifndef KEEL_SCHEMA_INTERNAL_URI_H_
#define KEEL_SCHEMA_INTERNAL_URI_H_

#include <string>
#include <string_view>

namespace keel::schema_internal {

// Resolves `ref` against `base` (RFC 3986 5.2.2). An empty or relative base is
// allowed: a relative ref then stays relative, merged with the base's path
// ("dir/a.json" + "b.json" -> "dir/b.json"), so loaders can see file names.
std::string ResolveUri(std::string_view base, std::string_view ref);

// Splits "uri#fragment" at the first '#'. `fragment` is empty when there is
// none; `has_fragment` tells "x#" from "x".
struct SplitUri {
  std::string uri;
  std::string fragment;
  bool has_fragment = false;
};
SplitUri SplitFragment(std::string_view uri_reference);

// Decodes %XX escapes; a malformed escape is kept as written.
std::string PercentDecode(std::string_view text);

}  // namespace keel::schema_internal

#endif  // KEEL_SCHEMA_INTERNAL_URI_H_
