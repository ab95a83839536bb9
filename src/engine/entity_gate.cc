#include "engine/entity_gate.h"

namespace keel {

void EntityGate::Enter(const std::string& entity_key, Admitted admitted) {
  std::optional<GateState> written;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Entity& entity = entities_[entity_key];
    if (entity.held) {
      entity.waiting.push_back(std::move(admitted));
      return;
    }
    entity.held = true;
    written = entity.written;  // submitted, maybe not landed yet
  }
  admitted(std::make_shared<Ticket>(this, entity_key), std::move(written));
}

void EntityGate::Leave(const std::string& entity_key, std::optional<GateState> written) {
  Admitted next;
  std::optional<GateState> state;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entities_.find(entity_key);
    if (it == entities_.end()) return;
    Entity& entity = it->second;
    if (written) {
      entity.written = std::move(written);
      entity.landed = false;
    }
    if (entity.waiting.empty()) {
      entity.held = false;
      if (!entity.written) {
        entities_.erase(it);  // nothing to hand on
      } else if (entity.landed) {
        Remember(entity_key);
      }
      return;
    }
    next = std::move(entity.waiting.front());
    entity.waiting.pop_front();
    state = entity.written;
  }
  next(std::make_shared<Ticket>(this, entity_key), std::move(state));
}

void EntityGate::Landed(const std::string& entity_key, int64_t version, bool ok) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entities_.find(entity_key);
  if (it == entities_.end()) return;
  Entity& entity = it->second;
  // A newer write since is still on its way: keep that one.
  if (!entity.written || entity.written->version != version) return;
  if (ok) {
    entity.landed = true;
    if (entity.Idle()) Remember(entity_key);
    return;
  }
  // Rejected: it must not be handed on (runs that were handed it fail the
  // version check and reload from the store).
  entity.written.reset();
  if (entity.Idle()) entities_.erase(it);
}

void EntityGate::Remember(const std::string& entity_key) {
  remembered_.push_back(entity_key);
  while (remembered_.size() > kRemembered) {
    auto it = entities_.find(remembered_.front());
    remembered_.pop_front();
    // Skip one that is busy again: it is remembered anew when it is idle.
    if (it != entities_.end() && it->second.Idle() && it->second.landed) entities_.erase(it);
  }
}

}  // namespace keel
