// TemplateReader: parses each Mustache file of a project once (prompts,
// partials, brief templates), reports parse errors at their line:col in the
// template file, and locates the names a template reads for scope checks.
// Internal to src/project; thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_TEMPLATE_READER_H_
#define KEEL_PROJECT_INTERNAL_TEMPLATE_READER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "project/internal/expr_reader.h"
#include "template/mustache.h"

namespace keel::project_internal {

class TemplateReader {
 public:
  TemplateReader(std::string root, Diagnostics* diags) : root_(std::move(root)), diags_(diags) {}

  // The parsed template in file `rel` (relative to the root), parsed on the
  // first call. Reports "<noun> 'rel' does not exist" at `ref` when the file
  // is missing, and a parse error once, at its position in `rel`. Returns
  // null in both cases.
  std::shared_ptr<const MustacheTemplate> Read(const std::string& rel, const SourceLocation& ref,
                                               std::string_view noun);

  // The root names (first segment of TopLevelNames()) the template in `rel`
  // reads, each at the first tag that names it. `rel` must have been Read.
  std::vector<NameUse> TopLevelReads(const std::string& rel) const;

  // The text of a file already Read (empty when it was missing).
  const std::string& Text(const std::string& rel) const;

 private:
  struct Entry {
    bool exists = false;
    std::string text;
    std::shared_ptr<const MustacheTemplate> parsed;
  };

  std::string root_;
  Diagnostics* diags_;
  std::map<std::string, Entry> files_;
};

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_TEMPLATE_READER_H_
