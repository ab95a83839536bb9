// RegisterCrmTools: the demo CRM's seven tools as keel::Tool objects. This is
// the JSON edge: arguments are read into typed values here and DemoCrm's
// structs are written back as the JSON the sales pack's output schemas name.
#include <cmath>

#include "core/json.h"
#include "crm/demo_crm.h"
#include "tools/tool.h"

namespace keel {
namespace {

// Arguments were validated against the tool's input schema by the engine, but
// a direct caller may pass anything: every accessor checks type and presence.
Result<std::string_view> StringArg(const Json& args, const char* name) {
  if (args.is_object()) {
    auto it = args.find(name);
    if (it != args.end() && it->is_string())
      return std::string_view(it->get_ref<const std::string&>());
  }
  return InvalidArgument(std::string("argument '") + name + "' must be a string");
}

Result<double> NumberArg(const Json& args, const char* name) {
  if (args.is_object()) {
    auto it = args.find(name);
    if (it != args.end() && it->is_number()) return it->get<double>();
  }
  return InvalidArgument(std::string("argument '") + name + "' must be a number");
}

Result<int> DaysArg(const Json& args) {
  auto days = NumberArg(args, "days");
  if (!days.ok()) return days.status();
  if (*days != std::floor(*days) || *days < 1 || *days > 90) {
    return InvalidArgument("argument 'days' must be an integer 1..90");
  }
  return static_cast<int>(*days);
}

Json AccountJson(const CrmAccount& a) {
  Json contacts = Json::array();
  for (const auto& c : a.contacts) {
    contacts.push_back(
        {{"name", c.name}, {"title", c.title}, {"email", c.email}, {"role", c.role}});
  }
  Json deals = Json::array();
  for (const auto& d : a.open_deals) {
    deals.push_back({{"deal_id", d.deal_id},
                     {"stage", d.stage},
                     {"amount", d.amount},
                     {"close_date", d.close_date}});
  }
  return {{"account_id", a.account_id},
          {"name", a.name},
          {"segment", a.segment},
          {"arr", a.arr},
          {"health_score", a.health_score},
          {"owner", a.owner},
          {"contacts", std::move(contacts)},
          {"open_deals", std::move(deals)}};
}

Json UsageJson(const CrmUsageTrend& u) {
  return {{"account_id", u.account_id},         {"days", u.days},
          {"active_users", u.active_users},     {"first_week_avg", u.first_week_avg},
          {"last_week_avg", u.last_week_avg},   {"trend_pct", u.trend_pct},
          {"seats_used_pct", u.seats_used_pct}, {"direction", u.direction}};
}

Json ContractJson(const CrmContract& c) {
  Json discounts = Json::array();
  for (const auto& d : c.past_discounts) {
    discounts.push_back({{"year", d.year}, {"pct", d.pct}, {"reason", d.reason}});
  }
  return {{"account_id", c.account_id},
          {"renewal_date", c.renewal_date},
          {"days_to_renewal", c.days_to_renewal},
          {"term_months", c.term_months},
          {"annual_price", c.annual_price},
          {"seats", c.seats},
          {"clauses",
           {{"auto_renew", c.auto_renew},
            {"price_cap_pct", c.price_cap_pct},
            {"termination_notice_days", c.termination_notice_days},
            {"sla_tier", c.sla_tier}}},
          {"past_discounts", std::move(discounts)}};
}

// Adapts `fn` into a Tool. Anything thrown by the JSON library (which the
// checks above should make impossible) stops here as an internal error.
template <typename Fn>
std::shared_ptr<Tool> MakeTool(Fn fn) {
  return std::make_shared<FunctionTool>(
      [fn = std::move(fn)](const Json& args, const ToolCallContext& ctx) -> Result<Json> {
        try {
          return fn(args, ctx);
        } catch (const std::exception& e) {
          return Internal(std::string("crm tool failed: ") + e.what());
        }
      });
}

#define KEEL_CRM_ARG(var, expr)                   \
  auto var##_arg = (expr);                        \
  if (!var##_arg.ok()) return var##_arg.status(); \
  auto var = *var##_arg

}  // namespace

void RegisterCrmTools(ToolRegistry& registry, std::shared_ptr<DemoCrm> crm) {
  registry.Register("crm.get_account",
                    MakeTool([crm](const Json& args, const ToolCallContext&) -> Result<Json> {
                      KEEL_CRM_ARG(id, StringArg(args, "account_id"));
                      auto account = crm->GetAccount(id);
                      if (!account.ok()) return account.status();
                      return AccountJson(*account);
                    }));

  registry.Register("analytics.get_usage_trend",
                    MakeTool([crm](const Json& args, const ToolCallContext&) -> Result<Json> {
                      KEEL_CRM_ARG(id, StringArg(args, "account_id"));
                      KEEL_CRM_ARG(days, DaysArg(args));
                      auto usage = crm->GetUsageTrend(id, days);
                      if (!usage.ok()) return usage.status();
                      return UsageJson(*usage);
                    }));

  registry.Register("billing.get_contract",
                    MakeTool([crm](const Json& args, const ToolCallContext&) -> Result<Json> {
                      KEEL_CRM_ARG(id, StringArg(args, "account_id"));
                      auto contract = crm->GetContract(id);
                      if (!contract.ok()) return contract.status();
                      return ContractJson(*contract);
                    }));

  registry.Register("request_discount_approval",
                    MakeTool([crm](const Json& args, const ToolCallContext& ctx) -> Result<Json> {
                      KEEL_CRM_ARG(id, StringArg(args, "account_id"));
                      KEEL_CRM_ARG(pct, NumberArg(args, "discount_pct"));
                      KEEL_CRM_ARG(why, StringArg(args, "justification"));
                      auto request =
                          crm->RequestDiscountApproval(id, pct, why, ctx.idempotency_key);
                      if (!request.ok()) return request.status();
                      return Json{{"request_id", *request}, {"status", "submitted"}};
                    }));

  registry.Register("book_followup",
                    MakeTool([crm](const Json& args, const ToolCallContext& ctx) -> Result<Json> {
                      KEEL_CRM_ARG(id, StringArg(args, "account_id"));
                      KEEL_CRM_ARG(when, StringArg(args, "when"));
                      KEEL_CRM_ARG(topic, StringArg(args, "topic"));
                      auto followup = crm->BookFollowup(id, when, topic, ctx.idempotency_key);
                      if (!followup.ok()) return followup.status();
                      return Json{{"followup_id", followup->followup_id}, {"when", followup->when}};
                    }));

  registry.Register("escalate_to_engineering",
                    MakeTool([crm](const Json& args, const ToolCallContext& ctx) -> Result<Json> {
                      KEEL_CRM_ARG(id, StringArg(args, "account_id"));
                      KEEL_CRM_ARG(summary, StringArg(args, "summary"));
                      KEEL_CRM_ARG(severity, StringArg(args, "severity"));
                      auto ticket =
                          crm->EscalateToEngineering(id, summary, severity, ctx.idempotency_key);
                      if (!ticket.ok()) return ticket.status();
                      return Json{{"ticket_id", *ticket}};
                    }));

  registry.Register("draft_renewal_email",
                    MakeTool([crm](const Json& args, const ToolCallContext& ctx) -> Result<Json> {
                      KEEL_CRM_ARG(id, StringArg(args, "account_id"));
                      KEEL_CRM_ARG(to, StringArg(args, "to"));
                      KEEL_CRM_ARG(subject, StringArg(args, "subject"));
                      KEEL_CRM_ARG(body, StringArg(args, "body"));
                      auto draft =
                          crm->DraftRenewalEmail(id, to, subject, body, ctx.idempotency_key);
                      if (!draft.ok()) return draft.status();
                      return Json{{"draft_id", *draft}};
                    }));
}

#undef KEEL_CRM_ARG

}  // namespace keel
