#include "expr/internal/evaluator.h"

#include <cmath>
#include <string>
#include <vector>

#include "expr/internal/functions.h"
#include "expr/internal/operators.h"
#include "expr/internal/value.h"

namespace keel::expr {
namespace {

// Calls with up to this many arguments keep them on the stack.
constexpr size_t kInlineArgs = 4;

// "a string", "an array": for messages that name a value's type.
std::string WithArticle(const char* type_name) {
  const bool vowel = type_name[0] == 'a' || type_name[0] == 'o';
  return std::string(vowel ? "an " : "a ") + type_name;
}

// The integer an array index denotes: integers, or doubles with no fraction.
bool ToIndex(const Json& key, int64_t* index) {
  Number n;
  if (!ToNumber(key, &n)) return false;
  if (n.is_int) {
    *index = n.i;
    return true;
  }
  if (!std::isfinite(n.d) || std::trunc(n.d) != n.d || std::fabs(n.d) > 9e18) return false;
  *index = static_cast<int64_t>(n.d);
  return true;
}

class Evaluator {
 public:
  Evaluator(std::string_view source, const ExprContext& ctx) : src_(source), ctx_(ctx) {}

  // Evaluates `n` into *out; false with error() set on failure.
  bool Eval(const Node& n, Value* out);
  const std::string& error() const { return error_; }

 private:
  bool EvalRoot(const Node& n, Value* out);
  bool EvalMember(const Node& n, Value* out);
  bool EvalIndex(const Node& n, Value* out);
  bool EvalUnary(const Node& n, Value* out);
  bool EvalBinary(const Node& n, Value* out);
  bool EvalCoalesce(const Node& n, Value* out);
  bool EvalList(const Node& n, Value* out);
  bool EvalObject(const Node& n, Value* out);
  bool EvalCall(const Node& n, Value* out);
  bool EvalTruthy(const Node& n, bool* out);

  std::string_view Text(const Node& n) const { return src_.substr(n.begin, n.end - n.begin); }

  bool Fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  // A path that does not resolve: the one error `??` recovers from. Inside
  // the left side of a `??` the message is never shown, so it is not built.
  bool FailMissing(const Node& n, const Node* null_base = nullptr) {
    missing_ = true;
    if (coalesce_depth_ > 0) return false;
    std::string msg(Text(n));
    msg += ": no such field";
    if (null_base != nullptr) msg += " (" + std::string(Text(*null_base)) + " is null)";
    return Fail(std::move(msg));
  }

