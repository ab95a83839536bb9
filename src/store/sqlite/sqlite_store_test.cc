// SQLite-specific behaviour: opening errors, pragmas, blob storage, the
// commit path's failure handling and the query plans resume depends on.
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/encoded_batch.h"
#include "store/sqlite/group_commit.h"
#include "store/sqlite/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/json_text.h"
#include "store/store_conformance.h"

namespace keel::sqlite {
namespace {

using keel::testing::CommitGate;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kT0 = 1'700'000'000'000'000;

// A plain connection to inspect or tamper with the file behind the store.
class RawDb {
 public:
  explicit RawDb(const std::string& path) { sqlite3_open(path.c_str(), &db_); }
  ~RawDb() { sqlite3_close(db_); }
  int Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }
  // The first column of the first row, as text ("" when there is none).
  std::string Text(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
  // Every row's last column joined by newlines (EXPLAIN QUERY PLAN details).
  std::string Plan(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &stmt, nullptr) ==
        SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW) {
        out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
        out += "\n";
      }
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "keel_sqlite_XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    path_ = dir_ + "/keel.db";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<SqliteStore> OpenStore(SqliteStoreOptions options = {}) {
    if (options.path.empty()) options.path = path_;
    Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  static WriteBatch NewRun(const std::string& run_id, Json payload = {{"x", 1}}) {
    WriteBatch batch;
    batch.new_run = RunRecord{};
    batch.new_run->run_id = run_id;
    batch.new_run->workflow = "renewal_prep";
    batch.new_run->created_us = kT0;
    Event event;
    event.run_id = run_id;
    event.seq = 1;
    event.type = EventType::kNodeCompleted;
    event.node = "report";
    event.payload = std::move(payload);
    batch.events.push_back(std::move(event));
    return batch;
  }

