// JsonSchema: a compiled JSON Schema (draft-07) used for workflow inputs, node
// outputs, tool I/O and state vectors. Backed by valijson.
//
// Compile once, validate many times: a compiled schema is immutable and
// Validate() is safe to call from many threads at once.
#ifndef KEEL_SCHEMA_JSON_SCHEMA_H_
#define KEEL_SCHEMA_JSON_SCHEMA_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace keel {

// Resolves a remote `$ref` document by URI (without fragment). Returns nullopt
// when unknown; compilation then fails with a clear error.
using SchemaDocumentLoader = std::function<std::optional<Json>(const std::string& uri)>;

struct SchemaError {
  std::string path;     // JSON Pointer into the validated value, e.g. "/risk/level"
  std::string message;  // what is wrong there
};

class JsonSchema {
 public:
  // Compiles `schema`. Fails with kInvalidArgument naming what is wrong when
  // the schema itself is malformed or a $ref cannot be resolved.
  static Result<std::shared_ptr<const JsonSchema>> Compile(
      const Json& schema, const SchemaDocumentLoader& loader = nullptr);

  // OK, or kInvalidArgument (type "schema_violation") whose message lists
  // the first few errors as "<pointer>: <reason>; ...".
  Status Validate(const Json& value) const;

  // All errors (empty when valid).
  std::vector<SchemaError> Errors(const Json& value) const;

  const Json& document() const { return document_; }

  ~JsonSchema();

 private:
  JsonSchema();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Json document_;
};

}  // namespace keel

#endif  // KEEL_SCHEMA_JSON_SCHEMA_H_
