// Internal to the SQLite store: read connections, opened on demand and kept
// for reuse. WAL mode lets each of them read a consistent snapshot while the
// commit thread writes, so reads never wait for a group commit.
//
// Thread-safe: Acquire() hands a connection to one thread until its Lease is
// dropped.
#ifndef KEEL_STORE_SQLITE_READER_POOL_H_
#define KEEL_STORE_SQLITE_READER_POOL_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/sqlite/connection.h"

namespace keel::sqlite {

class ReaderPool {
 public:
  // Exclusive use of one connection; gives it back to the pool when dropped.
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) noexcept = default;
    ~Lease();
    Connection& operator*() const { return *conn_; }
    Connection* operator->() const { return conn_.get(); }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Keeps at most `max_idle` connections open between reads.
  ReaderPool(std::string path, int busy_timeout_ms, size_t max_idle = 8)
      : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), max_idle_(max_idle) {}

  // An idle connection, or a newly opened one (kUnavailable / kDataLoss when
  // the file cannot be opened). Does not block on other readers.
  Result<Lease> Acquire();

 private:
  void Release(std::unique_ptr<Connection> conn);

  const std::string path_;
  const int busy_timeout_ms_;
  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
};

}  // namespace keel::sqlite

#endif  // KEEL_STORE_SQLITE_READER_POOL_H_
