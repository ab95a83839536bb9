// ModelRouter: picks the Model that serves an agent's tier. Built once by the
// composition root; immutable and thread-safe afterwards.
#ifndef KEEL_MODELS_MODEL_ROUTER_H_
#define KEEL_MODELS_MODEL_ROUTER_H_

#include <map>
#include <memory>
#include <string>

#include "models/model.h"

namespace keel {

class ModelRouter {
 public:
  // The model used for tiers with no entry of their own.
  void SetDefault(std::shared_ptr<Model> model) { default_ = std::move(model); }
  void SetTier(const std::string& tier, std::shared_ptr<Model> model) {
    tiers_[tier] = std::move(model);
  }
  // Never null once a default is set.
  Model* ForTier(const std::string& tier) const {
    auto it = tiers_.find(tier);
    return it != tiers_.end() ? it->second.get() : default_.get();
  }

 private:
  std::shared_ptr<Model> default_;
  std::map<std::string, std::shared_ptr<Model>> tiers_;
};

}  // namespace keel

#endif  // KEEL_MODELS_MODEL_ROUTER_H_
