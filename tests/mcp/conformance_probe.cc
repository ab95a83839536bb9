// mcp_conformance_probe: keel's McpClient as the client under test of the
// MCP conformance suite (npm @modelcontextprotocol/conformance):
//
//   conformance client --command build/tests/mcp/mcp_conformance_probe --scenario tools_call
//
// The suite starts a scenario server, appends its URL as the last argument
// and names the scenario in MCP_CONFORMANCE_SCENARIO. The probe does over
// Streamable HTTP what that scenario asks of a client and prints what it
// got. It exits 0 when keel got the answers it expected and 1 otherwise; the
// suite judges by its own checks either way. Scenarios keel has no part in
// (elicitation, OAuth) exit 1 at once: keel declares no client capabilities
// and takes credentials only as configured headers.
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

#include "connectors/http_tool.h"  // UrlHost
#include "io/event_loop.h"
#include "io/http_client.h"
#include "mcp/mcp_client.h"
#include "mcp/mcp_server_config.h"

namespace keel {
namespace {

int Report(const std::string& scenario, const Status& status) {
  std::printf("%s: %s\n", scenario.c_str(), status.ok() ? "ok" : status.ToString().c_str());
  return status.ok() ? 0 : 1;
}

Result<Json> CallBlocking(McpClient& client, const std::string& tool, const Json& args) {
  std::promise<Result<Json>> promise;
  client.CallTool(tool, args, {}, [&](Result<Json> r) { promise.set_value(std::move(r)); });
  return promise.get_future().get();  // the client's request timeout bounds the wait
}

// Connects (initialize, notifications/initialized) and lists the tools.
Status Connect(McpClient& client) {
  Result<McpToolList> list = client.ListToolsBlocking();
  if (list.ok()) {
    std::printf("tools: %zu\n", list->tools.size());
    return Status::Ok();
  }
  // The initialize scenario's server declares no capabilities at all; keel
  // answers such a server and then declines it, since it offers no tools.
  if (client.server_info().has_value() ||
      list.status().message().find("offers no tools") != std::string::npos) {
    std::printf("initialized; %s\n", list.status().message().c_str());
    return Status::Ok();
  }
  return list.status();
}

Status CallExpecting(McpClient& client, const std::string& tool, const Json& args,
                     const std::string& expected) {
  Result<Json> out = CallBlocking(client, tool, args);
  if (!out.ok()) return out.status();
  std::printf("%s -> %s\n", tool.c_str(), out->dump().c_str());
  if (out->dump().find(expected) == std::string::npos) {
    return Internal(tool + " did not answer with '" + expected + "'");
  }
  return Status::Ok();
}

Status Run(const std::string& scenario, McpClient& client) {
  if (scenario == "initialize") return Connect(client);
  if (scenario == "tools_call") {
    KEEL_RETURN_IF_ERROR(Connect(client));
    return CallExpecting(client, "add_numbers", {{"a", 2}, {"b", 3}}, "5");
  }
  if (scenario == "sse-retry") {
    KEEL_RETURN_IF_ERROR(Connect(client));
    return CallExpecting(client, "test_reconnection", Json::object(), "successfully");
  }
  return Status(StatusCode::kFailedPrecondition, "keel's MCP client has no part in " + scenario);
}

}  // namespace
}  // namespace keel

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s [ignored...] <server url>\n", argv[0]);
    return 2;
  }
  const std::string url = argv[argc - 1];
  const char* scenario_env = std::getenv("MCP_CONFORMANCE_SCENARIO");
  const std::string scenario = scenario_env != nullptr ? scenario_env : "initialize";
  keel::EventLoop loop(keel::Clock::Real());
  loop.Start();
  int rc;
  {
    keel::HttpClient http(&loop);
    keel::McpServerConfig config;
    config.name = "conformance";
    config.url = url;
    config.timeout_s = 20;
    auto client = keel::McpClient::Create(
        keel::HttpClientOptionsFor(config, &http, &loop, {keel::UrlHost(url)}));
    rc = keel::Report(scenario, keel::Run(scenario, *client));
    client->Close();
    loop.Stop();
  }
  return rc;
}
