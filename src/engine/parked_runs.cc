#include "engine/parked_runs.h"

#include <utility>

#include "engine/run.h"

namespace keel {

void ParkedRuns::Keep(const std::string& approval_id, std::shared_ptr<Run> run, int64_t now_us) {
  std::deque<std::shared_ptr<Run>> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  Kept& kept = runs_[approval_id];  // parked again on the same approval: replaced
  dropped.push_back(std::exchange(kept.run, std::move(run)));
  kept.kept_us = now_us;
  order_.emplace_back(approval_id, now_us);
  DropOld(now_us, dropped);
}

std::shared_ptr<Run> ParkedRuns::Take(const std::string& approval_id, int64_t now_us) {
  std::deque<std::shared_ptr<Run>> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  DropOld(now_us, dropped);
  auto it = runs_.find(approval_id);
  if (it == runs_.end()) return nullptr;
  std::shared_ptr<Run> run = std::move(it->second.run);
  runs_.erase(it);
  return run;
}

void ParkedRuns::DropExpired(int64_t now_us) {
  std::deque<std::shared_ptr<Run>> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  DropOld(now_us, dropped);
}

void ParkedRuns::Clear() {
  std::unordered_map<std::string, Kept> runs;
  std::lock_guard<std::mutex> lock(mu_);
  runs.swap(runs_);
  order_.clear();
}

size_t ParkedRuns::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return runs_.size();
}

void ParkedRuns::DropOld(int64_t now_us, std::deque<std::shared_ptr<Run>>& dropped) {
  while (!order_.empty()) {
    const auto& [id, kept_us] = order_.front();
    auto it = runs_.find(id);
    bool stale = it == runs_.end() || it->second.kept_us != kept_us;
    bool old = now_us - kept_us >= kKeepUs || runs_.size() > kKept;
    if (!stale && !old) return;
    if (!stale) {
      dropped.push_back(std::move(it->second.run));
      runs_.erase(it);
    }
    order_.pop_front();
  }
}

}  // namespace keel
