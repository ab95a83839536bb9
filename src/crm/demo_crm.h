// The demo CRM behind the sales pack: a SQLite file of accounts, contacts,
// deals, 90 days of daily usage and contracts, seeded deterministically, and
// the seven built-in tools the pack's workflows call.
//
//   SeedDemoCrm(path)          creates (atomically replaces) the database
//   DemoCrm::Open(path)        opens it for reads and side-effect writes
//   RegisterCrmTools(reg, crm) registers the tools under their names
//
// All dates are ISO "YYYY-MM-DD". Relative figures (days_to_renewal) are
// computed from the fixed reference date kCrmReferenceDate, not from today,
// so a tool's output for an account never changes with the wall clock and
// golden sets stay stable.
//
// Thread-safety: DemoCrm is thread-safe; every method may be called from any
// thread at once (each call borrows a pooled connection with its own cached
// prepared statements). SeedDemoCrm must not run while any process has the
// same file open.
#ifndef KEEL_CRM_DEMO_CRM_H_
#define KEEL_CRM_DEMO_CRM_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace keel {

class ToolRegistry;

// "Today" for the demo CRM: usage ends the day before, renewals fall 15-180
// days after.
inline constexpr char kCrmReferenceDate[] = "2026-11-01";

// Creates the demo CRM at `path` with `accounts` accounts (1..9000, ids
// "A-1000" upward), seeded from std::mt19937_64(seed): the same seed always
// gives the same rows. Writes `path`.tmp in one transaction, then renames it
// over `path`. Returns kInvalidArgument for a bad count and kInternal /
// kUnavailable when the file cannot be written. Blocks (about 0.2 s).
Status SeedDemoCrm(const std::string& path, uint64_t seed = 42, int accounts = 1000);

struct CrmContact {
  std::string name;
  std::string title;
  std::string email;
  std::string role;  // "economic_buyer" | "champion" | "user"
};

struct CrmDeal {
  std::string deal_id;
  std::string stage;  // prospecting | discovery | proposal | negotiation
  int64_t amount = 0;
  std::string close_date;
};

struct CrmAccount {
  std::string account_id;
  std::string name;
  std::string segment;  // "SMB" | "Mid-Market" | "Enterprise"
  int64_t arr = 0;
  int health_score = 0;  // 0..100
  std::string owner;
  std::vector<CrmContact> contacts;  // economic buyers, then champions, then users
  std::vector<CrmDeal> open_deals;   // soonest close first
};

// Daily active users over the last `days` days before the reference date,
// with the figures an account manager reads first. Kept compact on purpose:
// thousands of in-flight runs hold one each.
struct CrmUsageTrend {
  std::string account_id;
  int days = 0;
  std::vector<int> active_users;  // oldest -> newest
  double first_week_avg = 0;      // mean of the first min(7, days) days
  double last_week_avg = 0;       // mean of the last min(7, days) days
  double trend_pct = 0;           // last vs first week, one decimal
  double seats_used_pct = 0;      // seats in use (last week) / contracted seats
  std::string direction;          // "growing" (>= +5%) | "flat" | "shrinking" (<= -5%)
};

struct CrmPastDiscount {
  int year = 0;
  double pct = 0;
  std::string reason;
};

struct CrmContract {
  std::string account_id;
  std::string renewal_date;
  int days_to_renewal = 0;  // from kCrmReferenceDate
  int term_months = 0;
  int64_t annual_price = 0;
  int seats = 0;
  bool auto_renew = false;
  double price_cap_pct = 0;  // max list-price increase at renewal
  int termination_notice_days = 0;
  std::string sla_tier;                         // "standard" | "premium" | "platinum"
  std::vector<CrmPastDiscount> past_discounts;  // the last three at most, oldest first
};

struct CrmFollowup {
  std::string followup_id;
  std::string when;
};

class DemoCrm {
 public:
  // Opens the database at `path`. kNotFound when the file does not exist,
  // kDataLoss when it is not a readable demo CRM (corrupt, truncated, wrong
  // schema); both messages name the path. `clock` stamps side-effect rows.
  static Result<std::unique_ptr<DemoCrm>> Open(const std::string& path,
                                               Clock* clock = Clock::Real());
  ~DemoCrm();
  DemoCrm(const DemoCrm&) = delete;
  DemoCrm& operator=(const DemoCrm&) = delete;

  // Reads. kNotFound (type "not_found") "account A-9999 not found" when the
  // account does not exist; kInvalidArgument for `days` outside 1..90.
  // Block briefly on the local database.
  Result<CrmAccount> GetAccount(std::string_view account_id) const;
  Result<CrmUsageTrend> GetUsageTrend(std::string_view account_id, int days) const;
  Result<CrmContract> GetContract(std::string_view account_id) const;

  // Side effects. With a non-empty `idempotency_key`, a repeated call returns
  // the first call's result and writes nothing; with an empty key every call
  // writes. kNotFound for an unknown account, kInvalidArgument for values out
  // of range (discount outside 0..100, `when` not an ISO date, unknown severity).
  Result<std::string> RequestDiscountApproval(std::string_view account_id, double discount_pct,
                                              std::string_view justification,
                                              std::string_view idempotency_key);
  Result<CrmFollowup> BookFollowup(std::string_view account_id, std::string_view when,
                                   std::string_view topic, std::string_view idempotency_key);
  Result<std::string> EscalateToEngineering(std::string_view account_id, std::string_view summary,
                                            std::string_view severity,
                                            std::string_view idempotency_key);
  // Stores a draft; nothing is sent.
  Result<std::string> DraftRenewalEmail(std::string_view account_id, std::string_view to,
                                        std::string_view subject, std::string_view body,
                                        std::string_view idempotency_key);

  // Rows in a side-effect table: "discount_requests", "followups",
  // "escalations" or "email_drafts"; kInvalidArgument for any other name.
  Result<int64_t> CountSideEffects(const std::string& table) const;

  const std::string& path() const;

  struct Impl;  // public so the split .cc files can share it; defined in internal/

 private:
  explicit DemoCrm(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Registers crm.get_account, analytics.get_usage_trend, billing.get_contract,
// request_discount_approval, book_followup, escalate_to_engineering and
// draft_renewal_email. Each tool returns the JSON its schema in the sales pack
// describes; errors are Status values with a type ("not_found", ...).
// Registration only captures `crm`: a null one registers the same names
// (how `keel validate` learns them without opening a CRM); such tools must
// not be called.
void RegisterCrmTools(ToolRegistry& registry, std::shared_ptr<DemoCrm> crm);

}  // namespace keel

#endif  // KEEL_CRM_DEMO_CRM_H_
