#include "io/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace keel {

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

// One request in flight. Owned by the loop from Start() to Finish().
struct HttpClient::Transfer {
  std::shared_ptr<const HttpRequest> request;
  std::string host;  // the HostQueue it counts in
  HttpCallbacks callbacks;
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpResponse response;
  bool aborted_by_caller = false;
  bool headers_seen = false;  // on_headers has run
  bool idle_timed_out = false;
  int64_t last_byte_us = 0;  // steady clock: when the last response byte (or the start) was seen
};

namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<HttpClient::Transfer*>(user);
  size_t n = size * count;
  t->last_byte_us = SteadyMicros();
  if (!t->callbacks.on_data) {
    t->response.body.append(data, n);
    return n;
  }
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  if (!t->headers_seen && t->callbacks.on_headers) {
    t->headers_seen = true;
    if (!t->callbacks.on_headers(static_cast<int>(status), t->response.headers)) {
      t->aborted_by_caller = true;
      return 0;
    }
  }
  if (!t->callbacks.on_data(static_cast<int>(status), std::string_view(data, n))) {
    t->aborted_by_caller = true;
    return 0;  // tells libcurl to abort (CURLE_WRITE_ERROR)
  }
  return n;
}

// libcurl calls this at least about once a second, even while nothing
// arrives. Its own low-speed limit is no substitute: it averages upload and
// download over several seconds, so a POST's body hides a silent server.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<HttpClient::Transfer*>(user);
  if (SteadyMicros() - t->last_byte_us <= t->request->idle_timeout_ms * 1000) return 0;
  t->idle_timed_out = true;
  return 1;  // aborts the transfer
}

// "scheme://authority" of `url`: what libcurl's per-host connection cap
// counts by (user info, when present, makes a distinct key; harmless).
std::string HostOf(const std::string& url) {
  size_t scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(0, end);
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<HttpClient::Transfer*>(user);
  size_t n = size * count;
  t->last_byte_us = SteadyMicros();
  std::string_view line(data, n);
  if (line.rfind("HTTP/", 0) == 0) {
    t->response.headers.clear();  // a new response (after 1xx or a redirect)
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  t->response.headers.emplace_back(std::move(name), Trim(line.substr(colon + 1)));
  return n;
}

Status TransportError(CURLcode code, const HttpRequest& request) {
  // The URL is safe to name (keys travel in headers, never in URLs we build).
  std::string what =
      std::string(curl_easy_strerror(code)) + " (" + request.method + " " + request.url + ")";
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return Status(StatusCode::kDeadlineExceeded, "timed out: " + what, "timeout", true);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Status(StatusCode::kUnavailable, "cannot connect: " + what, "connection_failed", true);
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Status(StatusCode::kUnavailable, "connection dropped: " + what, "connection_dropped",
                    true);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return Status(StatusCode::kUnavailable, "TLS failure: " + what, "tls", false);
    case CURLE_ABORTED_BY_CALLBACK:
      return Status(StatusCode::kCancelled, "cancelled: " + what, "cancelled", false);
    default:
      return Status(StatusCode::kUnknown, "HTTP failure: " + what, "http_error", false);
  }
}

}  // namespace

HttpClient::HttpClient(EventLoop* loop, HttpClientOptions options)
    : loop_(loop), options_(std::move(options)) {
  if (options_.max_active_requests <= 0) {
    options_.max_active_requests = options_.max_host_connections;
  }
  // Multi options are set on the loop thread; any Send() posted later runs after this.
  loop_->Post([multi = static_cast<CURLM*>(loop_->multi_handle()), o = options_] {
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(o.max_host_connections));
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                      static_cast<long>(o.max_total_connections));
    // The keep-alive cache must hold every connection we allow, or reuse suffers.
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(o.max_total_connections));
  });
}

HttpClient::~HttpClient() {
  for (void* easy : idle_easy_) curl_easy_cleanup(static_cast<CURL*>(easy));
}

void HttpClient::Send(HttpRequest request, HttpCallbacks callbacks) {
  Send(std::make_shared<const HttpRequest>(std::move(request)), std::move(callbacks));
}

