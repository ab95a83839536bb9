// SalesDesk: schema, seeding and the reads and writes of the lead desk.
#include "crm/sales_desk.h"

#include <algorithm>
#include <filesystem>

#include "core/ids.h"
#include "crm/internal/crm_impl.h"
#include "crm/iso_date.h"

namespace keel {

using crm_internal::SqliteDb;
using crm_internal::SqliteStmt;

struct SalesDesk::Db {
  std::unique_ptr<SqliteDb> conn;
};

namespace {

// Created beside the CRM's own tables; side-effect tables carry a UNIQUE
// idempotency key as the CRM's do (NULL when the caller gave none).
constexpr char kDeskSchemaSql[] = R"sql(
CREATE TABLE IF NOT EXISTS leads (
  lead_id TEXT PRIMARY KEY, version INTEGER NOT NULL, company_name TEXT NOT NULL,
  web_domain TEXT NOT NULL, crm_account_id TEXT, contact_full_name TEXT, contact_email TEXT,
  lead_status TEXT NOT NULL, lead_score INTEGER, funding_stage TEXT, research_notes TEXT,
  last_researched_on TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS lead_updates (
  idempotency_key TEXT PRIMARY KEY, lead_id TEXT NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, subject TEXT NOT NULL,
  due_date TEXT NOT NULL, related_to TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS activities (
  id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, related_to TEXT NOT NULL,
  type TEXT NOT NULL, summary TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, to_addr TEXT NOT NULL,
  subject TEXT NOT NULL, body TEXT NOT NULL, created_us INTEGER NOT NULL);
)sql";

// One lead per account (L-1042 for A-1042), its first contact (economic
// buyer first) as the lead's contact and that contact's email domain as the
// company's domain. Runs only while the table is empty.
constexpr char kSeedLeadsSql[] = R"sql(
INSERT INTO leads
SELECT 'L-' || substr(a.account_id, 3), 1, a.name,
       coalesce(substr(c.email, instr(c.email, '@') + 1), ''), a.account_id, c.name, c.email,
       'new', NULL, NULL, NULL, NULL
FROM accounts a
LEFT JOIN contacts c ON c.contact_id = (
  SELECT contact_id FROM contacts WHERE account_id = a.account_id
  ORDER BY role_rank, contact_id LIMIT 1)
WHERE NOT EXISTS (SELECT 1 FROM leads);
)sql";

constexpr std::string_view kSideEffectTables[] = {"tasks", "activities", "outbox"};

const LeadField* FindLeadField(std::string_view name) {
  for (const LeadField& f : kLeadFields) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

Json ColumnJson(const SqliteStmt& stmt, int col, bool integer) {
  if (stmt.IsNull(col)) return nullptr;
  if (integer) return stmt.Int(col);
  return stmt.String(col);
}

Status CheckLeadValue(const LeadField& field, const Json& value) {
  if (value.is_null()) return Status();
  if (std::string_view(field.name) == "score") {
    if (value.is_number_integer() && value.get<int64_t>() >= 0 && value.get<int64_t>() <= 100) {
      return Status();
    }
    return InvalidArgument("lead field 'score' must be an integer 0..100");
  }
  if (!value.is_string()) {
    return InvalidArgument(std::string("lead field '") + field.name + "' must be a string");
  }
  return Status();
}

}  // namespace

SalesDesk::SalesDesk(std::unique_ptr<Db> db, Clock* clock) : db_(std::move(db)), clock_(clock) {}
SalesDesk::~SalesDesk() = default;

Result<std::unique_ptr<SalesDesk>> SalesDesk::Open(const std::string& path, Clock* clock) {
  if (!std::filesystem::exists(path)) return NotFound(path + ": demo CRM not found");
  auto conn = SqliteDb::Open(path, SQLITE_OPEN_READWRITE);
  if (!conn.ok()) return conn.status();
  auto db = std::make_unique<Db>();
  db->conn = std::move(conn).value();
  // Another process may be creating the tables at the same moment: wait for
  // its write lock rather than fail, and do it all in one write transaction.
  KEEL_RETURN_IF_ERROR(db->conn->Exec("PRAGMA busy_timeout=5000"));
  KEEL_RETURN_IF_ERROR(db->conn->Exec("BEGIN IMMEDIATE"));
  Status created = db->conn->Exec(kDeskSchemaSql);
  if (created.ok()) created = db->conn->Exec(kSeedLeadsSql);
  if (!created.ok()) {
    (void)db->conn->Exec("ROLLBACK");
    return created;
  }
  KEEL_RETURN_IF_ERROR(db->conn->Exec("COMMIT"));
  return std::unique_ptr<SalesDesk>(new SalesDesk(std::move(db), clock));
}

Result<Json> SalesDesk::SearchContacts(std::string_view query, int limit) const {
  if (limit < 1 || limit > 50) return InvalidArgument("limit must be 1..50");
  if (query.size() < 2) return InvalidArgument("query must have at least 2 characters");
  std::lock_guard<std::mutex> lock(mu_);
  KEEL_CRM_ASSIGN_OR_RETURN(
      stmt, db_->conn->Prepare(
                "SELECT c.name, c.title, c.email, c.role, a.account_id, a.name FROM contacts c "
                "JOIN accounts a ON a.account_id = c.account_id "
                "WHERE instr(lower(c.name || ' ' || c.title || ' ' || c.email || ' ' || a.name), "
                "lower(?1)) > 0 ORDER BY a.account_id, c.role_rank, c.contact_id LIMIT ?2"));
  stmt->Bind(1, query);
  stmt->Bind(2, static_cast<int64_t>(limit));
  Json contacts = Json::array();
  while (true) {
    KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
    if (!row) break;
    contacts.push_back({{"name", stmt->String(0)},
                        {"title", stmt->String(1)},
                        {"email", stmt->String(2)},
                        {"role", stmt->String(3)},
                        {"account_id", stmt->String(4)},
                        {"account_name", stmt->String(5)}});
  }
  return Json{{"contacts", std::move(contacts)}};
}

Result<Json> SalesDesk::DealHistory(std::string_view account_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  KEEL_CRM_ASSIGN_OR_RETURN(exists,
                            db_->conn->Prepare("SELECT 1 FROM accounts WHERE account_id = ?1"));
  exists->Bind(1, account_id);
  KEEL_CRM_ASSIGN_OR_RETURN(found, exists->Step());
  if (!found) return AccountNotFound(account_id);
  KEEL_CRM_ASSIGN_OR_RETURN(
      stmt, db_->conn->Prepare("SELECT deal_id, stage, amount, close_date, is_open FROM deals "
                               "WHERE account_id = ?1 ORDER BY close_date DESC, deal_id"));
  stmt->Bind(1, account_id);
  Json deals = Json::array();
  int64_t open_amount = 0, open_count = 0;
  while (true) {
    KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
    if (!row) break;
    bool open = stmt->Int(4) != 0;
    open_count += open;
    if (open) open_amount += stmt->Int(2);
    deals.push_back({{"deal_id", stmt->String(0)},
                     {"stage", open ? stmt->String(1) : std::string("closed")},
                     {"amount", stmt->Int(2)},
                     {"close_date", stmt->String(3)},
                     {"open", open}});
  }
  int64_t total = static_cast<int64_t>(deals.size());
  return Json{{"account_id", account_id},
              {"deals", std::move(deals)},
              {"open_count", open_count},
              {"closed_count", total - open_count},
              {"open_amount", open_amount}};
}

Result<Json> SalesDesk::ReadLead(std::string_view lead_id) const {
  std::string sql = "SELECT version";
  for (const LeadField& f : kLeadFields) sql += std::string(", ") + f.column;
  sql += " FROM leads WHERE lead_id = ?1";
  std::lock_guard<std::mutex> lock(mu_);
  KEEL_CRM_ASSIGN_OR_RETURN(stmt, db_->conn->Prepare(sql));
  stmt->Bind(1, lead_id);
  KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
  if (!row) {
    return Status(StatusCode::kNotFound, "lead " + std::string(lead_id) + " not found",
                  "not_found");
  }
  Json fields = Json::object();
  int col = 1;
  for (const LeadField& f : kLeadFields) {
    fields[f.name] = ColumnJson(*stmt, col++, std::string_view(f.name) == "score");
  }
  return Json{{"lead_id", lead_id}, {"version", stmt->Int(0)}, {"fields", std::move(fields)}};
}

Result<Json> SalesDesk::UpdateLead(std::string_view lead_id, int64_t version, const Json& fields,
                                   std::string_view idempotency_key) {
  if (!fields.is_object() || fields.empty()) {
    return InvalidArgument("fields must be a non-empty object of lead field to value");
  }
  std::string sql = "UPDATE leads SET version = version + 1";
  std::vector<std::pair<const LeadField*, const Json*>> sets;
  for (const auto& [name, value] : fields.items()) {
    const LeadField* field = FindLeadField(name);
    if (field == nullptr) return InvalidArgument("unknown lead field '" + name + "'");
    if (!field->writable) return InvalidArgument("lead field '" + name + "' is read-only");
    KEEL_RETURN_IF_ERROR(CheckLeadValue(*field, value));
    sets.emplace_back(field, &value);
    sql += std::string(", ") + field->column + " = ?" + std::to_string(sets.size() + 2);
  }
  sql += " WHERE lead_id = ?1 AND version = ?2";
  {
    std::lock_guard<std::mutex> lock(mu_);
    SqliteDb& db = *db_->conn;
    bool done = false;  // by an earlier call with the same key, whose write stands
    if (!idempotency_key.empty()) {
      KEEL_CRM_ASSIGN_OR_RETURN(
          seen, db.Prepare("SELECT 1 FROM lead_updates WHERE idempotency_key = ?1"));
      seen->Bind(1, idempotency_key);
      KEEL_CRM_ASSIGN_OR_RETURN(found, seen->Step());
      done = found;
    }
    if (!done) {
      KEEL_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
      Status written = [&]() -> Status {
        KEEL_CRM_ASSIGN_OR_RETURN(stmt, db.Prepare(sql));
        stmt->Bind(1, lead_id);
        stmt->Bind(2, version);
        int i = 3;
        for (const auto& [field, value] : sets) {
          if (value->is_null()) {
            stmt->BindNull(i++);
          } else if (value->is_number_integer()) {
            stmt->Bind(i++, value->get<int64_t>());
          } else {
            stmt->Bind(i++, std::string_view(value->get_ref<const std::string&>()));
          }
        }
        KEEL_RETURN_IF_ERROR(stmt->Run());
        if (sqlite3_changes(db.raw()) == 0) {
          KEEL_CRM_ASSIGN_OR_RETURN(now,
                                    db.Prepare("SELECT version FROM leads WHERE lead_id = ?1"));
          now->Bind(1, lead_id);
          KEEL_CRM_ASSIGN_OR_RETURN(exists, now->Step());
          if (!exists) {
            return Status(StatusCode::kNotFound, "lead " + std::string(lead_id) + " not found",
                          "not_found");
          }
          return Status(StatusCode::kAborted,
                        "lead " + std::string(lead_id) + " changed since version " +
                            std::to_string(version) + " (it is at version " +
                            std::to_string(now->Int(0)) + "): read it again and reapply",
                        "conflict");
        }
        if (idempotency_key.empty()) return Status();
        KEEL_CRM_ASSIGN_OR_RETURN(mark, db.Prepare("INSERT INTO lead_updates VALUES (?1, ?2, ?3)"));
        mark->Bind(1, idempotency_key);
        mark->Bind(2, lead_id);
        mark->Bind(3, version + 1);
        return mark->Run();
      }();
      if (!written.ok()) {
        (void)db.Exec("ROLLBACK");
        return written;
      }
      KEEL_RETURN_IF_ERROR(db.Exec("COMMIT"));
    }
  }
  return ReadLead(lead_id);
}

Result<std::string> SalesDesk::FindKey(std::string_view table, std::string_view key) const {
  KEEL_CRM_ASSIGN_OR_RETURN(stmt, db_->conn->Prepare("SELECT id FROM " + std::string(table) +
                                                     " WHERE idempotency_key = ?1"));
  stmt->Bind(1, key);
  KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
  return row ? stmt->String(0) : std::string();
}

// `values` fill the table's columns after id and idempotency_key, then
// created_us; `table` is one of kSideEffectTables (never user input).
Result<std::string> SalesDesk::InsertOnce(std::string_view table, std::string_view prefix,
                                          std::string_view key, std::vector<std::string> values) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!key.empty()) {
    KEEL_CRM_ASSIGN_OR_RETURN(existing, FindKey(table, key));
    if (!existing.empty()) return existing;
  }
  std::string id = key.empty() ? NewId(prefix) : std::string(prefix) + Sha256Hex(key).substr(0, 16);
  std::string sql = "INSERT INTO " + std::string(table) + " VALUES (?1, ?2";
  for (size_t i = 0; i <= values.size(); ++i) sql += ", ?" + std::to_string(i + 3);
  sql += ")";
  KEEL_CRM_ASSIGN_OR_RETURN(stmt, db_->conn->Prepare(sql));
  stmt->Bind(1, id);
  if (key.empty()) {
    stmt->BindNull(2);
  } else {
    stmt->Bind(2, key);
  }
  int i = 3;
  for (const std::string& v : values) stmt->Bind(i++, std::string_view(v));
  stmt->Bind(i, clock_->NowMicros());
  KEEL_RETURN_IF_ERROR(stmt->Run());
  return id;
}

