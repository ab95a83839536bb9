#include "project/internal/field_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace keel::project_internal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class FieldReaderTest : public ::testing::Test {
 protected:
  FieldReader Read(const std::string& text, std::vector<std::string_view> allowed) {
    file_.path = "f.yaml";
    file_.text = text;
    file_.root = YAML::Load(text);
    return FieldReader(file_, file_.root, "a thing", std::move(allowed), &diags_);
  }
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const Diagnostic& d : diags_.list()) out.push_back(d.ToString());
    return out;
  }
  YamlFile file_;
  Diagnostics diags_;
};

TEST_F(FieldReaderTest, ReportsUnknownAndDuplicateKeys) {
  FieldReader reader = Read("name: a\nnmae: b\nname: c\nzzz: 1\n", {"name", "tier"});
  EXPECT_THAT(Messages(),
              ElementsAre("f.yaml:2:1: unknown field 'nmae' in a thing (did you mean 'name'?)",
                          "f.yaml:3:1: duplicate field 'name' in a thing",
                          "f.yaml:4:1: unknown field 'zzz' in a thing"));
  std::string name;
  EXPECT_TRUE(reader.String("name", &name));
  EXPECT_EQ(name, "a");  // the first one counts
}

TEST_F(FieldReaderTest, ReportsANonMap) {
  FieldReader reader = Read("[1, 2]", {"name"});
  EXPECT_FALSE(reader.is_map());
  EXPECT_THAT(Messages(), ElementsAre("f.yaml:1:1: a thing must be a map"));
}

TEST_F(FieldReaderTest, RequiredFieldsAreReportedAtTheMap) {
  FieldReader reader = Read("\n  tier: x\n", {"name", "tier"});
  std::string name;
  EXPECT_FALSE(reader.String("name", &name, /*required=*/true));
  EXPECT_THAT(Messages(), ElementsAre("f.yaml:2:3: missing required field 'name' in a thing"));
}

TEST_F(FieldReaderTest, TypedGettersCheckTypes) {
  FieldReader reader =
      Read("n: 3\nbad_n: 0\nx: 2.5\nflag: yes\nlist: [a, b]\nbad_list: [a, [b]]\nempty:\n",
           {"n", "bad_n", "x", "flag", "list", "bad_list", "empty"});
  int64_t n = 0;
  EXPECT_TRUE(reader.Int("n", 1, &n));
  EXPECT_EQ(n, 3);
  EXPECT_FALSE(reader.Int("bad_n", 1, &n));
  double x = 0;
  EXPECT_TRUE(reader.Number("x", 0, &x));
  EXPECT_EQ(x, 2.5);
  bool flag = false;
  EXPECT_FALSE(reader.Bool("flag", &flag));
  std::vector<std::string> list;
  std::vector<SourceLocation> where;
  EXPECT_TRUE(reader.StringList("list", &list, &where));
  EXPECT_EQ(list, (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(where.size(), 2u);
  EXPECT_EQ(where[1].ToString(), "f.yaml:5:11");
  EXPECT_FALSE(reader.StringList("bad_list", &list));
  std::string s;
  EXPECT_FALSE(reader.String("empty", &s));
  EXPECT_THAT(Messages(), ElementsAre("f.yaml:2:8: 'bad_n' must be an integer >= 1",
                                      "f.yaml:4:7: 'flag' must be true or false",
                                      "f.yaml:6:11: 'bad_list' must be a list of strings",
                                      "f.yaml:7:1: 'empty' must be a string"));
}

TEST_F(FieldReaderTest, AbsentOptionalFieldsAreSilent) {
  FieldReader reader = Read("a: 1\n", {"a", "b"});
  std::string s;
  int64_t n = 0;
  EXPECT_FALSE(reader.String("b", &s));
  EXPECT_FALSE(reader.Int("b", 0, &n));
  EXPECT_THAT(Messages(), IsEmpty());
}

TEST(SuggestTest, FindsCloseSpellingsOnly) {
  EXPECT_EQ(Suggest("agnet", {"agent", "inputs"}), "agent");
  EXPECT_EQ(Suggest("lease", {"lease_s", "worker_threads"}), "lease_s");
  EXPECT_EQ(Suggest("banana", {"tool", "llm", "map"}), "");
  EXPECT_EQ(Suggest("x", {"y"}), "");  // every one-letter word is one edit away
}

}  // namespace
}  // namespace keel::project_internal
