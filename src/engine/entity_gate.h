// EntityGate: lets one run at a time write an entity's state vector in this
// process. Runs of the same account that finalize together would otherwise
// all read version N, and all but one would fail on the version check, roll
// back, reload and retry: quadratic in the number of such runs. The gate
// queues them instead, and hands each the state its predecessor wrote, so
// the version check fails only when another process wrote meanwhile.
//
// A holder leaves once its write is submitted, not committed: the store
// applies writes in submission order (Store::Submit), so the next one's
// lands after it, and names the run whose state it builds on
// (StateWrite::expected_writer), so it cannot land on another process's
// state of the same version if that write is rejected.
//
// Once a write lands (Landed), the gate still remembers it for the next run
// of the entity, which may arrive seconds later with the state it read when
// it started: without it, that run would finalize over a stale version, be
// rejected, reload and do it all again. At most kRemembered idle entities
// are kept; a forgotten one costs only that retry, and so does a state
// another process wrote meanwhile (the version check catches both).
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
  std::string writer;  // the run that wrote it
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

  // The write of `version` reached the store (`ok`) or was rejected: it is
  // now only remembered, or must no longer be handed on.
  void Landed(const std::string& entity_key, int64_t version, bool ok);

  static constexpr size_t kRemembered = 4096;

 private:
  struct Entity {
    bool held = false;
    std::optional<GateState> written;  // the newest state submitted through the gate
    bool landed = false;               // ... and the store has it
    std::deque<Admitted> waiting;
    bool Idle() const { return !held && waiting.empty(); }
  };
  void Leave(const std::string& entity_key, std::optional<GateState> written);
  // Keeps an idle entity for its landed state, forgetting the oldest such
  // entities beyond kRemembered. Called with mu_ held.
  void Remember(const std::string& entity_key);

  std::mutex mu_;
  // Entities held, waited for, with a write on its way, or remembered.
  std::unordered_map<std::string, Entity> entities_;
  std::deque<std::string> remembered_;  // oldest first; may name one entity twice
};

class EntityGate::Ticket {
 public:
  Ticket(EntityGate* gate, std::string entity_key)
      : gate_(gate), entity_key_(std::move(entity_key)) {}
  ~Ticket() { gate_->Leave(entity_key_, std::move(written_)); }
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;
  // Records the state the holder submitted, for the next run in line.
  void Wrote(GateState state) { written_ = std::move(state); }

 private:
  EntityGate* gate_;
  std::string entity_key_;
  std::optional<GateState> written_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_ENTITY_GATE_H_