  std::string dir_;
  std::string path_;
};

TEST(SpanTextTest, IsTheTextOfTheSpansObjectAndDecodesBack) {
  Span span;
  span.run_id = "r-1";
  span.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  span.span_id = "00f067aa0ba902b7";
  span.name = "node \"quoted\" \u00e9\n";
  span.kind = "node";
  span.start_us = -5;
  span.end_us = 1700000000000000;
  span.status = "ok";
  span.attrs = {{"tokens_in", 12}, {"cost_usd", 0.25}, {"nested", {{"a", Json::array({1, nullptr})}}}};
  Json object = {{"trace_id", span.trace_id}, {"span_id", span.span_id},
                 {"parent_span_id", ""},      {"name", span.name},
                 {"kind", span.kind},         {"start_us", span.start_us},
                 {"end_us", span.end_us},     {"status", span.status},
                 {"attrs", span.attrs}};
  std::string text;
  AppendSpanText(span, &text);
  EXPECT_EQ(text, DumpJsonText(object));
  Span back = DecodeSpan(Json::parse(text), "r-1");
  EXPECT_EQ(back.name, span.name);
  EXPECT_EQ(back.start_us, span.start_us);
  EXPECT_EQ(back.end_us, span.end_us);
  EXPECT_EQ(back.attrs, span.attrs);

  span.attrs = nullptr;  // a span without attributes
  text.clear();
  AppendSpanText(span, &text);
  object["attrs"] = nullptr;
  EXPECT_EQ(text, DumpJsonText(object));
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsDataLoss) {
  std::ofstream(path_) << "account_id,arr\nA-1042,120000\n" << std::string(4096, 'x');
  Result<std::unique_ptr<Store>> store = OpenSqliteStore({path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(store.status().message(), path_ + ": not a keel store (file is not a database)");
}

TEST_F(SqliteStoreTest, CorruptDatabaseIsDataLossNamingTheFile) {
  { OpenStore(); }
  {
    // Keep the 100-byte header, wreck the schema page behind it.
    std::fstream file(path_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    std::string junk(3000, '\xA5');
    file.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore({path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
  EXPECT_THAT(store.status().message(), StartsWith(path_ + ": "));
}

TEST_F(SqliteStoreTest, LockedStoreIsUnavailableNamingTheFile) {
  { OpenStore(); }
  RawDb holder(path_);
  ASSERT_EQ(holder.Exec("BEGIN EXCLUSIVE"), SQLITE_OK);
  SqliteStoreOptions options;
  options.path = path_;
  options.busy_timeout_ms = 50;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(store.status().retryable());
  EXPECT_THAT(store.status().message(), StartsWith(path_ + ": "));
  EXPECT_THAT(store.status().message(), HasSubstr("locked"));
  holder.Exec("ROLLBACK");
}

TEST_F(SqliteStoreTest, CreatesParentFoldersAndRejectsUncreatableOnes) {
  EXPECT_NE(OpenStore({dir_ + "/a/b/keel.db"}), nullptr);
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/a/b/keel.db"));
  std::ofstream(dir_ + "/plain_file") << "x";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore({dir_ + "/plain_file/sub/keel.db"});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr(dir_ + "/plain_file/sub"));
}

TEST_F(SqliteStoreTest, RefusesAnotherApplicationsDatabase) {
  { RawDb(path_).Exec("CREATE TABLE accounts (id TEXT)"); }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore({path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("not a keel store"));
}

// A version-1 store (one row per span) moves its spans into groups, and
// they reach the events table through every later version.
TEST_F(SqliteStoreTest, Version1SpansMoveIntoSpanGroups) {
  { OpenStore(); }  // the current schema; turn it back into version 1's span table
  {
    RawDb db(path_);
    db.Exec("CREATE TABLE spans (trace_id TEXT NOT NULL, span_id TEXT NOT NULL, "
            "parent_span_id TEXT NOT NULL, run_id TEXT NOT NULL, name TEXT NOT NULL, "
            "kind TEXT NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, "
            "status TEXT NOT NULL, attrs TEXT, PRIMARY KEY (run_id, span_id)) WITHOUT ROWID;"
            "INSERT INTO spans VALUES ('t', 's-1', '', 'r-1', 'run renewal_prep', 'run', 10, 20, "
            "'ok', '{\"workflow\":\"renewal_prep\"}');"
            "ALTER TABLE runs DROP COLUMN result_of; UPDATE schema_version SET version = 1;");
  }
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  Result<std::vector<Span>> spans = store->LoadSpans("r-1");
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  ASSERT_EQ(spans->size(), 1u);
  EXPECT_EQ((*spans)[0].span_id, "s-1");
  EXPECT_EQ((*spans)[0].end_us, 20);
  EXPECT_EQ((*spans)[0].attrs, Json({{"workflow", "renewal_prep"}}));
}

// A version-2 store (events keyed by run) keeps every event when they move
// into commit order, and its span groups move into the events table.
TEST_F(SqliteStoreTest, Version2EventsMoveIntoCommitOrder) {
  {
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Write(NewRun("r-1", {{"x", 1}})).ok());
    ASSERT_TRUE(store->Write(NewRun("r-2", {{"x", 2}})).ok());
  }
  {
    RawDb db(path_);  // turn the events table back into version 2's
    db.Exec("CREATE TABLE events_v2 (run_id TEXT NOT NULL, seq INTEGER NOT NULL, "
            "ts_us INTEGER NOT NULL, type TEXT NOT NULL, node TEXT NOT NULL, key TEXT NOT NULL, "
            "payload TEXT, blob_hash TEXT, PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
            "INSERT INTO events_v2 SELECT run_id, seq, ts_us, type, node, key, payload, "
            "blob_hash FROM events;"
            "DROP TABLE events; ALTER TABLE events_v2 RENAME TO events;"
            "CREATE TABLE span_groups (run_id TEXT NOT NULL, group_id TEXT NOT NULL, "
            "last_start_us INTEGER NOT NULL, spans TEXT NOT NULL, "
            "PRIMARY KEY (run_id, group_id)) WITHOUT ROWID;"
            "INSERT INTO span_groups VALUES ('r-1', 's-1', 10, '[{\"span_id\":\"s-1\","
            "\"start_us\":10,\"end_us\":20,\"name\":\"run renewal_prep\"}]');"
            "ALTER TABLE runs DROP COLUMN result_of; UPDATE schema_version SET version = 2;");
  }
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  for (int i : {1, 2}) {
    Result<std::vector<Event>> events = store->LoadEvents("r-" + std::to_string(i));
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    ASSERT_EQ(events->size(), 1u);  // the span group is no event
    EXPECT_EQ((*events)[0].payload, Json({{"x", i}}));
  }
  Result<std::vector<Span>> spans = store->LoadSpans("r-1");
  ASSERT_TRUE(spans.ok()) << spans.status().ToString();
  ASSERT_EQ(spans->size(), 1u);
  EXPECT_EQ((*spans)[0].name, "run renewal_prep");
  EXPECT_EQ((*spans)[0].end_us, 20);
  // Version 4 left events_latest the only index by run; version 5 added spans by start.
  EXPECT_EQ(RawDb(path_).Text("SELECT group_concat(name) FROM sqlite_schema WHERE type = 'index' "
                              "AND tbl_name = 'events' ORDER BY name"),
            "events_latest,events_by_blob,events_spans_by_start");
}

// A version-5 store's finished runs keep the result in their row, and its
// runs can be finished the version-6 way (the row naming the node) after.
TEST_F(SqliteStoreTest, Version5ResultsStayReadable) {
  {
    std::unique_ptr<SqliteStore> store = OpenStore();
    ASSERT_NE(store, nullptr);
    for (const char* id : {"r-old", "r-new"}) ASSERT_TRUE(store->Write(NewRun(id)).ok());
    WriteBatch finish;
    finish.run_update = ReleaseRun("r-old", RunStatus::kSucceeded);
    finish.run_update->result = {{"brief", "in the row"}};
    ASSERT_TRUE(store->Write(std::move(finish)).ok());
  }
  RawDb(path_).Exec("ALTER TABLE runs DROP COLUMN result_of; UPDATE schema_version SET version = 5;");
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetRun("r-old")->result, Json({{"brief", "in the row"}}));
  WriteBatch finish;  // "report" completed with {"x": 1}, which has no "output"
  finish.run_update = ReleaseRun("r-new", RunStatus::kSucceeded);
  finish.run_update->result_of = "report";
  ASSERT_TRUE(store->Write(std::move(finish)).ok());
  EXPECT_TRUE(store->GetRun("r-new")->result.is_null());
}

TEST_F(SqliteStoreTest, MigrationIsIdempotentAndNewerSchemasAreRefused) {
  { OpenStore(); }
  { OpenStore(); }
  EXPECT_EQ(RawDb(path_).Text("SELECT group_concat(version) FROM schema_version"),
            std::to_string(kSchemaVersion));
  RawDb(path_).Exec("UPDATE schema_version SET version = 99");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore({path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("schema version 99"));
}

TEST_F(SqliteStoreTest, PragmasFollowOptions) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->QueryWriter("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(*store->QueryWriter("PRAGMA synchronous"), "2");  // FULL
  EXPECT_EQ(*store->QueryWriter("PRAGMA busy_timeout"), "5000");
  store.reset();
  SqliteStoreOptions relaxed;
  relaxed.synchronous_full = false;
  relaxed.busy_timeout_ms = 1234;
  store = OpenStore(relaxed);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->QueryWriter("PRAGMA synchronous"), "1");  // NORMAL
  EXPECT_EQ(*store->QueryWriter("PRAGMA busy_timeout"), "1234");
}

TEST_F(SqliteStoreTest, GroupCommitWritesQueuedBatchesInOneTransaction) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  CommitGate gate;
  gate.Hold(*store, NewRun("r-gate"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 80; ++i) {  // 240 small batches in all: under the queue's bound
        store->Submit(NewRun("r-" + std::to_string(t) + "-" + std::to_string(i)), [](const Status&) {});
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  gate.Release();
  store->Flush();
  EXPECT_EQ(store->Stats().batches_committed, 241);
  EXPECT_EQ(store->Stats().transactions, 2);  // the gate's group, then all 240 together
  EXPECT_EQ(RawDb(path_).Text("SELECT COUNT(*) FROM events"), "241");
}

TEST_F(SqliteStoreTest, SubmitWaitsWhileTheCommitQueueIsFull) {
  // Room for four batches with a 16 KB payload each, not five.
  Json large = {{"text", std::string(16'000, 'x')}};
  size_t batch_bytes = EncodeBatch(NewRun("r-size", large), 1 << 20).Bytes();
  SqliteStoreOptions options;
  options.commit_queue_bytes = 4 * batch_bytes + batch_bytes / 2;
  std::unique_ptr<SqliteStore> store = OpenStore(options);
  ASSERT_NE(store, nullptr);
  CommitGate gate;
  gate.Hold(*store, NewRun("r-gate"));
  constexpr int kQueued = 4;
  for (int i = 0; i < kQueued; ++i) {
    store->Submit(NewRun("r-" + std::to_string(i), large), [](const Status&) {});
  }
  std::atomic<bool> returned{false};
  std::thread extra([&] {
    store->Submit(NewRun("r-extra", large), [](const Status&) {});
    returned = true;
  });
  // The commit thread is held, so the queue stays full and the extra
  // batch's Submit() must not return.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_FALSE(returned.load());
  gate.Release();
  extra.join();
  store->Flush();
  EXPECT_TRUE(returned.load());
  EXPECT_EQ(store->Stats().batches_committed, kQueued + 2);
  EXPECT_EQ(*store->CountRuns(std::nullopt), kQueued + 2);
}

TEST_F(SqliteStoreTest, ABatchLargerThanTheQueueStillGoesThrough) {
  SqliteStoreOptions options;
  options.commit_queue_bytes = 1'000;
  std::unique_ptr<SqliteStore> store = OpenStore(options);
  ASSERT_NE(store, nullptr);
  Json large = {{"text", std::string(16'000, 'x')}};
  EXPECT_TRUE(store->Write(NewRun("r-1", large)).ok());
  EXPECT_TRUE(store->Write(NewRun("r-2", large)).ok());
  EXPECT_EQ(*store->CountRuns(std::nullopt), 2);
}

TEST_F(SqliteStoreTest, FailedCommitFailsTheWholeGroupAndWritesNothing) {
  std::unique_ptr<SqliteStore> store = OpenStore();
  ASSERT_NE(store, nullptr);
  store->SetCommitFailureForTest(true);
  CommitGate gate;
  gate.Hold(*store, NewRun("r-gate"));
  std::vector<Status> results(3);
  for (int i = 0; i < 3; ++i) {
    store->Submit(NewRun("r-" + std::to_string(i)), [&results, i](const Status& s) { results[i] = s; });
  }
  gate.Release();
  store->Flush();
  for (const Status& s : results) {
    EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
    EXPECT_TRUE(s.retryable());
  }
  EXPECT_EQ(*store->CountRuns(std::nullopt), 0);
  EXPECT_EQ(RawDb(path_).Text("SELECT COUNT(*) FROM events"), "0");
  EXPECT_EQ(store->Stats().transactions, 0);

  store->SetCommitFailureForTest(false);
  EXPECT_TRUE(store->Write(NewRun("r-0")).ok());  // the store recovers
  EXPECT_EQ(*store->CountRuns(std::nullopt), 1);
}

TEST_F(SqliteStoreTest, LargePayloadsAreStoredOnceAndDroppedWhenUnreferenced) {
  SqliteStoreOptions options;
  options.inline_payload_max = 100;
  std::unique_ptr<SqliteStore> store = OpenStore(options);
  ASSERT_NE(store, nullptr);
  Json large = {{"brief", std::string(500, 'b')}};
  ASSERT_TRUE(store->Write(NewRun("r-1", large)).ok());
  ASSERT_TRUE(store->Write(NewRun("r-2", large)).ok());
  ASSERT_TRUE(store->Write(NewRun("r-3", {{"small", true}})).ok());
  RawDb raw(path_);
  EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM blobs"), "1");
  EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM events WHERE payload IS NULL"), "2");
  EXPECT_EQ(raw.Text("SELECT payload FROM events WHERE run_id = 'r-3'"), R"({"small":true})");

  for (const char* id : {"r-1", "r-2"}) {
    WriteBatch finish;
    finish.run_update = keel::testing::Update(id, RunStatus::kSucceeded);
    finish.run_update->updated_us = kT0;
    ASSERT_TRUE(store->Write(std::move(finish)).ok());
  }
  ASSERT_EQ(*store->PruneFinished(kT0 + 1), 2);
  EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM blobs"), "0");
}

TEST_F(SqliteStoreTest, LatestEventSelectionReadsOnlyTheIndex) {
  ASSERT_NE(OpenStore(), nullptr);
  std::string plan =
      RawDb(path_).Plan("SELECT MAX(seq) FROM events WHERE run_id = 'r' GROUP BY type, node, key");
  EXPECT_THAT(plan, HasSubstr("USING COVERING INDEX events_latest")) << plan;
}

TEST_F(SqliteStoreTest, DecisionFromAnotherConnectionWaitsForTheWriter) {
  // A second store on the same file stands in for the CLI deciding while a
  // worker process writes: they meet only at SQLite's file lock.
  std::unique_ptr<SqliteStore> worker = OpenStore();
  std::unique_ptr<SqliteStore> cli = OpenStore();
  ASSERT_NE(worker, nullptr);
  ASSERT_NE(cli, nullptr);
  WriteBatch park = NewRun("r-1");
  park.approval = keel::testing::InsertApproval(Approval{});
  park.approval->approval.approval_id = "ap-1";
  park.approval->approval.run_id = "r-1";
  park.approval->approval.expires_us = kT0 + 3'600'000'000;
  park.run_update = keel::testing::Update("r-1", RunStatus::kParked, "ap-1", kT0 + 3'600'000'000);
  ASSERT_TRUE(worker->Write(std::move(park)).ok());

  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) worker->Write(NewRun("r-busy-" + std::to_string(i)));
  });
  Status decided = cli->DecideApproval("ap-1", ApprovalStatus::kApproved, nullptr, "", "al", kT0);
  stop = true;
  writer.join();
  ASSERT_TRUE(decided.ok()) << decided.ToString();
  EXPECT_EQ(worker->GetRun("r-1")->status, RunStatus::kPending);
}

}  // namespace
}  // namespace keel::sqlite