  std::string_view src_;
  const ExprContext& ctx_;
  int coalesce_depth_ = 0;  // how many `??` left sides enclose the current node
  bool missing_ = false;    // the current error is a missing path
  std::string error_;
};

bool Evaluator::Eval(const Node& n, Value* out) {
  switch (n.kind) {
    case NodeKind::kLiteral: *out = Value::Borrow(&n.literal); return true;
    case NodeKind::kRoot: return EvalRoot(n, out);
    case NodeKind::kMember: return EvalMember(n, out);
    case NodeKind::kIndex: return EvalIndex(n, out);
    case NodeKind::kUnary: return EvalUnary(n, out);
    case NodeKind::kBinary: return EvalBinary(n, out);
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      // Short-circuit: the right side is only read when it decides the result.
      bool left;
      if (!EvalTruthy(*n.children[0], &left)) return false;
      bool result = left;
      if (left == (n.kind == NodeKind::kAnd) && !EvalTruthy(*n.children[1], &result)) return false;
      *out = Value::Own(result);
      return true;
    }
    case NodeKind::kCoalesce: return EvalCoalesce(n, out);
    case NodeKind::kConditional: {
      bool cond;
      if (!EvalTruthy(*n.children[0], &cond)) return false;
      return Eval(*n.children[cond ? 1 : 2], out);
    }
    case NodeKind::kList: return EvalList(n, out);
    case NodeKind::kObject: return EvalObject(n, out);
    case NodeKind::kCall: return EvalCall(n, out);
  }
  return Fail("unknown expression node");
}

bool Evaluator::EvalTruthy(const Node& n, bool* out) {
  Value v;
  if (!Eval(n, &v)) return false;
  *out = Truthy(v.get());
  return true;
}

bool Evaluator::EvalRoot(const Node& n, Value* out) {
  for (const Json* scope : {ctx_.scope, ctx_.more}) {
    if (scope == nullptr || !scope->is_object()) continue;
    auto it = scope->find(n.name);
    if (it == scope->end()) continue;
    *out = Value::Borrow(&*it);
    return true;
  }
  return FailMissing(n);
}

bool Evaluator::EvalMember(const Node& n, Value* out) {
  const Node& base_node = *n.children[0];
  Value base;
  if (!Eval(base_node, &base)) return false;
  const Json& b = base.get();
  if (b.is_object()) {
    auto it = b.find(n.name);
    if (it == b.end()) return FailMissing(n);
    *out = std::move(base).Select(&*it);
    return true;
  }
  // Reading through null is a missing path, so `a.b.c ?? x` covers a null `a.b`.
  if (b.is_null()) return FailMissing(n, &base_node);
  return Fail(std::string(Text(base_node)) + " is " + WithArticle(b.type_name()) +
              ", cannot read '" + n.name + "'");
}

bool Evaluator::EvalIndex(const Node& n, Value* out) {
  const Node& base_node = *n.children[0];
  Value base, key;
  if (!Eval(base_node, &base) || !Eval(*n.children[1], &key)) return false;
  const Json& b = base.get();
  const Json& k = key.get();
  if (b.is_array()) {
    int64_t index;
    if (!ToIndex(k, &index)) {
      return Fail(std::string(Text(base_node)) + " is an array, index must be an integer, got " +
                  Dump(k));
    }
    if (index < 0 || static_cast<uint64_t>(index) >= b.size()) return FailMissing(n);
    *out = std::move(base).Select(&b[static_cast<size_t>(index)]);
    return true;
  }
  if (b.is_object()) {
    if (!k.is_string()) {
      return Fail(std::string(Text(base_node)) + " is an object, key must be a string, got " +
                  k.type_name());
    }
    auto it = b.find(k.get_ref<const std::string&>());
    if (it == b.end()) return FailMissing(n);
    *out = std::move(base).Select(&*it);
    return true;
  }
  if (b.is_null()) return FailMissing(n, &base_node);
  return Fail(std::string(Text(base_node)) + " is " + WithArticle(b.type_name()) +
              ", cannot read [" + Dump(k) + "]");
}

bool Evaluator::EvalUnary(const Node& n, Value* out) {
  Value v;
  if (!Eval(*n.children[0], &v)) return false;
  if (n.op == Op::kNot) {
    *out = Value::Own(!Truthy(v.get()));
    return true;
  }
  Json result;
  if (!Negate(v.get(), &result, &error_)) return false;
  *out = Value::Own(std::move(result));
  return true;
}

bool Evaluator::EvalBinary(const Node& n, Value* out) {
  Value a, b;
  if (!Eval(*n.children[0], &a) || !Eval(*n.children[1], &b)) return false;
  switch (n.op) {
    case Op::kEq:
    case Op::kNe:
      // nlohmann's == is deep and compares numbers by value (1 == 1.0).
      *out = Value::Own((a.get() == b.get()) == (n.op == Op::kEq));
      return true;
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      bool result;
      if (!Compare(n.op, a.get(), b.get(), &result, &error_)) return false;
      *out = Value::Own(result);
      return true;
    }
    default: {
      Json result;
      if (!Arithmetic(n.op, a.get(), b.get(), &result, &error_)) return false;
      *out = Value::Own(std::move(result));
      return true;
    }
  }
}

bool Evaluator::EvalCoalesce(const Node& n, Value* out) {
  ++coalesce_depth_;
  const bool ok = Eval(*n.children[0], out);
  --coalesce_depth_;
  if (ok && !out->get().is_null()) return true;
  if (!ok && !missing_) return false;  // only a missing path falls back
  missing_ = false;
  error_.clear();
  return Eval(*n.children[1], out);
}

bool Evaluator::EvalList(const Node& n, Value* out) {
  Json list = Json::array();
  list.get_ref<Json::array_t&>().reserve(n.children.size());
  for (const auto& child : n.children) {
    Value v;
    if (!Eval(*child, &v)) return false;
    list.push_back(std::move(v).Take());
  }
  *out = Value::Own(std::move(list));
  return true;
}

bool Evaluator::EvalObject(const Node& n, Value* out) {
  Json object = Json::object();
  for (size_t i = 0; i < n.children.size(); ++i) {
    Value v;
    if (!Eval(*n.children[i], &v)) return false;
    object.emplace(n.keys[i], std::move(v).Take());
  }
  *out = Value::Own(std::move(object));
  return true;
}

bool Evaluator::EvalCall(const Node& n, Value* out) {
  const size_t argc = n.children.size();
  Value inline_values[kInlineArgs];
  const Json* inline_ptrs[kInlineArgs];
  std::vector<Value> heap_values;
  std::vector<const Json*> heap_ptrs;
  Value* values = inline_values;
  const Json** ptrs = inline_ptrs;
  if (argc > kInlineArgs) {
    heap_values.resize(argc);
    heap_ptrs.resize(argc);
    values = heap_values.data();
    ptrs = heap_ptrs.data();
  }
  for (size_t i = 0; i < argc; ++i) {
    if (!Eval(*n.children[i], &values[i])) return false;
    ptrs[i] = &values[i].get();
  }
  Json result;
  if (!n.fn->fn(std::span<const Json* const>(ptrs, argc), ctx_, &result, &error_)) return false;
  *out = Value::Own(std::move(result));
  return true;
}

}  // namespace

Status Evaluate(const Node& root, std::string_view source, const ExprContext& ctx, Json* out) {
  Evaluator evaluator(source, ctx);
  Value v;
  if (!evaluator.Eval(root, &v)) return InvalidArgument(evaluator.error());
  *out = std::move(v).Take();
  return Status::Ok();
}

}  // namespace keel::expr
