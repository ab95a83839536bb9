// DemoCrm: opening the database, the connection pool and the read tools.
// Side-effect writes live in demo_crm_writes.cc.
#include "crm/demo_crm.h"

#include <cmath>
#include <filesystem>

#include "core/json.h"
#include "crm/internal/crm_impl.h"
#include "crm/internal/crm_schema.h"
#include "crm/iso_date.h"

namespace keel {
namespace crm_internal {
namespace {

// Indexed by StmtId.
constexpr const char* kStmtSql[kStmtCount] = {
    "SELECT name, segment, arr, health_score, owner FROM accounts WHERE account_id = ?1",
    "SELECT name, title, email, role FROM contacts WHERE account_id = ?1 "
    "ORDER BY role_rank, contact_id",
    "SELECT deal_id, stage, amount, close_date FROM deals WHERE account_id = ?1 AND is_open = 1 "
    "ORDER BY close_date, deal_id",
    "SELECT active_users, seats_used FROM usage WHERE account_id = ?1 ORDER BY day DESC LIMIT ?2",
    "SELECT renewal_date, term_months, annual_price, seats, clauses, past_discounts "
    "FROM contracts WHERE account_id = ?1",
    "SELECT 1 FROM accounts WHERE account_id = ?1",
    "SELECT request_id, '' FROM discount_requests WHERE idempotency_key = ?1",
    "INSERT INTO discount_requests VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (idempotency_key) DO NOTHING",
    "SELECT followup_id, when_date FROM followups WHERE idempotency_key = ?1",
    "INSERT INTO followups VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (idempotency_key) DO NOTHING",
    "SELECT ticket_id, '' FROM escalations WHERE idempotency_key = ?1",
    "INSERT INTO escalations VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (idempotency_key) DO NOTHING",
    "SELECT draft_id, '' FROM email_drafts WHERE idempotency_key = ?1",
    "INSERT INTO email_drafts VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (idempotency_key) DO NOTHING",
    "SELECT count(*) FROM discount_requests",
    "SELECT count(*) FROM followups",
    "SELECT count(*) FROM escalations",
    "SELECT count(*) FROM email_drafts",
};

double Round1(double v) { return std::round(v * 10) / 10; }

// The reference date as a day number, parsed once.
int ReferenceDay() {
  static const int day = *ParseIsoDate(kCrmReferenceDate);  // a constant known to parse
  return day;
}

Status CorruptContract(std::string_view account_id, const std::string& path) {
  return Status(StatusCode::kDataLoss,
                "contract of " + std::string(account_id) + " in " + path + " is malformed",
                "crm_corrupt");
}

// Fills the clause fields of `c` from the stored JSON, tolerating missing keys
// (older or hand-edited rows) but not a value that is not JSON.
bool ParseClauses(std::string_view text, CrmContract* c) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  auto number = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
  };
  auto it = j.find("auto_renew");
  c->auto_renew = it != j.end() && it->is_boolean() && it->get<bool>();
  c->price_cap_pct = number("price_cap_pct");
  c->termination_notice_days = static_cast<int>(number("termination_notice_days"));
  it = j.find("sla_tier");
  c->sla_tier = it != j.end() && it->is_string() ? it->get<std::string>() : "standard";
  return true;
}

bool ParsePastDiscounts(std::string_view text, CrmContract* c) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return false;
  size_t first = j.size() > 3 ? j.size() - 3 : 0;  // the three most recent
  for (size_t i = first; i < j.size(); ++i) {
    const Json& d = j[i];
    if (!d.is_object() || !d.contains("year") || !d["year"].is_number() || !d.contains("pct") ||
        !d["pct"].is_number()) {
      return false;
    }
    CrmPastDiscount out;
    out.year = d["year"].get<int>();
    out.pct = d["pct"].get<double>();
    auto reason = d.find("reason");
    if (reason != d.end() && reason->is_string()) out.reason = reason->get<std::string>();
    c->past_discounts.push_back(std::move(out));
  }
  return true;
}

}  // namespace

Result<BorrowedStmt> Connection::Get(StmtId id) {
  if (!stmts[id]) {
    auto stmt = db->Prepare(kStmtSql[id]);
    if (!stmt.ok()) return stmt.status();
    stmts[id] = std::move(*stmt);
  }
  return BorrowedStmt(stmts[id].get());
}

}  // namespace crm_internal

using crm_internal::BorrowedStmt;
using crm_internal::Connection;

Status AccountNotFound(std::string_view account_id) {
  return Status(StatusCode::kNotFound, "account " + std::string(account_id) + " not found",
                "not_found");
}

