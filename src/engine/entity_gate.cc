#include "engine/entity_gate.h"

namespace keel {

void EntityGate::Enter(const std::string& entity_key, Admitted admitted) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Entity& entity = entities_[entity_key];
    if (entity.held) {
      entity.waiting.push_back(std::move(admitted));
      return;
    }
    entity.held = true;
  }
  admitted(std::make_shared<Ticket>(this, entity_key), std::nullopt);
}

void EntityGate::Leave(const std::string& entity_key, std::optional<GateState> written) {
  Admitted next;
  std::optional<GateState> state;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entities_.find(entity_key);
    if (it == entities_.end()) return;
    Entity& entity = it->second;
    if (written) entity.written = std::move(written);
    if (entity.waiting.empty()) {
      entities_.erase(it);  // nothing to hand on; the store has the state
      return;
    }
    next = std::move(entity.waiting.front());
    entity.waiting.pop_front();
    state = entity.written;
  }
  next(std::make_shared<Ticket>(this, entity_key), std::move(state));
}

}  // namespace keel
