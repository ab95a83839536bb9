// Test-only helpers for the demo CRM tests: one seeded database per test
// binary, shared by every test that only reads (seeding costs ~0.2 s).
#ifndef KEEL_CRM_CRM_TEST_UTIL_H_
#define KEEL_CRM_CRM_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "crm/demo_crm.h"

namespace keel::crm_test {

// A directory of this test process's files, removed when the process exits.
inline const std::string& TempDirForProcess() {
  struct Dir {
    std::string path = ::testing::TempDir() + "keel_crm_" + std::to_string(::getpid()) + "/";
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

// A fresh path in the process's temp dir.
inline std::string TempPath(const std::string& name) { return TempDirForProcess() + name; }

// The path of a database seeded with the default seed and 1,000 accounts.
inline const std::string& SeededPath() {
  static const std::string path = [] {
    std::string p = TempPath("shared.db");
    Status s = SeedDemoCrm(p);
    if (!s.ok()) ADD_FAILURE() << s.ToString();
    return p;
  }();
  return path;
}

// A new database seeded with the defaults, for tests that write.
inline std::string FreshSeeded(const std::string& name) {
  std::string p = TempPath(name);
  Status s = SeedDemoCrm(p);
  if (!s.ok()) ADD_FAILURE() << s.ToString();
  return p;
}

}  // namespace keel::crm_test

#endif  // KEEL_CRM_CRM_TEST_UTIL_H_