void HttpClient::Send(std::shared_ptr<const HttpRequest> request, HttpCallbacks callbacks) {
  auto transfer = std::make_unique<Transfer>();
  transfer->host = HostOf(request->url);
  transfer->request = std::move(request);
  transfer->callbacks = std::move(callbacks);
  // std::function needs a copyable callable; the shared holder also frees
  // the transfer if the loop stops before running it.
  auto holder = std::make_shared<std::unique_ptr<Transfer>>(std::move(transfer));
  loop_->Post([this, holder] { Start(std::move(*holder)); });
}

void* HttpClient::AcquireEasy() {
  if (idle_easy_.empty()) return curl_easy_init();
  void* easy = idle_easy_.back();
  idle_easy_.pop_back();
  return easy;
}

void HttpClient::ReleaseEasy(void* easy) {
  // curl_easy_reset keeps the handle's allocations; connections live in the
  // multi's cache. The pool holds at most as many handles as were ever
  // active at once (max_active_requests per busy host).
  curl_easy_reset(static_cast<CURL*>(easy));
  idle_easy_.push_back(easy);
}

void HttpClient::Start(std::unique_ptr<Transfer> transfer) {
  HostQueue& host = hosts_[transfer->host];
  if (host.active >= options_.max_active_requests) {
    host.waiting.push_back(std::move(transfer));
    return;
  }
  ++host.active;
  Transfer* t = transfer.get();
  const HttpRequest& r = *t->request;
  t->easy = static_cast<CURL*>(AcquireEasy());
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  if (r.method == "HEAD") curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  }
  for (const auto& [name, value] : r.headers) {
    t->header_list = curl_slist_append(t->header_list, (name + ": " + value).c_str());
  }
  // libcurl adds "Expect: 100-continue" to large POSTs, costing a round trip.
  t->header_list = curl_slist_append(t->header_list, "Expect:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list);
  curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, static_cast<long>(options_.receive_buffer_bytes));
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);  // h2 over TLS, 1.1 in clear
  // Prefer waiting to multiplex over a new connection.
  curl_easy_setopt(e, CURLOPT_PIPEWAIT, r.wait_to_multiplex ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // any encoding libcurl can decode
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(r.connect_timeout_ms));
  if (r.total_timeout_ms > 0) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.total_timeout_ms));
  }
  if (r.idle_timeout_ms > 0) {
    t->last_byte_us = SteadyMicros();
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, OnProgress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, t);
  }
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
  transfer.release();  // owned by the loop until Finish()
  loop_->AddTransfer(e, [this, t](int code) { Finish(t, code); });
}

void HttpClient::Finish(Transfer* raw, int curl_code) {
  std::unique_ptr<Transfer> t(raw);
  CURL* e = t->easy;
  long connects = 0;
  curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &connects);
  connections_opened_ += connects;
  ++requests_done_;
  CURLcode code = static_cast<CURLcode>(curl_code);
  if (t->aborted_by_caller) code = CURLE_ABORTED_BY_CALLBACK;
  if (code == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    t->response.status = static_cast<int>(status);
    curl_off_t v = 0;
    HttpTimings& tm = t->response.timings;
    if (curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &v) == CURLE_OK) tm.connect_us = v;
    if (curl_easy_getinfo(e, CURLINFO_APPCONNECT_TIME_T, &v) == CURLE_OK) tm.tls_us = v;
    if (curl_easy_getinfo(e, CURLINFO_STARTTRANSFER_TIME_T, &v) == CURLE_OK) tm.first_byte_us = v;
    if (curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &v) == CURLE_OK) tm.total_us = v;
  }
  curl_slist_free_all(t->header_list);
  ReleaseEasy(e);
  auto host = hosts_.find(t->host);
  --host->second.active;
  if (!host->second.waiting.empty()) {
    std::unique_ptr<Transfer> next = std::move(host->second.waiting.front());
    host->second.waiting.pop_front();
    Start(std::move(next));
  } else if (host->second.active == 0) {
    hosts_.erase(host);
  }
  auto done = std::move(t->callbacks.on_done);
  if (code == CURLE_OK) {
    done(std::move(t->response));
  } else if (t->idle_timed_out) {
    done(Status(StatusCode::kDeadlineExceeded,
                "timed out: no data for " + std::to_string(t->request->idle_timeout_ms) + " ms (" +
                    t->request->method + " " + t->request->url + ")",
                "timeout", true));
  } else {
    done(TransportError(code, *t->request));
  }
}

}  // namespace keel
