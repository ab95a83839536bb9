// RegisterSalesDeskTools: the lead desk's tools and the pack's two local
// utilities as keel::Tool objects. The JSON edge: arguments are read into
// typed values here; SalesDesk answers in the JSON the pack's schemas name.
#include <algorithm>
#include <cctype>
#include <ctime>

#include "crm/iso_date.h"
#include "crm/sales_desk.h"
#include "tools/tool.h"

namespace keel {
namespace {

// The engine validated the arguments against the tool's schema; a direct
// caller may pass anything, so every accessor checks.
Result<std::string> Str(const Json& args, const char* name, bool required = true) {
  if (args.is_object()) {
    auto it = args.find(name);
    if (it != args.end() && it->is_string()) return it->get<std::string>();
    if (!required && it == args.end()) return std::string();
  }
  return InvalidArgument(std::string("argument '") + name + "' must be a string");
}

Result<int64_t> Int(const Json& args, const char* name, int64_t fallback) {
  if (!args.is_object() || !args.contains(name)) return fallback;
  const Json& v = args[name];
  if (!v.is_number_integer()) {
    return InvalidArgument(std::string("argument '") + name + "' must be an integer");
  }
  return v.get<int64_t>();
}

// The lead or account a task or activity is about: lead_id, else account_id.
Result<std::string> RelatedTo(const Json& args) {
  for (const char* key : {"lead_id", "account_id"}) {
    Result<std::string> id = Str(args, key, /*required=*/false);
    if (!id.ok()) return id.status();
    if (!id->empty()) return id;
  }
  return InvalidArgument("give 'lead_id' or 'account_id'");
}

// `due_date`, or `due_in_days` counted from today (UTC): a workflow has no
// way to format a date, so it asks for "in two days" instead.
Result<std::string> DueDate(const Json& args, Clock* clock) {
  Result<std::string> date = Str(args, "due_date", /*required=*/false);
  if (!date.ok() || !date->empty()) return date;
  Result<int64_t> in_days = Int(args, "due_in_days", -1);
  if (!in_days.ok()) return in_days.status();
  if (*in_days < 0 || *in_days > 365) {
    return InvalidArgument("give 'due_date' (YYYY-MM-DD) or 'due_in_days' (0..365)");
  }
  int64_t today = clock->NowMicros() / 1'000'000 / 86400;
  return FormatIsoDate(static_cast<int>(today + *in_days));
}

template <typename Fn>
std::shared_ptr<Tool> MakeTool(Fn fn) {
  return std::make_shared<FunctionTool>(
      [fn = std::move(fn)](const Json& args, const ToolCallContext& ctx) -> Result<Json> {
        try {
          return fn(args, ctx);
        } catch (const std::exception& e) {  // the JSON library; the checks should prevent it
          return Internal(std::string("sales desk tool failed: ") + e.what());
        }
      });
}

#define KEEL_DESK_ARG(var, expr)                  \
  auto var##_arg = (expr);                        \
  if (!var##_arg.ok()) return var##_arg.status(); \
  auto var = *var##_arg

Json CurrentTime(Clock* clock) {
  int64_t us = clock->NowMicros();
  int64_t seconds = us / 1'000'000;
  int day = static_cast<int>(seconds / 86400);
  int64_t in_day = seconds % 86400;
  char clock_text[16];
  std::snprintf(clock_text, sizeof(clock_text), "%02d:%02d:%02d", static_cast<int>(in_day / 3600),
                static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60));
  static constexpr const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                          "Thursday", "Friday", "Saturday"};
  std::string date = FormatIsoDate(day);
  return {{"iso", date + "T" + clock_text + "Z"},
          {"date", date},
          {"weekday", kDays[WeekdayOf(day)]},
          {"unix_s", seconds},
          {"timezone", "UTC"}};
}

// Written out rather than fetched: the check must work offline and give the
// same answer in every run. Short on purpose; a real deployment would load
// a maintained list.
constexpr std::string_view kFreeEmail[] = {
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com",    "live.com",
    "aol.com",   "icloud.com",     "me.com",    "proton.me",   "protonmail.com", "gmx.com",
    "mail.com",  "yandex.com",     "zoho.com",  "fastmail.com"};
constexpr std::string_view kDisposable[] = {
    "mailinator.com",  "guerrillamail.com", "10minutemail.com", "tempmail.com",
    "trashmail.com",   "yopmail.com",       "sharklasers.com",  "getnada.com",
    "dispostable.com", "throwawaymail.com", "maildrop.cc"};
// RFC 2606 / 6761 names that never belong to a real company.
constexpr std::string_view kReservedSuffixes[] = {
    ".example", ".test", ".invalid", ".localhost", "example.com", "example.org", "example.net"};

template <size_t N>
bool Listed(const std::string_view (&list)[N], std::string_view domain) {
  return std::find(std::begin(list), std::end(list), domain) != std::end(list);
}

std::string SyntaxProblem(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return "a domain has 1 to 253 characters";
  size_t labels = 0;
  std::string_view last;
  for (size_t start = 0; start <= domain.size();) {
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63) return "each label has 1 to 63 characters";
    if (label.front() == '-' || label.back() == '-') return "a label cannot start or end with '-'";
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return std::string("'") + c + "' is not allowed in a domain";
      }
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (labels < 2) return "a domain needs at least two labels (name.tld)";
  if (last.size() < 2 ||
      !std::all_of(last.begin(), last.end(), [](char c) { return std::isalpha(c); })) {
    return "the top-level label must be letters";
  }
  return "";
}

