// Test helpers: a temporary directory of small executable scripts, and a
// waiter for asynchronous tool results. For tests only.
//
// Thread-safety: ScriptDir is not thread-safe; ResultWaiter is.
#ifndef KEEL_CONNECTORS_TESTING_SCRIPT_DIR_H_
#define KEEL_CONNECTORS_TESTING_SCRIPT_DIR_H_

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"

namespace keel::testing {

class ScriptDir {
 public:
  ScriptDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "keel_conn_XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScriptDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

  // Writes an executable /bin/sh script and returns its path.
  std::string Script(const std::string& name, const std::string& body) {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << "#!/bin/sh\n" << body << "\n";
    chmod(file.c_str(), 0755);
    return file;
  }

 private:
  std::string path_;
};

// Collects results of asynchronous calls; Wait() blocks (without sleeping a
// fixed time) until `count` have arrived or the real-time limit passes.
template <typename T>
class Waiter {
 public:
  void Add(T value) {
    std::lock_guard<std::mutex> lock(mu_);
    values_.push_back(std::move(value));
    cv_.notify_all();
  }
  auto Callback() {
    return [this](T value) { Add(std::move(value)); };
  }
  bool Wait(size_t count = 1, std::chrono::seconds limit = std::chrono::seconds(30)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return values_.size() >= count; });
  }
  size_t size() {
    std::lock_guard<std::mutex> lock(mu_);
    return values_.size();
  }
  // Valid once Wait() returned true for an index beyond `i`.
  T& at(size_t i) {
    std::lock_guard<std::mutex> lock(mu_);
    return values_.at(i);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> values_;  // references stay valid as values arrive
};

using ResultWaiter = Waiter<Result<Json>>;

inline size_t ThreadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry :
       std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

}  // namespace keel::testing

#endif  // KEEL_CONNECTORS_TESTING_SCRIPT_DIR_H_
