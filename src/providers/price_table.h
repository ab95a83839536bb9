// PriceTable: USD per million tokens for each meter of ModelUsage, per model,
// so a call's cost is computed from the provider's own token counts.
// Defaults() holds list prices of a few well-known models; configuration
// overrides or adds entries with Set(). A model is matched exactly, else by
// the longest configured prefix ("gpt-4o-mini-2024-07-18" uses
// "gpt-4o-mini"); an unknown model costs 0.
//
// Thread-safety: build, then share read-only (const methods only).
#ifndef KEEL_PROVIDERS_PRICE_TABLE_H_
#define KEEL_PROVIDERS_PRICE_TABLE_H_

#include <map>
#include <string>

#include "core/json.h"
#include "core/status.h"
#include "models/model.h"

namespace keel {

struct ModelPrice {  // USD per 1,000,000 tokens
  double input = 0;
  double output = 0;
  double cached_input = 0;
  double cache_write = 0;
  double reasoning = 0;
};

class PriceTable {
 public:
  static PriceTable Defaults();

  void Set(const std::string& model, ModelPrice price) { prices_[model] = price; }
  // Reads {"model": {"input": 2.5, "output": 10, "cached_input": 1.25, ...}}
  // over the current entries; kInvalidArgument naming the bad entry.
  Status Merge(const Json& overrides);

  const ModelPrice* Find(const std::string& model) const;
  double Cost(const std::string& model, const ModelUsage& usage) const;

 private:
  std::map<std::string, ModelPrice> prices_;
};

}  // namespace keel

#endif  // KEEL_PROVIDERS_PRICE_TABLE_H_
