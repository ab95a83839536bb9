#include "project/internal/schema_reader.h"

#include <filesystem>

namespace keel::project_internal {

namespace {

// nlohmann's message reads "[json.exception.parse_error.101] parse error at
// line 1, column 2: syntax error ..."; keep what follows the position, since
// the diagnostic carries the position itself.
std::string ParseErrorReason(const std::string& what) {
  size_t at = what.find("column ");
  size_t colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
  if (colon != std::string::npos) return what.substr(colon + 2);
  size_t bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

// The schema module's messages may open with "invalid JSON Schema: ", which
// the loader's own wording already says.
std::string CompileErrorReason(const std::string& message) {
  constexpr std::string_view kPrefix = "invalid JSON Schema: ";
  return message.rfind(kPrefix, 0) == 0 ? message.substr(kPrefix.size()) : message;
}

}  // namespace

std::optional<Json> SchemaReader::LoadReferenced(const std::string& uri) const {
  std::string rel = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
  for (const std::filesystem::path& candidate :
       {std::filesystem::path(root_) / rel, std::filesystem::path(root_) / "schemas" / rel}) {
    std::optional<std::string> text = ReadTextFile(candidate.string());
    if (!text) continue;
    Json doc = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return std::nullopt;
    return doc;
  }
  return std::nullopt;
}

const CompiledSchema* SchemaReader::LoadFile(const std::string& rel, const SourceLocation& ref) {
  auto [it, inserted] = files_.try_emplace(rel);
  Entry& entry = it->second;
  if (inserted) {
    std::optional<std::string> text = ReadTextFile((std::filesystem::path(root_) / rel).string());
    entry.exists =
        text.has_value() && !std::filesystem::is_directory(std::filesystem::path(root_) / rel);
    if (entry.exists) {
      try {
        entry.compiled.document = Json::parse(*text);
        entry.parsed = true;
      } catch (const Json::parse_error& e) {
        // e.byte is the 1-based offset of the last byte read.
        size_t offset = e.byte > 0 ? e.byte - 1 : 0;
        diags_->Add(LocationOfOffset(rel, *text, offset),
                    "invalid JSON: " + ParseErrorReason(e.what()));
      }
    }
    if (entry.parsed) {
      auto compiled = JsonSchema::Compile(
          entry.compiled.document, [this](const std::string& uri) { return LoadReferenced(uri); });
      if (compiled.ok()) {
        entry.compiled.schema = *compiled;
      } else {
        entry.compile_error = CompileErrorReason(compiled.error().message());
      }
    }
  }
  if (!entry.exists) {
    diags_->Add(ref, "schema file '" + rel + "' does not exist");
    return nullptr;
  }
  if (!entry.parsed) return nullptr;
  if (!entry.compiled.schema) {
    diags_->Add(ref, "'" + rel + "' is not a valid draft-07 JSON Schema: " + entry.compile_error);
    return nullptr;
  }
  return &entry.compiled;
}

bool SchemaReader::ReadField(const FieldReader& reader, std::string_view name, bool required,
                             CompiledSchema* out) {
  const Field* field = required ? reader.Require(name) : reader.Find(name);
  if (field == nullptr) return false;
  if (field->value.IsMap()) {
    out->document = YamlToJson(field->value);
    auto compiled = JsonSchema::Compile(
        out->document, [this](const std::string& uri) { return LoadReferenced(uri); });
    if (!compiled.ok()) {
      reader.Error(*field, "inline schema is not a valid draft-07 JSON Schema: " +
                               CompileErrorReason(compiled.error().message()));
      return false;
    }
    out->schema = *compiled;
    return true;
  }
  if (!field->value.IsScalar() || field->value.Scalar().empty()) {
    reader.Error(*field, "'" + field->name + "' must be a schema file path or an inline schema");
    return false;
  }
  const CompiledSchema* compiled = LoadFile(field->value.Scalar(), reader.Where(*field));
  if (compiled == nullptr) return false;
  *out = *compiled;
  return true;
}

}  // namespace keel::project_internal
