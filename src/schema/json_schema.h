// JsonSchema: a compiled JSON Schema (draft-07) used for workflow inputs, node
// outputs, tool I/O and state vectors. Backed by valijson.
//
// Draft-07 semantics: `format` is an annotation (never rejects a value);
// `$ref` follows `$id` base URIs, "#name" identifiers and remote documents
// fetched once, at Compile(), through the caller's SchemaDocumentLoader.
// Patterns use std::regex (ECMAScript grammar, matched on UTF-8 bytes).
//
// Thread-safety: compile once, validate many times. A compiled schema is
// immutable; Validate(), Errors() and document() may be called from many
// threads at once with no locking. This holds because each call runs its own
// valijson validation state over the shared, read-only compiled constraints,
// and every `pattern` regex is compiled during Compile(), so validation never
// writes to shared state. Compile() calls the loader on the calling thread
// only and does not keep it.
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
  // the schema itself is malformed or a $ref cannot be resolved. Blocks only
  // as long as `loader` does.
  static Result<std::shared_ptr<const JsonSchema>> Compile(
      const Json& schema, const SchemaDocumentLoader& loader = nullptr);

  // OK, or kInvalidArgument (type "schema_violation") whose message lists
  // the first few errors as "<pointer>: <reason>; ..." (the root is shown as
  // "(root)"). Never blocks; a valid value costs no error bookkeeping.
  Status Validate(const Json& value) const;

  // All errors (empty when valid), innermost first: valijson follows errors
  // inside a value with a summary error at the value itself. Never blocks.
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
