#include "expr/internal/parser.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "expr/internal/functions.h"
#include "expr/internal/lexer.h"

namespace keel::expr {
namespace {

using NodePtr = std::unique_ptr<Node>;

// Deeper nesting than this is refused so that hostile input cannot exhaust
// the stack of the parser or, later, of the evaluator.
constexpr int kMaxDepth = 256;

// Binding powers for the Pratt loop: an operator binds when its left power
// is at least the caller's minimum. Left-associative operators use
// right = left + 1, right-associative ones right = left.
struct InfixPower {
  int left = -1;  // -1: not an infix operator
  int right = 0;
};

InfixPower PowerOf(TokenKind kind) {
  switch (kind) {
    case TokenKind::kCoalesce: return {2, 2};
    case TokenKind::kQuestion: return {4, 4};
    case TokenKind::kOr: return {6, 7};
    case TokenKind::kAnd: return {8, 9};
    case TokenKind::kEq:
    case TokenKind::kNe: return {10, 11};
    case TokenKind::kLt:
    case TokenKind::kLe:
    case TokenKind::kGt:
    case TokenKind::kGe: return {12, 13};
    case TokenKind::kPlus:
    case TokenKind::kMinus: return {14, 15};
    case TokenKind::kStar:
    case TokenKind::kSlash:
    case TokenKind::kPercent: return {16, 17};
    default: return {};
  }
}

Op BinaryOp(TokenKind kind) {
  switch (kind) {
    case TokenKind::kPlus: return Op::kAdd;
    case TokenKind::kMinus: return Op::kSub;
    case TokenKind::kStar: return Op::kMul;
    case TokenKind::kSlash: return Op::kDiv;
    case TokenKind::kPercent: return Op::kMod;
    case TokenKind::kEq: return Op::kEq;
    case TokenKind::kNe: return Op::kNe;
    case TokenKind::kLt: return Op::kLt;
    case TokenKind::kLe: return Op::kLe;
    case TokenKind::kGt: return Op::kGt;
    case TokenKind::kGe: return Op::kGe;
    default: return Op::kNone;
  }
}

NodePtr MakeNode(NodeKind kind, uint32_t begin, uint32_t end) {
  auto node = std::make_unique<Node>();
  node->kind = kind;
  node->begin = begin;
  node->end = end;
  return node;
}

class Parser {
 public:
  Parser(std::string_view source, std::vector<Token> tokens)
      : src_(source), tokens_(std::move(tokens)) {}

