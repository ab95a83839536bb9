// Opening and closing the SQLite store, and its write queue.
#include "store/sqlite/sqlite_store.h"

#include <filesystem>
#include <system_error>

#include "store/sqlite/batch_writer.h"
#include "store/sqlite/schema.h"

namespace keel {
namespace sqlite {
namespace {

// Creates the folder that will hold the database file, if missing.
Status CreateParentDirectory(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return Status();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return InvalidArgument(path + ": cannot create directory " + parent.string() + ": " +
                           ec.message());
  }
  return Status();
}

// The WAL's size, in pages, past which it is checkpointed: about 40 MB. The
// pages group commits rewrite again and again are then copied to the
// database once per checkpoint, not once per few commits.
constexpr int kCheckpointFrames = 10000;

// Returns non-zero to turn the COMMIT into a rollback (see
// SetCommitFailureForTest).
int FailCommit(void*) { return 1; }

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteStoreOptions& options) {
  if (options.path.empty()) return InvalidArgument("store path is empty");
  KEEL_RETURN_IF_ERROR(CreateParentDirectory(options.path));
  Result<std::unique_ptr<Connection>> writer =
      Connection::Open(options.path, /*create=*/true, options.busy_timeout_ms);
  if (!writer.ok()) return writer.status();
  Connection& conn = **writer;
  KEEL_RETURN_IF_ERROR(ConfigureWriter(conn, options.synchronous_full));
  KEEL_RETURN_IF_ERROR(Migrate(conn));
  KEEL_RETURN_IF_ERROR(PrepareWriter(conn));
  return std::unique_ptr<SqliteStore>(new SqliteStore(options, std::move(writer).value()));
}

SqliteStore::SqliteStore(const SqliteStoreOptions& options, std::unique_ptr<Connection> writer)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : Clock::Real()),
      checkpointer_(options.path, kCheckpointFrames),
      writer_(std::move(writer)),
      readers_(options.path, options.busy_timeout_ms),
      committer_([this](std::span<GroupEntry> group) { CommitGroup(group); },
                 options_.commit_queue_bytes) {
  checkpointer_.Attach(writer_->db());
}

SqliteStore::~SqliteStore() { committer_.Stop(); }

void SqliteStore::Submit(WriteBatch batch, std::function<void(Status)> done) {
  committer_.Submit(EncodeBatch(std::move(batch), options_.inline_payload_max), std::move(done));
}

void SqliteStore::Flush() { committer_.Flush(); }

void SqliteStore::CommitGroup(std::span<GroupEntry> group) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  int64_t committed = sqlite::CommitGroup(*writer_, group, Now());
  batches_committed_.fetch_add(committed, std::memory_order_relaxed);
  if (committed > 0) transactions_.fetch_add(1, std::memory_order_relaxed);
}

StoreStats SqliteStore::Stats() const {
  StoreStats stats;
  stats.batches_committed = batches_committed_.load(std::memory_order_relaxed);
  stats.transactions = transactions_.load(std::memory_order_relaxed);
  stats.payloads_read = payloads_read_.load(std::memory_order_relaxed);
  return stats;
}

Result<std::string> SqliteStore::QueryWriter(const char* sql) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  return writer_->QueryText(sql);
}

void SqliteStore::SetCommitFailureForTest(bool fail) {
  std::lock_guard<std::mutex> lock(writer_mu_);
  sqlite3_commit_hook(writer_->db(), fail ? FailCommit : nullptr, nullptr);
}

}  // namespace sqlite

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteStoreOptions& options) {
  Result<std::unique_ptr<sqlite::SqliteStore>> store = sqlite::SqliteStore::Open(options);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace keel
