#include "sqlite_wal/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace keel {
namespace {

// A WAL-mode database with one table, on a connection of the test's own.
class WalDb {
 public:
  explicit WalDb(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               (name + "-" + std::to_string(::getpid()) + ".db"))
                  .string()) {
    Remove();
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    Exec("PRAGMA journal_mode=WAL");
    Exec("CREATE TABLE t (v TEXT)");
  }
  ~WalDb() {
    sqlite3_close(db_);
    Remove();
  }
  const std::string& path() const { return path_; }
  sqlite3* db() { return db_; }
  // Commits `rows` rows of 3 KB: about one WAL frame each.
  void Insert(int rows) {
    Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
         std::to_string(rows) + ") INSERT INTO t SELECT hex(randomblob(1500)) FROM n");
  }
  int64_t WalBytes() const { return FileBytes(path_ + "-wal"); }
  // The database file itself: it grows only when a checkpoint copies pages in.
  int64_t DatabaseBytes() const { return FileBytes(path_); }

 private:
  void Exec(const std::string& sql) {
    ASSERT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db_);
  }
  static int64_t FileBytes(const std::string& path) {
    std::error_code ec;
    auto size = std::filesystem::file_size(path, ec);
    return ec ? -1 : static_cast<int64_t>(size);
  }
  void Remove() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
  sqlite3* db_ = nullptr;
};

bool WaitFor(const std::function<bool()>& done) {
  for (int i = 0; i < 1000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

TEST(WalCheckpointerTest, CommitsBelowTheThresholdDoNotCheckpoint) {
  WalDb db("wal-below");
  int64_t before = db.DatabaseBytes();
  WalCheckpointer checkpointer(db.path(), 200);
  checkpointer.Attach(db.db());
  db.Insert(50);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(checkpointer.checkpoints(), 0);
  EXPECT_EQ(db.DatabaseBytes(), before) << "nothing was copied into the database";
}

// SQLite would checkpoint inside the committing call; attached, the commit
// returns with the WAL still full and the checkpointer's thread copies it.
TEST(WalCheckpointerTest, ACommitPastTheThresholdIsCheckpointedOnItsThread) {
  WalDb db("wal-past");
  WalCheckpointer checkpointer(db.path(), 200);
  checkpointer.Attach(db.db());
  int64_t before = db.DatabaseBytes();
  db.Insert(400);
  ASSERT_TRUE(WaitFor([&] { return checkpointer.checkpoints() >= 1; }));
  // The 400 pages of rows are in the database file now, 4 KiB each.
  EXPECT_GE(db.DatabaseBytes() - before, 400 * 4096);
  // And, all copied, the next commit restarts the WAL from its start
  // instead of growing it.
  int64_t after_first = db.WalBytes();
  db.Insert(150);
  EXPECT_GT(after_first, 0);
  EXPECT_EQ(db.WalBytes(), after_first);
}

TEST(WalCheckpointerTest, AnUnopenableDatabaseCountsNoCheckpoint) {
  WalDb db("wal-gone");
  WalCheckpointer checkpointer(db.path() + ".missing", 100);
  checkpointer.Attach(db.db());
  db.Insert(150);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(checkpointer.checkpoints(), 0);
}

// The thread cannot help (here: it cannot open the database): once the WAL is
// kBehind thresholds long, the commit checkpoints in place.
TEST(WalCheckpointerTest, ACommitFarPastTheThresholdCheckpointsInPlace) {
  WalDb db("wal-behind");
  WalCheckpointer checkpointer(db.path() + ".missing", 100);
  checkpointer.Attach(db.db());
  int64_t before = db.DatabaseBytes();
  db.Insert(WalCheckpointer::kBehind * 100);
  EXPECT_EQ(checkpointer.in_place_checkpoints(), 1);
  EXPECT_GE(db.DatabaseBytes() - before, WalCheckpointer::kBehind * 100 * 4096);
}

}  // namespace
}  // namespace keel
