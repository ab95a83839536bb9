#include "schema/json_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace keel {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::shared_ptr<const JsonSchema> MustCompile(const Json& schema,
                                              const SchemaDocumentLoader& loader = nullptr) {
  auto compiled = JsonSchema::Compile(schema, loader);
  EXPECT_TRUE(compiled.ok()) << compiled.status().ToString();
  return compiled.ok() ? *compiled : nullptr;
}

const Json kBrief = Json::parse(R"({
  "type": "object",
  "required": ["account_id", "risk"],
  "properties": {
    "account_id": {"type": "string", "pattern": "^A-[0-9]+$"},
    "risk": {
      "type": "object",
      "properties": {"level": {"enum": ["low", "medium", "high"]}}
    },
    "actions": {"type": "array", "items": {"type": "string", "maxLength": 5}}
  }
})");

TEST(JsonSchemaTest, AcceptsValidValue) {
  auto schema = MustCompile(kBrief);
  Json value = {{"account_id", "A-1042"}, {"risk", {{"level", "high"}}}, {"actions", {"call"}}};
  EXPECT_TRUE(schema->Validate(value).ok());
  EXPECT_THAT(schema->Errors(value), IsEmpty());
}

TEST(JsonSchemaTest, ReportsViolationWithPointer) {
  auto schema = MustCompile(kBrief);
  Json value = {{"account_id", "A-1042"}, {"risk", {{"level", "extreme"}}}};
  Status status = schema->Validate(value);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.type(), "schema_violation");
  EXPECT_THAT(status.message(), HasSubstr("/risk/level: "));
  EXPECT_THAT(schema->Errors(value), Contains(Field(&SchemaError::path, "/risk/level")));
}

TEST(JsonSchemaTest, PointsIntoArraysAndEscapesNames) {
  auto schema = MustCompile(Json::parse(R"({
    "properties": {"a/b~c": {"items": {"type": "integer"}}}
  })"));
  Json value = {{"a/b~c", {1, "two", 3}}};
  EXPECT_THAT(schema->Errors(value), Contains(Field(&SchemaError::path, "/a~1b~0c/1")));
}

TEST(JsonSchemaTest, RootErrorsAreNamedInMessage) {
  auto schema = MustCompile(Json{{"type", "object"}});
  Status status = schema->Validate(Json(42));
  EXPECT_EQ(status.message(), "(root): expected object, got integer");
  EXPECT_THAT(schema->Errors(Json(42)), ElementsAre(Field(&SchemaError::path, "")));
}

TEST(JsonSchemaTest, MessageListsFirstFewErrorsAndCountsTheRest) {
  auto schema = MustCompile(Json::parse(R"({"items": {"type": "string"}})"));
  Json value = {1, 2, 3, 4, 5};
  EXPECT_GE(schema->Errors(value).size(), 5U);
  Status status = schema->Validate(value);
  EXPECT_THAT(status.message(), HasSubstr("/0: expected string, got integer; /1: "));
  EXPECT_THAT(status.message(), Not(HasSubstr("/3:")));
  EXPECT_THAT(status.message(), HasSubstr("more"));
}

TEST(JsonSchemaTest, FalseSchemaRejectsEverythingWithAnError) {
  auto schema = MustCompile(Json(false));
  EXPECT_FALSE(schema->Validate(Json::object()).ok());
  EXPECT_THAT(schema->Errors(Json::object()), Not(IsEmpty()));
}

TEST(JsonSchemaTest, FormatIsAnAnnotationNotAnAssertion) {
  auto schema = MustCompile(Json{{"type", "string"}, {"format", "email"}});
  EXPECT_TRUE(schema->Validate("not an e-mail address").ok());
  EXPECT_FALSE(schema->Validate(7).ok());
}

TEST(JsonSchemaTest, IntegerAcceptsZeroFractionAndMultipleOfToleratesDecimals) {
  auto integer = MustCompile(Json{{"type", "integer"}});
  EXPECT_TRUE(integer->Validate(Json(3.0)).ok());
  EXPECT_FALSE(integer->Validate(Json(3.5)).ok());
  auto cents = MustCompile(Json{{"multipleOf", 0.01}});
  EXPECT_TRUE(cents->Validate(Json(0.07)).ok());
  EXPECT_FALSE(cents->Validate(Json(0.075)).ok());
  // Non-numbers are ignored, even numeric-looking strings.
  auto even = MustCompile(Json{{"multipleOf", 2}});
  EXPECT_TRUE(even->Validate("7").ok());
  EXPECT_FALSE(even->Validate(7).ok());
}

TEST(JsonSchemaTest, KeepsTheOriginalDocument) {
  auto schema = MustCompile(kBrief);
  EXPECT_EQ(schema->document(), kBrief);
}

