// Test support for providers: the protocol test server on loopback, an event
// loop and HTTP client, timers that record each backoff and fire at once (so
// retry tests never wait), and a blocking Chat() for test bodies.
#ifndef KEEL_PROVIDERS_PROVIDER_TEST_UTIL_H_
#define KEEL_PROVIDERS_PROVIDER_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include "io/event_loop.h"
#include "io/http_client.h"
#include "model_server.h"
#include "providers/chat_model.h"
#include "providers/provider_config.h"

namespace keel {

// Records every requested delay, then runs the callback on the loop now.
class RecordingTimers : public TimerService {
 public:
  explicit RecordingTimers(EventLoop* loop) : loop_(loop) {}
  void After(int64_t delay_us, std::function<void()> fn) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      delays_us_.push_back(delay_us);
    }
    loop_->Post(std::move(fn));
  }
  std::vector<int64_t> delays_us() const {
    std::lock_guard<std::mutex> lock(mu_);
    return delays_us_;
  }

 private:
  EventLoop* loop_;
  mutable std::mutex mu_;
  std::vector<int64_t> delays_us_;
};

// Calls `model` and waits for its answer (tests only: a provider call never blocks).
inline Result<ChatReply> CallSync(ChatModel& model, ChatRequest request) {
  auto promise = std::make_shared<std::promise<Result<ChatReply>>>();
  auto future = promise->get_future();
  model.Chat(std::move(request),
             [promise](Result<ChatReply> r) { promise->set_value(std::move(r)); });
  return future.get();
}

// One agent turn through `model`, waited for.
inline Result<TurnReply> TurnSync(Model& model, const TurnRequest& request) {
  auto promise = std::make_shared<std::promise<Result<TurnReply>>>();
  auto future = promise->get_future();
  model.Turn(request, [promise](Result<TurnReply> r) { promise->set_value(std::move(r)); });
  return future.get();
}

class ProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ModelServerOptions options;
    options.api_key = kKey;
    server_ = std::make_unique<ModelTestServer>(options);
    ASSERT_TRUE(server_->Start().ok());
    loop_->Start();
  }
  void TearDown() override {
    loop_->Stop();
    http_.reset();
    loop_.reset();
    server_.reset();
  }

  ProviderConfig Config(const std::string& path_suffix = "") {
    ProviderConfig c;
    c.base_url = server_->base_url() + path_suffix;
    c.api_key = kKey;
    c.retry.initial_backoff_ms = 100;
    return c;
  }
  ProviderDeps Deps() {
    ProviderDeps d;
    d.http = http_.get();
    d.timers = &timers_;
    d.clock = Clock::Real();
    d.uniform01 = [] { return 0.5; };
    return d;
  }

  static Result<ChatReply> Call(ChatModel& model, ChatRequest request) {
    return CallSync(model, std::move(request));
  }

  static constexpr const char* kKey = "sk-test-secret-4242";
  std::unique_ptr<ModelTestServer> server_;
  std::unique_ptr<EventLoop> loop_ = std::make_unique<EventLoop>(Clock::Real());
  std::unique_ptr<HttpClient> http_ = std::make_unique<HttpClient>(loop_.get());
  RecordingTimers timers_{loop_.get()};
};

inline ChatTool WeatherTool() {
  return {"get_weather", "Current weather for a city",
          Json::parse(R"({"type": "object", "properties": {"city": {"type": "string"},
                          "days": {"type": "integer"}}, "required": ["city", "days"]})")};
}

}  // namespace keel

#endif  // KEEL_PROVIDERS_PROVIDER_TEST_UTIL_H_
