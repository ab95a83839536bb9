#include "template/mustache.h"

#include <gtest/gtest.h>

#include <thread>

namespace keel {
namespace {

std::shared_ptr<const MustacheTemplate> MustParse(std::string_view text) {
  auto t = MustacheTemplate::Parse(text);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : nullptr;
}

std::string MustRender(std::string_view text, const Json& data,
                       const MustachePartials& partials = {}) {
  auto t = MustParse(text);
  if (t == nullptr) return "<parse error>";
  auto out = t->Render(data, partials);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return out.ok() ? *out : "<render error>";
}

Status ParseError(std::string_view text) { return MustacheTemplate::Parse(text).status(); }

TEST(MustacheTest, RendersPromptFromNestedData) {
  Json data = {
      {"account", {{"name", "Acme & Co"}, {"arr", 120000}, {"health", 0.82}}},
      {"contacts", {{{"name", "Ana"}, {"role", "CFO"}}, {{"name", "Bo"}, {"role", "IT"}}}}};
  EXPECT_EQ(MustRender("Account {{account.name}} ({{{account.name}}}), ARR {{account.arr}}, "
                       "health {{account.health}}.\n"
                       "{{#contacts}}\n- {{name}}, {{role}} at {{account.name}}\n{{/contacts}}\n",
                       data),
            "Account Acme &amp; Co (Acme & Co), ARR 120000, health 0.82.\n"
            "- Ana, CFO at Acme &amp; Co\n- Bo, IT at Acme &amp; Co\n");
}

TEST(MustacheTest, InterpolatesObjectsAndArraysAsCompactJson) {
  Json data = {{"obj", {{"a", 1}, {"b", {true, nullptr}}}}, {"flag", false}};
  EXPECT_EQ(MustRender("{{{obj}}} {{flag}}", data), R"({"a":1,"b":[true,null]} false)");
  EXPECT_EQ(MustRender("{{obj.b}}", data), "[true,null]");
}

TEST(MustacheTest, FalseyValuesFollowJavaScriptTruthiness) {
  Json data = {{"zero", 0},
               {"empty", ""},
               {"list", Json::array()},
               {"obj", Json::object()},
               {"null", nullptr},
               {"no", false},
               {"one", 1},
               {"text", "x"}};
  EXPECT_EQ(MustRender("{{#zero}}a{{/zero}}{{#empty}}b{{/empty}}{{#list}}c{{/list}}"
                       "{{#null}}d{{/null}}{{#no}}e{{/no}}",
                       data),
            "");
  EXPECT_EQ(MustRender("{{#obj}}a{{/obj}}{{#one}}b{{/one}}{{#text}}{{.}}{{/text}}", data), "abx");
  EXPECT_EQ(MustRender("{{^zero}}a{{/zero}}{{^empty}}b{{/empty}}{{^obj}}c{{/obj}}", data), "ab");
}

TEST(MustacheTest, LineOfOnlySectionTagsVanishes) {
  Json data = {{"a", true}, {"b", false}, {"name", "N"}};
  EXPECT_EQ(MustRender("{{#a}}{{^b}}\n  x\n  {{/b}} {{/a}}\ny\n", data), "  x\ny\n");
  // An interpolation prints, so its line keeps its line end.
  EXPECT_EQ(MustRender("{{name}}{{#a}}\nx{{/a}}", data), "N\nx");
}

TEST(MustacheTest, DottedNamesIndexArrays) {
  Json data = {{"items", {"first", "second"}}};
  EXPECT_EQ(MustRender("{{items.1}}|{{items.2}}|{{items.x}}", data), "second||");
}

TEST(MustacheTest, RendersPartialsWithStandaloneIndentation) {
  MustachePartials partials = {{"contact", "- {{name}}\n  role: {{role}}\n"}};
  Json data = {{"contacts", {{{"name", "Ana"}, {"role", "CFO"}}}}};
  EXPECT_EQ(MustRender("Contacts:\n{{#contacts}}\n    {{> contact}}\n{{/contacts}}\nEnd\n", data,
                       partials),
            "Contacts:\n    - Ana\n      role: CFO\nEnd\n");
}

TEST(MustacheTest, RenderIsRepeatableAndThreadSafe) {
  auto t = MustParse("{{#items}}{{.}},{{/items}}{{>p}}");
  ASSERT_NE(t, nullptr);
  MustachePartials partials = {{"p", "[{{n}}]"}};
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 200; ++j) {
        auto out = t->Render({{"items", {i, j}}, {"n", i}}, partials);
        results[i] = out.ok() ? *out : "error";
        if (results[i] !=
            std::to_string(i) + "," + std::to_string(j) + ",[" + std::to_string(i) + "]") {
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(results[i], std::to_string(i) + ",199,[" + std::to_string(i) + "]");
  }
}

TEST(MustacheTest, RecursivePartialWithoutEndFailsInsteadOfOverflowing) {
  auto t = MustParse("{{>loop}}");
  ASSERT_NE(t, nullptr);
  auto out = t->Render(Json::object(), {{"loop", "x{{>loop}}"}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("nested more than"), std::string::npos);
  EXPECT_EQ(out.status().message().find("partial 'loop': partial"), std::string::npos)
      << out.status().message();
}

TEST(MustacheTest, BadPartialFailsTheRenderNamingThePartial) {
  auto t = MustParse("a\n{{>broken}}");
  ASSERT_NE(t, nullptr);
  auto out = t->Render(Json::object(), {{"broken", "ok\n{{#open}}"}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "partial 'broken': line 2, col 1: unclosed section 'open'");
}

TEST(MustacheTest, MissingPartialRendersEmpty) {
  EXPECT_EQ(MustRender("[{{>nope}}]", Json::object()), "[]");
}

TEST(MustacheStrictTest, MissingVariableFailsWithLine) {
  auto t = MustParse("Hello\n{{account.name}} and {{missing}}\n");
  ASSERT_NE(t, nullptr);
  MustacheOptions strict{.strict = true};
  auto out = t->Render({{"account", {{"name", "Acme"}}}}, {}, strict);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().message(), "line 2: '{{missing}}' is not in the data");
  // Without strict mode the same render succeeds with "".
  auto lax = t->Render({{"account", {{"name", "Acme"}}}});
  ASSERT_TRUE(lax.ok());
  EXPECT_EQ(*lax, "Hello\nAcme and \n");
}

TEST(MustacheStrictTest, BrokenDottedChainIsMissing) {
  auto t = MustParse("{{account.owner.email}}");
  ASSERT_NE(t, nullptr);
  auto out = t->Render({{"account", {{"owner", Json::object()}}}}, {}, {.strict = true});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "line 1: '{{account.owner.email}}' is not in the data");
}

TEST(MustacheStrictTest, NullAndFalseAreNotMissing) {
  auto t = MustParse("[{{a}}{{#b}}x{{/b}}]");
  ASSERT_NE(t, nullptr);
  auto out = t->Render({{"a", nullptr}, {"b", false}}, {}, {.strict = true});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "[]");
}

TEST(MustacheStrictTest, MissingSectionFailsButInvertedIsAllowed) {
  MustacheOptions strict{.strict = true};
  auto inverted = MustParse("{{^notes}}no notes{{/notes}}");
  ASSERT_NE(inverted, nullptr);
  auto out = inverted->Render(Json::object(), {}, strict);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "no notes");

