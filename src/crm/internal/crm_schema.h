// The demo CRM's SQLite schema, shared by the seeder (which creates it) and
// DemoCrm (which checks it on open). Private to src/crm. Constants only.
#ifndef KEEL_CRM_INTERNAL_CRM_SCHEMA_H_
#define KEEL_CRM_INTERNAL_CRM_SCHEMA_H_

namespace keel::crm_internal {

// Bumped whenever a table changes shape; stored in meta.schema_version.
inline constexpr int kCrmSchemaVersion = 1;

// Dates are ISO "YYYY-MM-DD" strings. Money is whole US dollars.
// Side-effect tables carry a UNIQUE idempotency_key (NULL when the caller gave
// none, which SQLite never treats as a duplicate).
inline constexpr char kCrmSchemaSql[] = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE accounts (
  account_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, segment TEXT NOT NULL,
  industry TEXT NOT NULL, arr INTEGER NOT NULL, health_score INTEGER NOT NULL,
  owner TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE contacts (
  contact_id INTEGER PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL,
  title TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL,
  role_rank INTEGER NOT NULL);
CREATE INDEX contacts_by_account ON contacts (account_id, role_rank, contact_id);
CREATE TABLE deals (
  deal_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, stage TEXT NOT NULL,
  amount INTEGER NOT NULL, close_date TEXT NOT NULL, is_open INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX deals_by_account ON deals (account_id, is_open, close_date);
CREATE TABLE usage (
  account_id TEXT NOT NULL, day TEXT NOT NULL, active_users INTEGER NOT NULL,
  api_calls INTEGER NOT NULL, seats_used INTEGER NOT NULL,
  PRIMARY KEY (account_id, day)) WITHOUT ROWID;
CREATE TABLE contracts (
  account_id TEXT PRIMARY KEY, renewal_date TEXT NOT NULL, term_months INTEGER NOT NULL,
  annual_price INTEGER NOT NULL, seats INTEGER NOT NULL, clauses TEXT NOT NULL,
  past_discounts TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE discount_requests (
  request_id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, account_id TEXT NOT NULL,
  discount_pct REAL NOT NULL, justification TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE TABLE followups (
  followup_id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, account_id TEXT NOT NULL,
  when_date TEXT NOT NULL, topic TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE TABLE escalations (
  ticket_id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, account_id TEXT NOT NULL,
  summary TEXT NOT NULL, severity TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE TABLE email_drafts (
  draft_id TEXT PRIMARY KEY, idempotency_key TEXT UNIQUE, account_id TEXT NOT NULL,
  to_addr TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL, created_us INTEGER NOT NULL);
)sql";

// Tables the seeder fills, in dump order (used by tests to hash the data).
inline constexpr const char* kCrmDataTables[] = {"accounts", "contacts", "deals", "usage",
                                                 "contracts"};

}  // namespace keel::crm_internal

#endif  // KEEL_CRM_INTERNAL_CRM_SCHEMA_H_