void RegisterDeskTools(ToolRegistry& registry, const std::shared_ptr<SalesDesk>& desk) {
  registry.Register("search_crm_contacts",
                    MakeTool([desk](const Json& a, const ToolCallContext&) -> Result<Json> {
                      KEEL_DESK_ARG(query, Str(a, "query"));
                      KEEL_DESK_ARG(limit, Int(a, "limit", 10));
                      return desk->SearchContacts(query, static_cast<int>(limit));
                    }));
  registry.Register("get_deal_history",
                    MakeTool([desk](const Json& a, const ToolCallContext&) -> Result<Json> {
                      KEEL_DESK_ARG(id, Str(a, "account_id"));
                      return desk->DealHistory(id);
                    }));
  registry.Register("read_lead_record",
                    MakeTool([desk](const Json& a, const ToolCallContext&) -> Result<Json> {
                      KEEL_DESK_ARG(id, Str(a, "lead_id"));
                      return desk->ReadLead(id);
                    }));
  registry.Register("update_lead_record",
                    MakeTool([desk](const Json& a, const ToolCallContext& ctx) -> Result<Json> {
                      KEEL_DESK_ARG(id, Str(a, "lead_id"));
                      KEEL_DESK_ARG(version, Int(a, "version", -1));
                      if (version < 1) return InvalidArgument("argument 'version' is required");
                      Json fields = a.is_object() ? a.value("fields", Json()) : Json();
                      return desk->UpdateLead(id, version, fields, ctx.idempotency_key);
                    }));
  registry.Register(
      "create_task", MakeTool([desk](const Json& a, const ToolCallContext& ctx) -> Result<Json> {
        KEEL_DESK_ARG(subject, Str(a, "subject"));
        KEEL_DESK_ARG(due, DueDate(a, desk->clock()));
        KEEL_DESK_ARG(related, RelatedTo(a));
        KEEL_DESK_ARG(id, desk->CreateTask(subject, due, related, ctx.idempotency_key));
        return Json{{"task_id", id}, {"due_date", due}};
      }));
  registry.Register(
      "log_activity", MakeTool([desk](const Json& a, const ToolCallContext& ctx) -> Result<Json> {
        KEEL_DESK_ARG(type, Str(a, "type"));
        KEEL_DESK_ARG(summary, Str(a, "summary"));
        KEEL_DESK_ARG(related, RelatedTo(a));
        KEEL_DESK_ARG(id, desk->LogActivity(related, type, summary, ctx.idempotency_key));
        return Json{{"activity_id", id}};
      }));
  // The batch form of log_activity: one call logs many (a map node over
  // contacts makes one call). Item j's idempotency key is the call's plus
  // "/j", so a retried batch logs nothing twice.
  registry.Register(
      "log_activities", MakeTool([desk](const Json& a, const ToolCallContext& ctx) -> Result<Json> {
        Json results = Json::array();
        const Json items = a.value("items", Json::array());
        for (size_t j = 0; j < items.size(); ++j) {
          const Json& item = items[j];
          KEEL_DESK_ARG(type, Str(item, "type"));
          KEEL_DESK_ARG(summary, Str(item, "summary"));
          KEEL_DESK_ARG(related, RelatedTo(item));
          std::string key = ctx.idempotency_key.empty()
                                ? std::string()
                                : ctx.idempotency_key + "/" + std::to_string(j);
          KEEL_DESK_ARG(id, desk->LogActivity(related, type, summary, key));
          results.push_back({{"activity_id", id}});
        }
        return Json{{"results", std::move(results)}};
      }));
  registry.Register("send_email",
                    MakeTool([desk](const Json& a, const ToolCallContext& ctx) -> Result<Json> {
                      KEEL_DESK_ARG(to, Str(a, "to"));
                      KEEL_DESK_ARG(subject, Str(a, "subject"));
                      KEEL_DESK_ARG(body, Str(a, "body"));
                      KEEL_DESK_ARG(id, desk->SendEmail(to, subject, body, ctx.idempotency_key));
                      return Json{{"message_id", id}, {"status", "queued"}};
                    }));
}

}  // namespace

Json CheckDomain(std::string_view input) {
  std::string domain(
      input.substr(input.find('@') == std::string_view::npos ? 0 : input.find('@') + 1));
  std::transform(domain.begin(), domain.end(), domain.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!domain.empty() && domain.back() == '.') domain.pop_back();  // the DNS root
  auto verdict = [&](bool valid, const char* category, std::string reason) {
    return Json{{"domain", domain}, {"valid", valid}, {"category", category}, {"reason", reason}};
  };
  if (std::string problem = SyntaxProblem(domain); !problem.empty()) {
    return verdict(false, "invalid", problem);
  }
  for (std::string_view suffix : kReservedSuffixes) {
    if (domain == suffix.substr(suffix[0] == '.' ? 1 : 0) || domain.ends_with(suffix)) {
      return verdict(false, "reserved", "reserved for examples and tests (RFC 2606)");
    }
  }
  if (Listed(kDisposable, domain)) return verdict(false, "disposable", "a disposable mail service");
  if (Listed(kFreeEmail, domain)) {
    return verdict(true, "free_email", "a free mail provider, not a company domain");
  }
  return verdict(true, "company", "well-formed and not a free or disposable mail domain");
}

void RegisterSalesDeskTools(ToolRegistry& registry, std::shared_ptr<SalesDesk> desk, Clock* clock) {
  RegisterDeskTools(registry, desk);
  registry.Register("get_current_time",
                    MakeTool([clock](const Json&, const ToolCallContext&) -> Result<Json> {
                      return CurrentTime(clock);
                    }));
  registry.Register("check_domain_validity",
                    MakeTool([](const Json& a, const ToolCallContext&) -> Result<Json> {
                      KEEL_DESK_ARG(domain, Str(a, "domain"));
                      return CheckDomain(domain);
                    }));
}

#undef KEEL_DESK_ARG

}  // namespace keel
