// The parsed form of an expression (internal to src/expr): an immutable tree
// built once by the parser and walked by the evaluator from many threads.
#ifndef KEEL_EXPR_INTERNAL_AST_H_
#define KEEL_EXPR_INTERNAL_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/json.h"

namespace keel::expr {

struct Builtin;  // functions.h

enum class NodeKind : uint8_t {
  kLiteral,      // literal
  kRoot,         // name: a root identifier, looked up in the scope
  kMember,       // children[0].name
  kIndex,        // children[0][children[1]]
  kUnary,        // op children[0]  (kNot, kNeg)
  kBinary,       // children[0] op children[1]  (arithmetic and comparisons)
  kAnd,          // children[0] and children[1]
  kOr,           // children[0] or children[1]
  kCoalesce,     // children[0] ?? children[1]
  kConditional,  // children[0] ? children[1] : children[2]
  kList,         // [children...]
  kObject,       // {keys[i]: children[i]...}
  kCall,         // fn(children...)
};

enum class Op : uint8_t {
  kNone,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kNot,
  kNeg,
};

// The operator as written, for error messages ("'<' cannot compare ...").
const char* OpText(Op op);

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  Op op = Op::kNone;
  // Byte span of this node in the source: error messages quote the path
  // text exactly as written (e.g. "input.acount_id: no such field").
  uint32_t begin = 0;
  uint32_t end = 0;
  Json literal;                   // kLiteral
  std::string name;               // kRoot, kMember
  std::vector<std::string> keys;  // kObject
  std::vector<std::unique_ptr<Node>> children;
  const Builtin* fn = nullptr;  // kCall
};

}  // namespace keel::expr

#endif  // KEEL_EXPR_INTERNAL_AST_H_
