#include "project/internal/field_reader.h"

#include <algorithm>

namespace keel::project_internal {

namespace {

// Levenshtein distance, for spelling suggestions on a handful of short keys.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string Suggest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = 3;  // more than two edits away is not a typo
  for (std::string_view candidate : candidates) {
    size_t d = EditDistance(word, candidate);
    if (d < best_distance && d < candidate.size()) {
      best = candidate;
      best_distance = d;
    }
  }
  return std::string(best);
}

FieldReader::FieldReader(const YamlFile& file, const YAML::Node& map, std::string what,
                         std::vector<std::string_view> allowed, Diagnostics* diags)
    : file_(file), map_(map), what_(std::move(what)), diags_(diags) {
  if (!map.IsMap()) {
    diags_->Add(file_.At(map), what_ + " must be a map");
    return;
  }
  is_map_ = true;
  for (const auto& pair : map) {
    Field field{pair.first.Scalar(), pair.first, pair.second};
    if (std::find(allowed.begin(), allowed.end(), field.name) == allowed.end()) {
      std::string message = "unknown field '" + field.name + "' in " + what_;
      std::string suggestion = Suggest(field.name, allowed);
      if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
      diags_->Add(file_.At(field.key), std::move(message));
      continue;
    }
    if (Find(field.name) != nullptr) {
      diags_->Add(file_.At(field.key), "duplicate field '" + field.name + "' in " + what_);
      continue;
    }
    fields_.push_back(std::move(field));
  }
}

const Field* FieldReader::Find(std::string_view name) const {
  for (const Field& field : fields_) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

const Field* FieldReader::Require(std::string_view name) const {
  const Field* field = Find(name);
  if (field == nullptr && is_map_) {
    diags_->Add(Where(), "missing required field '" + std::string(name) + "' in " + what_);
  }
  return field;
}

SourceLocation FieldReader::Where(const Field& field) const {
  // yaml-cpp places an empty value at the start of the next line.
  return field.value.IsNull() ? file_.At(field.key) : file_.At(field.value);
}

void FieldReader::Error(const Field& field, std::string message) const {
  diags_->Add(Where(field), std::move(message));
}

bool FieldReader::String(std::string_view name, std::string* out, bool required) const {
  const Field* field = required ? Require(name) : Find(name);
  if (field == nullptr) return false;
  if (!field->value.IsScalar()) {
    Error(*field, "'" + field->name + "' must be a string");
    return false;
  }
  *out = field->value.Scalar();
  return true;
}

bool FieldReader::Int(std::string_view name, int64_t min, int64_t* out) const {
  const Field* field = Find(name);
  if (field == nullptr) return false;
  Json v = field->value.IsScalar() ? YamlToJson(field->value) : Json();
  if (!v.is_number_integer() || v.get<int64_t>() < min) {
    Error(*field, "'" + field->name + "' must be an integer >= " + std::to_string(min));
    return false;
  }
  *out = v.get<int64_t>();
  return true;
}

bool FieldReader::Number(std::string_view name, int64_t min, double* out) const {
  const Field* field = Find(name);
  if (field == nullptr) return false;
  Json v = field->value.IsScalar() ? YamlToJson(field->value) : Json();
  if (!v.is_number() || v.get<double>() < static_cast<double>(min)) {
    Error(*field, "'" + field->name + "' must be a number >= " + std::to_string(min));
    return false;
  }
  *out = v.get<double>();
  return true;
}

bool FieldReader::Bool(std::string_view name, bool* out) const {
  const Field* field = Find(name);
  if (field == nullptr) return false;
  Json v = field->value.IsScalar() ? YamlToJson(field->value) : Json();
  if (!v.is_boolean()) {
    Error(*field, "'" + field->name + "' must be true or false");
    return false;
  }
  *out = v.get<bool>();
  return true;
}

bool FieldReader::StringList(std::string_view name, std::vector<std::string>* out,
                             std::vector<SourceLocation>* where, bool required) const {
  const Field* field = required ? Require(name) : Find(name);
  if (field == nullptr) return false;
  bool ok = field->value.IsSequence();
  if (ok) {
    for (const YAML::Node& item : field->value) ok = ok && item.IsScalar();
  }
  if (!ok) {
    Error(*field, "'" + field->name + "' must be a list of strings");
    return false;
  }
  out->clear();
  for (const YAML::Node& item : field->value) {
    out->push_back(item.Scalar());
    if (where != nullptr) where->push_back(file_.At(item));
  }
  return true;
}

}  // namespace keel::project_internal