  auto section = MustParse("ok\n\n  {{#notes}}{{.}}{{/notes}}");
  ASSERT_NE(section, nullptr);
  out = section->Render(Json::object(), {}, strict);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "line 3: '{{notes}}' is not in the data");
}

TEST(MustacheStrictTest, NamesResolveThroughTheContextStack) {
  auto t = MustParse("{{#items}}{{name}} for {{account}}{{/items}}");
  ASSERT_NE(t, nullptr);
  Json data = {{"account", "Acme"}, {"items", {{{"name", "a"}}, {{"name", "b"}}}}};
  auto out = t->Render(data, {}, {.strict = true});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "a for Acmeb for Acme");
  data["items"][1].erase("name");
  out = t->Render(data, {}, {.strict = true});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "line 1: '{{name}}' is not in the data");
}

TEST(MustacheStrictTest, ErrorInsidePartialNamesThePartial) {
  auto t = MustParse("{{>p}}");
  ASSERT_NE(t, nullptr);
  auto out = t->Render(Json::object(), {{"p", "x\n{{gone}}"}}, {.strict = true});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), "partial 'p': line 2: '{{gone}}' is not in the data");
}

TEST(MustacheTopLevelNamesTest, ListsNamesOutsideSections) {
  auto t = MustParse(
      "{{account.name}} {{{usage}}} {{&plan}} {{.}}\n"
      "{{#contacts}}{{name}}{{/contacts}}\n"
      "{{^notes}}{{fallback}}{{/notes}}\n"
      "{{! comment }}{{>partial}}{{>*dyn}}\n"
      "{{=<% %>=}}<%tier%> {{account.name}} <%$b%><%inblock%><%/b%>\n");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->TopLevelNames(),
            (std::vector<std::string>{"account.name", "contacts", "dyn", "inblock", "notes", "plan",
                                      "tier", "usage"}));
}

