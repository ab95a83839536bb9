#include "cli/cli_support.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace keel {

int ReportError(const Status& status) {
  std::fprintf(stderr, "keel: %s\n", status.message().c_str());
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kDataLoss:
    case StatusCode::kUnavailable:
    case StatusCode::kNotFound:
    case StatusCode::kFailedPrecondition:
      return kExitInvalid;
    default:
      return kExitRunFailed;
  }
}

int ExitCodeFor(RunStatus status) {
  switch (status) {
    case RunStatus::kSucceeded: return kExitOk;
    case RunStatus::kParked:
    case RunStatus::kPending: return kExitParked;
    case RunStatus::kEscalated: return kExitParked;
    default: return kExitRunFailed;
  }
}

Result<Json> ParseInputArgument(const std::string& text) {
  std::string body = text;
  std::string where = "--input";
  if (!text.empty() && text[0] == '@') {
    std::ifstream in(text.substr(1));
    if (!in) return InvalidArgument(text.substr(1) + ": cannot read input file");
    std::stringstream ss;
    ss << in.rdbuf();
    body = ss.str();
    where = text.substr(1);
  }
  try {
    return Json::parse(body);
  } catch (const Json::parse_error& e) {
    return InvalidArgument(where + ": invalid JSON at byte " + std::to_string(e.byte) + ": " +
                           e.what());
  }
}

Result<int64_t> ParseDuration(const std::string& text) {
  if (text.size() < 2) return InvalidArgument("duration '" + text + "': expected e.g. 30d");
  char unit = text.back();
  int64_t n = 0;
  try {
    n = std::stoll(text.substr(0, text.size() - 1));
  } catch (...) {
    return InvalidArgument("duration '" + text + "': expected a number before the unit");
  }
  int64_t per = unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : unit == 's' ? 1 : 0;
  if (per == 0 || n < 0) return InvalidArgument("duration '" + text + "': unit must be d, h, m or s");
  return n * per * 1'000'000;
}

std::string FormatTime(int64_t us) {
  std::time_t t = us / 1'000'000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

RunWaiter::RunWaiter(Engine& engine) {
  engine.SetListener([this](const RunOutcome& outcome) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      outcomes_[outcome.run_id] = outcome;
    }
    cv_.notify_all();
  });
}

RunOutcome RunWaiter::Wait(const std::string& run_id) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return outcomes_.count(run_id) > 0; });
  return outcomes_[run_id];
}

void RunWaiter::Forget(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  outcomes_.erase(run_id);
}

}  // namespace keel
