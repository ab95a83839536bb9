// Value: an intermediate result of evaluation (internal to src/expr), either
// borrowed from the scope or the tree (no copy) or owned (computed). Only the
// final result of an expression is copied out of the scope.
// A plain value type; not synchronized.
#ifndef KEEL_EXPR_INTERNAL_VALUE_H_
#define KEEL_EXPR_INTERNAL_VALUE_H_

#include <utility>

#include "core/json.h"

namespace keel::expr {

class Value {
 public:
  Value() = default;
  // A borrowed value; `json` must outlive this Value.
  static Value Borrow(const Json* json) {
    Value v;
    v.ref_ = json;
    return v;
  }
  static Value Own(Json json) {
    Value v;
    v.owned_ = std::move(json);
    return v;
  }

  const Json& get() const { return ref_ != nullptr ? *ref_ : owned_; }

  // The value as an owned Json: copied when borrowed, moved when owned.
  Json Take() && { return ref_ != nullptr ? *ref_ : std::move(owned_); }

  // A part of this value (a member or element found inside get()): borrowed
  // when this value is borrowed, otherwise moved out of the owned whole,
  // which is about to be dropped.
  Value Select(const Json* part) && {
    if (ref_ != nullptr) return Borrow(part);
    // `part` points inside owned_, which this Value owns and may modify.
    return Own(std::move(const_cast<Json&>(*part)));
  }

 private:
  const Json* ref_ = nullptr;
  Json owned_;
};

}  // namespace keel::expr

#endif  // KEEL_EXPR_INTERNAL_VALUE_H_
