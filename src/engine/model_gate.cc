#include "engine/model_gate.h"

#include <utility>

namespace keel {

void ModelGate::Enter(std::function<void()> start) {
  if (limit_ > 0) {
    std::lock_guard<std::mutex> lock(mu_);
    if (out_ >= limit_) {
      waiting_.push_back(std::move(start));
      return;
    }
    ++out_;
  }
  start();
}

void ModelGate::Leave() {
  if (limit_ <= 0) return;
  std::function<void()> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_.empty()) {
      --out_;
      return;
    }
    next = std::move(waiting_.front());  // the slot passes on
    waiting_.pop_front();
  }
  next();
}

size_t ModelGate::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

}  // namespace keel
