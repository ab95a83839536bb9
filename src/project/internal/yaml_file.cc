#include "project/internal/yaml_file.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace keel::project_internal {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [-+]?[0-9]+
bool LooksLikeInt(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, as in the YAML 1.2 core
// schema. Checked by hand because from_chars also accepts "inf" and "nan".
bool LooksLikeDouble(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

Json PlainScalarToJson(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (LooksLikeInt(s)) {
    std::string_view digits = s[0] == '+' ? std::string_view(s).substr(1) : std::string_view(s);
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec == std::errc() && ptr == digits.data() + digits.size()) return v;
    // Out of int64 range: fall through to a double.
  }
  if (LooksLikeDouble(s)) {
    double v = 0;
    std::string_view body = s[0] == '+' ? std::string_view(s).substr(1) : std::string_view(s);
    auto [ptr, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
    if (ec == std::errc() && ptr == body.data() + body.size()) return v;
  }
  return s;
}

}  // namespace

SourceLocation YamlFile::At(const YAML::Mark& mark) const {
  SourceLocation loc;
  loc.file = path;
  if (mark.line >= 0) loc.line = mark.line + 1;
  if (mark.column >= 0) loc.col = mark.column + 1;
  return loc;
}

SourceLocation YamlFile::AtScalarOffset(const YAML::Node& scalar, size_t offset) const {
  SourceLocation loc = At(scalar);
  if (!scalar.IsScalar()) return loc;
  const YAML::Mark mark = scalar.Mark();
  if (mark.pos < 0 || static_cast<size_t>(mark.pos) >= text.size()) return loc;
  size_t start = static_cast<size_t>(mark.pos);
  const char first = text[start];
  const bool quoted = first == '"' || first == '\'';
  if (quoted) ++start;
  const std::string& value = scalar.Scalar();
  // The mapping is exact only when the source spells the value verbatim.
  if (text.compare(start, value.size(), value) != 0) return loc;
  if (value.find('\n') != std::string::npos) return loc;
  if (quoted && (start + value.size() >= text.size() || text[start + value.size()] != first)) {
    return loc;
  }
  loc.col += static_cast<int>(offset) + (quoted ? 1 : 0);
  return loc;
}

std::optional<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

std::optional<YamlFile> ReadYamlFile(const std::string& root, const std::string& rel,
                                     Diagnostics* diags) {
  YamlFile file;
  file.path = rel;
  std::optional<std::string> text = ReadTextFile((std::filesystem::path(root) / rel).string());
  if (!text) {
    diags->Add(SourceLocation{rel, 0, 0}, "cannot read file");
    return std::nullopt;
  }
  file.text = std::move(*text);
  try {
    file.root = YAML::Load(file.text);
  } catch (const YAML::Exception& e) {
    diags->Add(file.At(e.mark), "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  return file;
}

Json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") return node.Scalar();
      return PlainScalarToJson(node.Scalar());
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const YAML::Node& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& pair : node) out[pair.first.Scalar()] = YamlToJson(pair.second);
      return out;
    }
  }
  return nullptr;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty() || IsDigit(s[0])) return false;
  for (char c : s) {
    if (!(IsDigit(c) || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
  }
  return true;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

SourceLocation LocationOfOffset(const std::string& file, const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  SourceLocation loc{file, 1, 1};
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      line_start = i + 1;
    }
  }
  loc.col = static_cast<int>(offset - line_start) + 1;
  return loc;
}

}  // namespace keel::project_internal
