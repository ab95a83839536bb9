// Runs the official Mustache spec (github.com/mustache/spec) from the shared
// conformance folder. Every case of the core modules must pass; the optional
// modules (file names starting with '~') are run and reported only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "template/mustache.h"

namespace keel {
namespace {

const char kSpecDir[] = "../shared/conformance/mustache-spec/specs";

struct SpecCount {
  int passed = 0;
  int total = 0;
};

// Runs every case in one spec file; a failing case is reported with its name
// when `required`, otherwise only counted.
SpecCount RunSpecFile(const std::filesystem::path& path, bool required) {
  SpecCount count;
  std::ifstream in(path);
  Json spec = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(spec.is_discarded()) << path << " is not valid JSON";
  if (spec.is_discarded()) return count;
  for (const Json& test : spec["tests"]) {
    ++count.total;
    std::string name = test.value("name", "");
    MustachePartials partials;
    if (test.contains("partials")) partials = test["partials"].get<MustachePartials>();
    auto tmpl = MustacheTemplate::Parse(test["template"].get<std::string>());
    Result<std::string> out =
        tmpl.ok() ? (*tmpl)->Render(test["data"], partials) : Result<std::string>(tmpl.error());
    std::string expected = test["expected"].get<std::string>();
    bool pass = out.ok() && *out == expected;
    if (pass) ++count.passed;
    if (required) {
      EXPECT_TRUE(pass) << path.filename() << " '" << name
                        << "': " << (out.ok() ? "got " + Json(*out).dump() : out.error().ToString())
                        << ", want " << Json(expected).dump();
    }
  }
  return count;
}

void Report(const std::string& what, const SpecCount& c) {
  std::cout << "mustache spec: " << c.passed << "/" << c.total << " cases pass (" << what << ")\n";
}

TEST(MustacheSpecTest, CoreModulesPassEveryCase) {
  if (!std::filesystem::is_directory(kSpecDir)) {
    GTEST_SKIP() << "Mustache spec not found at " << kSpecDir
                 << " (run from the repository root with ../shared present)";
  }
  SpecCount total;
  for (const char* file : {"comments.json", "delimiters.json", "interpolation.json",
                           "inverted.json", "partials.json", "sections.json"}) {
    std::filesystem::path path = std::filesystem::path(kSpecDir) / file;
    ASSERT_TRUE(std::filesystem::exists(path)) << path << " is missing from the spec folder";
    SpecCount c = RunSpecFile(path, /*required=*/true);
    Report(file, c);
    total.passed += c.passed;
    total.total += c.total;
  }
  Report("core total", total);
  EXPECT_EQ(total.total, 136);
}

TEST(MustacheSpecTest, OptionalModulesAreReported) {
  if (!std::filesystem::is_directory(kSpecDir)) {
    GTEST_SKIP() << "Mustache spec not found at " << kSpecDir;
  }
  for (const char* file : {"~dynamic-names.json", "~inheritance.json"}) {
    std::filesystem::path path = std::filesystem::path(kSpecDir) / file;
    if (!std::filesystem::exists(path)) continue;
    Report(file, RunSpecFile(path, /*required=*/false));
  }
}

}  // namespace
}  // namespace keel
