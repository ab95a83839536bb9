// HttpClient: asynchronous HTTP(S) on keel's EventLoop (libcurl multi). A
// request holds no thread while it waits: Send() posts it to the loop, the
// loop drives every transfer, and callbacks run on the loop thread (they must
// be quick and must not block).
//
// Transport: TLS verified against the system CA store; proxies taken from
// the environment (http_proxy, https_proxy, no_proxy: libcurl's defaults,
// which this client leaves on); keep-alive connections are reused across
// requests and HTTP/2 streams are multiplexed on one connection
// (CURLPIPE_MULTIPLEX). Connections per host and in total are bounded; a
// request over the bound waits in a queue of its host, not on a thread.
//
// One HttpClient per EventLoop: the connection limits are options of the
// loop's shared multi handle.
//
// Thread-safe: Send() and the counters may be called from any thread. The
// client must outlive the loop's processing of its requests (destroy it
// after EventLoop::Stop()).
#ifndef KEEL_IO_HTTP_CLIENT_H_
#define KEEL_IO_HTTP_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "io/event_loop.h"

namespace keel {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::string body;
  int64_t connect_timeout_ms = 10'000;
  // Fails the request when no byte of the response arrives for this long
  // (checked about once a second, so it fires up to ~1 s late). 0: off.
  int64_t idle_timeout_ms = 60'000;
  int64_t total_timeout_ms = 0;  // whole request; 0: none
  // Wait for a connection still being set up to the same host, in case it
  // can multiplex (HTTP/2), rather than open another. Off for a client that
  // keeps a long stream open: libcurl may hold later requests behind a stream
  // whose response has not started.
  bool wait_to_multiplex = true;
};

// Microseconds from the start of the request (libcurl's CURLINFO_*_TIME_T).
struct HttpTimings {
  int64_t connect_us = 0;
  int64_t tls_us = 0;
  int64_t first_byte_us = 0;
  int64_t total_us = 0;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names lower-cased, in arrival order
  std::string body;     // empty when the request streamed it to on_data
  HttpTimings timings;
  // The first header named `name` (lower case), or "" when absent.
  std::string_view Header(std::string_view name) const;
};

struct HttpCallbacks {
  // Optional, for streaming requests: called once with the status and the
  // headers of the final response before its first body chunk, so a caller
  // can tell an event stream from a JSON body or read a session header before
  // any event. Not called for an empty body (on_done has the headers then).
  // Return false to abort the transfer (type "cancelled").
  std::function<bool(int status, const HttpHeaders& headers)> on_headers;
  // Optional streaming: each body chunk as it arrives, with the response
  // status. Return false to abort the transfer (it then ends with a
  // "cancelled" error). When set, HttpResponse::body stays empty.
  std::function<bool(int status, std::string_view chunk)> on_data;
  // Called exactly once. Transport failures are Status values whose type is
  // one of: "timeout" (connect, idle or total), "connection_failed" (refused,
  // DNS), "connection_dropped" (reset or cut mid-response), "tls",
  // "cancelled", "http_error" (anything else). HTTP error statuses (4xx, 5xx)
  // are responses, not failures.
  std::function<void(Result<HttpResponse>)> on_done;
};

struct HttpClientOptions {
  int64_t max_host_connections = 1000;
  int64_t max_total_connections = 4000;
  // Requests to one host (scheme, name and port) handed to libcurl at once;
  // the rest wait in that host's plain queue, so a busy host never holds
  // back another. A request libcurl holds costs a transfer handle with its
  // buffers (~20 KB), a queued one only itself. 0: max_host_connections.
  int64_t max_active_requests = 0;
  // libcurl's receive buffer per request handed to it (its default is
  // 16 KB). Model and API answers are mostly a few KB; a larger one just
  // arrives in more pieces.
  int64_t receive_buffer_bytes = 16 * 1024;
  std::string user_agent = "keel/0.1";
};

class HttpClient {
 public:
  // `loop` must be started (or started before the first request is due).
  HttpClient(EventLoop* loop, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts a request; never blocks. `callbacks.on_done` runs exactly once
  // (a request still queued when the loop stops is dropped unanswered).
  void Send(HttpRequest request, HttpCallbacks callbacks);
  // The same for a request the caller keeps too (to send it again on a
  // retry): the client shares it instead of copying its body.
  void Send(std::shared_ptr<const HttpRequest> request, HttpCallbacks callbacks);

  // Connections opened so far (the sum of CURLINFO_NUM_CONNECTS), so a
  // benchmark can prove keep-alive reuse.
  int64_t connections_opened() const { return connections_opened_.load(); }
  // Requests answered or failed so far (each attempt counts once).
  int64_t requests_done() const { return requests_done_.load(); }

  struct Transfer;  // one request in flight; defined and used only in the .cc

 private:
  void Start(std::unique_ptr<Transfer> transfer);  // loop thread
  void Finish(Transfer* transfer, int curl_code);  // loop thread
  void* AcquireEasy();                             // loop thread
  void ReleaseEasy(void* easy);                    // loop thread

  EventLoop* loop_;
  HttpClientOptions options_;
  std::atomic<int64_t> connections_opened_{0};
  std::atomic<int64_t> requests_done_{0};
  // Requests to one host: those handed to libcurl and those waiting.
  struct HostQueue {
    int64_t active = 0;
    std::deque<std::unique_ptr<Transfer>> waiting;
  };

  // Loop thread only.
  std::vector<void*> idle_easy_;                      // reset handles kept for reuse
  std::unordered_map<std::string, HostQueue> hosts_;  // by "scheme://host:port"; idle ones erased
};

}  // namespace keel

#endif  // KEEL_IO_HTTP_CLIENT_H_
