#include "store/sqlite/reader_pool.h"

#include <utility>

namespace keel::sqlite {

ReaderPool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Release(std::move(conn_));
}

Result<ReaderPool::Lease> ReaderPool::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  // Opened outside the lock: opening touches the file and may wait on it.
  Result<std::unique_ptr<Connection>> conn =
      Connection::Open(path_, /*create=*/false, busy_timeout_ms_);
  if (!conn.ok()) return conn.status();
  return Lease(this, std::move(conn).value());
}

void ReaderPool::Release(std::unique_ptr<Connection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
  // else: `conn` closes here; the pool only keeps what steady load needs.
}

}  // namespace keel::sqlite
