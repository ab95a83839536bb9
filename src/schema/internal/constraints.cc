#include "schema/internal/constraints.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"

namespace keel::schema_internal {
namespace {

using valijson::ValidationResults;
using valijson::adapters::Adapter;
using valijson::constraints::Constraint;
using valijson::constraints::PolyConstraint;

// JSON types as bits, so a `type` list is one mask and an integral number
// can be both "number" and "integer".
enum TypeBit : unsigned {
  kNull = 1U << 0,
  kBoolean = 1U << 1,
  kObject = 1U << 2,
  kArray = 1U << 3,
  kNumber = 1U << 4,
  kString = 1U << 5,
  kInteger = 1U << 6,
};

constexpr std::pair<const char*, unsigned> kTypeNames[] = {
    {"null", kNull},     {"boolean", kBoolean}, {"object", kObject},   {"array", kArray},
    {"number", kNumber}, {"string", kString},   {"integer", kInteger},
};

unsigned TypesOf(const Adapter& value) {
  if (value.isNull()) return kNull;
  if (value.isBool()) return kBoolean;
  if (value.isString()) return kString;
  if (value.isObject()) return kObject;
  if (value.isArray()) return kArray;
  if (value.isInteger()) return kNumber | kInteger;
  double d = 0;
  if (value.isDouble() && value.getDouble(d)) {
    // Draft-06 on: a number with a zero fractional part is an integer.
    return std::isfinite(d) && std::trunc(d) == d ? (kNumber | kInteger) : kNumber;
  }
  return 0;
}

// "string or null" for a mask; for an instance's own type, the most specific
// name ("integer" rather than "number").
std::string TypeNames(unsigned bits, bool most_specific) {
  if (most_specific && (bits & kInteger)) return "integer";
  std::string names;
  for (const auto& [name, bit] : kTypeNames) {
    if (!(bits & bit)) continue;
    if (!names.empty()) names += " or ";
    names += name;
    if (most_specific) break;
  }
  return names.empty() ? "nothing" : names;
}

class TypeConstraint final : public PolyConstraint {
 public:
  explicit TypeConstraint(unsigned allowed) : allowed_(allowed) {}

  bool validate(const Adapter& target, const std::vector<std::string>& context,
                ValidationResults* results) const override {
    const unsigned actual = TypesOf(target);
    if (actual & allowed_) return true;
    if (results) {
      results->pushError(
          context, "expected " + TypeNames(allowed_, false) + ", got " + TypeNames(actual, true));
    }
    return false;
  }

 private:
  Constraint* cloneInto(void* memory) const override { return new (memory) TypeConstraint(*this); }
  size_t sizeOf() const override { return sizeof(*this); }

  unsigned allowed_;
};

class MultipleOfConstraint final : public PolyConstraint {
 public:
  MultipleOfConstraint(double divisor, std::string text)
      : divisor_(divisor), text_(std::move(text)) {
    // Exact integer arithmetic when both sides are integers.
    if (std::trunc(divisor) == divisor && divisor <= 9007199254740992.0) {
      integer_divisor_ = static_cast<int64_t>(divisor);
    }
  }

  bool validate(const Adapter& target, const std::vector<std::string>& context,
                ValidationResults* results) const override {
    if (!target.isNumber() || IsMultiple(target)) return true;
    if (results) results->pushError(context, "expected a multiple of " + text_);
    return false;
  }

 private:
  bool IsMultiple(const Adapter& target) const {
    int64_t i = 0;
    if (integer_divisor_ && target.isInteger() && target.getInteger(i)) {
      return i % *integer_divisor_ == 0;
    }
    double value = 0;
    if (!target.getNumber(value) || value == 0) return true;
    const double quotient = value / divisor_;
    if (std::isfinite(quotient)) {
      // Decimal divisors are inexact in binary (0.07 / 0.01 is
      // 7.000000000000001): allow a few units in the last place.
      const double nearest = std::nearbyint(quotient);
      return std::abs(quotient - nearest) <= std::max(1.0, std::abs(quotient)) * 4 * DBL_EPSILON;
    }
    // The quotient overflowed; fmod is exact and does not.
    return std::fmod(value, divisor_) == 0;
  }

  Constraint* cloneInto(void* memory) const override {
    return new (memory) MultipleOfConstraint(*this);
  }
  size_t sizeOf() const override { return sizeof(*this); }

  double divisor_;
  std::optional<int64_t> integer_divisor_;
  std::string text_;
};

class TypeBuilder final : public valijson::ConstraintBuilder {
 public:
  Constraint* make(const Adapter& value) const override {
    unsigned allowed = 0;
    auto add = [&allowed](const Adapter& item) {
      std::string name;
      if (!item.isString() || !item.getString(name)) {
        throw std::runtime_error("'type' must name types as strings");
      }
      const auto* it = std::find_if(std::begin(kTypeNames), std::end(kTypeNames),
                             [&](const auto& entry) { return name == entry.first; });
      if (it == std::end(kTypeNames)) throw std::runtime_error("unknown type '" + name + "'");
      allowed |= it->second;
      return true;
    };
    if (value.isArray()) {
      value.applyToArray(add);
    } else {
      add(value);
    }
    return new TypeConstraint(allowed);
  }
};

class MultipleOfBuilder final : public valijson::ConstraintBuilder {
 public:
  Constraint* make(const Adapter& value) const override {
    double divisor = 0;
    if (!value.isNumber() || !value.getNumber(divisor) || !(divisor > 0)) {
      throw std::runtime_error("'multipleOf' must be a number greater than 0");
    }
    std::string text =
        value.isInteger() ? std::to_string(value.getInteger()) : Json(divisor).dump();
    return new MultipleOfConstraint(divisor, std::move(text));
  }
};

}  // namespace

void AddKeelConstraints(valijson::SchemaParser& parser) {
  parser.addConstraintBuilder(kTypeKeyword, new TypeBuilder);
  parser.addConstraintBuilder(kMultipleOfKeyword, new MultipleOfBuilder);
}

}  // namespace keel::schema_internal
