// HttpClient against a real cpp-httplib server on 127.0.0.1, ephemeral port.
#include "io/http_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

namespace keel {
namespace {

HttpRequest Req(std::string url, int64_t total_timeout_ms = 0, int64_t idle_timeout_ms = 60'000) {
  HttpRequest r;
  r.url = std::move(url);
  r.total_timeout_ms = total_timeout_ms;
  r.idle_timeout_ms = idle_timeout_ms;
  return r;
}

int ThreadCount() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.new_task_queue = [] { return new httplib::ThreadPool(128); };
    server_.set_keep_alive_max_count(1000);
    // The packaged library listens with a backlog of 5, which drops the SYNs of
    // 100 simultaneous connects (a 1 s retransmit each); listen() again with room.
    server_.set_socket_options([this](int fd) {
      int yes = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));  // accepted sockets inherit it
      listen_fd_ = fd;
    });
    server_.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("X-Answer", "42");
      res.set_content("hello", "text/plain");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.status = 201;
      res.set_content(req.get_header_value("X-Tag") + ":" + req.body, "text/plain");
    });
    server_.Get("/drip", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/event-stream", [](size_t, httplib::DataSink& sink) {
        for (char c : std::string("data: abc\n\n")) sink.write(&c, 1);
        sink.done();
        return true;
      });
    });
    server_.Get("/cut", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        sink.write("partial", 7);
        return false;  // drops the connection before the final chunk
      });
    });
    server_.Get("/hang", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      ++hanging_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    server_.Post("/hang", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return released_; });
      res.set_content("late", "text/plain");
    });
    server_.Get("/barrier", [this](const httplib::Request&, httplib::Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      ++arrived_;
      cv_.notify_all();
      // Every request waits for all the others: only concurrent requests get through.
      cv_.wait(lock, [this] { return arrived_ >= barrier_ || released_; });
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    ::listen(listen_fd_, 1024);
    server_thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
    loop_->Start();
  }

  void TearDown() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      released_ = true;
    }
    cv_.notify_all();
    // Closing the client's idle connections first lets the server stop at once.
    loop_->Stop();
    client_.reset();
    loop_.reset();
    server_.stop();
    server_thread_.join();
  }

  std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  Result<HttpResponse> SendAndWait(HttpRequest request, HttpCallbacks callbacks = {}) {
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    auto future = promise->get_future();
    callbacks.on_done = [promise](Result<HttpResponse> r) { promise->set_value(std::move(r)); };
    client_->Send(std::move(request), std::move(callbacks));
    return future.get();
  }

  httplib::Server server_;
  std::thread server_thread_;
  int port_ = 0;
  int listen_fd_ = -1;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  int arrived_ = 0;
  int hanging_ = 0;  // GET /hang requests the server has received
  int barrier_ = 100;
  std::unique_ptr<EventLoop> loop_ = std::make_unique<EventLoop>(Clock::Real());
  std::unique_ptr<HttpClient> client_ = std::make_unique<HttpClient>(loop_.get());
};

TEST_F(HttpClientTest, ReturnsStatusHeadersBodyAndTimings) {
  auto r = SendAndWait(Req(Url("/hello")));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(r->Header("x-answer"), "42");
  EXPECT_GT(r->timings.total_us, 0);
  EXPECT_GE(r->timings.total_us, r->timings.first_byte_us);
}

TEST_F(HttpClientTest, SendsMethodHeadersAndBody) {
  HttpRequest req = Req(Url("/echo"));
  req.method = "POST";
  req.headers = {{"X-Tag", "t1"}};
  req.body = "payload";
  auto r = SendAndWait(req);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "t1:payload");
}

TEST_F(HttpClientTest, ReusesKeepAliveConnections) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(SendAndWait(Req(Url("/hello"))).ok());
  EXPECT_EQ(client_->connections_opened(), 1);
}

TEST_F(HttpClientTest, StreamsTheBodyInSmallChunks) {
  std::string streamed;
  int chunks = 0;
  int heads = 0;
  HttpCallbacks cb;
  cb.on_headers = [&](int status, const HttpHeaders& headers) {
    EXPECT_EQ(status, 200);
    EXPECT_TRUE(streamed.empty());  // before the first chunk
    ++heads;
    for (const auto& [name, value] : headers) {
      if (name == "content-type") EXPECT_EQ(value, "text/event-stream");
    }
    return true;
  };
  cb.on_data = [&](int status, std::string_view chunk) {
    EXPECT_EQ(status, 200);
    EXPECT_EQ(heads, 1);
    streamed.append(chunk);
    ++chunks;
    return true;
  };
  auto r = SendAndWait(Req(Url("/drip")), std::move(cb));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(streamed, "data: abc\n\n");
  EXPECT_TRUE(r->body.empty());
  EXPECT_GE(chunks, 1);
}

TEST_F(HttpClientTest, AbortingTheStreamCancels) {
  HttpCallbacks cb;
  cb.on_data = [](int, std::string_view) { return false; };
  auto r = SendAndWait(Req(Url("/drip")), std::move(cb));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "cancelled");
}

