#include "io/event_loop.h"

#include <curl/curl.h>

#include <algorithm>

namespace keel {

EventLoop::EventLoop(Clock* clock) : clock_(clock) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  multi_ = curl_multi_init();
}

EventLoop::~EventLoop() {
  Stop();
  // Never started, or stopped: whatever is left is aborted here, on the only thread left.
  AbortTransfers();
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void EventLoop::Start() {
  if (running_.exchange(true)) return;
  thread_ = std::thread([this] {
    thread_id_ = std::this_thread::get_id();
    Loop();
  });
}

void EventLoop::Stop() {
  if (!running_.exchange(false)) return;
  curl_multi_wakeup(static_cast<CURLM*>(multi_));
  thread_.join();
  thread_id_ = std::thread::id();
}

void EventLoop::After(int64_t delay_us, std::function<void()> fn) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t due = clock_->MonotonicMicros() + delay_us;
    // Only an earlier deadline than the one the loop sleeps toward needs a wake-up.
    wake = timers_.empty() || due < timers_.top().due_us;
    timers_.push(Timer{due, next_order_++, std::move(fn)});
  }
  if (wake) curl_multi_wakeup(static_cast<CURLM*>(multi_));
}

void EventLoop::AddTransfer(void* easy, TransferDone done) {
  CURLMcode rc = curl_multi_add_handle(static_cast<CURLM*>(multi_), static_cast<CURL*>(easy));
  if (rc != CURLM_OK) {
    done(CURLE_FAILED_INIT);
    return;
  }
  transfers_.emplace(easy, std::move(done));
}

void EventLoop::RemoveTransfer(void* easy) {
  if (transfers_.erase(easy) == 0) return;
  curl_multi_remove_handle(static_cast<CURLM*>(multi_), static_cast<CURL*>(easy));
}

void EventLoop::DrainFinishedTransfers() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  int queued = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* easy = msg->easy_handle;
    CURLcode code = msg->data.result;  // read before removing: msg dies with the handle
    auto it = transfers_.find(easy);
    curl_multi_remove_handle(multi, easy);
    if (it == transfers_.end()) continue;
    TransferDone done = std::move(it->second);
    transfers_.erase(it);
    done(code);
  }
}

void EventLoop::AbortTransfers() {
  while (!transfers_.empty()) {
    auto it = transfers_.begin();
    void* easy = it->first;
    TransferDone done = std::move(it->second);
    transfers_.erase(it);
    curl_multi_remove_handle(static_cast<CURLM*>(multi_), static_cast<CURL*>(easy));
    done(CURLE_ABORTED_BY_CALLBACK);
  }
}

int64_t EventLoop::RunDueTimers() {
  std::vector<std::function<void()>> due;
  int64_t wait_us = -1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = clock_->MonotonicMicros();
    while (!timers_.empty() && timers_.top().due_us <= now) {
      due.push_back(std::move(const_cast<Timer&>(timers_.top()).fn));
      timers_.pop();
    }
    if (!timers_.empty()) wait_us = timers_.top().due_us - now;
  }
  for (auto& fn : due) fn();
  return due.empty() ? wait_us : 0;
}

void EventLoop::Loop() {
  CURLM* multi = static_cast<CURLM*>(multi_);
  while (running_.load()) {
    int64_t wait_us = RunDueTimers();
    int still_running = 0;
    if (!transfers_.empty()) {
      curl_multi_perform(multi, &still_running);
      DrainFinishedTransfers();
    }
    if (wait_us == 0) continue;
    // Sleep until the next timer (at most 1 s), a socket event, curl's own
    // timeout (curl_multi_poll takes the shorter one) or a wake-up.
    int timeout_ms =
        wait_us < 0 ? 1000 : static_cast<int>(std::min<int64_t>(1000, (wait_us + 999) / 1000));
    curl_multi_poll(multi, nullptr, 0, timeout_ms, nullptr);
  }
  AbortTransfers();
}

}  // namespace keel
