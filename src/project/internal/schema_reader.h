// SchemaReader: resolves the schemas project files reference, written either
// as a path (`schemas/account.json`) or inline as a YAML map, and compiles
// each schema file once however many places name it. Internal to
// src/project; thread-compatible.
#ifndef KEEL_PROJECT_INTERNAL_SCHEMA_READER_H_
#define KEEL_PROJECT_INTERNAL_SCHEMA_READER_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/json.h"
#include "project/internal/field_reader.h"
#include "schema/json_schema.h"

namespace keel::project_internal {

struct CompiledSchema {
  Json document;
  std::shared_ptr<const JsonSchema> schema;  // null when it did not compile
};

class SchemaReader {
 public:
  SchemaReader(std::string root, Diagnostics* diags) : root_(std::move(root)), diags_(diags) {}

  // Reads field `name` of `reader` as a schema. Reports a missing required
  // field, a schema file that does not exist, a file that is not JSON (at
  // its line:col in that file) and a schema that is not valid draft-07.
  // Returns false when there is no usable schema.
  bool ReadField(const FieldReader& reader, std::string_view name, bool required,
                 CompiledSchema* out);

 private:
  // Loads and compiles the file `rel` once; errors in the file itself are
  // reported once, at the file.
  const CompiledSchema* LoadFile(const std::string& rel, const SourceLocation& ref);
  // Parses a JSON document referenced by `$ref`, relative to the project root.
  std::optional<Json> LoadReferenced(const std::string& uri) const;

  std::string root_;
  Diagnostics* diags_;
  struct Entry {
    bool exists = false;
    bool parsed = false;
    CompiledSchema compiled;
    std::string compile_error;
  };
  std::map<std::string, Entry> files_;
};

}  // namespace keel::project_internal

#endif  // KEEL_PROJECT_INTERNAL_SCHEMA_READER_H_
