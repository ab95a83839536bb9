// The backends that run the Store conformance suite. A new backend adds one
// StoreBackend here (PostgreSQL would open a fresh schema per test).
#include "store/store_conformance.h"

namespace keel::testing {
namespace {

StoreBackend SqliteBackend() {
  return StoreBackend{"Sqlite", [](const std::string& dir) {
                        SqliteStoreOptions options;
                        options.path = dir + "/keel.db";
                        // Small, so the suite exercises the blob table too.
                        options.inline_payload_max = 256;
                        return OpenSqliteStore(options);
                      }};
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::Values(SqliteBackend()),
                         BackendName);

}  // namespace
}  // namespace keel::testing
