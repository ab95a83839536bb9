#include "expr/internal/functions.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>

#include "expr/internal/operators.h"

namespace keel::expr {
namespace {

using Args = std::span<const Json* const>;

bool Fail(std::string* error, std::string message) {
  *error = std::move(message);
  return false;
}

// Sums the numbers of an array; false with *error naming `fn` otherwise.
bool SumArray(const char* fn, const Json& list, Number* total, std::string* error) {
  if (!list.is_array()) {
    return Fail(error, std::string(fn) + "() needs an array of numbers, got " + list.type_name());
  }
  *total = Number{true, 0, 0};
  size_t index = 0;
  for (const Json& item : list.get_ref<const Json::array_t&>()) {
    Number n;
    if (!ToNumber(item, &n)) {
      return Fail(error, std::string(fn) + "() needs an array of numbers, got " + item.type_name() +
                             " at [" + std::to_string(index) + "]");
    }
    *total = AddNumbers(*total, n);
    ++index;
  }
  return true;
}

bool Len(Args args, const ExprContext&, Json* out, std::string* error) {
  const Json& v = *args[0];
  if (v.is_string()) {
    // Characters, not bytes: count every byte that does not continue a UTF-8 sequence.
    int64_t n = 0;
    for (unsigned char c : v.get_ref<const std::string&>()) n += (c & 0xC0) != 0x80;
    *out = n;
  } else if (v.is_array() || v.is_object()) {
    *out = static_cast<int64_t>(v.size());
  } else {
    return Fail(error, std::string("len() needs a string, array or object, got ") + v.type_name());
  }
  return true;
}

// min/max over several numbers, or over the elements of one array. The
// winning value is returned as it was (an integer stays an integer).
bool Extreme(const char* fn, bool want_max, Args args, Json* out, std::string* error) {
  const Json* best = nullptr;
  double best_value = 0;
  auto consider = [&](const Json& v) {
    Number n;
    if (!ToNumber(v, &n)) {
      return Fail(error, std::string(fn) + "() needs numbers, got " + v.type_name());
    }
    const double d = n.AsDouble();
    if (best == nullptr || (want_max ? d > best_value : d < best_value)) {
      best = &v;
      best_value = d;
    }
    return true;
  };
  if (args.size() == 1 && args[0]->is_array()) {
    if (args[0]->empty()) return Fail(error, std::string(fn) + "() of an empty list");
    for (const Json& v : *args[0]) {
      if (!consider(v)) return false;
    }
  } else {
    for (const Json* v : args) {
      if (!consider(*v)) return false;
    }
  }
  *out = *best;
  return true;
}

bool Min(Args args, const ExprContext&, Json* out, std::string* error) {
  return Extreme("min", false, args, out, error);
}

bool Max(Args args, const ExprContext&, Json* out, std::string* error) {
  return Extreme("max", true, args, out, error);
}

bool Contains(Args args, const ExprContext&, Json* out, std::string* error) {
  const Json& haystack = *args[0];
  const Json& needle = *args[1];
  if (haystack.is_array()) {
    bool found = false;
    for (const Json& v : haystack) {
      if (v == needle) {
        found = true;
        break;
      }
    }
    *out = found;
    return true;
  }
  if (!haystack.is_string() && !haystack.is_object()) {
    return Fail(error, std::string("contains() needs an array, string or object, got ") +
                           haystack.type_name());
  }
  if (!needle.is_string()) {
    return Fail(error, std::string("contains() on ") + haystack.type_name() +
                           " needs a string to look for, got " + needle.type_name());
  }
  const std::string& key = needle.get_ref<const std::string&>();
  if (haystack.is_object()) {
    *out = haystack.contains(key);
  } else {
    *out = haystack.get_ref<const std::string&>().find(key) != std::string::npos;
  }
  return true;
}

bool Now(Args, const ExprContext& ctx, Json* out, std::string*) {
  *out = ctx.now_unix_s;
  return true;
}

bool Days(Args args, const ExprContext&, Json* out, std::string* error) {
  Number n;
  if (!ToNumber(*args[0], &n)) {
    return Fail(error, std::string("days() needs a number, got ") + args[0]->type_name());
  }
  *out = MultiplyNumbers(n, Number{true, 86400, 0}).ToJson();
  return true;
}

// Reads "YYYY-MM-DD" strictly: ten characters, digits and two dashes.
bool ParseIsoDate(const std::string& s, int* y, unsigned* m, unsigned* d) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  const char* p = s.data();
  std::from_chars(p, p + 4, *y);
  std::from_chars(p + 5, p + 7, *m);
  std::from_chars(p + 8, p + 10, *d);
  return true;
}

std::string BadDate(const std::string& s) {
  return "date() needs \"YYYY-MM-DD\", got \"" + s + "\"";
}

bool Date(Args args, const ExprContext&, Json* out, std::string* error) {
  const Json& v = *args[0];
  if (!v.is_string()) {
    return Fail(error, std::string("date() needs a \"YYYY-MM-DD\" string, got ") + v.type_name());
  }
  const std::string& s = v.get_ref<const std::string&>();
  int y = 0;
  unsigned m = 0, d = 0;
  if (!ParseIsoDate(s, &y, &m, &d)) return Fail(error, BadDate(s));
  // std::chrono's calendar checks month lengths and leap years.
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return Fail(error, BadDate(s));
  const int64_t days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  *out = days * 86400;
  return true;
}

bool Round(Args args, const ExprContext&, Json* out, std::string* error) {
  Number x;
  if (!ToNumber(*args[0], &x)) {
    return Fail(error, std::string("round() needs a number, got ") + args[0]->type_name());
  }
  int64_t digits = 0;
  if (args.size() == 2) {
    Number n;
    if (!ToNumber(*args[1], &n) || !n.is_int || n.i < -15 || n.i > 15) {
      return Fail(error, "round() digits must be an integer from -15 to 15, got " + Dump(*args[1]));
    }
    digits = n.i;
  }
  if (x.is_int && digits >= 0) {
    *out = x.i;
    return true;
  }
  // Scale by an exact power of ten (multiply for digits after the point,
  // divide for tens/hundreds) and round half away from zero.
  const double scale = std::pow(10.0, static_cast<double>(digits < 0 ? -digits : digits));
  const double r = digits >= 0 ? std::round(x.AsDouble() * scale) / scale
                               : std::round(x.AsDouble() / scale) * scale;
  if (digits <= 0 && std::isfinite(r) && std::fabs(r) < 9.2e18) {
    *out = static_cast<int64_t>(r);
  } else {
    *out = r;
  }
  return true;
}

bool Abs(Args args, const ExprContext&, Json* out, std::string* error) {
  Number n;
  if (!ToNumber(*args[0], &n)) {
    return Fail(error, std::string("abs() needs a number, got ") + args[0]->type_name());
  }
  if (n.is_int && n.i != std::numeric_limits<int64_t>::min()) {
    *out = n.i < 0 ? -n.i : n.i;
  } else {
    *out = std::fabs(n.AsDouble());
  }
  return true;
}

bool Str(Args args, const ExprContext&, Json* out, std::string*) {
  std::string text;
  AppendText(*args[0], &text);
  *out = std::move(text);
  return true;
}

bool Sum(Args args, const ExprContext&, Json* out, std::string* error) {
  Number total;
  if (!SumArray("sum", *args[0], &total, error)) return false;
  *out = total.ToJson();
  return true;
}

bool Avg(Args args, const ExprContext&, Json* out, std::string* error) {
  Number total;
  if (!SumArray("avg", *args[0], &total, error)) return false;
  if (args[0]->empty()) return Fail(error, "avg() of an empty list");
  Number mean;
  DivideNumbers(total, Number{true, static_cast<int64_t>(args[0]->size()), 0}, &mean, error);
  *out = mean.ToJson();
  return true;
}

constexpr Builtin kBuiltins[] = {
    {"abs", 1, 1, Abs},     {"avg", 1, 1, Avg},   {"contains", 2, 2, Contains},
    {"date", 1, 1, Date},   {"days", 1, 1, Days}, {"len", 1, 1, Len},
    {"max", 1, -1, Max},    {"min", 1, -1, Min},  {"now", 0, 0, Now},
    {"round", 1, 2, Round}, {"str", 1, 1, Str},   {"sum", 1, 1, Sum},
};

}  // namespace

const Builtin* FindBuiltin(std::string_view name) {
  for (const Builtin& b : kBuiltins) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

std::string ArityError(const Builtin& fn, size_t argc) {
  const bool fits = argc >= static_cast<size_t>(fn.min_args) &&
                    (fn.max_args < 0 || argc <= static_cast<size_t>(fn.max_args));
  if (fits) return "";
  std::string msg = std::string(fn.name) + "() takes ";
  if (fn.max_args < 0) {
    msg += "at least " + std::to_string(fn.min_args);
  } else if (fn.min_args == fn.max_args) {
    msg += std::to_string(fn.min_args);
  } else {
    msg += std::to_string(fn.min_args) + " to " + std::to_string(fn.max_args);
  }
  const bool one = fn.max_args == 1 || (fn.max_args < 0 && fn.min_args == 1);
  msg += one ? " argument" : " arguments";
  return msg + ", got " + std::to_string(argc);
}

}  // namespace keel::expr
