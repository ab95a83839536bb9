#include "sqlite_wal/wal_checkpointer.h"

#include <utility>

namespace keel {

WalCheckpointer::WalCheckpointer(std::string path, int frames)
    : path_(std::move(path)), frames_(frames), thread_([this] { Loop(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  sqlite3_close(db_);
}

void WalCheckpointer::Attach(sqlite3* db) { sqlite3_wal_hook(db, &WalCheckpointer::OnCommit, this); }

int64_t WalCheckpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoints_;
}

int64_t WalCheckpointer::in_place_checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_place_checkpoints_;
}

int WalCheckpointer::OnCommit(void* self, sqlite3* db, const char* schema, int wal_frames) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (wal_frames < checkpointer->frames_) return SQLITE_OK;
  if (wal_frames >= kBehind * checkpointer->frames_) {
    // What SQLite's own hook does; allowed inside a WAL hook.
    int log_frames = -1;
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log_frames, nullptr);
    std::lock_guard<std::mutex> lock(checkpointer->mu_);
    if (log_frames >= 0) ++checkpointer->in_place_checkpoints_;
    return SQLITE_OK;
  }
  {
    std::lock_guard<std::mutex> lock(checkpointer->mu_);
    checkpointer->wanted_ = true;
  }
  checkpointer->cv_.notify_one();
  return SQLITE_OK;
}

void WalCheckpointer::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || wanted_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    bool done = Checkpoint();
    lock.lock();
    if (done) ++checkpoints_;
  }
}

bool WalCheckpointer::Open() {
  // A connection that has read nothing yet does not know the file is in WAL
  // mode, and its checkpoints do nothing: reading the schema version opens
  // the WAL.
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
      sqlite3_exec(db_, "PRAGMA schema_version", nullptr, nullptr, nullptr) == SQLITE_OK) {
    return true;
  }
  sqlite3_close(db_);  // the next commit past the threshold asks again
  db_ = nullptr;
  return false;
}

bool WalCheckpointer::Checkpoint() {
  if (db_ == nullptr && !Open()) return false;
  // A checkpoint that could not copy every frame (a reader on an old
  // snapshot) leaves the rest; the next commit past the threshold asks again.
  int log_frames = -1;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, nullptr);
  return rc == SQLITE_OK && log_frames >= 0;
}

}  // namespace keel
