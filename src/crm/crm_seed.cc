// SeedDemoCrm: generates the demo CRM from a seed. Every account follows one
// usage profile (growing, flat or shrinking) that also drives its health score,
// contacts, deal outcomes and discount history, so risk signals agree with
// each other the way they do in a real book of business.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>

#include "core/json.h"
#include "crm/demo_crm.h"
#include "crm/internal/crm_schema.h"
#include "crm/internal/seed_random.h"
#include "crm/internal/seed_words.h"
#include "crm/internal/sqlite_db.h"
#include "crm/iso_date.h"

namespace keel {
namespace {

using crm_internal::SeedRandom;
using crm_internal::SqliteDb;
using crm_internal::SqliteStmt;

enum class Profile { kGrowing, kFlat, kShrinking };

constexpr int kUsageDays = 90;

int64_t RoundTo(double v, int64_t step) { return std::llround(v / step) * step; }

std::string Slug(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z') out += c;
  }
  return out;
}

// Writes one account and everything that hangs off it.
class AccountSeeder {
 public:
  AccountSeeder(uint64_t seed, int reference_day) : rnd_(seed), ref_day_(reference_day) {}

  Status Prepare(SqliteDb& db) {
    const char* sql[] = {
        "INSERT INTO accounts VALUES (?,?,?,?,?,?,?)",
        "INSERT INTO contacts (account_id, name, title, email, role, role_rank) "
        "VALUES (?,?,?,?,?,?)",
        "INSERT INTO deals VALUES (?,?,?,?,?,?)",
        "INSERT INTO usage VALUES (?,?,?,?,?)",
        "INSERT INTO contracts VALUES (?,?,?,?,?,?,?)",
    };
    std::unique_ptr<SqliteStmt>* slots[] = {&account_, &contact_, &deal_, &usage_, &contract_};
    for (int i = 0; i < 5; ++i) {
      auto stmt = db.Prepare(sql[i]);
      if (!stmt.ok()) return stmt.status();
      *slots[i] = std::move(*stmt);
    }
    return Status::Ok();
  }

  Status Seed(int index) {
    id_ = "A-" + std::to_string(1000 + index);
    profile_ = DrawProfile();
    KEEL_RETURN_IF_ERROR(SeedAccount());
    KEEL_RETURN_IF_ERROR(SeedContacts());
    KEEL_RETURN_IF_ERROR(SeedDeals());
    KEEL_RETURN_IF_ERROR(SeedUsage());
    return SeedContract();
  }

 private:
  Profile DrawProfile() {
    double u = rnd_.Unit();
    return u < 0.35 ? Profile::kGrowing : (u < 0.70 ? Profile::kFlat : Profile::kShrinking);
  }

  std::string UniqueCompanyName(const crm_internal::Industry& industry) {
    for (int attempt = 0;; ++attempt) {
      // Draws are sequenced one per statement: the order in which operands
      // of `+` or function arguments are evaluated is unspecified in C++.
      std::string base = rnd_.Pick(crm_internal::kNamePrefixes);
      base += " ";
      base += industry.nouns[rnd_.Int(0, 2)];
      std::string name = base + rnd_.Pick(crm_internal::kLegalSuffixes);
      // Past ~6,000 accounts the word lists run out of combinations; a
      // number keeps names unique without an endless loop.
      if (attempt >= 20) name += " " + std::to_string(attempt);
      if (names_.insert(name).second) {
        domain_ = Slug(base) + ".com";
        return name;
      }
    }
  }

