// FieldReader: reads the fields of one YAML map (a project file, a node, a
// route...) and reports every key it does not know, duplicates, missing
// required fields and values of the wrong type, each at its position.
// Internal to src/project; thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_FIELD_READER_H_
#define KEEL_PROJECT_INTERNAL_FIELD_READER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "project/internal/yaml_file.h"

namespace keel::project_internal {

// One `key: value` of a map.
struct Field {
  std::string name;
  YAML::Node key;
  YAML::Node value;
};

// The closest of `candidates` to `word` when it is a likely misspelling, else "".
std::string Suggest(std::string_view word, const std::vector<std::string_view>& candidates);

class FieldReader {
 public:
  // `what` names the map in messages ("keel.yaml", "an llm node", ...).
  // Reports a value that is not a map, and keys outside `allowed`.
  FieldReader(const YamlFile& file, const YAML::Node& map, std::string what,
              std::vector<std::string_view> allowed, Diagnostics* diags);

  bool is_map() const { return is_map_; }
  const YamlFile& file() const { return file_; }
  Diagnostics* diags() const { return diags_; }
  const std::vector<Field>& fields() const { return fields_; }

  // nullptr when absent.
  const Field* Find(std::string_view name) const;
  // Like Find, and reports "missing required field" when absent.
  const Field* Require(std::string_view name) const;
  // Where the map starts.
  SourceLocation Where() const { return file_.At(map_); }
  // Where a field's value is (its key when the value is empty).
  SourceLocation Where(const Field& field) const;

  // Typed getters. Each returns true when the field is present with the
  // right type and stores it in *out; a wrong type is reported and leaves
  // *out unchanged; an absent field is reported only when `required`.
  bool String(std::string_view name, std::string* out, bool required = false) const;
  bool Int(std::string_view name, int64_t min, int64_t* out) const;
  bool Number(std::string_view name, int64_t min, double* out) const;
  bool Bool(std::string_view name, bool* out) const;
  // A list of strings; `where` (optional) receives each item's position.
  bool StringList(std::string_view name, std::vector<std::string>* out,
                  std::vector<SourceLocation>* where = nullptr, bool required = false) const;

  // Reports `message` at the field's value.
  void Error(const Field& field, std::string message) const;

 private:
  const YamlFile& file_;
  YAML::Node map_;
  std::string what_;
  Diagnostics* diags_;
  bool is_map_ = false;
  std::vector<Field> fields_;
};

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_FIELD_READER_H_
