#include "providers/provider_error.h"

#include <curl/curl.h>

#include <charconv>

namespace keel {

Status ProviderError(std::string_view type, std::string message) {
  StatusCode code = StatusCode::kUnknown;
  bool retryable = false;
  if (type == kErrorAuth) {
    code = StatusCode::kPermissionDenied;
  } else if (type == kErrorModelNotFound) {
    code = StatusCode::kNotFound;
  } else if (type == kErrorRateLimited) {
    code = StatusCode::kResourceExhausted, retryable = true;
  } else if (type == kErrorOverloaded || type == kErrorServer || type == kErrorConnectionDropped) {
    code = StatusCode::kUnavailable, retryable = true;
  } else if (type == kErrorTimeout) {
    code = StatusCode::kDeadlineExceeded, retryable = true;
  } else if (type == kErrorMalformed) {
    // A garbled or cut body is usually a transient fault of the path, not of the request.
    code = StatusCode::kDataLoss, retryable = true;
  } else if (type == kErrorRefused) {
    code = StatusCode::kFailedPrecondition;
  } else if (type == kErrorInvalidRequest) {
    code = StatusCode::kInvalidArgument;
  }
  return Status(code, std::move(message), std::string(type), retryable);
}

Status ErrorFromHttpStatus(int status, std::string_view provider, std::string provider_message,
                           std::string_view retry_after) {
  std::string prefix = std::string(provider) + ": HTTP " + std::to_string(status);
  if (status == 401 || status == 403) {
    // Providers quote the key they were given in this message; do not repeat it.
    return ProviderError(kErrorAuth, prefix + ": authentication failed (check the API key)");
  }
  std::string message = provider_message.empty() ? prefix : prefix + ": " + provider_message;
  if (status == 404) return ProviderError(kErrorModelNotFound, message);
  if (status == 408) return ProviderError(kErrorTimeout, message);
  if (status == 429) {
    Status s = ProviderError(kErrorRateLimited, message);
    auto after = ParseRetryAfter(retry_after, static_cast<int64_t>(time(nullptr)));
    if (after) s.set_retry_after_s(*after);
    return s;
  }
  if (status == 503 || status == 529) return ProviderError(kErrorOverloaded, message);
  if (status >= 500) return ProviderError(kErrorServer, message);
  return ProviderError(kErrorInvalidRequest, message);
}

Status ErrorFromTransport(const Status& transport, std::string_view provider) {
  std::string message = std::string(provider) + ": " + transport.message();
  const std::string type = transport.type();
  if (type == "timeout") return ProviderError(kErrorTimeout, message);
  if (type == "connection_failed" || type == "connection_dropped") {
    return ProviderError(kErrorConnectionDropped, message);
  }
  Status s(transport.code(), message, type, transport.retryable());
  return s;
}

std::optional<double> ParseRetryAfter(std::string_view value, int64_t now_unix_s) {
  if (value.empty()) return std::nullopt;
  double seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    return seconds < 0 ? 0 : seconds;
  }
  // An HTTP date; libcurl already parses every format RFC 9110 allows.
  time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  return when > now_unix_s ? static_cast<double>(when - now_unix_s) : 0.0;
}

std::string RedactSecret(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at)) {
    text.replace(at, secret.size(), "[redacted]");
  }
  return text;
}

}  // namespace keel
