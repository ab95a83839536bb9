#include "crm/internal/wal_checkpointer.h"

#include <utility>

namespace keel::crm_internal {

WalCheckpointer::WalCheckpointer(std::string path)
    : path_(std::move(path)), thread_([this] { Loop(); }) {}

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

int WalCheckpointer::OnCommit(void* self, sqlite3*, const char*, int wal_frames) {
  if (wal_frames < kFrames) return SQLITE_OK;
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
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

bool WalCheckpointer::Checkpoint() {
  if (db_ == nullptr && sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) !=
                            SQLITE_OK) {
    sqlite3_close(db_);  // the next commit past the threshold asks again
    db_ = nullptr;
    return false;
  }
  // A checkpoint that could not finish (a reader on an old snapshot) leaves
  // frames behind; the next commit past the threshold asks for another.
  return sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) ==
         SQLITE_OK;
}

}  // namespace keel::crm_internal
