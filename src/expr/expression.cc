#include "expr/expression.h"

#include "expr/internal/ast.h"
#include "expr/internal/evaluator.h"
#include "expr/internal/parser.h"

namespace keel {

struct Expression::Impl {
  std::string source;
  expr::ParsedTree tree;
};

Expression::Expression() : impl_(std::make_unique<Impl>()) {}
Expression::~Expression() = default;

Result<std::shared_ptr<const Expression>> Expression::Parse(std::string_view source) {
  Result<expr::ParsedTree> tree = expr::Parse(source);
  if (!tree.ok()) return tree.error();
  // The constructor is private (only Parse makes valid expressions), so
  // std::make_shared cannot reach it.
  std::shared_ptr<Expression> e(new Expression());
  e->impl_->source = std::string(source);
  e->impl_->tree = std::move(tree).value();
  return std::shared_ptr<const Expression>(std::move(e));
}

Result<Json> Expression::Evaluate(const ExprContext& ctx) const {
  Json out;
  Status status = expr::Evaluate(*impl_->tree.root, impl_->source, ctx, &out);
  if (!status.ok()) return status;
  return out;
}

const std::vector<std::string>& Expression::RootNames() const { return impl_->tree.root_names; }

const std::string& Expression::source() const { return impl_->source; }

}  // namespace keel