  Status SeedAccount() {
    const auto& industry = rnd_.Pick(crm_internal::kIndustries);
    std::string name = UniqueCompanyName(industry);
    double u = rnd_.Unit();
    segment_ = u < 0.50 ? "SMB" : (u < 0.85 ? "Mid-Market" : "Enterprise");
    if (segment_[0] == 'S') {
      seats_ = rnd_.Int(10, 80);
      arr_ = RoundTo(seats_ * rnd_.Real(400, 900), 100);
    } else if (segment_[0] == 'M') {
      seats_ = rnd_.Int(80, 500);
      arr_ = RoundTo(seats_ * rnd_.Real(350, 700), 100);
    } else {
      seats_ = rnd_.Int(500, 4000);
      arr_ = RoundTo(seats_ * rnd_.Real(250, 550), 1000);
    }
    double health = profile_ == Profile::kGrowing ? rnd_.Real(66, 96)
                    : profile_ == Profile::kFlat  ? rnd_.Real(45, 82)
                                                  : rnd_.Real(12, 55);
    // A support incident drags health down whatever the usage says, so
    // some signals disagree and the classifier has to weigh them.
    if (rnd_.Chance(0.10)) health -= 20;
    health_ = static_cast<int>(std::clamp<int64_t>(std::llround(health), 0, 100));

    SqliteStmt& s = *account_;
    s.Reset();
    s.Bind(1, id_);
    s.Bind(2, name);
    s.BindStatic(3, segment_);
    s.BindStatic(4, industry.name);
    s.Bind(5, arr_);
    s.Bind(6, static_cast<int64_t>(health_));
    s.BindStatic(7, rnd_.Pick(crm_internal::kAccountManagers));
    return s.Run();
  }

  Status SeedContacts() {
    int count = static_cast<int>(rnd_.Int(2, 6));
    std::set<std::string> used;
    for (int i = 0; i < count; ++i) {
      // Contact 0 holds the budget; contact 1 is the champion unless the
      // champion has left, which happens mostly at shrinking accounts.
      std::string role = "user";
      if (i == 0) role = "economic_buyer";
      if (i == 1 && !(profile_ == Profile::kShrinking && rnd_.Chance(0.35))) role = "champion";
      if (i > 1 && segment_ == "Enterprise" && rnd_.Chance(0.2)) role = "champion";
      const char* first = nullptr;
      const char* last = nullptr;
      for (int attempt = 0; attempt < 20; ++attempt) {
        first = rnd_.Pick(crm_internal::kFirstNames);
        last = rnd_.Pick(crm_internal::kLastNames);
        if (used.insert(std::string(first) + last).second) break;
      }
      const char* title = role == "economic_buyer" ? rnd_.Pick(crm_internal::kEconomicBuyerTitles)
                          : role == "champion"     ? rnd_.Pick(crm_internal::kChampionTitles)
                                                   : rnd_.Pick(crm_internal::kUserTitles);
      SqliteStmt& s = *contact_;
      s.Reset();
      s.Bind(1, id_);
      s.Bind(2, std::string(first) + " " + last);
      s.BindStatic(3, title);
      s.Bind(4, Slug(first) + "." + Slug(last) + "@" + domain_);
      s.Bind(5, role);
      s.Bind(6, static_cast<int64_t>(role == "economic_buyer" ? 0 : role == "champion" ? 1 : 2));
      KEEL_RETURN_IF_ERROR(s.Run());
    }
    return Status::Ok();
  }

  Status InsertDeal(const std::string& stage, int64_t amount, int close_day, bool open) {
    SqliteStmt& s = *deal_;
    s.Reset();
    s.Bind(1, "D-" + std::to_string(10001 + deal_seq_++));
    s.Bind(2, id_);
    s.Bind(3, stage);
    s.Bind(4, amount);
    s.Bind(5, FormatIsoDate(close_day));
    s.Bind(6, static_cast<int64_t>(open ? 1 : 0));
    return s.Run();
  }

  Status SeedDeals() {
    int open = static_cast<int>(rnd_.Int(0, 2)) + (profile_ == Profile::kGrowing ? 1 : 0);
    for (int i = 0; i < open; ++i) {
      int64_t amount = std::max<int64_t>(1000, RoundTo(arr_ * rnd_.Real(0.08, 0.45), 100));
      std::string stage = rnd_.Pick(crm_internal::kOpenDealStages);
      int close_day = ref_day_ + static_cast<int>(rnd_.Int(7, 150));
      KEEL_RETURN_IF_ERROR(InsertDeal(stage, amount, close_day, true));
    }
    int closed = static_cast<int>(rnd_.Int(0, 4));
    double win_rate = profile_ == Profile::kShrinking ? 0.45 : 0.75;
    for (int i = 0; i < closed; ++i) {
      int64_t amount = std::max<int64_t>(1000, RoundTo(arr_ * rnd_.Real(0.05, 0.6), 100));
      std::string stage = rnd_.Chance(win_rate) ? "closed_won" : "closed_lost";
      int close_day = ref_day_ - static_cast<int>(rnd_.Int(20, 720));
      KEEL_RETURN_IF_ERROR(InsertDeal(stage, amount, close_day, false));
    }
    return Status::Ok();
  }

