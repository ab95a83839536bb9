// Lexer for the expression language (internal to src/expr): turns the source
// text into tokens with their byte spans, so parse errors can name a column.
// Stateless functions; thread-safe.
#ifndef KEEL_EXPR_INTERNAL_LEXER_H_
#define KEEL_EXPR_INTERNAL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace keel::expr {

enum class TokenKind : uint8_t {
  kEnd,  // after the last token; its begin is the source length
  kNumber,
  kString,
  kIdent,
  kTrue,
  kFalse,
  kNull,
  kDot,
  kComma,
  kColon,
  kQuestion,
  kCoalesce,  // ??
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,  // and &&
  kOr,   // or ||
  kNot,  // not !
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  uint32_t begin = 0;  // byte offset in the source
  uint32_t end = 0;    // one past the last byte
  std::string value;   // kString: the decoded text (escapes applied)
};

// The tokens of `src`, always ending with one kEnd token. On failure
// returns kInvalidArgument "col N: <what>" (N is 1-based).
Result<std::vector<Token>> Tokenize(std::string_view src);

// kInvalidArgument "col N: <what>" for a byte offset into `src`, the shared
// shape of every parse error. N counts UTF-8 characters from 1.
Status ParseError(std::string_view src, size_t offset, std::string_view what);

// True for tokens whose text can name a field after '.' or as an object key
// (identifiers and the word-like keywords: and, or, not, true, false, null).
bool IsWordToken(const Token& token, std::string_view source);

}  // namespace keel::expr

#endif  // KEEL_EXPR_INTERNAL_LEXER_H_