TEST_F(HttpClientTest, RefusingTheHeadersCancelsBeforeAnyChunk) {
  HttpCallbacks cb;
  cb.on_headers = [](int, const HttpHeaders&) { return false; };
  bool chunk = false;
  cb.on_data = [&](int, std::string_view) { return chunk = true; };
  auto r = SendAndWait(Req(Url("/drip")), std::move(cb));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "cancelled");
  EXPECT_FALSE(chunk);
}

TEST_F(HttpClientTest, ConnectionCutMidResponseIsDropped) {
  auto r = SendAndWait(Req(Url("/cut")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "connection_dropped") << r.error().ToString();
  EXPECT_TRUE(r.error().retryable());
}

TEST_F(HttpClientTest, TotalTimeoutFires) {
  auto r = SendAndWait(Req(Url("/hang"), 200));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "timeout");
  EXPECT_EQ(r.error().code(), StatusCode::kDeadlineExceeded);
}

TEST_F(HttpClientTest, IdleTimeoutFiresWhenNoByteArrives) {
  auto r = SendAndWait(Req(Url("/hang"), 0, 1000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "timeout");
}

TEST_F(HttpClientTest, IdleTimeoutIsNotHiddenByTheUploadedBody) {
  HttpRequest req = Req(Url("/hang"), 0, 1000);
  req.method = "POST";
  req.headers = {{"Content-Type", "application/octet-stream"}};
  req.body = std::string(20'000, 'x');
  auto start = std::chrono::steady_clock::now();
  auto r = SendAndWait(req);
  ASSERT_FALSE(r.ok()) << r->status;
  EXPECT_EQ(r.error().type(), "timeout");
  EXPECT_NE(r.error().message().find("no data for 1000 ms"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST_F(HttpClientTest, RefusedConnectionFails) {
  auto r = SendAndWait(Req("http://127.0.0.1:1/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().type(), "connection_failed");
}

TEST_F(HttpClientTest, HundredConcurrentRequestsAddNoThreads) {
  // Warm up: libcurl and the loop create what they need once.
  ASSERT_TRUE(SendAndWait(Req(Url("/hello"))).ok());
  int threads_before = ThreadCount();
  std::vector<std::future<Result<HttpResponse>>> futures;
  for (int i = 0; i < 100; ++i) {
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    futures.push_back(promise->get_future());
    HttpCallbacks cb;
    cb.on_done = [promise](Result<HttpResponse> r) { promise->set_value(std::move(r)); };
    client_->Send(Req(Url("/barrier")), std::move(cb));
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return arrived_ >= 100; });  // all 100 in flight at once
    EXPECT_EQ(ThreadCount(), threads_before);
  }
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_LE(client_->connections_opened(), 101);
}

TEST_F(HttpClientTest, RequestsBeyondTheActiveBoundWaitInTheQueue) {
  HttpClientOptions options;
  options.max_active_requests = 3;
  client_ = std::make_unique<HttpClient>(loop_.get(), options);
  // Once libcurl knows the server speaks HTTP/1.1 it opens a connection per
  // request instead of waiting to multiplex on the first one.
  ASSERT_TRUE(SendAndWait(Req(Url("/hello"))).ok());
  std::vector<std::future<Result<HttpResponse>>> futures;
  for (int i = 0; i < 10; ++i) {
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    futures.push_back(promise->get_future());
    HttpCallbacks cb;
    cb.on_done = [promise](Result<HttpResponse> r) { promise->set_value(std::move(r)); };
    client_->Send(Req(Url("/hang")), std::move(cb));
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Only the first three reach the server; the rest wait in keel's queue.
    EXPECT_FALSE(cv_.wait_for(lock, std::chrono::milliseconds(300),
                              [this] { return hanging_ > 3; }));
    EXPECT_EQ(hanging_, 3);
    released_ = true;
  }
  cv_.notify_all();
  for (auto& f : futures) {
    auto r = f.get();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body, "late");
  }
}

TEST_F(HttpClientTest, AHostAtItsBoundDoesNotHoldBackAnother) {
  HttpClientOptions options;
  options.max_active_requests = 2;
  client_ = std::make_unique<HttpClient>(loop_.get(), options);
  ASSERT_TRUE(SendAndWait(Req(Url("/hello"))).ok());
  std::vector<std::future<Result<HttpResponse>>> futures;
  for (int i = 0; i < 5; ++i) {
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    futures.push_back(promise->get_future());
    HttpCallbacks cb;
    cb.on_done = [promise](Result<HttpResponse> r) { promise->set_value(std::move(r)); };
    client_->Send(Req(Url("/hang")), std::move(cb));
  }
  // The same server under another name is another host, with its own bound.
  auto other = SendAndWait(Req("http://localhost:" + std::to_string(port_) + "/hello"));
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->body, "hello");
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(5), [this] { return hanging_ >= 2; });
    EXPECT_EQ(hanging_, 2);  // the first host still has only its bound at the server
    released_ = true;
  }
  cv_.notify_all();
  for (auto& f : futures) EXPECT_TRUE(f.get().ok());
}

}  // namespace
}  // namespace keel
