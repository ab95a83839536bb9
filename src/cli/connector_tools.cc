#include "cli/connector_tools.h"

#include <atomic>
#include <filesystem>
#include <map>

#include "connectors/http_tool.h"
#include "connectors/subprocess_tool.h"
#include "mcp/mcp_client.h"
#include "mcp/mcp_server_config.h"
#include "mcp/mcp_tool.h"

namespace keel {
namespace {

namespace fs = std::filesystem;

// A relative directory (or "") is taken from the project root, so a project
// behaves the same from whatever directory keel is started in.
std::string FromRoot(const Project& project, const std::string& dir) {
  if (!dir.empty() && fs::path(dir).is_absolute()) return dir;
  return (fs::path(project.root) / dir).lexically_normal().string();
}

// An MCP tool whose YAML leaves the input schema to the server: the schema
// comes from the client's first tools/list, and arguments are checked
// against it here, since the policy chain only knows the YAML's schemas.
class ServerSchemaMcpTool : public Tool, public std::enable_shared_from_this<ServerSchemaMcpTool> {
 public:
  ServerSchemaMcpTool(std::shared_ptr<McpClient> client, std::string name, std::string remote)
      : client_(std::move(client)), name_(std::move(name)), remote_(std::move(remote)) {}

  void Start(const Json& args, const ToolCallContext& ctx, ToolCallback done) override {
    if (std::shared_ptr<const JsonSchema> schema = std::atomic_load(&schema_)) {
      return CallChecked(*schema, args, ctx, std::move(done));
    }
    std::shared_ptr<ServerSchemaMcpTool> self = shared_from_this();
    client_->ListTools([self, args, ctx, done = std::move(done)](Result<McpToolList> list) mutable {
      if (!list.ok()) return done(list.status());
      const std::string qualified = self->client_->server_name() + "." + self->remote_;
      for (const ToolDef& def : list->tools) {
        if (def.name != qualified || def.input == nullptr) continue;
        std::atomic_store(&self->schema_, def.input);
        return self->CallChecked(*def.input, args, ctx, std::move(done));
      }
      done(Status(
          StatusCode::kNotFound,
          "mcp server '" + self->client_->server_name() + "' has no tool '" + self->remote_ + "'",
          "not_found"));
    });
  }

 private:
  void CallChecked(const JsonSchema& schema, const Json& args, const ToolCallContext& ctx,
                   ToolCallback done) {
    Status valid = schema.Validate(args);
    if (!valid.ok()) {
      return done(Status(StatusCode::kInvalidArgument,
                         "arguments for tool '" + name_ + "': " + valid.message(),
                         "invalid_arguments"));
    }
    client_->CallTool(remote_, args, ctx, std::move(done));
  }

  std::shared_ptr<McpClient> client_;
  std::string name_;
  std::string remote_;
  std::shared_ptr<const JsonSchema> schema_;  // atomic_load/atomic_store only
};

}  // namespace

ConnectorTools::~ConnectorTools() { CloseMcpSessions(); }

void ConnectorTools::CloseMcpSessions() {
  for (const std::shared_ptr<McpClient>& client : mcp_) client->Close();
}

HttpClient* ConnectorTools::Http(EventLoop* loop) {
  if (!http_) {
    own_http_ = std::make_unique<HttpClient>(loop);
    http_ = own_http_.get();
  }
  return http_;
}

Status ConnectorTools::Register(const Project& project, EventLoop* loop, ToolRegistry* registry,
                                HttpClient* shared_http) {
  if (shared_http != nullptr) http_ = shared_http;
  std::map<std::string, std::shared_ptr<McpClient>> clients;
  for (const auto& [name, def] : project.tools) {
    if (def.kind == "subprocess") {
      Result<SubprocessToolSpec> spec = ParseSubprocessToolSpec(def.connector);
      if (!spec.ok()) return spec.status().WithContext(def.location.ToString());
      spec->cwd = FromRoot(project, spec->cwd);
      registry->Register(name, std::make_shared<SubprocessTool>(name, std::move(spec).value()));
    } else if (def.kind == "http") {
      Result<HttpToolSpec> spec = ParseHttpToolSpec(def.connector);
      if (!spec.ok()) return spec.status().WithContext(def.location.ToString());
      registry->Register(name,
                         std::make_shared<HttpTool>(name, std::move(spec).value(), Http(loop),
                                                    project.config.egress_allow, def.side_effects));
    } else if (def.kind == "mcp") {
      const std::string server = def.connector.value("server", "");
      const std::string remote = def.connector.value("tool", "");
      std::shared_ptr<McpClient>& client = clients[server];
      if (!client) {
        Result<McpServerConfig> config =
            ParseMcpServerConfig(server, project.config.mcp_servers.value(server, Json()));
        if (!config.ok()) return config.status();
        if (config->url.empty()) {
          config->cwd = FromRoot(project, config->cwd);
          client = McpClient::Create(StdioClientOptions(*config));
        } else {
          client = McpClient::Create(
              HttpClientOptionsFor(*config, Http(loop), loop, project.config.egress_allow));
        }
        mcp_.push_back(client);
      }
      if (def.input != nullptr) {
        registry->Register(name, std::make_shared<McpTool>(client, remote));
      } else {
        registry->Register(name, std::make_shared<ServerSchemaMcpTool>(client, name, remote));
      }
    }
  }
  return Status();
}

}  // namespace keel
