// Helpers shared by the command-line tests: a temporary copy of a project
// folder that is removed when the test ends, and parsing of `--json` output.
// Test-only; thread-compatible.
#ifndef KEEL_TESTS_CLI_TEST_UTIL_H_
#define KEEL_TESTS_CLI_TEST_UTIL_H_

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/json.h"
#include "keel_process.h"

namespace keel::testing {

// A fresh copy of `fixture` (a folder relative to the repository root) with
// no .keel state, deleted on destruction.
class TempProject {
 public:
  explicit TempProject(const std::string& fixture) : path_(CopyFixture(fixture)) {}
  ~TempProject() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempProject(const TempProject&) = delete;
  TempProject& operator=(const TempProject&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// The JSON a `--json` command printed on stdout; a discarded value when the
// output is not JSON (check with is_discarded()).
inline Json ParseJsonOutput(const std::string& out) {
  return Json::parse(out, nullptr, /*allow_exceptions=*/false);
}

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace keel::testing

#endif  // KEEL_TESTS_CLI_TEST_UTIL_H_
