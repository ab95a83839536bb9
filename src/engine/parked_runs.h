// ParkedRuns: runs that parked at an approval moments ago, kept in memory by
// approval id, so that a decision made in this process soon after (an
// approver at the console, a policy or harness that answers at once)
// continues the run as it stood instead of reading its log back from the
// store and replaying it.
//
// Why a kept run is still exact: while its approval is pending, nothing can
// add to a parked run's log. Only a decision or the expiry moves it on, and
// both change the approval's status, which the deciding batch requires to be
// pending (Engine::Decide). A worker that claims the run meanwhile (after a
// restart) parks it again without writing an event.
//
// Bounded: at most kKept runs, each for kKeepUs, oldest dropped first (by
// the next call after that time; the engine calls DropExpired every few
// seconds). A dropped run costs only the reload: the decision then resumes
// it from the store, as it would after a restart. Runs waiting longer on a
// human hold no memory, as DESIGN.md asks.
//
// Thread-safe.
#ifndef KEEL_ENGINE_PARKED_RUNS_H_
#define KEEL_ENGINE_PARKED_RUNS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace keel {

struct Run;

class ParkedRuns {
 public:
  static constexpr size_t kKept = 1024;
  static constexpr int64_t kKeepUs = 60'000'000;

  // Keeps `run`, parked on `approval_id` at `now_us` (any steady clock, the
  // same for every call).
  void Keep(const std::string& approval_id, std::shared_ptr<Run> run, int64_t now_us);
  // The run parked on `approval_id`, removed from here; null when it was
  // never kept, was dropped, or was taken already.
  std::shared_ptr<Run> Take(const std::string& approval_id, int64_t now_us);
  // Drops the runs kept kKeepUs or longer.
  void DropExpired(int64_t now_us);
  void Clear();
  size_t size() const;

 private:
  struct Kept {
    std::shared_ptr<Run> run;
    int64_t kept_us = 0;
  };
  // Drops the runs kept too long or beyond kKept, oldest first, into
  // `dropped` (freed by the caller, outside the lock). Called with mu_ held.
  void DropOld(int64_t now_us, std::deque<std::shared_ptr<Run>>& dropped);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Kept> runs_;  // by approval id
  // Approval ids in the order they were kept, with when; an id taken since
  // is skipped when it reaches the front.
  std::deque<std::pair<std::string, int64_t>> order_;
};

}  // namespace keel

#endif  // KEEL_ENGINE_PARKED_RUNS_H_