TEST(JsonSchemaTest, FollowsLocalAndLocationIndependentReferences) {
  auto schema = MustCompile(Json::parse(R"({
    "$id": "https://keel.dev/schemas/tree.json",
    "properties": {
      "children": {"type": "array", "items": {"$ref": "#"}},
      "owner": {"$ref": "#person"}
    },
    "definitions": {"person": {"$id": "#person", "required": ["name"]}}
  })"));
  EXPECT_TRUE(schema->Validate(Json::parse(R"({"children": [{"children": []}]})")).ok());
  EXPECT_FALSE(schema->Validate(Json::parse(R"({"children": [{"children": 3}]})")).ok());
  EXPECT_FALSE(schema->Validate(Json::parse(R"({"owner": {}})")).ok());
}

TEST(JsonSchemaTest, RejectsMalformedSchemas) {
  for (const char* text : {
           R"({"type": 5})",
           R"({"type": "integr"})",
           R"({"minLength": -1})",
           R"({"multipleOf": 0})",
           R"({"properties": {"a": 7}})",
           R"({"pattern": "("})",
           R"({"patternProperties": {"[": {}}})",
           R"({"$ref": 5})",
           R"({"$ref": "#/definitions/missing"})",
           R"({"$ref": "#nowhere"})",
           R"({"$ref": "#"})",
           R"({"definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
               "properties": {"x": {"$ref": "#/definitions/a"}}})",
       }) {
    SCOPED_TRACE(text);
    auto compiled = JsonSchema::Compile(Json::parse(text));
    ASSERT_FALSE(compiled.ok());
    EXPECT_EQ(compiled.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(compiled.status().message(), HasSubstr("invalid JSON Schema"));
  }
}

TEST(JsonSchemaTest, NamesWhereAMalformedSubschemaIs) {
  auto compiled = JsonSchema::Compile(Json::parse(R"({"properties": {"a": 7}})"));
  ASSERT_FALSE(compiled.ok());
  EXPECT_THAT(compiled.status().message(), HasSubstr("/properties/a"));
}

TEST(JsonSchemaTest, RemoteReferenceWithoutLoaderFailsClearly) {
  auto compiled = JsonSchema::Compile(Json{{"$ref", "https://schemas.example.com/money.json"}});
  ASSERT_FALSE(compiled.ok());
  EXPECT_THAT(compiled.status().message(), HasSubstr("https://schemas.example.com/money.json"));
}

TEST(JsonSchemaTest, LoadsRemoteDocumentsOnceThroughTheLoader) {
  std::map<std::string, int> calls;
  SchemaDocumentLoader loader = [&](const std::string& uri) -> std::optional<Json> {
    ++calls[uri];
    if (uri == "https://schemas.example.com/money.json") {
      return Json::parse(R"({"definitions": {
        "amount": {"type": "number", "minimum": 0},
        "usd": {"type": "object", "properties": {"value": {"$ref": "#/definitions/amount"}}}
      }})");
    }
    return std::nullopt;
  };
  auto schema = MustCompile(Json::parse(R"({"properties": {
    "price": {"$ref": "https://schemas.example.com/money.json#/definitions/usd"},
    "cost": {"$ref": "https://schemas.example.com/money.json#/definitions/amount"}
  }})"),
                            loader);
  EXPECT_EQ(calls["https://schemas.example.com/money.json"], 1);
  EXPECT_TRUE(schema->Validate(Json::parse(R"({"price": {"value": 10}, "cost": 2})")).ok());
  EXPECT_THAT(schema->Errors(Json::parse(R"({"price": {"value": -1}})")),
              Contains(Field(&SchemaError::path, "/price/value")));
}

TEST(JsonSchemaTest, RelativeReferencesReachTheLoaderAsPaths) {
  std::vector<std::string> asked;
  SchemaDocumentLoader loader = [&](const std::string& uri) -> std::optional<Json> {
    asked.push_back(uri);
    if (uri == "common/ids.json") return Json::parse(R"({"$ref": "strings.json#/short"})");
    if (uri == "common/strings.json") return Json::parse(R"({"short": {"maxLength": 3}})");
    return std::nullopt;
  };
  auto schema = MustCompile(Json{{"$ref", "common/ids.json"}}, loader);
  EXPECT_THAT(asked, ElementsAre("common/ids.json", "common/strings.json"));
  EXPECT_TRUE(schema->Validate("abc").ok());
  EXPECT_FALSE(schema->Validate("abcd").ok());
}

TEST(JsonSchemaTest, MissingRemoteDocumentFailsCompile) {
  auto compiled = JsonSchema::Compile(Json{{"$ref", "other.json"}},
                                      [](const std::string&) { return std::nullopt; });
  ASSERT_FALSE(compiled.ok());
  EXPECT_THAT(compiled.status().message(), HasSubstr("'other.json' not found"));
}

TEST(JsonSchemaTest, ValidatesFromManyThreadsAtOnce) {
  auto schema = MustCompile(kBrief);
  const Json good = {{"account_id", "A-7"}, {"risk", {{"level", "low"}}}};
  const Json bad = {{"account_id", "B-7"}, {"risk", {{"level", "low"}}}};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (!schema->Validate(good).ok() || schema->Validate(bad).ok()) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace keel