  Result<ParsedTree> Run() {
    Result<NodePtr> root = ParseExpr(0);
    if (!root.ok()) return root.error();
    if (Peek().kind != TokenKind::kEnd) return Unexpected(Peek());
    ParsedTree tree;
    tree.root = std::move(root).value();
    tree.root_names = std::move(root_names_);
    return tree;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() { return tokens_[pos_++]; }
  std::string_view TextOf(const Token& t) const { return src_.substr(t.begin, t.end - t.begin); }

  Status Unexpected(const Token& t) const {
    if (t.kind == TokenKind::kEnd) return ParseError(src_, t.begin, "unexpected end of expression");
    return ParseError(src_, t.begin, "unexpected '" + std::string(TextOf(t)) + "'");
  }
  // Consumes a token of `kind` or fails with "expected '<what>'" at the token found.
  Status Expect(TokenKind kind, std::string_view what) {
    if (Peek().kind != kind) {
      return ParseError(src_, Peek().begin, "expected '" + std::string(what) + "'");
    }
    ++pos_;
    return Status::Ok();
  }

  // Counts one more level of nesting; fails past kMaxDepth.
  Status Deeper(uint32_t offset);
  Result<NodePtr> ParseExpr(int min_power);
  Result<NodePtr> ParseUnary();
  Result<NodePtr> ParsePostfix(NodePtr base);
  Result<NodePtr> ParsePrimary();
  Result<NodePtr> ParseNumber(const Token& t);
  Result<NodePtr> ParseCall(const Token& name);
  Result<NodePtr> ParseList(const Token& open);
  Result<NodePtr> ParseObject(const Token& open);

  std::string_view src_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
  std::vector<std::string> root_names_;
};

Status Parser::Deeper(uint32_t offset) {
  if (++depth_ > kMaxDepth) return ParseError(src_, offset, "expression nested too deeply");
  return Status::Ok();
}

Result<NodePtr> Parser::ParseExpr(int min_power) {
  // depth_ counts every level the tree grows by, including each link of a
  // chain like a + b + c, so it also bounds the evaluator's recursion.
  const int depth_at_entry = depth_;
  KEEL_RETURN_IF_ERROR(Deeper(Peek().begin));
  Result<NodePtr> lhs_or = ParseUnary();
  if (!lhs_or.ok()) return lhs_or;
  NodePtr lhs = std::move(lhs_or).value();
  while (true) {
    const TokenKind kind = Peek().kind;
    const InfixPower power = PowerOf(kind);
    if (power.left < 0 || power.left < min_power) break;
    KEEL_RETURN_IF_ERROR(Deeper(Peek().begin));
    ++pos_;
    NodePtr node;
    if (kind == TokenKind::kQuestion) {
      Result<NodePtr> then_or = ParseExpr(0);
      if (!then_or.ok()) return then_or;
      KEEL_RETURN_IF_ERROR(Expect(TokenKind::kColon, ":"));
      Result<NodePtr> else_or = ParseExpr(power.right);
      if (!else_or.ok()) return else_or;
      node = MakeNode(NodeKind::kConditional, lhs->begin, (*else_or)->end);
      node->children.push_back(std::move(lhs));
      node->children.push_back(std::move(then_or).value());
      node->children.push_back(std::move(else_or).value());
    } else {
      Result<NodePtr> rhs_or = ParseExpr(power.right);
      if (!rhs_or.ok()) return rhs_or;
      NodeKind node_kind = kind == TokenKind::kCoalesce ? NodeKind::kCoalesce
                           : kind == TokenKind::kAnd    ? NodeKind::kAnd
                           : kind == TokenKind::kOr     ? NodeKind::kOr
                                                        : NodeKind::kBinary;
      node = MakeNode(node_kind, lhs->begin, (*rhs_or)->end);
      node->op = BinaryOp(kind);
      node->children.push_back(std::move(lhs));
      node->children.push_back(std::move(rhs_or).value());
    }
    lhs = std::move(node);
  }
  depth_ = depth_at_entry;
  return lhs;
}

Result<NodePtr> Parser::ParseUnary() {
  const Token& t = Peek();
  if (t.kind != TokenKind::kNot && t.kind != TokenKind::kMinus) {
    Result<NodePtr> primary = ParsePrimary();
    if (!primary.ok()) return primary;
    return ParsePostfix(std::move(primary).value());
  }
  ++pos_;
  KEEL_RETURN_IF_ERROR(Deeper(t.begin));
  Result<NodePtr> operand_or = ParseUnary();
  --depth_;
  if (!operand_or.ok()) return operand_or;
  NodePtr operand = std::move(operand_or).value();
  // Fold "-<number literal>" so negative constants cost nothing at run time.
  if (t.kind == TokenKind::kMinus && operand->kind == NodeKind::kLiteral &&
      operand->literal.is_number()) {
    Json& lit = operand->literal;
    if (lit.is_number_float()) {
      lit = -lit.get<double>();
    } else {
      // Integer literals lie within [-INT64_MAX, INT64_MAX] (larger ones are
      // read as doubles), so negating one cannot overflow.
      lit = -lit.get<int64_t>();
    }
    operand->begin = t.begin;
    return operand;
  }
  NodePtr node = MakeNode(NodeKind::kUnary, t.begin, operand->end);
  node->op = t.kind == TokenKind::kNot ? Op::kNot : Op::kNeg;
  node->children.push_back(std::move(operand));
  return node;
}

Result<NodePtr> Parser::ParsePostfix(NodePtr base) {
  const int depth_at_entry = depth_;
  while (true) {
    if (Peek().kind == TokenKind::kDot || Peek().kind == TokenKind::kLBracket) {
      KEEL_RETURN_IF_ERROR(Deeper(Peek().begin));
    }
    if (Peek().kind == TokenKind::kDot) {
      ++pos_;
      const Token& field = Peek();
      if (!IsWordToken(field, src_))
        return ParseError(src_, field.begin, "expected field name after '.'");
      ++pos_;
      NodePtr node = MakeNode(NodeKind::kMember, base->begin, field.end);
      node->name = std::string(TextOf(field));
      node->children.push_back(std::move(base));
      base = std::move(node);
    } else if (Peek().kind == TokenKind::kLBracket) {
      ++pos_;
      Result<NodePtr> index = ParseExpr(0);
      if (!index.ok()) return index;
      const uint32_t end = Peek().end;
      KEEL_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "]"));
      NodePtr node = MakeNode(NodeKind::kIndex, base->begin, end);
      node->children.push_back(std::move(base));
      node->children.push_back(std::move(index).value());
      base = std::move(node);
    } else {
      depth_ = depth_at_entry;
      return base;
    }
  }
}

Result<NodePtr> Parser::ParsePrimary() {
  const Token& t = Next();
  switch (t.kind) {
    case TokenKind::kNumber: return ParseNumber(t);
    case TokenKind::kString:
    case TokenKind::kTrue:
    case TokenKind::kFalse:
    case TokenKind::kNull: {
      NodePtr node = MakeNode(NodeKind::kLiteral, t.begin, t.end);
      if (t.kind == TokenKind::kString) node->literal = t.value;
      if (t.kind == TokenKind::kTrue) node->literal = true;
      if (t.kind == TokenKind::kFalse) node->literal = false;
      return node;
    }
    case TokenKind::kIdent: {
      if (Peek().kind == TokenKind::kLParen) return ParseCall(t);
      NodePtr node = MakeNode(NodeKind::kRoot, t.begin, t.end);
      node->name = std::string(TextOf(t));
      if (std::find(root_names_.begin(), root_names_.end(), node->name) == root_names_.end()) {
        root_names_.push_back(node->name);
      }
      return node;
    }
    case TokenKind::kLParen: {
      Result<NodePtr> inner = ParseExpr(0);
      if (!inner.ok()) return inner;
      const uint32_t end = Peek().end;
      KEEL_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
      // The span takes in the parentheses, so a path built on this node
      // quotes balanced text: "(a ?? b).c: no such field".
      (*inner)->begin = t.begin;
      (*inner)->end = end;
      return inner;
    }
    case TokenKind::kLBracket: return ParseList(t);
    case TokenKind::kLBrace: return ParseObject(t);
    default:
      --pos_;  // report the token where it stands; kEnd must stay in place
      return Unexpected(t);
  }
}

Result<NodePtr> Parser::ParseNumber(const Token& t) {
  NodePtr node = MakeNode(NodeKind::kLiteral, t.begin, t.end);
  const char* first = src_.data() + t.begin;
  const char* last = src_.data() + t.end;
  int64_t i = 0;
  auto [ptr, ec] = std::from_chars(first, last, i);
  if (ec == std::errc() && ptr == last) {
    node->literal = i;
    return node;
  }
  // A fraction, or an integer too large for int64: read it as a double.
  double d = 0;
  auto [dptr, dec] = std::from_chars(first, last, d);
  if (dec != std::errc() || dptr != last) return ParseError(src_, t.begin, "bad number");
  node->literal = d;
  return node;
}

Result<NodePtr> Parser::ParseCall(const Token& name) {
  const Builtin* fn = FindBuiltin(TextOf(name));
  if (fn == nullptr) {
    return ParseError(src_, name.begin, "unknown function '" + std::string(TextOf(name)) + "'");
  }
  ++pos_;  // '('
  NodePtr node = MakeNode(NodeKind::kCall, name.begin, name.end);
  node->fn = fn;
  if (Peek().kind != TokenKind::kRParen) {
    while (true) {
      Result<NodePtr> arg = ParseExpr(0);
      if (!arg.ok()) return arg;
      node->children.push_back(std::move(arg).value());
      if (Peek().kind != TokenKind::kComma) break;
      ++pos_;
    }
  }
  node->end = Peek().end;
  KEEL_RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
  if (std::string error = ArityError(*fn, node->children.size()); !error.empty()) {
    return ParseError(src_, name.begin, error);
  }
  return node;
}

Result<NodePtr> Parser::ParseList(const Token& open) {
  NodePtr node = MakeNode(NodeKind::kList, open.begin, open.end);
  bool all_literal = true;
  while (Peek().kind != TokenKind::kRBracket) {
    Result<NodePtr> item = ParseExpr(0);
    if (!item.ok()) return item;
    all_literal = all_literal && (*item)->kind == NodeKind::kLiteral;
    node->children.push_back(std::move(item).value());
    if (Peek().kind != TokenKind::kComma) break;
    ++pos_;  // a trailing comma is allowed, as YAML writers expect
  }
  node->end = Peek().end;
  KEEL_RETURN_IF_ERROR(Expect(TokenKind::kRBracket, "]"));
  if (!all_literal) return node;
  // A list of constants is itself a constant: build it once here.
  Json list = Json::array();
  for (NodePtr& child : node->children) list.push_back(std::move(child->literal));
  node->children.clear();
  node->kind = NodeKind::kLiteral;
  node->literal = std::move(list);
  return node;
}

Result<NodePtr> Parser::ParseObject(const Token& open) {
  NodePtr node = MakeNode(NodeKind::kObject, open.begin, open.end);
  bool all_literal = true;
  while (Peek().kind != TokenKind::kRBrace) {
    const Token& key = Peek();
    if (key.kind != TokenKind::kString && !IsWordToken(key, src_)) {
      return ParseError(src_, key.begin, "expected object key");
    }
    ++pos_;
    std::string name = key.kind == TokenKind::kString ? key.value : std::string(TextOf(key));
    if (std::find(node->keys.begin(), node->keys.end(), name) != node->keys.end()) {
      return ParseError(src_, key.begin, "duplicate key '" + name + "'");
    }
    KEEL_RETURN_IF_ERROR(Expect(TokenKind::kColon, ":"));
    Result<NodePtr> value = ParseExpr(0);
    if (!value.ok()) return value;
    all_literal = all_literal && (*value)->kind == NodeKind::kLiteral;
    node->keys.push_back(std::move(name));
    node->children.push_back(std::move(value).value());
    if (Peek().kind != TokenKind::kComma) break;
    ++pos_;
  }
  node->end = Peek().end;
  KEEL_RETURN_IF_ERROR(Expect(TokenKind::kRBrace, "}"));
  if (!all_literal) return node;
  Json object = Json::object();
  for (size_t i = 0; i < node->keys.size(); ++i) {
    object[node->keys[i]] = std::move(node->children[i]->literal);
  }
  node->children.clear();
  node->keys.clear();
  node->kind = NodeKind::kLiteral;
  node->literal = std::move(object);
  return node;
}

}  // namespace

Result<ParsedTree> Parse(std::string_view source) {
  Result<std::vector<Token>> tokens = Tokenize(source);
  if (!tokens.ok()) return tokens.error();
  return Parser(source, std::move(tokens).value()).Run();
}

}  // namespace keel::expr
