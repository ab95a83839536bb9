// Model check: one tiny request to every entry of every tier's chain, to
// prove before a deployment that the keys, endpoints and model names work.
// Offline entries always work (they are the deterministic fallbacks);
// scripted entries work when their cassette loads.
//
// CheckModels blocks the calling thread until every answer is in (it is for
// the CLI); the requests themselves run on the resources' event loop.
#ifndef KEEL_ROUTING_MODEL_CHECK_H_
#define KEEL_ROUTING_MODEL_CHECK_H_

#include <string>
#include <vector>

#include "core/json.h"
#include "routing/model_setup.h"

namespace keel {

struct EntryCheck {
  std::string entry;  // "openai/gpt-4o-mini"
  bool ok = false;
  int64_t latency_us = 0;
  ModelUsage usage;
  std::string error;    // the provider_error.h type when !ok
  std::string message;  // what went wrong (never the key), or a note when ok
};

struct TierCheck {
  std::string tier;
  bool ok = false;  // at least one entry works
  std::vector<EntryCheck> entries;
};

// The tiers checked: small, medium, large and any other listed in keel.yaml;
// a tier not listed is its default provider's.
std::vector<TierCheck> CheckModels(const ProjectConfig& config, ModelResources* resources);

// {"ok": bool, "tiers": [{"tier", "ok", "entries": [{"entry", "ok", "latency_ms",
// "tokens_in", "tokens_out", "cost_usd"} | {"entry", "ok", "error", "message"}]}]}
Json ModelCheckJson(const std::vector<TierCheck>& tiers);
// One line per entry, for people.
std::string ModelCheckTable(const std::vector<TierCheck>& tiers);

}  // namespace keel

#endif  // KEEL_ROUTING_MODEL_CHECK_H_