TEST(MustacheTopLevelNamesTest, EmptyForPlainText) {
  auto t = MustParse("just text");
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->TopLevelNames().empty());
}

TEST(MustacheParseErrorTest, UnclosedTag) {
  Status s = ParseError("line one\n  hello {{name");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "line 2, col 9: unclosed tag '{{'");
  EXPECT_EQ(ParseError("{{{raw}}").message(), "line 1, col 1: unclosed tag '{{'");
}

TEST(MustacheParseErrorTest, UnclosedSectionPointsAtItsOpeningTag) {
  Status s = ParseError("a\nb {{#items}}\n{{name}}\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "line 2, col 3: unclosed section 'items'");
}

TEST(MustacheParseErrorTest, MismatchedClose) {
  EXPECT_EQ(ParseError("{{#a}}\n{{#b}}x{{/a}}").message(),
            "line 2, col 8: closing tag 'a' does not match 'b' opened at line 2");
  EXPECT_EQ(ParseError("x {{/a}}").message(),
            "line 1, col 3: closing tag 'a' without an open section");
}

TEST(MustacheParseErrorTest, BadDelimiters) {
  EXPECT_EQ(ParseError("{{=<%%>=}}").message(), "line 1, col 1: bad delimiter tag '<%%>'");
  EXPECT_EQ(ParseError("ab{{= a=b c =}}").message(), "line 1, col 3: bad delimiter tag 'a=b c'");
  EXPECT_EQ(ParseError("{{=<% %> x=}}").code(), StatusCode::kInvalidArgument);
}

TEST(MustacheParseErrorTest, BadNames) {
  EXPECT_EQ(ParseError("{{}}").message(), "line 1, col 1: bad tag name ''");
  EXPECT_EQ(ParseError("{{first name}}").message(), "line 1, col 1: bad tag name 'first name'");
  EXPECT_EQ(ParseError("{{a..b}}").message(), "line 1, col 1: bad name 'a..b'");
}

TEST(MustacheParseErrorTest, AbsurdNestingIsRejected) {
  std::string deep;
  for (int i = 0; i < 101; ++i) deep += "{{#a}}";
  EXPECT_EQ(ParseError(deep).message(), "line 1, col 601: sections nested more than 100 deep");
  std::string ok;
  for (int i = 0; i < 100; ++i) ok = "{{#a}}" + ok + "{{/a}}";
  EXPECT_TRUE(MustacheTemplate::Parse(ok).ok());
}

TEST(MustacheParseErrorTest, CustomDelimitersReportTheirOpener) {
  EXPECT_EQ(ParseError("{{=<% %>=}}\n<% name").message(), "line 2, col 1: unclosed tag '<%'");
}

}  // namespace
}  // namespace keel
