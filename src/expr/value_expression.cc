// ValueExpression (declared in expression.h): a JSON shape whose string
// leaves are expressions.
#include <algorithm>
#include <utility>

#include "expr/expression.h"

namespace keel {
namespace {

// One node of the shape. Subtrees without any expression are folded into a
// single literal at parse time, so evaluating them is one copy.
struct ShapeNode {
  enum class Kind { kLiteral, kExpression, kArray, kObject };
  Kind kind = Kind::kLiteral;
  Json literal;                            // kLiteral
  std::shared_ptr<const Expression> expr;  // kExpression
  std::string pointer;                     // kExpression: its JSON Pointer, for errors
  std::vector<std::string> keys;           // kObject
  std::vector<ShapeNode> children;         // kArray, kObject
};

// "/summary: " for a leaf at /summary; nothing for a bare expression at the root.
std::string PointerPrefix(const std::string& pointer) {
  return pointer.empty() ? std::string() : pointer + ": ";
}

// Builds the node for `shape` at `pointer`, or returns the first leaf's parse error.
Result<ShapeNode> Build(const Json& shape, const Json::json_pointer& pointer) {
  ShapeNode node;
  if (shape.is_string()) {
    Result<std::shared_ptr<const Expression>> e =
        Expression::Parse(shape.get_ref<const std::string&>());
    if (!e.ok()) return e.error().WithContext(PointerPrefix(pointer.to_string()));
    node.kind = ShapeNode::Kind::kExpression;
    node.expr = std::move(e).value();
    node.pointer = pointer.to_string();
    return node;
  }
  if (!shape.is_array() && !shape.is_object()) {
    node.literal = shape;
    return node;
  }
  node.kind = shape.is_array() ? ShapeNode::Kind::kArray : ShapeNode::Kind::kObject;
  bool all_literal = true;
  size_t index = 0;
  for (auto it = shape.begin(); it != shape.end(); ++it, ++index) {
    Result<ShapeNode> child = Build(*it, shape.is_array() ? pointer / index : pointer / it.key());
    if (!child.ok()) return child.error();
    all_literal = all_literal && child->kind == ShapeNode::Kind::kLiteral;
    if (shape.is_object()) node.keys.push_back(it.key());
    node.children.push_back(std::move(child).value());
  }
  if (all_literal) {
    ShapeNode literal;
    literal.literal = shape;
    return literal;
  }
  return node;
}

Result<Json> EvaluateShape(const ShapeNode& node, const ExprContext& ctx) {
  switch (node.kind) {
    case ShapeNode::Kind::kLiteral: return node.literal;
    case ShapeNode::Kind::kExpression: {
      Result<Json> value = node.expr->Evaluate(ctx);
      if (!value.ok()) return value.error().WithContext(PointerPrefix(node.pointer));
      return value;
    }
    case ShapeNode::Kind::kArray:
    case ShapeNode::Kind::kObject: {
      const bool is_array = node.kind == ShapeNode::Kind::kArray;
      Json out = is_array ? Json::array() : Json::object();
      for (size_t i = 0; i < node.children.size(); ++i) {
        Result<Json> child = EvaluateShape(node.children[i], ctx);
        if (!child.ok()) return child;
        if (is_array) {
          out.push_back(std::move(child).value());
        } else {
          out.emplace(node.keys[i], std::move(child).value());
        }
      }
      return out;
    }
  }
  return Internal("unknown value expression node");
}

void CollectRootNames(const ShapeNode& node, std::vector<std::string>* names) {
  if (node.kind == ShapeNode::Kind::kExpression) {
    for (const std::string& name : node.expr->RootNames()) {
      if (std::find(names->begin(), names->end(), name) == names->end()) {
        names->push_back(name);
      }
    }
  }
  for (const ShapeNode& child : node.children) CollectRootNames(child, names);
}

}  // namespace

// The header names only this wrapper, keeping ShapeNode out of the public API.
struct ValueExpression::NodeT {
  ShapeNode shape;
  std::vector<std::string> root_names;  // CollectRootNames(shape), kept
};

Result<ValueExpression> ValueExpression::Parse(const Json& shape) {
  Result<ShapeNode> root = Build(shape, Json::json_pointer());
  if (!root.ok()) return root.error();
  NodeT node{std::move(root).value(), {}};
  CollectRootNames(node.shape, &node.root_names);
  ValueExpression v;
  v.root_ = std::make_shared<const NodeT>(std::move(node));
  return v;
}

Result<Json> ValueExpression::Evaluate(const ExprContext& ctx) const {
  if (!root_) return Json();  // an empty template evaluates to null
  return EvaluateShape(root_->shape, ctx);
}

const std::vector<std::string>& ValueExpression::RootNames() const {
  static const std::vector<std::string> kNone;
  return root_ ? root_->root_names : kNone;
}

}  // namespace keel