Result<std::string> SalesDesk::CreateTask(std::string_view subject, std::string_view due_date,
                                          std::string_view related_to,
                                          std::string_view idempotency_key) {
  if (subject.empty()) return InvalidArgument("subject must not be empty");
  if (!ParseIsoDate(due_date)) return InvalidArgument("due_date must be an ISO date YYYY-MM-DD");
  return InsertOnce("tasks", "task_", idempotency_key,
                    {std::string(subject), std::string(due_date), std::string(related_to)});
}

Result<std::string> SalesDesk::LogActivity(std::string_view related_to, std::string_view type,
                                           std::string_view summary,
                                           std::string_view idempotency_key) {
  if (type != "call" && type != "email" && type != "meeting" && type != "note") {
    return InvalidArgument("type must be call, email, meeting or note");
  }
  if (summary.empty()) return InvalidArgument("summary must not be empty");
  return InsertOnce("activities", "act_", idempotency_key,
                    {std::string(related_to), std::string(type), std::string(summary)});
}

Result<std::string> SalesDesk::SendEmail(std::string_view to, std::string_view subject,
                                         std::string_view body, std::string_view idempotency_key) {
  size_t at = to.find('@');
  if (at == std::string_view::npos || at == 0 ||
      !CheckDomain(to.substr(at + 1)).value("valid", false)) {
    return InvalidArgument("'to' must be an email address");
  }
  if (subject.empty() || body.empty()) return InvalidArgument("subject and body must not be empty");
  return InsertOnce("outbox", "msg_", idempotency_key,
                    {std::string(to), std::string(subject), std::string(body)});
}

Result<int64_t> SalesDesk::Count(std::string_view table) const {
  if (std::find(std::begin(kSideEffectTables), std::end(kSideEffectTables), table) ==
      std::end(kSideEffectTables)) {
    return InvalidArgument("no desk table '" + std::string(table) + "'");
  }
  std::lock_guard<std::mutex> lock(mu_);
  KEEL_CRM_ASSIGN_OR_RETURN(stmt, db_->conn->Prepare("SELECT count(*) FROM " + std::string(table)));
  KEEL_CRM_ASSIGN_OR_RETURN(row, stmt->Step());
  return row ? stmt->Int(0) : 0;
}

}  // namespace keel
