// The shipped example project must always validate.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "project/project_loader.h"

namespace keel {
namespace {

TEST(SalesExampleTest, LoadsWithoutDiagnostics) {
  if (!std::filesystem::exists("examples/sales/keel.yaml")) {
    GTEST_SKIP() << "examples/sales/keel.yaml is absent";
  }
  std::vector<Diagnostic> diagnostics;
  auto project = LoadProject("examples/sales", {}, &diagnostics);
  std::string all;
  for (const Diagnostic& d : diagnostics) all += d.ToString() + "\n";
  EXPECT_TRUE(project.ok()) << all;
  EXPECT_THAT(diagnostics, ::testing::IsEmpty()) << all;
  if (project.ok()) {
    EXPECT_FALSE(project->workflows.empty());
  }
}

}  // namespace
}  // namespace keel
