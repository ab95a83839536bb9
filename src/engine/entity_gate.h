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
// state of the same version if that write is rejected. Until a write lands
// (Landed), the gate keeps it for runs that arrive later.
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

  // The write of `version` reached the store (`ok`) or was rejected: the
  // gate no longer needs to keep it, or must no longer hand it on.
  void Landed(const std::string& entity_key, int64_t version, bool ok);

 private:
  struct Entity {
    bool held = false;
    std::optional<GateState> written;  // the newest state submitted through the gate
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
  // Records the state the holder submitted, for the next run in line.
  void Wrote(GateState state) { written_ = std::move(state); }

 private:
  EntityGate* gate_;
  std::string entity_key_;
  std::optional<GateState> written_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_ENTITY_GATE_H_
