// MustacheTemplate: prompt templates in Mustache (https://mustache.github.io),
// rendered straight from JSON values.
//
// Written here rather than taken from libkainjow-mustache-dev because keel
// needs (1) rendering directly from nlohmann::json without copying every
// value into another data type per render, (2) a strict mode that reports a
// variable missing from the data instead of silently rendering "", and (3) the
// list of names a template reads, so `keel validate` can check them.
//
// A parsed template is immutable; Render() is safe from many threads.
#ifndef KEEL_TEMPLATE_MUSTACHE_H_
#define KEEL_TEMPLATE_MUSTACHE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace keel {

using MustachePartials = std::map<std::string, std::string>;

struct MustacheOptions {
  // When true, an interpolation or section naming a key found nowhere in the
  // context stack fails the render with kInvalidArgument naming the key and
  // its line. When false, missing names render as "" (the spec's behaviour).
  bool strict = false;
};

class MustacheTemplate {
 public:
  // Parses `text`. Fails with kInvalidArgument "line L, col C: ..." on an
  // unclosed tag or section, a mismatched closing tag or a bad delimiter tag.
  static Result<std::shared_ptr<const MustacheTemplate>> Parse(std::string_view text);

  // Renders against `data`. Partials are looked up by name in `partials`
  // (parsed on use; a missing partial renders as ""). HTML-escapes {{x}},
  // not {{{x}}} or {{&x}}. Objects/arrays interpolated render as compact JSON.
  // Sections skip falsey values, as in JavaScript: null, false, 0, "" and [].
  // A dotted name may index an array ("contacts.0.name"). Partials recursing
  // more than 100 deep fail with kInvalidArgument. Does not block.
  Result<std::string> Render(const Json& data, const MustachePartials& partials = {},
                             const MustacheOptions& options = {}) const;

  // Dotted names the template reads outside of any section (the names that
  // must come from the top-level data), e.g. {"account.name", "usage"}.
  // Names inside sections are excluded because they may resolve against the
  // section's own context.
  std::vector<std::string> TopLevelNames() const;

  ~MustacheTemplate();

 private:
  MustacheTemplate();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace keel

#endif  // KEEL_TEMPLATE_MUSTACHE_H_