  // 90 days of usage ending the day before the reference date: a daily
  // compound trend, fewer users at weekends, noise and the odd outage day;
  // API calls also spike at month end (reporting runs). Weekly averages see
  // every weekday once, so seasonality never reads as a trend.
  Status SeedUsage() {
    double rate = profile_ == Profile::kGrowing ? rnd_.Real(0.0015, 0.005)
                  : profile_ == Profile::kFlat  ? rnd_.Real(-0.0002, 0.0002)
                                                : rnd_.Real(-0.007, -0.002);
    double util = profile_ == Profile::kGrowing ? rnd_.Real(0.35, 0.6)
                  : profile_ == Profile::kFlat  ? rnd_.Real(0.5, 0.85)
                                                : rnd_.Real(0.6, 0.92);
    double seat_ratio = rnd_.Real(1.1, 1.4);
    double calls_per_user = rnd_.Real(15, 120);
    double level = seats_ * util;
    for (int d = 0; d < kUsageDays; ++d) {
      int day = ref_day_ - kUsageDays + d;
      int weekday = WeekdayOf(day);
      std::string date = FormatIsoDate(day);
      double factor = (weekday == 0 || weekday == 6) ? 0.55 : 1.0;
      if (rnd_.Chance(0.015)) factor *= 0.4;
      int64_t active =
          std::clamp<int64_t>(std::llround(level * factor * (1 + rnd_.Noise(0.04))), 0, seats_);
      int64_t seats_used =
          std::max(active, std::min<int64_t>(seats_, std::llround(level * seat_ratio)));
      double month_end = date.compare(8, 2, "28") >= 0 ? 1.6 : 1.0;
      int64_t calls = std::max<int64_t>(
          0, std::llround(active * calls_per_user * month_end * (1 + rnd_.Noise(0.15))));
      SqliteStmt& s = *usage_;
      s.Reset();
      s.Bind(1, id_);
      s.Bind(2, date);
      s.Bind(3, active);
      s.Bind(4, calls);
      s.Bind(5, seats_used);
      KEEL_RETURN_IF_ERROR(s.Run());
      level *= 1 + rate;
    }
    return Status::Ok();
  }

  Json PastDiscounts() {
    const double weights_risky[] = {0.25, 0.35, 0.25};
    const double weights_other[] = {0.45, 0.30, 0.17};
    const double* w = profile_ == Profile::kShrinking ? weights_risky : weights_other;
    double u = rnd_.Unit();
    int count = u < w[0] ? 0 : u < w[0] + w[1] ? 1 : u < w[0] + w[1] + w[2] ? 2 : 3;
    Json list = Json::array();
    // Selection sampling: `count` distinct years in ascending order.
    int needed = count;
    for (int year = 2023, left = 4; year <= 2026 && needed > 0; ++year, --left) {
      if (rnd_.Int(1, left) > needed) continue;
      --needed;
      list.push_back({{"year", year},
                      {"pct", rnd_.Int(3, 25)},
                      {"reason", rnd_.Pick(crm_internal::kDiscountReasons)}});
    }
    return list;
  }

