#include "expr/internal/operators.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "core/json_text.h"

namespace keel::expr {
namespace {

std::string TypeError(Op op, const char* needs, const Json& a, const Json& b) {
  return std::string("'") + OpText(op) + "' needs " + needs + ", got " + a.type_name() + " and " +
         b.type_name();
}

Number Int(int64_t i) { return Number{true, i, 0}; }
Number Double(double d) { return Number{false, 0, d}; }

Number Subtract(Number a, Number b) {
  int64_t r;
  if (a.is_int && b.is_int && !__builtin_sub_overflow(a.i, b.i, &r)) return Int(r);
  return Double(a.AsDouble() - b.AsDouble());
}

bool Modulo(Number a, Number b, Number* out, std::string* error) {
  if (b.AsDouble() == 0) {
    *error = "division by zero";
    return false;
  }
  if (a.is_int && b.is_int) {
    // INT64_MIN % -1 overflows in C++, though the answer is plainly 0.
    *out = Int(b.i == -1 ? 0 : a.i % b.i);
  } else {
    *out = Double(std::fmod(a.AsDouble(), b.AsDouble()));
  }
  return true;
}

}  // namespace

const char* OpText(Op op) {
  switch (op) {
    case Op::kNone: return "";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kMod: return "%";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kNot: return "not";
    case Op::kNeg: return "-";
  }
  return "";
}

std::string Dump(const Json& v) { return DumpJsonText(v); }

bool ToNumber(const Json& v, Number* n) {
  switch (v.type()) {
    case Json::value_t::number_integer: *n = Int(v.get<int64_t>()); return true;
    case Json::value_t::number_unsigned: {
      const uint64_t u = v.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        *n = Int(static_cast<int64_t>(u));
      } else {
        *n = Double(static_cast<double>(u));
      }
      return true;
    }
    case Json::value_t::number_float: *n = Double(v.get<double>()); return true;
    default: return false;
  }
}

bool Truthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return false;
    case Json::value_t::boolean: return v.get<bool>();
    case Json::value_t::number_integer: return v.get<int64_t>() != 0;
    case Json::value_t::number_unsigned: return v.get<uint64_t>() != 0;
    case Json::value_t::number_float: return v.get<double>() != 0;
    case Json::value_t::string: return !v.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object: return !v.empty();
    default: return true;
  }
}

void AppendText(const Json& v, std::string* out) {
  if (v.is_string()) {
    *out += v.get_ref<const std::string&>();
    return;
  }
  Number n;
  if (!ToNumber(v, &n)) {
    *out += Dump(v);
    return;
  }
  // std::to_chars gives the shortest text that reads back to the same
  // double, which drops trailing zeros: 2.5 -> "2.5", 3.0 -> "3".
  char buf[32];
  auto [end, ec] = n.is_int ? std::to_chars(buf, buf + sizeof buf, n.i)
                            : std::to_chars(buf, buf + sizeof buf, n.d);
  out->append(buf, end);
}

Number AddNumbers(Number a, Number b) {
  int64_t r;
  if (a.is_int && b.is_int && !__builtin_add_overflow(a.i, b.i, &r)) return Int(r);
  return Double(a.AsDouble() + b.AsDouble());
}

Number MultiplyNumbers(Number a, Number b) {
  int64_t r;
  if (a.is_int && b.is_int && !__builtin_mul_overflow(a.i, b.i, &r)) return Int(r);
  return Double(a.AsDouble() * b.AsDouble());
}

bool DivideNumbers(Number a, Number b, Number* out, std::string* error) {
  if (b.AsDouble() == 0) {
    *error = "division by zero";
    return false;
  }
  // INT64_MIN / -1 overflows; the double path below handles it.
  if (a.is_int && b.is_int && !(b.i == -1 && a.i == std::numeric_limits<int64_t>::min()) &&
      a.i % b.i == 0) {
    *out = Int(a.i / b.i);
  } else {
    *out = Double(a.AsDouble() / b.AsDouble());
  }
  return true;
}

bool Arithmetic(Op op, const Json& a, const Json& b, Json* out, std::string* error) {
  if (op == Op::kAdd && (a.is_string() || b.is_string())) {
    std::string text;
    AppendText(a, &text);
    AppendText(b, &text);
    *out = std::move(text);
    return true;
  }
  Number x, y;
  if (!ToNumber(a, &x) || !ToNumber(b, &y)) {
    *error = TypeError(op, op == Op::kAdd ? "numbers or a string" : "numbers", a, b);
    return false;
  }
  Number r;
  switch (op) {
    case Op::kAdd: r = AddNumbers(x, y); break;
    case Op::kSub: r = Subtract(x, y); break;
    case Op::kMul: r = MultiplyNumbers(x, y); break;
    case Op::kDiv:
      if (!DivideNumbers(x, y, &r, error)) return false;
      break;
    case Op::kMod:
      if (!Modulo(x, y, &r, error)) return false;
      break;
    default: *error = std::string("not an arithmetic operator: ") + OpText(op); return false;
  }
  *out = r.ToJson();
  return true;
}

bool Compare(Op op, const Json& a, const Json& b, bool* out, std::string* error) {
  int order;  // <0, 0, >0
  Number x, y;
  if (ToNumber(a, &x) && ToNumber(b, &y)) {
    if (x.is_int && y.is_int) {
      order = x.i < y.i ? -1 : (x.i > y.i ? 1 : 0);
    } else {
      const double dx = x.AsDouble(), dy = y.AsDouble();
      order = dx < dy ? -1 : (dx > dy ? 1 : 0);
    }
  } else if (a.is_string() && b.is_string()) {
    order = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
  } else {
    *error = std::string("'") + OpText(op) + "' cannot compare " + a.type_name() + " with " +
             b.type_name();
    return false;
  }
  switch (op) {
    case Op::kLt: *out = order < 0; break;
    case Op::kLe: *out = order <= 0; break;
    case Op::kGt: *out = order > 0; break;
    case Op::kGe: *out = order >= 0; break;
    default: *error = std::string("not an ordering operator: ") + OpText(op); return false;
  }
  return true;
}

bool Negate(const Json& a, Json* out, std::string* error) {
  Number n;
  if (!ToNumber(a, &n)) {
    *error = std::string("'-' needs a number, got ") + a.type_name();
    return false;
  }
  if (n.is_int && n.i != std::numeric_limits<int64_t>::min()) {
    *out = -n.i;
  } else {
    *out = -n.AsDouble();
  }
  return true;
}

}  // namespace keel::expr
