// EntityGate: lets one run at a time write an entity's state vector in this
// process. Runs of the same account that finalize together would otherwise
// all read version N, and all but one would fail on the version check, roll
// back, reload and retry: quadratic in the number of such runs. The gate
// queues them instead, and hands each the state its predecessor wrote, so
// the version check fails only when another process wrote meanwhile.
//
// Thread-safe.
#ifndef KEEL_ENGINE_ENTITY_GATE_H_
#define KEEL_ENGINE_ENTITY_GATE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/json.h"

namespace keel {

// The newest state vector of an entity written through the gate.
struct GateState {
  int64_t version = 0;
  Json data;
};

class EntityGate {
 public:
  // Released (and the next waiter admitted) when the last copy is dropped.
  class Ticket;
  using TicketPtr = std::shared_ptr<Ticket>;
  // `admitted` receives the ticket and, when a run before it in this process
  // wrote the entity's state, that state. Runs at once when the entity is
  // free, otherwise from the thread that releases it.
  using Admitted = std::function<void(TicketPtr, std::optional<GateState>)>;

  void Enter(const std::string& entity_key, Admitted admitted);

 private:
  struct Entity {
    bool held = false;
    std::optional<GateState> written;
    std::deque<Admitted> waiting;
  };
  void Leave(const std::string& entity_key, std::optional<GateState> written);

  std::mutex mu_;
  std::unordered_map<std::string, Entity> entities_;  // only entities held or waited for
};

class EntityGate::Ticket {
 public:
  Ticket(EntityGate* gate, std::string entity_key)
      : gate_(gate), entity_key_(std::move(entity_key)) {}
  ~Ticket() { gate_->Leave(entity_key_, std::move(written_)); }
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;
  // Records the state the holder committed, for the next run in line.
  void Wrote(int64_t version, Json data) { written_ = GateState{version, std::move(data)}; }

 private:
  EntityGate* gate_;
  std::string entity_key_;
  std::optional<GateState> written_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_ENTITY_GATE_H_