  Status SeedContract() {
    int renewal_day = ref_day_ + static_cast<int>(rnd_.Int(15, 180));
    double u = rnd_.Unit();
    int64_t term = u < 0.6 ? 12 : (u < 0.85 ? 24 : 36);
    const char* sla = segment_ == "SMB"          ? (rnd_.Chance(0.8) ? "standard" : "premium")
                      : segment_ == "Mid-Market" ? (rnd_.Chance(0.5) ? "standard" : "premium")
                                                 : (rnd_.Chance(0.6) ? "premium" : "platinum");
    Json clauses = {
        {"auto_renew", rnd_.Chance(profile_ == Profile::kShrinking ? 0.35 : 0.65)},
        {"price_cap_pct", rnd_.Pick(crm_internal::kPriceCapsPct)},
        {"termination_notice_days", rnd_.Pick(crm_internal::kNoticeDays)},
        {"sla_tier", sla},
    };
    SqliteStmt& s = *contract_;
    s.Reset();
    s.Bind(1, id_);
    s.Bind(2, FormatIsoDate(renewal_day));
    s.Bind(3, term);
    s.Bind(4, arr_);
    s.Bind(5, seats_);
    s.Bind(6, clauses.dump());
    s.Bind(7, PastDiscounts().dump());
    return s.Run();
  }

  SeedRandom rnd_;
  int ref_day_;
  std::set<std::string> names_;
  int deal_seq_ = 0;
  std::unique_ptr<SqliteStmt> account_, contact_, deal_, usage_, contract_;
  // The account being written.
  std::string id_, segment_, domain_;
  Profile profile_ = Profile::kFlat;
  int64_t seats_ = 0, arr_ = 0;
  int health_ = 0;
};

Status WriteDatabase(const std::string& tmp, uint64_t seed, int accounts) {
  auto db = SqliteDb::Open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) return db.status();
  // A fresh file nobody else sees until the rename: a rollback journal buys
  // nothing, and a failure simply deletes the file.
  KEEL_RETURN_IF_ERROR((*db)->Exec("PRAGMA journal_mode=OFF; BEGIN;"));
  KEEL_RETURN_IF_ERROR((*db)->Exec(crm_internal::kCrmSchemaSql));
  int ref_day = *ParseIsoDate(kCrmReferenceDate);  // a constant known to parse
  {
    AccountSeeder seeder(seed, ref_day);
    KEEL_RETURN_IF_ERROR(seeder.Prepare(**db));
    for (int i = 0; i < accounts; ++i) KEEL_RETURN_IF_ERROR(seeder.Seed(i));
    auto meta = (*db)->Prepare("INSERT INTO meta VALUES (?, ?)");
    if (!meta.ok()) return meta.status();
    const std::pair<const char*, std::string> rows[] = {
        {"schema_version", std::to_string(crm_internal::kCrmSchemaVersion)},
        {"seed", std::to_string(seed)},
        {"accounts", std::to_string(accounts)},
        {"reference_date", kCrmReferenceDate}};
    for (const auto& [key, value] : rows) {
      (*meta)->Reset();
      (*meta)->BindStatic(1, key);
      (*meta)->BindStatic(2, value);
      KEEL_RETURN_IF_ERROR((*meta)->Run());
    }
  }  // statements are finalized before COMMIT and close
  KEEL_RETURN_IF_ERROR((*db)->Exec("COMMIT;"));
  // Readers and side-effect writers share the file; WAL keeps them apart.
  return (*db)->Exec("PRAGMA journal_mode=WAL;");
}

}  // namespace

Status SeedDemoCrm(const std::string& path, uint64_t seed, int accounts) {
  if (accounts < 1 || accounts > 9000) {
    return InvalidArgument("accounts must be 1..9000 (ids A-1000..A-9999), got " +
                           std::to_string(accounts));
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  const std::string tmp = path + ".tmp";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(tmp + suffix, ec);
  Status status = WriteDatabase(tmp, seed, accounts);
  if (!status.ok()) {
    fs::remove(tmp, ec);
    return status;
  }
  // Leftover sidecar files of the old database would be replayed into the
  // new one; the caller guarantees nobody has it open (see demo_crm.h).
  for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    Status failed(StatusCode::kInternal, "cannot replace " + path + ": " + ec.message(),
                  "crm_error");
    fs::remove(tmp, ec);
    return failed;
  }
  return Status::Ok();
}

}  // namespace keel
