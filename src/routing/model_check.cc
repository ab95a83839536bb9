#include "routing/model_check.h"

#include <fmt/format.h>

#include <future>
#include <utility>

namespace keel {

namespace {

// The tiniest request a provider accepts that still exercises the model.
ChatRequest TinyRequest(const std::string& model) {
  ChatRequest request;
  request.model = model;
  request.messages.push_back(ChatMessage::User("Reply with the single word OK."));
  request.max_tokens = 16;
  return request;
}

EntryCheck CheckEntry(const TierTarget& target, ModelResources* resources) {
  EntryCheck check;
  check.entry = EntryName(target);
  if (target.provider == "offline") {
    check.ok = true;
    check.message = "deterministic fallback";
    return check;
  }
  if (target.provider == "scripted") {
    Result<std::shared_ptr<Model>> model = resources->EntryModel(target);
    check.ok = model.ok();
    check.error = model.ok() ? "" : model.status().type();
    check.message = model.ok() ? "cassette loaded" : model.status().message();
    return check;
  }
  if (target.model.empty()) {
    check.error = "invalid_request";
    check.message = "no model named for provider " + target.provider;
    return check;
  }
  Result<std::shared_ptr<ChatModel>> chat = resources->ChatModelFor(target.provider);
  if (!chat.ok()) {
    check.error = chat.status().type();
    check.message = chat.status().message();
    return check;
  }
  auto promise = std::make_shared<std::promise<Result<ChatReply>>>();
  std::future<Result<ChatReply>> future = promise->get_future();
  (*chat)->Chat(TinyRequest(target.model),
                [promise](Result<ChatReply> reply) { promise->set_value(std::move(reply)); });
  Result<ChatReply> reply = future.get();
  if (!reply.ok()) {
    check.error = reply.status().type();
    check.message = reply.status().message();
    return check;
  }
  check.ok = true;
  check.latency_us = reply->latency_us;
  check.usage = reply->usage;
  return check;
}

}  // namespace

std::vector<TierCheck> CheckModels(const ProjectConfig& config, ModelResources* resources) {
  // small, medium, large first, then any other tier keel.yaml lists.
  std::vector<std::pair<std::string, std::vector<TierTarget>>> chains;
  for (const char* tier : {"small", "medium", "large"}) {
    auto it = config.tiers.find(tier);
    chains.emplace_back(tier, it != config.tiers.end()
                                  ? it->second
                                  : std::vector<TierTarget>{{config.model_provider, ""}});
  }
  for (const auto& [tier, chain] : config.tiers) {
    if (tier != "small" && tier != "medium" && tier != "large") chains.emplace_back(tier, chain);
  }
  std::vector<TierCheck> out;
  for (const auto& [tier, chain] : chains) {
    TierCheck check{tier, false, {}};
    for (const TierTarget& target : chain) {
      check.entries.push_back(CheckEntry(target, resources));
      check.ok = check.ok || check.entries.back().ok;
    }
    out.push_back(std::move(check));
  }
  return out;
}

Json ModelCheckJson(const std::vector<TierCheck>& tiers) {
  Json out = {{"ok", true}, {"tiers", Json::array()}};
  for (const TierCheck& tier : tiers) {
    Json entries = Json::array();
    for (const EntryCheck& e : tier.entries) {
      Json entry = {{"entry", e.entry}, {"ok", e.ok}};
      if (e.ok) {
        entry["latency_ms"] = e.latency_us / 1000.0;
        entry["tokens_in"] = e.usage.input_tokens + e.usage.cached_input_tokens;
        entry["tokens_out"] = e.usage.output_tokens + e.usage.reasoning_tokens;
        entry["cost_usd"] = e.usage.cost_usd;
        if (!e.message.empty()) entry["note"] = e.message;
      } else {
        entry["error"] = e.error;
        entry["message"] = e.message;
      }
      entries.push_back(std::move(entry));
    }
    out["tiers"].push_back({{"tier", tier.tier}, {"ok", tier.ok}, {"entries", entries}});
    if (!tier.ok) out["ok"] = false;
  }
  return out;
}

std::string ModelCheckTable(const std::vector<TierCheck>& tiers) {
  std::string out;
  for (const TierCheck& tier : tiers) {
    out += fmt::format("{:<8} {}\n", tier.tier, tier.ok ? "ok" : "NO WORKING ENTRY");
    for (const EntryCheck& e : tier.entries) {
      if (e.ok) {
        out +=
            fmt::format("  ok    {:<36} {:>8.1f} ms {:>6} in {:>6} out  ${:.6f}{}\n", e.entry,
                        e.latency_us / 1000.0, e.usage.input_tokens + e.usage.cached_input_tokens,
                        e.usage.output_tokens + e.usage.reasoning_tokens, e.usage.cost_usd,
                        e.message.empty() ? "" : "  (" + e.message + ")");
      } else {
        out += fmt::format("  FAIL  {:<36} {}: {}\n", e.entry, e.error, e.message);
      }
    }
  }
  return out;
}

}  // namespace keel
