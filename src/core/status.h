// Status and Result<T>: the value types every fallible keel call returns.
//
// A Status carries a canonical code, a human message, a machine `type` string
// (e.g. "not_found", "schema_violation") and whether retrying may help.
// Result<T> holds either a T or a non-OK Status; its surface mirrors
// std::expected so it can become one when the toolchain has it.
// Both are plain values: thread-compatible, not internally synchronized.
#ifndef KEEL_CORE_STATUS_H_
#define KEEL_CORE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace keel {

enum class StatusCode {
  kOk,
  kCancelled,
  kUnknown,
  kInvalidArgument,
  kDeadlineExceeded,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kResourceExhausted,
  kFailedPrecondition,
  kAborted,
  kUnavailable,
  kInternal,
  kDataLoss,
};

// Canonical lower_snake name of a code, e.g. "invalid_argument".
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message, std::string type = "", bool retryable = false)
      : code_(code), message_(std::move(message)), type_(std::move(type)), retryable_(retryable) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Machine-readable kind; defaults to the code's name when not set.
  std::string type() const { return type_.empty() ? StatusCodeName(code_) : type_; }
  bool retryable() const { return retryable_; }
  // Seconds the callee asked us to wait before retrying, when it said.
  std::optional<double> retry_after_s() const { return retry_after_s_; }
  Status& set_retry_after_s(double s) {
    retry_after_s_ = s;
    return *this;
  }
  // Prefixes the message with context, e.g. "workflows/a.yaml:3:5: ".
  Status WithContext(const std::string& context) const;

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string type_;
  bool retryable_ = false;
  std::optional<double> retry_after_s_;
};

inline Status InvalidArgument(std::string msg) {
  return Status(StatusCode::kInvalidArgument, std::move(msg));
}
inline Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
inline Status FailedPrecondition(std::string msg) {
  return Status(StatusCode::kFailedPrecondition, std::move(msg));
}
inline Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }
inline Status Unavailable(std::string msg) {
  return Status(StatusCode::kUnavailable, std::move(msg), "", true);
}
inline Status Aborted(std::string msg) { return Status(StatusCode::kAborted, std::move(msg)); }
inline Status AlreadyExists(std::string msg) {
  return Status(StatusCode::kAlreadyExists, std::move(msg));
}
inline Status DeadlineExceeded(std::string msg) {
  return Status(StatusCode::kDeadlineExceeded, std::move(msg), "", true);
}

// Either a T or an error Status (never an OK status).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit like std::expected
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    // An OK status carries no value; constructing a Result from one is a bug.
    assert(!std::get<Status>(v_).ok());
  }

  bool has_value() const { return v_.index() == 0; }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; OK when a value is held.
  Status status() const { return has_value() ? Status() : std::get<1>(v_); }
  const Status& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace keel

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define KEEL_RETURN_IF_ERROR(expr)            \
  do {                                        \
    ::keel::Status keel_status_ = (expr);     \
    if (!keel_status_.ok()) return keel_status_; \
  } while (0)

#endif  // KEEL_CORE_STATUS_H_
