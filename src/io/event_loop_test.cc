#include "io/event_loop.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <string>

namespace keel {
namespace {

TEST(EventLoopTest, RunsPostedWorkOnTheLoopThread) {
  EventLoop loop(Clock::Real());
  loop.Start();
  std::promise<bool> on_loop;
  loop.Post([&] { on_loop.set_value(loop.InLoopThread()); });
  EXPECT_TRUE(on_loop.get_future().get());
  EXPECT_FALSE(loop.InLoopThread());
}

TEST(EventLoopTest, CompletesAFailedTransferThroughInfoRead) {
  EventLoop loop(Clock::Real());
  loop.Start();
  CURL* easy = curl_easy_init();
  // Port 1 on loopback refuses at once: a transfer that ends without a server.
  curl_easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:1/");
  std::promise<int> done;
  loop.Post([&] { loop.AddTransfer(easy, [&](int code) { done.set_value(code); }); });
  EXPECT_EQ(done.get_future().get(), CURLE_COULDNT_CONNECT);
  loop.Stop();
  EXPECT_EQ(loop.active_transfers(), 0u);
  curl_easy_cleanup(easy);
}

// A loopback socket that listens but never accepts: the kernel completes the
// connect, and the request then waits for an answer that never comes.
int SilentListener(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), len);
  listen(fd, 4);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *port = ntohs(addr.sin_port);
  return fd;
}

TEST(EventLoopTest, StopAbortsUnfinishedTransfers) {
  EventLoop loop(Clock::Real());
  int port = 0;
  int listener = SilentListener(&port);
  ASSERT_GT(port, 0);
  CURL* easy = curl_easy_init();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  int code = -1;
  std::promise<void> added;
  loop.Start();
  loop.Post([&] {
    loop.AddTransfer(easy, [&](int c) { code = c; });
    added.set_value();
  });
  added.get_future().get();
  loop.Stop();
  EXPECT_EQ(code, CURLE_ABORTED_BY_CALLBACK);
  curl_easy_cleanup(easy);
  close(listener);
}

}  // namespace
}  // namespace keel
