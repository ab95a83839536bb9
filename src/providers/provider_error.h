// The one error taxonomy of model providers. Every failed Chat() call ends
// with a Status whose type() is one of the kError* words below, whose
// retryable() says whether trying again may help and, for rate limits, whose
// retry_after_s() is the wait the provider asked for.
//
// Messages never carry an API key: provider text is passed through
// RedactSecret(), and a 401's text is not repeated at all.
//
// Thread-safe: pure functions.
#ifndef KEEL_PROVIDERS_PROVIDER_ERROR_H_
#define KEEL_PROVIDERS_PROVIDER_ERROR_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace keel {

inline constexpr const char* kErrorAuth = "auth";                      // 401, 403
inline constexpr const char* kErrorModelNotFound = "model_not_found";  // 404
inline constexpr const char* kErrorRateLimited = "rate_limited";       // 429 (retryable)
inline constexpr const char* kErrorOverloaded = "overloaded";          // 503, 529 (retryable)
inline constexpr const char* kErrorServer = "server_error";            // other 5xx (retryable)
inline constexpr const char* kErrorTimeout = "timeout";                // (retryable)
inline constexpr const char* kErrorConnectionDropped = "connection_dropped";  // (retryable)
inline constexpr const char* kErrorMalformed = "malformed_response";    // invalid or truncated
inline constexpr const char* kErrorRefused = "refused";                 // the model declined
inline constexpr const char* kErrorInvalidRequest = "invalid_request";  // other 4xx

// A provider error of `type` with its canonical code and retryability.
Status ProviderError(std::string_view type, std::string message);

// Maps an HTTP error status. `provider_message` is the provider's own text
// (already redacted); `retry_after` the Retry-After header value, if any.
Status ErrorFromHttpStatus(int status, std::string_view provider, std::string provider_message,
                           std::string_view retry_after);

// Maps an HttpClient transport failure (timeout, connection_failed, ...).
Status ErrorFromTransport(const Status& transport, std::string_view provider);

// Seconds from a Retry-After value (delta-seconds or an HTTP date, relative
// to `now_unix_s`); nullopt when absent or unreadable.
std::optional<double> ParseRetryAfter(std::string_view value, int64_t now_unix_s);

// `text` with every occurrence of `secret` (when non-empty) replaced by "[redacted]".
std::string RedactSecret(std::string text, const std::string& secret);

}  // namespace keel

#endif  // KEEL_PROVIDERS_PROVIDER_ERROR_H_
