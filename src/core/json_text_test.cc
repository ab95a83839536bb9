// ParseJsonText and DumpJsonText must give exactly what nlohmann gives: the
// same tree (value and number types) and the same text, byte for byte. Checked
// on every JSON file of the JSON Schema test suite and the MCP schemas in
// ../shared/conformance (skipped with a message when absent), on edge cases,
// and on random trees.
#include "core/json_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

namespace keel {
namespace {

namespace fs = std::filesystem;

std::string NlohmannText(const Json& v) {
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Same value and the same number types all the way down.
::testing::AssertionResult SameTree(const Json& a, const Json& b, const std::string& at = "") {
  if (a.type() != b.type()) {
    return ::testing::AssertionFailure()
           << "at '" << at << "': " << a.type_name() << " vs " << b.type_name()
           << " (" << a.dump() << " vs " << b.dump() << ")";
  }
  if (a.is_object()) {
    if (a.size() != b.size()) return ::testing::AssertionFailure() << "at '" << at << "': size";
    for (auto it = a.begin(); it != a.end(); ++it) {
      if (!b.contains(it.key())) return ::testing::AssertionFailure() << "missing " << it.key();
      auto r = SameTree(it.value(), b[it.key()], at + "/" + it.key());
      if (!r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return ::testing::AssertionFailure() << "at '" << at << "': size";
    for (size_t i = 0; i < a.size(); ++i) {
      auto r = SameTree(a[i], b[i], at + "/" + std::to_string(i));
      if (!r) return r;
    }
    return ::testing::AssertionSuccess();
  }
  if (a.is_number_float() && std::isnan(a.get<double>()) && std::isnan(b.get<double>())) {
    return ::testing::AssertionSuccess();
  }
  if (a != b) return ::testing::AssertionFailure() << "at '" << at << "': " << a << " vs " << b;
  return ::testing::AssertionSuccess();
}

void ExpectSameAsNlohmann(const std::string& text) {
  Json expected = Json::parse(text);
  Json parsed = ParseJsonText(text);
  EXPECT_TRUE(SameTree(parsed, expected)) << text.substr(0, 200);
  EXPECT_EQ(DumpJsonText(expected), NlohmannText(expected)) << text.substr(0, 200);
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(JsonText, ConformanceFilesParseAndPrintAsNlohmannDoes) {
  const fs::path root = "../shared/conformance";
  if (!fs::exists(root)) GTEST_SKIP() << "../shared/conformance is absent: no corpus to compare on";
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::string text = ReadFile(entry.path());
    Json reference = Json::parse(text, nullptr, false);
    if (reference.is_discarded()) continue;  // not JSON after all (none today)
    SCOPED_TRACE(entry.path().string());
    ExpectSameAsNlohmann(text);
    ++files;
  }
  std::printf("compared on %d JSON files\n", files);
  EXPECT_GT(files, 50);
}

TEST(JsonText, EdgeCasesParseAsNlohmannDoes) {
  for (const char* text : {
           "0", "1", "-1", "9223372036854775807", "9223372036854775808",
           "-9223372036854775808", "18446744073709551615", "18446744073709551616",
           "123456789012345678901234567890", "1.5", "-2.5e-3", "1e300", "1E2", "0.1",
           "5e-324", "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u0001\\u00e9\\ud83d\\ude00\"",
           "\"caf\xc3\xa9 \xe2\x82\xac\"", "[]", "{}", "[1,[2,[3,{}]]]", " {\"b\":1, \"a\":2} ",
           "{\"a\":1,\"a\":2}", "true", "false", "null", "{\"z\":{\"y\":[null,true,\"x\"]}}"}) {
    SCOPED_TRACE(text);
    ExpectSameAsNlohmann(text);
  }
}

TEST(JsonText, MinusZeroIsZero) {
  // The one difference: nlohmann reads the integer -0 as signed, this as
  // unsigned. The values are equal and print the same.
  EXPECT_EQ(ParseJsonText("-0"), Json::parse("-0"));
  EXPECT_EQ(DumpJsonText(ParseJsonText("[-0]")), "[0]");
}

TEST(JsonText, DeepNestingFallsBackToNlohmann) {
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  ExpectSameAsNlohmann(deep);
}

TEST(JsonText, LargeTextParsesAsNlohmannDoes) {
  // Past the size where the per-thread parser is not reused.
  Json big = Json::array();
  for (int i = 0; i < 40000; ++i) big.push_back({{"i", i}, {"text", "row \"" + std::to_string(i)}});
  std::string text = big.dump();
  ASSERT_GT(text.size(), size_t{1} << 20);
  ExpectSameAsNlohmann(text);
}

TEST(JsonText, InvalidTextFailsAsNlohmannDoes) {
  for (const char* text : {"", "{", "[1,]", "{\"a\" 1}", "01", "1 2", "\"\xff\"", "nul",
                           "{\"a\":1}x", "\"\x01\""}) {
    SCOPED_TRACE(text);
    EXPECT_THROW(ParseJsonText(text), Json::parse_error);
    EXPECT_TRUE(ParseJsonTextOrDiscarded(text).is_discarded());
  }
}

TEST(JsonText, PrintsEdgeValuesAsNlohmannDoes) {
  Json values = Json::array();
  for (double d : {0.0, -0.0, 1.0, 0.1, 1e20, 1e21, 1e-7, 123456.789, 5e-324, 1.7976931348623157e308,
                   std::numeric_limits<double>::infinity(), std::nan("")}) {
    values.push_back(d);
  }
  values.push_back(std::numeric_limits<int64_t>::min());
  values.push_back(std::numeric_limits<uint64_t>::max());
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls.push_back(static_cast<char>(c));
  values.push_back(controls + "\"\\\x7f/");
  values.push_back("bad \xff\xfe utf-8 \xc3");           // replaced, not thrown
  values.push_back("ok \xf0\x9f\x98\x80 \xe2\x82\xac");  // kept as is
  values.push_back(Json::binary({1, 2, 3}));
  Json object = {{"b", values}, {"a\n", {{"", nullptr}}}, {"\xc3\xa9", Json::array()}};
  EXPECT_EQ(DumpJsonText(object), NlohmannText(object));
  for (const Json& v : values) EXPECT_EQ(DumpJsonText(v), NlohmannText(v)) << NlohmannText(v);
}

Json RandomTree(std::mt19937& rng, int depth) {
  static const std::vector<std::string> kPieces = {
      "a", "Z", " ", "\"", "\\", "\n", "\t", "\x01", "\x1f", "\x7f", "/", "\xc3\xa9",
      "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xff", "\xc3", "0", "key"};
  auto text = [&] {
    std::string s;
    for (int n = rng() % 8; n > 0; --n) s += kPieces[rng() % kPieces.size()];
    return s;
  };
  switch (depth <= 0 ? rng() % 6 : rng() % 8) {
    case 0: return Json();
    case 1: return Json(rng() % 2 == 0);
    case 2: return Json(static_cast<int64_t>(rng()) - (1LL << 31));
    case 3: return Json(static_cast<uint64_t>(rng()) << 20);
    case 4: return Json(std::ldexp(static_cast<double>(rng()), static_cast<int>(rng() % 80) - 60));
    case 5: return Json(text());
    case 6: {
      Json a = Json::array();
      for (int n = rng() % 5; n > 0; --n) a.push_back(RandomTree(rng, depth - 1));
      return a;
    }
    default: {
      Json o = Json::object();
      for (int n = rng() % 5; n > 0; --n) o[text()] = RandomTree(rng, depth - 1);
      return o;
    }
  }
}

TEST(JsonText, RandomTreesRoundTripAsNlohmannDoes) {
  std::mt19937 rng(20261123);
  for (int i = 0; i < 3000; ++i) {
    Json tree = RandomTree(rng, 4);
    std::string text = NlohmannText(tree);
    ASSERT_EQ(DumpJsonText(tree), text);
    ASSERT_TRUE(SameTree(ParseJsonText(text), Json::parse(text))) << text;
  }
}

TEST(JsonText, SoleMemberTextIsTheMembersOwnText) {
  std::mt19937 rng(20261124);
  for (int i = 0; i < 500; ++i) {
    Json value = RandomTree(rng, 3);
    std::string text = DumpJsonText(Json{{"output", value}});
    std::optional<std::string_view> member = SoleMemberText(text, "output");
    ASSERT_TRUE(member.has_value()) << text;
    EXPECT_EQ(*member, DumpJsonText(value));
  }
}

TEST(JsonText, SoleMemberTextRefusesAnythingElse) {
  for (const char* text : {
           R"({"output":{"a":1},"z":2})",  // another member after it
           R"({"next":"b","output":[1]})",  // another member before it
           R"({"output":{"a":1})",          // cut short
           R"({"output":{"a":1}}})",        // a stray brace
           R"({"output":})",                // no value
           R"({"outputs":[1]})",            // another key
           R"({ "output":[1]})",            // not compact
           R"(["output",1])",               // not an object
           "",
       }) {
    EXPECT_FALSE(SoleMemberText(text, "output").has_value()) << text;
  }
  EXPECT_EQ(SoleMemberText(R"({"output":"x"})", "output"), R"("x")");
}

}  // namespace
}  // namespace keel
