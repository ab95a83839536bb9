#include "routing/fallback_model.h"

#include <utility>

namespace keel {

bool ShouldFailOver(const Status& error) {
  if (error.retryable()) return true;
  switch (error.code()) {
    case StatusCode::kPermissionDenied:  // auth: this entry's key is refused
    case StatusCode::kNotFound:          // the model does not exist there
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

FallbackModel::FallbackModel(std::vector<FallbackEntry> entries,
                             const ModelBreakerSettings& breaker, Clock* clock)
    : clock_(clock) {
  BreakerPolicy breaker_policy;
  breaker_policy.failures = breaker.failures;
  breaker_policy.cooldown_ms = breaker.cooldown_ms;
  for (FallbackEntry& entry : entries) {
    if (!name_.empty()) name_ += " > ";
    name_ += entry.name;
    Entry made{std::move(entry.name), std::move(entry.model), std::move(entry.breaker)};
    if (!made.breaker && breaker.failures > 0) {
      made.breaker = std::make_shared<policy::CircuitBreaker>(breaker_policy);
    }
    entries_.push_back(std::move(made));
  }
}

policy::BreakerState FallbackModel::breaker_state(size_t i) const {
  const Entry& entry = entries_[i];
  return entry.breaker ? entry.breaker->state(clock_->MonotonicMicros())
                       : policy::BreakerState::kClosed;
}

// One call through a chain of two or more entries. The request is copied:
// a later entry may need it after the caller's copy is gone.
template <typename Request, typename Reply>
struct FallbackModel::Call {
  Request request;
  std::function<void(Result<Reply>)> done;
  Method<Request, Reply> method;
  std::vector<std::string> failed_over;
  std::string errors;  // "name: message; ..." for the final error
  Status last;
};

void FallbackModel::Generate(const ModelRequest& request, ModelCallback done) {
  Start<ModelRequest, ModelReply>(request, std::move(done), &Model::Generate);
}

void FallbackModel::Turn(const TurnRequest& request, TurnCallback done) {
  Start<TurnRequest, TurnReply>(request, std::move(done), &Model::Turn);
}

template <typename Request, typename Reply>
void FallbackModel::Start(const Request& request, std::function<void(Result<Reply>)> done,
                          Method<Request, Reply> method) {
  if (entries_.size() == 1) {
    // Nothing to fall back to: no copy of the request, only the breaker's bookkeeping.
    Entry& entry = entries_[0];
    if (!entry.breaker) {
      ((*entry.model).*method)(request, std::move(done));
      return;
    }
    policy::CircuitBreaker::Admission admission = entry.breaker->Admit(clock_->MonotonicMicros());
    if (!admission.allowed) {
      done(Status(StatusCode::kUnavailable,
                  "every entry of the tier failed: " + entry.name + ": circuit open",
                  "circuit_open", true));
      return;
    }
    ((*entry.model).*method)(
        request, [this, probe = admission.probe, done = std::move(done)](Result<Reply> reply) {
          policy::CircuitBreaker& breaker = *entries_[0].breaker;
          if (reply.ok() || !ShouldFailOver(reply.status())) {
            breaker.OnSuccess(probe);
          } else {
            breaker.OnFailure(probe, clock_->MonotonicMicros());
          }
          done(std::move(reply));
        });
    return;
  }
  auto call = std::make_shared<Call<Request, Reply>>();
  call->request = request;
  call->done = std::move(done);
  call->method = method;
  TryFrom(std::move(call), 0);
}

template <typename Request, typename Reply>
void FallbackModel::TryFrom(std::shared_ptr<Call<Request, Reply>> call, size_t index) {
  policy::CircuitBreaker::Admission admission;
  for (; index < entries_.size(); ++index) {
    Entry& entry = entries_[index];
    admission = entry.breaker ? entry.breaker->Admit(clock_->MonotonicMicros())
                              : policy::CircuitBreaker::Admission{};
    if (admission.allowed) break;
    call->failed_over.push_back(entry.name + ": circuit_open");
    call->errors += entry.name + ": circuit open; ";
    call->last = Status(StatusCode::kUnavailable, "", "circuit_open", true);
  }
  if (index == entries_.size()) {
    Status last = call->last;
    call->errors.resize(call->errors.size() - 2);  // the trailing "; "
    call->done(Status(last.code(), "every entry of the tier failed: " + call->errors, last.type(),
                      last.retryable()));
    return;
  }
  bool probe = admission.probe;
  Model& model = *entries_[index].model;
  (model.*(call->method))(call->request, [this, call, index, probe](Result<Reply> reply) {
    Entry& entry = entries_[index];
    if (reply.ok() || !ShouldFailOver(reply.status())) {
      if (entry.breaker) entry.breaker->OnSuccess(probe);
      if (reply.ok()) reply->failed_over = std::move(call->failed_over);
      call->done(std::move(reply));
      return;
    }
    if (entry.breaker) entry.breaker->OnFailure(probe, clock_->MonotonicMicros());
    call->failed_over.push_back(entry.name + ": " + reply.status().type());
    call->errors += entry.name + ": " + reply.status().message() + "; ";
    call->last = reply.status();
    TryFrom(call, index + 1);
  });
}

}  // namespace keel
