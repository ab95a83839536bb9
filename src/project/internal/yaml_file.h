// Project YAML files read with their positions, so every diagnostic can say
// `file:line:col`, and the YAML-to-JSON conversion the loader uses for schemas
// and value templates. Internal to src/project; thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_YAML_FILE_H_
#define KEEL_PROJECT_INTERNAL_YAML_FILE_H_

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/source_location.h"
#include "project/project_loader.h"

namespace keel::project_internal {

// Collects diagnostics in the order they are found.
class Diagnostics {
 public:
  void Add(SourceLocation where, std::string message) {
    list_.push_back(Diagnostic{std::move(where), std::move(message)});
  }
  const std::vector<Diagnostic>& list() const { return list_; }
  std::vector<Diagnostic>& mutable_list() { return list_; }

 private:
  std::vector<Diagnostic> list_;
};

struct YamlFile {
  std::string path;  // relative to the project root, e.g. "workflows/a.yaml"
  std::string text;
  YAML::Node root;

  // 1-based position of `mark` (yaml-cpp marks are 0-based).
  SourceLocation At(const YAML::Mark& mark) const;
  SourceLocation At(const YAML::Node& node) const { return At(node.Mark()); }
  // Position of character `offset` of a scalar's value. Exact when the value
  // is written on one line, plain or quoted without escapes; otherwise the
  // value's own position (a folded or escaped value has no 1:1 mapping).
  SourceLocation AtScalarOffset(const YAML::Node& scalar, size_t offset) const;
};

// Reads and parses `root`/`rel`. Reports an unreadable file or invalid YAML
// (at the parser's position) to `diags` and returns nullopt.
std::optional<YamlFile> ReadYamlFile(const std::string& root, const std::string& rel,
                                     Diagnostics* diags);

// Reads a whole file; nullopt when it cannot be opened.
std::optional<std::string> ReadTextFile(const std::string& path);

// YAML -> JSON. Quoted scalars (tag "!") and !!str stay strings; plain scalars
// become integers, doubles, true/false or null when they read as one (YAML
// 1.2 core schema, without yes/no/on/off), else strings.
Json YamlToJson(const YAML::Node& node);

// True when `s` is a plain identifier: [A-Za-z_][A-Za-z0-9_]*.
bool IsIdentifier(std::string_view s);

// "a, b, c".
std::string JoinNames(const std::vector<std::string>& names);

// 1-based line and column of byte `offset` in `text`.
SourceLocation LocationOfOffset(const std::string& file, const std::string& text, size_t offset);

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_YAML_FILE_H_
