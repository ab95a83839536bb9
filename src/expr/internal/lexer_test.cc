#include "expr/internal/lexer.h"

#include <gtest/gtest.h>

namespace keel::expr {
namespace {

std::vector<TokenKind> KindsOf(std::string_view source) {
  Result<std::vector<Token>> tokens = Tokenize(source);
  EXPECT_TRUE(tokens.ok()) << tokens.status().ToString();
  std::vector<TokenKind> kinds;
  if (tokens.ok()) {
    for (const Token& t : *tokens) kinds.push_back(t.kind);
  }
  return kinds;
}

TEST(Lexer, OperatorsAndTheirTwoCharacterForms) {
  using K = TokenKind;
  EXPECT_EQ(KindsOf("a??b?c:d"), (std::vector<K>{K::kIdent, K::kCoalesce, K::kIdent, K::kQuestion,
                                                 K::kIdent, K::kColon, K::kIdent, K::kEnd}));
  EXPECT_EQ(KindsOf("<= < >= > == != && || ! and or not"),
            (std::vector<K>{K::kLe, K::kLt, K::kGe, K::kGt, K::kEq, K::kNe, K::kAnd, K::kOr,
                            K::kNot, K::kAnd, K::kOr, K::kNot, K::kEnd}));
  EXPECT_EQ(KindsOf("+-*/%.,()[]{}"),
            (std::vector<K>{K::kPlus, K::kMinus, K::kStar, K::kSlash, K::kPercent, K::kDot,
                            K::kComma, K::kLParen, K::kRParen, K::kLBracket, K::kRBracket,
                            K::kLBrace, K::kRBrace, K::kEnd}));
  EXPECT_EQ(KindsOf("true false null nullable"),
            (std::vector<K>{K::kTrue, K::kFalse, K::kNull, K::kIdent, K::kEnd}));
}

TEST(Lexer, NumbersAndMemberDots) {
  using K = TokenKind;
  // "1.5" is one number; in "a.1." the dots are member accesses.
  EXPECT_EQ(KindsOf("1.5"), (std::vector<K>{K::kNumber, K::kEnd}));
  EXPECT_EQ(KindsOf("x[0].y"), (std::vector<K>{K::kIdent, K::kLBracket, K::kNumber, K::kRBracket,
                                               K::kDot, K::kIdent, K::kEnd}));
  EXPECT_EQ(KindsOf("1.x"), (std::vector<K>{K::kNumber, K::kDot, K::kIdent, K::kEnd}));
}

TEST(Lexer, SpansAndDecodedStrings) {
  Result<std::vector<Token>> tokens = Tokenize("ab  'x\\ny'  _z9");
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 4u);
  EXPECT_EQ((*tokens)[0].begin, 0u);
  EXPECT_EQ((*tokens)[0].end, 2u);
  EXPECT_EQ((*tokens)[1].kind, TokenKind::kString);
  EXPECT_EQ((*tokens)[1].begin, 4u);
  EXPECT_EQ((*tokens)[1].end, 10u);
  EXPECT_EQ((*tokens)[1].value, "x\ny");
  EXPECT_EQ((*tokens)[2].begin, 12u);
  EXPECT_EQ((*tokens)[3].kind, TokenKind::kEnd);
  EXPECT_EQ((*tokens)[3].begin, 15u);
}

TEST(Lexer, Errors) {
  EXPECT_EQ(Tokenize("'open").error().message(), "col 1: unterminated string");
  EXPECT_EQ(Tokenize("  \"\\x\"").error().message(), "col 4: unknown escape '\\x'");
  EXPECT_EQ(Tokenize("a # b").error().message(), "col 3: unexpected character '#'");
  EXPECT_EQ(Tokenize("a=b").error().message(), "col 2: unexpected '=' (use '==' to compare)");
  // Non-ASCII characters are quoted whole; stray bytes as \xNN.
  EXPECT_EQ(Tokenize("x + \xC3\xA9t\xC3\xA9").error().message(),
            "col 5: unexpected character '\xC3\xA9'");
  // Columns count characters: "é" is one column, though two bytes.
  EXPECT_EQ(Tokenize("'\xC3\xA9' # 1").error().message(), "col 5: unexpected character '#'");
  EXPECT_EQ(Tokenize("\xFF").error().message(), "col 1: unexpected character '\\xFF'");
  EXPECT_EQ(Tokenize("\xC3").error().message(), "col 1: unexpected character '\\xC3'");
}

TEST(Lexer, WordTokens) {
  const std::string_view src = "a and && 1";
  Result<std::vector<Token>> tokens = Tokenize(src);
  ASSERT_TRUE(tokens.ok());
  EXPECT_TRUE(IsWordToken((*tokens)[0], src));
  EXPECT_TRUE(IsWordToken((*tokens)[1], src));
  EXPECT_FALSE(IsWordToken((*tokens)[2], src));  // && is an operator, not a name
  EXPECT_FALSE(IsWordToken((*tokens)[3], src));
  EXPECT_FALSE(IsWordToken((*tokens)[4], src));  // end
}

}  // namespace
}  // namespace keel::expr
