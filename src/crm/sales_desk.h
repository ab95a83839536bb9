// SalesDesk: the demo CRM's lead desk, the part of the sales pack a sales
// development team works in every day: leads (with optimistic locking),
// contact search, deal history, tasks, an activity log and an email outbox.
// It lives in the demo CRM's SQLite file, in its own tables, created (and
// the leads seeded from the CRM's accounts) the first time a desk opens it.
//
// Leads are read and written by logical field names (kLeadFields); the desk
// maps them to its CRM columns, so a workflow never names a column.
//
// Nothing here sends anything: SendEmail writes the message to the outbox
// table, which is as far as the demo goes.
//
// Thread-safety: thread-safe; one connection guarded by a mutex (calls block
// briefly on the local database).
#ifndef KEEL_CRM_SALES_DESK_H_
#define KEEL_CRM_SALES_DESK_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/status.h"

namespace keel {

class ToolRegistry;

// Logical lead field -> CRM column, and whether a workflow may write it.
struct LeadField {
  const char* name;
  const char* column;
  bool writable;
};
inline constexpr LeadField kLeadFields[] = {
    {"company", "company_name", false},
    {"domain", "web_domain", false},
    {"account_id", "crm_account_id", false},
    {"contact_name", "contact_full_name", true},
    {"contact_email", "contact_email", true},
    {"status", "lead_status", true},
    {"score", "lead_score", true},
    {"funding_stage", "funding_stage", true},
    {"research_notes", "research_notes", true},
    {"last_researched", "last_researched_on", true},
};

class SalesDesk {
 public:
  // Opens the desk in the demo CRM at `path` (which must exist), creating
  // its tables and seeding one lead per account (L-1000 for A-1000, ...) the
  // first time. kNotFound when the file does not exist.
  static Result<std::unique_ptr<SalesDesk>> Open(const std::string& path,
                                                 Clock* clock = Clock::Real());
  ~SalesDesk();

  // Contacts whose name, title, email or account name contains `query`
  // (case-insensitive), at most `limit` (1..50). {"contacts": [...]}.
  Result<Json> SearchContacts(std::string_view query, int limit) const;
  // Every deal of the account, open and closed, newest close date first,
  // with totals. kNotFound for an unknown account.
  Result<Json> DealHistory(std::string_view account_id) const;
  // {"lead_id", "version", "fields": {logical name: value}}; kNotFound.
  Result<Json> ReadLead(std::string_view lead_id) const;
  // Writes `fields` (logical names, writable ones) when the lead is still at
  // `version`, and returns the lead as ReadLead does, at version + 1.
  // A stale version fails with type "conflict" (kAborted); an unknown or
  // read-only field, or a bad value, with kInvalidArgument. A repeated
  // `idempotency_key` writes nothing and returns the lead as it is now.
  Result<Json> UpdateLead(std::string_view lead_id, int64_t version, const Json& fields,
                          std::string_view idempotency_key);
  // Side effects, one row each; a repeated idempotency key returns the first
  // row's id and writes nothing.
  Result<std::string> CreateTask(std::string_view subject, std::string_view due_date,
                                 std::string_view related_to, std::string_view idempotency_key);
  Result<std::string> LogActivity(std::string_view related_to, std::string_view type,
                                  std::string_view summary, std::string_view idempotency_key);
  Result<std::string> SendEmail(std::string_view to, std::string_view subject,
                                std::string_view body, std::string_view idempotency_key);
  // Rows in "tasks", "activities" or "outbox".
  Result<int64_t> Count(std::string_view table) const;

  Clock* clock() const { return clock_; }

  struct Db;  // the connection; defined in the .cc

 private:
  SalesDesk(std::unique_ptr<Db> db, Clock* clock);
  // The row id in `table` under `key`, or "" (caller holds mu_).
  Result<std::string> FindKey(std::string_view table, std::string_view key) const;
  Result<std::string> InsertOnce(std::string_view table, std::string_view prefix,
                                 std::string_view key, std::vector<std::string> values);

  std::unique_ptr<Db> db_;
  Clock* clock_;
  mutable std::mutex mu_;
};

// Registers the desk's tools (search_crm_contacts, get_deal_history,
// read_lead_record, update_lead_record, create_task, log_activity and its
// batch form log_activities, send_email) and the pack's local utilities (get_current_time,
// check_domain_validity). A null desk registers the same names (for
// validation); the desk's tools must not be called then. `clock` serves
// get_current_time.
void RegisterSalesDeskTools(ToolRegistry& registry, std::shared_ptr<SalesDesk> desk,
                            Clock* clock = Clock::Real());

// The verdict on an email or web domain: syntax, and a local list of free
// mail and disposable domains (no network). {"domain", "valid", "category":
// "company" | "free_email" | "disposable" | "reserved" | "invalid", "reason"}.
// An email address is checked by its domain.
Json CheckDomain(std::string_view domain);

}  // namespace keel

#endif  // KEEL_CRM_SALES_DESK_H_
