#include "expr/internal/lexer.h"

#include <string>

namespace keel::expr {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

TokenKind KeywordOrIdent(std::string_view word) {
  if (word == "and") return TokenKind::kAnd;
  if (word == "or") return TokenKind::kOr;
  if (word == "not") return TokenKind::kNot;
  if (word == "true") return TokenKind::kTrue;
  if (word == "false") return TokenKind::kFalse;
  if (word == "null") return TokenKind::kNull;
  return TokenKind::kIdent;
}

// Operators of one or two characters. Returns the token length, 0 if `s`
// does not start with an operator.
size_t MatchOperator(std::string_view s, TokenKind* kind) {
  struct Op {
    std::string_view text;
    TokenKind kind;
  };
  // Two-character operators first so "<=" is not read as "<" then "=".
  static constexpr Op kOps[] = {
      {"??", TokenKind::kCoalesce}, {"==", TokenKind::kEq},      {"!=", TokenKind::kNe},
      {"<=", TokenKind::kLe},       {">=", TokenKind::kGe},      {"&&", TokenKind::kAnd},
      {"||", TokenKind::kOr},       {".", TokenKind::kDot},      {",", TokenKind::kComma},
      {":", TokenKind::kColon},     {"?", TokenKind::kQuestion}, {"(", TokenKind::kLParen},
      {")", TokenKind::kRParen},    {"[", TokenKind::kLBracket}, {"]", TokenKind::kRBracket},
      {"{", TokenKind::kLBrace},    {"}", TokenKind::kRBrace},   {"+", TokenKind::kPlus},
      {"-", TokenKind::kMinus},     {"*", TokenKind::kStar},     {"/", TokenKind::kSlash},
      {"%", TokenKind::kPercent},   {"<", TokenKind::kLt},       {">", TokenKind::kGt},
      {"!", TokenKind::kNot},
  };
  for (const Op& op : kOps) {
    if (s.starts_with(op.text)) {
      *kind = op.kind;
      return op.text.size();
    }
  }
  return 0;
}

// Reads a quoted string starting at `pos` (the quote) into `token`; returns
// the offset after the closing quote.
Result<size_t> LexString(std::string_view src, size_t pos, Token* token) {
  const char quote = src[pos];
  size_t i = pos + 1;
  while (i < src.size() && src[i] != quote) {
    if (src[i] != '\\') {
      token->value += src[i++];
      continue;
    }
    if (i + 1 >= src.size()) break;  // a trailing backslash: unterminated
    switch (src[i + 1]) {
      case 'n': token->value += '\n'; break;
      case 't': token->value += '\t'; break;
      case '"': token->value += '"'; break;
      case '\'': token->value += '\''; break;
      case '\\': token->value += '\\'; break;
      default: return ParseError(src, i, std::string("unknown escape '\\") + src[i + 1] + "'");
    }
    i += 2;
  }
  if (i >= src.size() || src[i] != quote) return ParseError(src, pos, "unterminated string");
  return i + 1;
}

size_t LexNumber(std::string_view src, size_t pos) {
  size_t i = pos;
  while (i < src.size() && IsDigit(src[i])) ++i;
  // A fraction needs a digit after the dot; otherwise the dot is a member access.
  if (i + 1 < src.size() && src[i] == '.' && IsDigit(src[i + 1])) {
    i += 2;
    while (i < src.size() && IsDigit(src[i])) ++i;
  }
  return i;
}

// The whole UTF-8 character starting at `pos`, so an error message never
// carries half of one; a byte that starts no valid character is shown as \xNN.
std::string CharacterAt(std::string_view src, size_t pos) {
  const unsigned char lead = static_cast<unsigned char>(src[pos]);
  const size_t len = lead < 0x80           ? 1
                     : (lead >> 5) == 0x6  ? 2
                     : (lead >> 4) == 0xE  ? 3
                     : (lead >> 3) == 0x1E ? 4
                                           : 0;
  bool valid = len > 0 && pos + len <= src.size();
  for (size_t k = 1; valid && k < len; ++k) valid = (src[pos + k] & 0xC0) == 0x80;
  if (valid) return std::string(src.substr(pos, len));
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("\\x") + kHex[lead >> 4] + kHex[lead & 0xF];
}

}  // namespace

Status ParseError(std::string_view src, size_t offset, std::string_view what) {
  // Count characters, not bytes, so the column matches what an editor shows.
  size_t col = 1;
  for (size_t i = 0; i < offset && i < src.size(); ++i) col += (src[i] & 0xC0) != 0x80;
  std::string msg = "col " + std::to_string(col) + ": ";
  msg += what;
  return InvalidArgument(std::move(msg));
}

bool IsWordToken(const Token& token, std::string_view source) {
  return token.end > token.begin && IsIdentStart(source[token.begin]);
}

Result<std::vector<Token>> Tokenize(std::string_view src) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (true) {
    while (i < src.size() &&
           (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r')) {
      ++i;
    }
    Token tok;
    tok.begin = static_cast<uint32_t>(i);
    if (i >= src.size()) {
      tok.end = tok.begin;
      tokens.push_back(std::move(tok));
      return tokens;
    }
    const char c = src[i];
    if (IsIdentStart(c)) {
      size_t j = i + 1;
      while (j < src.size() && IsIdentChar(src[j])) ++j;
      tok.kind = KeywordOrIdent(src.substr(i, j - i));
      i = j;
    } else if (IsDigit(c)) {
      tok.kind = TokenKind::kNumber;
      i = LexNumber(src, i);
    } else if (c == '"' || c == '\'') {
      tok.kind = TokenKind::kString;
      Result<size_t> next = LexString(src, i, &tok);
      if (!next.ok()) return next.error();
      i = *next;
    } else if (size_t n = MatchOperator(src.substr(i), &tok.kind); n > 0) {
      i += n;
    } else if (c == '=') {
      return ParseError(src, i, "unexpected '=' (use '==' to compare)");
    } else {
      return ParseError(src, i, "unexpected character '" + CharacterAt(src, i) + "'");
    }
    tok.end = static_cast<uint32_t>(i);
    tokens.push_back(std::move(tok));
  }
}

}  // namespace keel::expr
