// McpClient: tools — tools/list with pagination and list_changed refreshes,
// and tools/call.
#include <future>
#include <set>

#include "mcp/mcp_client.h"
#include "mcp/tool_mapping.h"

namespace keel {
namespace {

// A server that keeps handing out cursors is broken; stop rather than loop.
constexpr int kMaxPages = 1000;

}  // namespace

void McpClient::CallTool(const std::string& remote_name, const Json& args,
                         const ToolCallContext& ctx, Callback done) {
  std::string qualified = options_.server_name + "." + remote_name;
  Request("tools/call", mcp::CallToolParams(remote_name, args, ctx),
          [qualified = std::move(qualified), done = std::move(done)](Result<Json> result) {
            if (!result.ok()) {
              done(std::move(result));
              return;
            }
            done(mcp::MapCallToolResult(*result, qualified));
          });
}

void McpClient::ListTools(ToolListCallback done) {
  uint64_t changes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    changes = list_changes_;
  }
  ListPage("", std::make_shared<McpToolList>(), changes, 0, std::move(done));
}

void McpClient::ListPage(std::string cursor, std::shared_ptr<McpToolList> list, uint64_t changes,
                         int pages, ToolListCallback done) {
  Json params = Json::object();
  if (!cursor.empty()) params["cursor"] = cursor;
  std::weak_ptr<McpClient> weak = weak_from_this();
  Request("tools/list", std::move(params),
          [weak, list, changes, pages, done = std::move(done)](Result<Json> result) mutable {
            auto self = weak.lock();
            if (!result.ok() || !self) {
              done(result.ok() ? Status(StatusCode::kCancelled, "client closed", "cancelled")
                               : result.error());
              return;
            }
            const std::string& server = self->options_.server_name;
            Result<mcp::ToolPage> page = mcp::ParseToolsListPage(*result, server);
            if (!page.ok()) {
              done(page.error());
              return;
            }
            for (const Json& tool : page->tools) {
              Result<ToolDef> def = mcp::ToolDefFromMcp(server, tool);
              if (def.ok()) {
                list->tools.push_back(std::move(*def));
              } else {
                list->problems.push_back(def.error());
              }
            }
            if (!page->next_cursor.empty() && pages + 1 < kMaxPages) {
              self->ListPage(page->next_cursor, list, changes, pages + 1, std::move(done));
              return;
            }
            if (!page->next_cursor.empty()) {
              list->problems.push_back(InvalidArgument(
                  "mcp server '" + server + "': tools/list still had more pages after " +
                  std::to_string(kMaxPages) + "; the rest were not read"));
            }
            // A server may repeat a tool across pages; keep the first.
            std::set<std::string> seen;
            std::vector<ToolDef> unique;
            for (ToolDef& def : list->tools) {
              if (seen.insert(def.name).second) {
                unique.push_back(std::move(def));
              } else {
                list->problems.push_back(InvalidArgument("mcp server '" + server + "': tool '" +
                                                         def.name +
                                                         "' listed twice; the first is used"));
              }
            }
            list->tools = std::move(unique);
            self->FinishList(*list, changes);
            done(std::move(*list));
          });
}

void McpClient::FinishList(McpToolList list, uint64_t changes) {
  std::lock_guard<std::mutex> lock(mu_);
  tools_ = std::move(list);
  // Still stale when the server changed its list while we were reading it.
  stale_ = changes != list_changes_;
}

Result<McpToolList> McpClient::ListToolsBlocking() {
  auto promise = std::make_shared<std::promise<Result<McpToolList>>>();
  std::future<Result<McpToolList>> future = promise->get_future();
  ListTools([promise](Result<McpToolList> result) { promise->set_value(std::move(result)); });
  // Every page has its own request timeout, so this always returns.
  return future.get();
}

void McpClient::RefreshLocked(Later* later) {
  if (state_ != State::kReady) return;  // a fresh connection lists anew anyway
  if (refreshing_) {
    refresh_again_ = true;  // coalesce bursts (servers send one per tool added)
    return;
  }
  refreshing_ = true;
  std::weak_ptr<McpClient> weak = weak_from_this();
  later->push_back([weak] {
    auto self = weak.lock();
    if (!self) return;
    self->ListTools([weak](Result<McpToolList> result) {
      auto self = weak.lock();
      if (!self) return;
      Later again;
      std::function<void(const McpToolList&)> listener;
      {
        std::lock_guard<std::mutex> lock(self->mu_);
        self->refreshing_ = false;
        if (self->refresh_again_) {
          self->refresh_again_ = false;
          self->RefreshLocked(&again);
        }
        listener = self->listener_;
      }
      if (result.ok() && listener) listener(*result);
      for (auto& fn : again) fn();
    });
  });
}

void McpClient::SetToolsChangedListener(std::function<void(const McpToolList&)> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = std::move(listener);
}

bool McpClient::tools_stale() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stale_;
}

std::optional<McpToolList> McpClient::cached_tools() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tools_;
}

}  // namespace keel
