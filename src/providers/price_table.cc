#include "providers/price_table.h"

namespace keel {

PriceTable PriceTable::Defaults() {
  // Public list prices (USD per million tokens); reasoning tokens bill as output.
  PriceTable t;
  t.Set("gpt-4o", {2.50, 10.00, 1.25, 0, 10.00});
  t.Set("gpt-4o-mini", {0.15, 0.60, 0.075, 0, 0.60});
  t.Set("gpt-4.1", {2.00, 8.00, 0.50, 0, 8.00});
  t.Set("gpt-4.1-mini", {0.40, 1.60, 0.10, 0, 1.60});
  t.Set("o3", {2.00, 8.00, 0.50, 0, 8.00});
  t.Set("o4-mini", {1.10, 4.40, 0.275, 0, 4.40});
  // Anthropic bills cache reads at 0.1x and 5-minute cache writes at 1.25x input.
  t.Set("claude-opus-4", {15.00, 75.00, 1.50, 18.75, 75.00});
  t.Set("claude-sonnet-4", {3.00, 15.00, 0.30, 3.75, 15.00});
  t.Set("claude-haiku-4-5", {1.00, 5.00, 0.10, 1.25, 5.00});
  t.Set("claude-3-5-haiku", {0.80, 4.00, 0.08, 1.00, 4.00});
  return t;
}

Status PriceTable::Merge(const Json& overrides) {
  if (!overrides.is_object()) return InvalidArgument("prices: expected an object of models");
  for (const auto& [model, p] : overrides.items()) {
    if (!p.is_object()) return InvalidArgument("prices." + model + ": expected an object");
    auto known = prices_.find(model);  // exact: a new model does not inherit a prefix's prices
    ModelPrice price = known != prices_.end() ? known->second : ModelPrice{};
    for (const auto& [meter, value] : p.items()) {
      if (!value.is_number() || value.get<double>() < 0) {
        return InvalidArgument("prices." + model + "." + meter + ": expected a number >= 0");
      }
      static const std::map<std::string, double ModelPrice::*> kMeters = {
          {"input", &ModelPrice::input},
          {"output", &ModelPrice::output},
          {"cached_input", &ModelPrice::cached_input},
          {"cache_write", &ModelPrice::cache_write},
          {"reasoning", &ModelPrice::reasoning}};
      auto it = kMeters.find(meter);
      if (it == kMeters.end()) {
        return InvalidArgument("prices." + model + ": unknown meter \"" + meter + "\"");
      }
      price.*(it->second) = value.get<double>();
    }
    prices_[model] = price;
  }
  return Status::Ok();
}

const ModelPrice* PriceTable::Find(const std::string& model) const {
  if (model.empty()) return nullptr;
  // upper_bound then walk back: the longest key that is a prefix of `model`.
  auto it = prices_.upper_bound(model);
  while (it != prices_.begin()) {
    --it;
    if (model.compare(0, it->first.size(), it->first) == 0) return &it->second;
    if (it->first.empty() || it->first[0] != model[0]) break;
  }
  return nullptr;
}

double PriceTable::Cost(const std::string& model, const ModelUsage& u) const {
  const ModelPrice* p = Find(model);
  if (p == nullptr) return 0;
  double micro = p->input * u.input_tokens + p->output * u.output_tokens +
                 p->cached_input * u.cached_input_tokens + p->cache_write * u.cache_write_tokens +
                 p->reasoning * u.reasoning_tokens;
  return micro / 1e6;
}

}  // namespace keel