Result<std::unique_ptr<Connection>> DemoCrm::Impl::Connect() {
  auto db = crm_internal::SqliteDb::Open(path, SQLITE_OPEN_READWRITE);
  if (!db.ok()) return db.status();
  // WAL makes a commit durable at the next checkpoint without an fsync per
  // side-effect row, which keeps thousands of runs a second cheap; the
  // checkpoints run on a thread of their own (wal_checkpointer.h).
  KEEL_RETURN_IF_ERROR((*db)->Exec("PRAGMA synchronous=NORMAL"));
  checkpointer.Attach((*db)->raw());
  auto conn = std::make_unique<Connection>();
  conn->db = std::move(*db);
  return conn;
}

Result<DemoCrm::Impl::Lease> DemoCrm::Impl::Acquire() {
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  // Opening happens outside the lock; the pool grows to the number of
  // threads that ever call at once and then stays that size.
  auto conn = Connect();
  if (!conn.ok()) return conn.status();
  return Lease(this, std::move(*conn));
}

void DemoCrm::Impl::Return(std::unique_ptr<Connection> conn) {
  // A connection still inside a transaction (a write whose COMMIT and
  // ROLLBACK both failed) would hold the write lock for its next borrower:
  // it is closed, which rolls the transaction back, instead of pooled.
  if (!sqlite3_get_autocommit(conn->db->raw())) return;
  std::lock_guard<std::mutex> lock(pool_mu_);
  idle_.push_back(std::move(conn));
}

Status DemoCrm::Impl::CheckAccount(Lease& lease, std::string_view account_id) const {
  KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(crm_internal::kAccountExists));
  stmt->BindStatic(1, account_id);
  KEEL_CRM_ASSIGN_OR_RETURN(found, stmt->Step());
  return found ? Status::Ok() : AccountNotFound(account_id);
}

namespace {

// Fails with kDataLoss unless `conn` holds an intact demo CRM of our schema.
Status CheckDatabase(Connection& conn, const std::string& path) {
  auto corrupt = [&](const std::string& why) {
    return Status(StatusCode::kDataLoss, "crm database " + path + " is unusable: " + why,
                  "crm_corrupt");
  };
  auto check = conn.db->Prepare("PRAGMA quick_check");
  if (!check.ok()) return corrupt(check.status().message());
  auto row = (*check)->Step();
  if (!row.ok()) return corrupt(row.status().message());
  if (!*row || (*check)->Text(0) != "ok") return corrupt(std::string((*check)->Text(0)));
  auto version = conn.db->Prepare("SELECT value FROM meta WHERE key = 'schema_version'");
  if (!version.ok()) return corrupt("not a demo CRM (" + version.status().message() + ")");
  row = (*version)->Step();
  if (!row.ok()) return corrupt(row.status().message());
  std::string want = std::to_string(crm_internal::kCrmSchemaVersion);
  if (!*row || (*version)->Text(0) != want) return corrupt("schema version is not " + want);
  return Status::Ok();
}

}  // namespace

DemoCrm::DemoCrm(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DemoCrm::~DemoCrm() = default;

const std::string& DemoCrm::path() const { return impl_->path; }

Result<std::unique_ptr<DemoCrm>> DemoCrm::Open(const std::string& path, Clock* clock) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return Status(StatusCode::kNotFound, "crm database " + path + " not found", "not_found");
  }
  auto impl = std::make_unique<Impl>(path);
  impl->clock = clock;
  auto conn = impl->Connect();  // a file that is not a database fails here as kDataLoss
  if (!conn.ok()) return conn.status();
  KEEL_RETURN_IF_ERROR(CheckDatabase(**conn, path));
  impl->Return(std::move(*conn));
  return std::unique_ptr<DemoCrm>(new DemoCrm(std::move(impl)));
}

Result<CrmAccount> DemoCrm::GetAccount(std::string_view account_id) const {
  KEEL_CRM_ASSIGN_OR_RETURN(lease, impl_->Acquire());
  CrmAccount out;
  {
    KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(crm_internal::kSelectAccount));
    stmt->BindStatic(1, account_id);
    KEEL_CRM_ASSIGN_OR_RETURN(found, stmt->Step());
    if (!found) return AccountNotFound(account_id);
    out.account_id = account_id;
    out.name = stmt->String(0);
    out.segment = stmt->String(1);
    out.arr = stmt->Int(2);
    out.health_score = static_cast<int>(stmt->Int(3));
    out.owner = stmt->String(4);
  }
  {
    KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(crm_internal::kSelectContacts));
    stmt->BindStatic(1, account_id);
    for (;;) {
      KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
      if (!row) break;
      out.contacts.push_back({stmt->String(0), stmt->String(1), stmt->String(2), stmt->String(3)});
    }
  }
  KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(crm_internal::kSelectOpenDeals));
  stmt->BindStatic(1, account_id);
  for (;;) {
    KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
    if (!row) break;
    out.open_deals.push_back({stmt->String(0), stmt->String(1), stmt->Int(2), stmt->String(3)});
  }
  return out;
}

