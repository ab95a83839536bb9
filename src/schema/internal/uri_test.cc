#include "schema/internal/uri.h"

#include <gtest/gtest.h>

namespace keel::schema_internal {
namespace {

// RFC 3986 section 5.4: reference resolution examples.
TEST(ResolveUriTest, Rfc3986Examples) {
  const std::string base = "http://a/b/c/d;p?q";
  const std::pair<const char*, const char*> cases[] = {
      {"g:h", "g:h"},
      {"g", "http://a/b/c/g"},
      {"./g", "http://a/b/c/g"},
      {"g/", "http://a/b/c/g/"},
      {"/g", "http://a/g"},
      {"//g", "http://g"},
      {"?y", "http://a/b/c/d;p?y"},
      {"g?y", "http://a/b/c/g?y"},
      {"#s", "http://a/b/c/d;p?q#s"},
      {"g#s", "http://a/b/c/g#s"},
      {"", "http://a/b/c/d;p?q"},
      {".", "http://a/b/c/"},
      {"..", "http://a/b/"},
      {"../g", "http://a/b/g"},
      {"../..", "http://a/"},
      {"../../g", "http://a/g"},
      {"../../../g", "http://a/g"},
      {"/./g", "http://a/g"},
      {"g.", "http://a/b/c/g."},
      {"g/../h", "http://a/b/c/h"},
      {"./g/.", "http://a/b/c/g/"},
  };
  for (const auto& [ref, want] : cases) {
    EXPECT_EQ(ResolveUri(base, ref), want) << ref;
  }
}

TEST(ResolveUriTest, UrnBaseKeepsItsPathForFragments) {
  EXPECT_EQ(ResolveUri("urn:uuid:deadbeef-1234", "#/definitions/bar"),
            "urn:uuid:deadbeef-1234#/definitions/bar");
  EXPECT_EQ(ResolveUri("urn:example:weather?=op=map", "#x"), "urn:example:weather?=op=map#x");
}

TEST(ResolveUriTest, RelativeBaseStaysRelative) {
  EXPECT_EQ(ResolveUri("", "common.json"), "common.json");
  EXPECT_EQ(ResolveUri("", "#/a"), "#/a");
  EXPECT_EQ(ResolveUri("schemas/a.json", "b.json#/x"), "schemas/b.json#/x");
  EXPECT_EQ(ResolveUri("schemas/a.json", "../c.json"), "c.json");
}

TEST(SplitFragmentTest, SeparatesAtFirstHash) {
  SplitUri split = SplitFragment("http://x/s.json#/a#b");
  EXPECT_EQ(split.uri, "http://x/s.json");
  EXPECT_EQ(split.fragment, "/a#b");
  EXPECT_TRUE(split.has_fragment);
  EXPECT_FALSE(SplitFragment("http://x/s.json").has_fragment);
  EXPECT_TRUE(SplitFragment("http://x/s.json#").has_fragment);
}

TEST(PercentDecodeTest, DecodesEscapesAndKeepsMalformedOnes) {
  EXPECT_EQ(PercentDecode("percent%25field"), "percent%field");
  EXPECT_EQ(PercentDecode("foo%22bar"), "foo\"bar");
  EXPECT_EQ(PercentDecode("100%"), "100%");
  EXPECT_EQ(PercentDecode("%zz"), "%zz");
}

}  // namespace
}  // namespace keel::schema_internal
