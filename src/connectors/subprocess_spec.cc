#include "connectors/subprocess_spec.h"

#include <cctype>
#include <cmath>

namespace keel {
namespace {

Status FieldError(const std::string& field, const std::string& what) {
  return InvalidArgument(field + ": " + what);
}

bool ValidEnvName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

Status ParseCommand(const Json& value, const std::string& field,
                    std::vector<std::string>* command) {
  if (!value.is_array() || value.empty()) {
    return FieldError(field,
                      "expected a non-empty list of strings (the program and its "
                      "arguments)");
  }
  command->clear();
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string() || (i == 0 && value[i].get_ref<const std::string&>().empty())) {
      return FieldError(field + "[" + std::to_string(i) + "]",
                        i == 0 ? "expected the program name" : "expected a string");
    }
    command->push_back(value[i].get<std::string>());
  }
  return Status::Ok();
}

Status ParseEnvMap(const Json& value, const std::string& field,
                   std::vector<std::pair<std::string, std::string>>* env) {
  if (!value.is_object()) return FieldError(field, "expected a mapping of NAME: value");
  env->clear();
  for (const auto& [name, v] : value.items()) {
    std::string where = field + "." + name;
    if (!ValidEnvName(name)) return FieldError(where, "not a valid environment variable name");
    if (v.is_string()) {
      env->emplace_back(name, v.get<std::string>());
    } else if (v.is_number() || v.is_boolean()) {
      env->emplace_back(name, v.dump());
    } else {
      return FieldError(where, "expected a string, number or boolean");
    }
  }
  return Status::Ok();
}

Result<SubprocessToolSpec> ParseSubprocessToolSpec(const Json& entry) {
  if (!entry.is_object()) return InvalidArgument("a subprocess tool must be a mapping");
  SubprocessToolSpec spec;
  auto command = entry.find("command");
  if (command == entry.end()) return FieldError("command", "required for a subprocess tool");
  KEEL_RETURN_IF_ERROR(ParseCommand(*command, "command", &spec.command));
  if (auto it = entry.find("cwd"); it != entry.end()) {
    if (!it->is_string()) return FieldError("cwd", "expected a directory path");
    spec.cwd = it->get<std::string>();
  }
  if (auto it = entry.find("env"); it != entry.end()) {
    KEEL_RETURN_IF_ERROR(ParseEnvMap(*it, "env", &spec.env));
  }
  if (auto it = entry.find("timeout_s"); it != entry.end()) {
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() <= 0) {
      return FieldError("timeout_s", "expected a positive number of seconds");
    }
    spec.timeout_s = it->get<double>();
  }
  if (auto it = entry.find("max_output_bytes"); it != entry.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
      return FieldError("max_output_bytes", "expected a positive whole number of bytes");
    }
    spec.max_output_bytes = it->get<size_t>();
  }
  return spec;
}

}  // namespace keel
