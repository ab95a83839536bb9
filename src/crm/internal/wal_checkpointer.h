// WalCheckpointer: runs the demo CRM's WAL checkpoints on a thread of its own.
//
// Left to itself, SQLite checkpoints inside the commit that takes the WAL past
// its threshold, on whichever thread made that commit: for the demo CRM, an
// engine pool thread in the middle of a side-effect tool, which then waits for
// the checkpoint's copy and its fsync of the database file (tens of
// milliseconds) while the pool runs one thread short. Here every commit only
// reports the WAL's size (a WAL hook replaces SQLite's own checkpointing on
// the connection), and this thread checkpoints once it passes kFrames.
// Checkpoints are PASSIVE: they never wait for, or block, readers and writers.
//
// Thread-safe. Must outlive the connections attached to it.
#ifndef KEEL_CRM_INTERNAL_WAL_CHECKPOINTER_H_
#define KEEL_CRM_INTERNAL_WAL_CHECKPOINTER_H_

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace keel::crm_internal {

class WalCheckpointer {
 public:
  // SQLite's own default threshold (wal_autocheckpoint).
  static constexpr int kFrames = 1000;

  explicit WalCheckpointer(std::string path);
  ~WalCheckpointer();  // lets a checkpoint in progress finish, then joins
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Routes `db`'s checkpoints here.
  void Attach(sqlite3* db);
  // Checkpoints completed so far (tests).
  int64_t checkpoints() const;

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_frames);
  void Loop();
  bool Checkpoint();  // false when it could not run (the database would not open)

  const std::string path_;
  sqlite3* db_ = nullptr;  // the thread's own connection, opened on first use
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool stopping_ = false;
  int64_t checkpoints_ = 0;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace keel::crm_internal

#endif  // KEEL_CRM_INTERNAL_WAL_CHECKPOINTER_H_
