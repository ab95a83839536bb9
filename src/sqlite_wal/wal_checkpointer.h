// WalCheckpointer: runs an SQLite database's WAL checkpoints on a thread of
// their own.
//
// Left to itself, SQLite checkpoints inside the commit that takes the WAL past
// its threshold (wal_autocheckpoint), on whichever thread made that commit,
// which then copies the WAL back into the database and waits for its fsync.
// For keel's store that thread is the commit thread, which every run waits
// on; for the demo CRM it is an engine pool thread in the middle of a
// side-effect tool. Here every commit only reports the WAL's size (a WAL hook
// replaces SQLite's own checkpointing on the connection), and this thread
// checkpoints, on a connection of its own, once the WAL passes the threshold.
// Checkpoints are PASSIVE: they never wait for, or block, readers and writers.
// A writer restarts the WAL from its start once a checkpoint has copied all of
// it; as commits keep coming while the thread copies, the WAL settles at about
// twice the threshold (75-85 MB for the store's 40 MB under the benchmarks).
// Should the thread fall behind by kBehind thresholds (or be unable to open
// the database), the commit checkpoints in place, as SQLite would have, so the
// WAL cannot grow without bound.
//
// Thread-safe. Must outlive the connections attached to it.
#ifndef KEEL_SQLITE_WAL_WAL_CHECKPOINTER_H_
#define KEEL_SQLITE_WAL_WAL_CHECKPOINTER_H_

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace keel {

class WalCheckpointer {
 public:
  // SQLite's own default threshold (wal_autocheckpoint).
  static constexpr int kDefaultFrames = 1000;
  // How many thresholds behind the thread may fall before a commit checkpoints.
  static constexpr int kBehind = 4;

  // Checkpoints `path` once a commit leaves more than `frames` in its WAL.
  // They fsync the WAL and the database, whatever the writers' synchronous.
  explicit WalCheckpointer(std::string path, int frames = kDefaultFrames);
  ~WalCheckpointer();  // lets a checkpoint in progress finish, then joins
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Routes `db`'s checkpoints here.
  void Attach(sqlite3* db);
  // Checkpoints completed so far by the thread, and in place by commits (tests).
  int64_t checkpoints() const;
  int64_t in_place_checkpoints() const;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_frames);
  void Loop();
  bool Open();        // the thread's connection; false when it would not open
  bool Checkpoint();  // false when it could not run

  const std::string path_;
  const int frames_;
  sqlite3* db_ = nullptr;  // the thread's own connection, opened on first use
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool stopping_ = false;
  int64_t checkpoints_ = 0;
  int64_t in_place_checkpoints_ = 0;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace keel

#endif  // KEEL_SQLITE_WAL_WAL_CHECKPOINTER_H_
