// ModelGate: at most `limit` model calls out at once (0: no limit). A call
// over the limit waits as a small closure, before its prompt is rendered or
// its request built: thousands of runs that launch model calls together
// would otherwise build every request up front, while the provider serves
// only as many as its connection cap allows. Calls start in arrival order.
//
// Thread-safe: Enter and Leave may be called from any thread.
#ifndef KEEL_ENGINE_MODEL_GATE_H_
#define KEEL_ENGINE_MODEL_GATE_H_

#include <deque>
#include <functional>
#include <mutex>

namespace keel {

class ModelGate {
 public:
  explicit ModelGate(int limit) : limit_(limit) {}

  // Calls `start` now when a slot is free, else when one frees (on the
  // thread that calls Leave; keep `start` quick). Every started call must
  // be matched by one Leave.
  void Enter(std::function<void()> start);
  // A call ended: its slot goes to the next waiting call, if any.
  void Leave();

  int limit() const { return limit_; }
  size_t waiting() const;

 private:
  const int limit_;
  mutable std::mutex mu_;
  int out_ = 0;
  std::deque<std::function<void()>> waiting_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_MODEL_GATE_H_
