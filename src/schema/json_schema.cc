#include "schema/json_schema.h"

#include <exception>
#include <regex>
#include <unordered_map>
#include <utility>

#include "schema/internal/constraints.h"
#include "schema/internal/schema_bundle.h"
#include "schema/internal/valijson.h"

namespace keel {
namespace {

using Adapter = valijson::adapters::NlohmannJsonAdapter;

// How many errors Validate() spells out in its message.
constexpr size_t kErrorsInMessage = 3;

// valijson describes where an error is as a list of "[name]" / "[index]"
// steps; the public contract is an RFC 6901 JSON Pointer.
std::string ToJsonPointer(const std::vector<std::string>& context) {
  std::string pointer;
  for (const std::string& step : context) {
    std::string_view token(step);
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
      token = token.substr(1, token.size() - 2);
    }
    pointer.push_back('/');
    for (char c : token) {
      if (c == '~') {
        pointer += "~0";
      } else if (c == '/') {
        pointer += "~1";
      } else {
        pointer.push_back(c);
      }
    }
  }
  return pointer;
}

// valijson follows the errors found inside a value with one that sums them
// up at the value itself ("Failed to validate item #0 in array."). The
// message shows the specific ones: error `i` is a summary when an earlier
// error lies strictly inside its path.
bool Summarizes(const std::vector<SchemaError>& errors, size_t i) {
  const std::string& path = errors[i].path;
  for (size_t j = 0; j < i; ++j) {
    const std::string& inner = errors[j].path;
    if (inner.size() > path.size() && inner.starts_with(path) && inner[path.size()] == '/') {
      return true;
    }
  }
  return false;
}

Status CheckRegex(const std::string& pattern, const char* keyword) {
  try {
    std::regex compiled(pattern);
  } catch (const std::regex_error& e) {
    return InvalidArgument("invalid JSON Schema: bad regular expression '" + pattern + "' in '" +
                           keyword + "': " + e.what());
  }
  return Status::Ok();
}

}  // namespace

struct JsonSchema::Impl {
  valijson::Schema schema;
  // Every `pattern` regex of the schema, compiled once. valijson looks
  // patterns up here and only inserts on a miss; Compile() fills it with all
  // of them, so validation never writes to it and threads can share it.
  std::unordered_map<std::string, std::regex> regexes;

  // Runs valijson over `value`. With `results` null it stops at the first
  // failure (the cheap path for valid input).
  bool Run(const Json& value, valijson::ValidationResults* results) {
    Adapter target(value);
    valijson::ValidationVisitor<Adapter> visitor(target, {}, /*strictTypes=*/true, results,
                                                 regexes);
    return visitor.validateSchema(schema);
  }
};

JsonSchema::JsonSchema() : impl_(std::make_unique<Impl>()) {}
JsonSchema::~JsonSchema() = default;

Result<std::shared_ptr<const JsonSchema>> JsonSchema::Compile(const Json& schema,
                                                              const SchemaDocumentLoader& loader) {
  // References are resolved before valijson sees the schema (see
  // internal/schema_bundle.h for why), so valijson needs no fetch callback.
  Result<schema_internal::SchemaBundle> bundle = schema_internal::BundleSchema(schema, loader);
  if (!bundle) return InvalidArgument("invalid JSON Schema: " + bundle.error().message());

  std::shared_ptr<JsonSchema> compiled(new JsonSchema());
  for (const std::string& pattern : bundle->property_patterns) {
    KEEL_RETURN_IF_ERROR(CheckRegex(pattern, "patternProperties"));
  }
  for (const std::string& pattern : bundle->patterns) {
    KEEL_RETURN_IF_ERROR(CheckRegex(pattern, "pattern"));
    compiled->impl_->regexes.emplace(pattern, std::regex(pattern));
  }
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    schema_internal::AddKeelConstraints(parser);
    parser.populateSchema(Adapter(bundle->document), compiled->impl_->schema);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("invalid JSON Schema: ") + e.what());
  }
  compiled->document_ = schema;
  return std::shared_ptr<const JsonSchema>(std::move(compiled));
}

Status JsonSchema::Validate(const Json& value) const {
  try {
    if (impl_->Run(value, nullptr)) return Status::Ok();
  } catch (const std::exception& e) {
    return Internal(std::string("schema validation failed: ") + e.what());
  }
  std::vector<SchemaError> errors = Errors(value);
  std::string message;
  size_t listed = 0;
  size_t unlisted = 0;
  for (size_t i = 0; i < errors.size(); ++i) {
    if (Summarizes(errors, i)) continue;
    if (listed == kErrorsInMessage) {
      ++unlisted;
      continue;
    }
    if (listed++ > 0) message += "; ";
    message += (errors[i].path.empty() ? "(root)" : errors[i].path) + ": " + errors[i].message;
  }
  if (unlisted > 0) message += "; and " + std::to_string(unlisted) + " more";
  return Status(StatusCode::kInvalidArgument, std::move(message), "schema_violation");
}

std::vector<SchemaError> JsonSchema::Errors(const Json& value) const {
  valijson::ValidationResults results;
  std::vector<SchemaError> errors;
  try {
    if (impl_->Run(value, &results)) return errors;
  } catch (const std::exception& e) {
    errors.push_back({"", std::string("schema validation failed: ") + e.what()});
    return errors;
  }
  errors.reserve(results.numErrors());
  for (const auto& error : results) {
    std::string message = error.description;
    if (!message.empty() && message.back() == '.') message.pop_back();  // joined with "; "
    errors.push_back({ToJsonPointer(error.context), std::move(message)});
  }
  // A false schema fails without an error record; say so rather than nothing.
  if (errors.empty()) errors.push_back({"", "value does not match the schema"});
  return errors;
}

}  // namespace keel
