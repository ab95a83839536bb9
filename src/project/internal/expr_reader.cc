#include "project/internal/expr_reader.h"

#include <charconv>

namespace keel::project_internal {

namespace {

bool IsNameChar(char c) {
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Reports a parse error "col N: what" from Expression::Parse at column N of
// the scalar `node`.
void ReportParseError(const YamlFile& file, const YAML::Node& node, const Status& status,
                      Diagnostics* diags) {
  const std::string& message = status.message();
  int col = 0;
  size_t colon = message.find(": ");
  if (message.rfind("col ", 0) == 0 && colon != std::string::npos) {
    std::from_chars(message.data() + 4, message.data() + colon, col);
  }
  if (col <= 0) {
    diags->Add(file.At(node), "invalid expression: " + message);
    return;
  }
  diags->Add(file.AtScalarOffset(node, static_cast<size_t>(col - 1)),
             "invalid expression: " + message.substr(colon + 2));
}

// The string leaves of a value template (the scalars that are expressions).
void CollectLeaves(const YAML::Node& node, std::vector<YAML::Node>* leaves) {
  if (node.IsScalar()) {
    if (YamlToJson(node).is_string()) leaves->push_back(node);
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) CollectLeaves(item, leaves);
  } else if (node.IsMap()) {
    for (const auto& pair : node) CollectLeaves(pair.second, leaves);
  }
}

// Records each root name with the position of the first leaf that reads it.
void LocateNames(const YamlFile& file, const YAML::Node& whole,
                 const std::vector<YAML::Node>& leaves, const std::vector<std::string>& names,
                 std::vector<NameUse>* reads) {
  for (const std::string& name : names) {
    NameUse use{name, file.At(whole)};
    for (const YAML::Node& leaf : leaves) {
      size_t offset = FindRootName(leaf.Scalar(), name);
      if (offset != std::string::npos) {
        use.where = file.AtScalarOffset(leaf, offset);
        break;
      }
    }
    reads->push_back(std::move(use));
  }
}

}  // namespace

size_t FindRootName(std::string_view source, std::string_view name) {
  char quote = 0;
  for (size_t i = 0; i < source.size(); ++i) {
    char c = source[i];
    if (quote != 0) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      continue;
    }
    bool starts_word = i == 0 || (!IsNameChar(source[i - 1]) && source[i - 1] != '.');
    if (starts_word && source.compare(i, name.size(), name) == 0 &&
        (i + name.size() == source.size() || !IsNameChar(source[i + name.size()]))) {
      return i;
    }
  }
  return std::string_view::npos;
}

std::shared_ptr<const Expression> ReadExpressionField(const FieldReader& reader,
                                                      std::string_view name, bool required,
                                                      std::vector<NameUse>* reads) {
  const Field* field = required ? reader.Require(name) : reader.Find(name);
  if (field == nullptr) return nullptr;
  if (!field->value.IsScalar()) {
    reader.Error(*field, "'" + field->name + "' must be an expression (a string)");
    return nullptr;
  }
  const YamlFile& file = reader.file();
  auto parsed = Expression::Parse(field->value.Scalar());
  if (!parsed.ok()) {
    ReportParseError(file, field->value, parsed.error(), reader.diags());
    return nullptr;
  }
  LocateNames(file, field->value, {field->value}, (*parsed)->RootNames(), reads);
  return *parsed;
}

ValueExpression ReadValueTemplate(const YamlFile& file, const YAML::Node& node, Diagnostics* diags,
                                  std::vector<NameUse>* reads) {
  std::vector<YAML::Node> leaves;
  CollectLeaves(node, &leaves);
  auto parsed = ValueExpression::Parse(YamlToJson(node));
  if (parsed.ok()) {
    LocateNames(file, node, leaves, parsed->RootNames(), reads);
    return *std::move(parsed);
  }
  // The whole-template error names only the first bad leaf; parse each leaf
  // on its own so that every bad one is reported at its own position.
  bool reported = false;
  for (const YAML::Node& leaf : leaves) {
    auto leaf_parsed = Expression::Parse(leaf.Scalar());
    if (!leaf_parsed.ok()) {
      ReportParseError(file, leaf, leaf_parsed.error(), diags);
      reported = true;
    }
  }
  if (!reported) diags->Add(file.At(node), "invalid value template: " + parsed.error().message());
  return ValueExpression();
}

ValueExpression ReadValueTemplateField(const FieldReader& reader, std::string_view name,
                                       bool required, bool require_map,
                                       std::vector<NameUse>* reads) {
  const Field* field = required ? reader.Require(name) : reader.Find(name);
  if (field == nullptr) return ValueExpression();
  if (require_map && !field->value.IsMap()) {
    reader.Error(*field, "'" + field->name + "' must be a map");
    return ValueExpression();
  }
  return ReadValueTemplate(reader.file(), field->value, reader.diags(), reads);
}

}  // namespace keel::project_internal
