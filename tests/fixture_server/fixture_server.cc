#include "fixture_server.h"

#include <httplib.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace keel::testing {

namespace fs = std::filesystem;

struct FixtureServer::Impl {
  std::string root;
  httplib::Server server;
  std::atomic<int> requests{0};
};

namespace {

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A status file in `dir` overrides every answer from it.
bool ForcedStatus(const fs::path& dir, httplib::Response& res) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind("_status_", 0) != 0) continue;
    res.status = std::atoi(name.c_str() + 8);
    res.set_content(ReadFile(it->path()), "application/json");
    return true;
  }
  return false;
}

void Serve(const std::string& root, const httplib::Request& req, httplib::Response& res) {
  fs::path dir = fs::path(root) / fs::path(req.path).relative_path();
  // Only names below the root: a ".." segment would leave it.
  if (req.path.find("..") != std::string::npos) {
    res.status = 400;
    return;
  }
  if (ForcedStatus(dir, res)) return;
  std::vector<fs::path> candidates;
  if (!req.params.empty()) candidates.push_back(dir / (Slug(req.params.begin()->second) + ".json"));
  candidates.push_back(dir / "_default.json");
  for (const fs::path& file : candidates) {
    if (fs::is_regular_file(file)) {
      res.set_content(ReadFile(file), "application/json");
      return;
    }
  }
  res.status = 404;
  res.set_content(R"({"error": "not_found", "message": "no fixture for )" + req.path + R"("})",
                  "application/json");
}

}  // namespace

std::string Slug(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      out.push_back(static_cast<char>(std::tolower(c)));
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

FixtureServer::FixtureServer(std::string root) : impl_(std::make_unique<Impl>()) {
  impl_->root = std::move(root);
  Impl* impl = impl_.get();
  impl_->server.Get(".*", [impl](const httplib::Request& req, httplib::Response& res) {
    ++impl->requests;
    Serve(impl->root, req, res);
  });
}

FixtureServer::~FixtureServer() { Stop(); }

int FixtureServer::Start(int port) {
  port_ = port == 0 ? impl_->server.bind_to_any_port("127.0.0.1")
                    : (impl_->server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (port_ <= 0) return -1;
  thread_ = std::thread([this] { impl_->server.listen_after_bind(); });
  while (!impl_->server.is_running()) std::this_thread::yield();
  return port_;
}

void FixtureServer::Stop() {
  if (!thread_.joinable()) return;
  impl_->server.stop();
  thread_.join();
}

int FixtureServer::requests() const { return impl_->requests.load(); }

}  // namespace keel::testing
