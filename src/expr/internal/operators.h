// The value semantics of the expression language (internal to src/expr):
// truthiness, text formatting, arithmetic and ordering on JSON values.
// Shared by the evaluator and the built-in functions. Stateless; thread-safe.
#ifndef KEEL_EXPR_INTERNAL_OPERATORS_H_
#define KEEL_EXPR_INTERNAL_OPERATORS_H_

#include <cstdint>
#include <string>

#include "core/json.h"
#include "expr/internal/ast.h"

namespace keel::expr {

// A JSON number as either an exact integer or a double. JSON integers beyond
// int64 (large unsigned values) are read as doubles.
struct Number {
  bool is_int = false;
  int64_t i = 0;
  double d = 0;

  double AsDouble() const { return is_int ? static_cast<double>(i) : d; }
  Json ToJson() const { return is_int ? Json(i) : Json(d); }
};

// Reads `v` into `*n`; false when `v` is not a number.
bool ToNumber(const Json& v, Number* n);

// false, null, 0, "", [] and {} are falsey; everything else is truthy.
bool Truthy(const Json& v);

// `v` as compact JSON. Invalid UTF-8 in strings (possible in values built
// outside a JSON parser) is replaced rather than thrown on.
std::string Dump(const Json& v);

// Appends `v` as text: strings as they are, numbers without trailing zeros
// (2.5 -> "2.5", 3.0 -> "3"), everything else as compact JSON.
void AppendText(const Json& v, std::string* out);

// a + b, a - b, a * b; integers stay integers unless the result overflows.
Number AddNumbers(Number a, Number b);
Number MultiplyNumbers(Number a, Number b);
// a / b: an integer when both are integers and b divides a exactly, else a
// double. False with *error set when b is zero.
bool DivideNumbers(Number a, Number b, Number* out, std::string* error);

// `a op b` for the arithmetic operators (kAdd, kSub, kMul, kDiv, kMod). `+`
// with a string on either side concatenates. False with *error set for
// operand types the operator does not take or for division by zero.
bool Arithmetic(Op op, const Json& a, const Json& b, Json* out, std::string* error);

// `a op b` for kLt, kLe, kGt, kGe: numbers with numbers, strings with strings
// (byte-wise lexicographic). False with *error naming the operator and the
// types otherwise.
bool Compare(Op op, const Json& a, const Json& b, bool* out, std::string* error);

// -a for a number; false with *error set otherwise.
bool Negate(const Json& a, Json* out, std::string* error);

}  // namespace keel::expr

#endif  // KEEL_EXPR_INTERNAL_OPERATORS_H_
