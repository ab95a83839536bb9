// Test helpers: load a fixture project from tests/fixtures/projects/<name>
// (tests run from the repository root) and look at its diagnostics.
#ifndef KEEL_PROJECT_INTERNAL_FIXTURE_TEST_UTIL_H_
#define KEEL_PROJECT_INTERNAL_FIXTURE_TEST_UTIL_H_

#include <string>
#include <vector>

#include "project/project_loader.h"

namespace keel::project_test {

inline std::string FixturePath(const std::string& name) {
  return "tests/fixtures/projects/" + name;
}

// The diagnostics of loading fixture `name`, as "file:line:col: message".
inline std::vector<std::string> FixtureDiagnostics(const std::string& name,
                                                   const LoadOptions& options = {}) {
  std::vector<Diagnostic> diagnostics;
  LoadProject(FixturePath(name), options, &diagnostics);
  std::vector<std::string> out;
  for (const Diagnostic& d : diagnostics) out.push_back(d.ToString());
  return out;
}

}  // namespace keel::project_test

#endif  // KEEL_PROJECT_INTERNAL_FIXTURE_TEST_UTIL_H_