Result<CrmUsageTrend> DemoCrm::GetUsageTrend(std::string_view account_id, int days) const {
  if (days < 1 || days > 90) {
    return InvalidArgument("days must be 1..90, got " + std::to_string(days));
  }
  KEEL_CRM_ASSIGN_OR_RETURN(lease, impl_->Acquire());
  int64_t seats = 0;
  {
    KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(crm_internal::kSelectContract));
    stmt->BindStatic(1, account_id);
    KEEL_CRM_ASSIGN_OR_RETURN(found, stmt->Step());
    if (found) seats = stmt->Int(3);
  }
  if (seats == 0) KEEL_RETURN_IF_ERROR(impl_->CheckAccount(lease, account_id));

  CrmUsageTrend out;
  out.account_id = account_id;
  out.active_users.reserve(days);
  std::vector<int64_t> seats_used;
  seats_used.reserve(days);
  {
    KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(crm_internal::kSelectUsage));
    stmt->BindStatic(1, account_id);
    stmt->Bind(2, static_cast<int64_t>(days));
    for (;;) {
      KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
      if (!row) break;
      out.active_users.push_back(static_cast<int>(stmt->Int(0)));
      seats_used.push_back(stmt->Int(1));
    }
  }
  std::reverse(out.active_users.begin(), out.active_users.end());  // newest came first
  // Fewer rows than asked for only when the account has a short history.
  const int n = static_cast<int>(out.active_users.size());
  out.days = n;
  out.direction = "flat";
  if (n == 0) return out;
  const int week = std::min(7, n);
  double first = 0, last = 0, used = 0;
  for (int i = 0; i < week; ++i) {
    first += out.active_users[i];
    last += out.active_users[n - week + i];
    used += seats_used[i];  // seats_used is newest-first: these are the last days
  }
  first /= week;
  last /= week;
  out.first_week_avg = crm_internal::Round1(first);
  out.last_week_avg = crm_internal::Round1(last);
  out.trend_pct = first > 0 ? crm_internal::Round1((last - first) / first * 100) : 0;
  out.seats_used_pct = seats > 0 ? crm_internal::Round1(used / week / seats * 100) : 0;
  if (out.trend_pct >= 5) out.direction = "growing";
  if (out.trend_pct <= -5) out.direction = "shrinking";
  return out;
}

Result<CrmContract> DemoCrm::GetContract(std::string_view account_id) const {
  KEEL_CRM_ASSIGN_OR_RETURN(lease, impl_->Acquire());
  KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(crm_internal::kSelectContract));
  stmt->BindStatic(1, account_id);
  KEEL_CRM_ASSIGN_OR_RETURN(found, stmt->Step());
  if (!found) {
    KEEL_RETURN_IF_ERROR(impl_->CheckAccount(lease, account_id));
    return Status(StatusCode::kNotFound, "account " + std::string(account_id) + " has no contract",
                  "not_found");
  }
  CrmContract out;
  out.account_id = account_id;
  out.renewal_date = stmt->String(0);
  std::optional<int> renewal = ParseIsoDate(out.renewal_date);
  if (!renewal) return crm_internal::CorruptContract(account_id, impl_->path);
  out.days_to_renewal = *renewal - crm_internal::ReferenceDay();
  out.term_months = static_cast<int>(stmt->Int(1));
  out.annual_price = stmt->Int(2);
  out.seats = static_cast<int>(stmt->Int(3));
  if (!crm_internal::ParseClauses(stmt->Text(4), &out) ||
      !crm_internal::ParsePastDiscounts(stmt->Text(5), &out)) {
    return crm_internal::CorruptContract(account_id, impl_->path);
  }
  return out;
}

Result<int64_t> DemoCrm::CountSideEffects(const std::string& table) const {
  // Table names map to fixed statements: a name is never spliced into SQL.
  static const std::pair<const char*, crm_internal::StmtId> kTables[] = {
      {"discount_requests", crm_internal::kCountDiscounts},
      {"followups", crm_internal::kCountFollowups},
      {"escalations", crm_internal::kCountEscalations},
      {"email_drafts", crm_internal::kCountDrafts},
  };
  for (const auto& [name, id] : kTables) {
    if (table != name) continue;
    KEEL_CRM_ASSIGN_OR_RETURN(lease, impl_->Acquire());
    KEEL_CRM_ASSIGN_OR_RETURN(stmt, lease.Get(id));
    KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
    return row ? stmt->Int(0) : 0;
  }
  return InvalidArgument("unknown side-effect table '" + table + "'");
}

}  // namespace keel
