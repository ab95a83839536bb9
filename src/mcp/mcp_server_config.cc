#include "mcp/mcp_server_config.h"

#include <cctype>
#include <cmath>

#include "connectors/subprocess_spec.h"
#include "mcp/stdio_transport.h"

namespace keel {
namespace {

// Server names become tool name prefixes ("crm.lookup"), so no dots.
bool ValidServerName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace

Result<McpServerConfig> ParseMcpServerConfig(const std::string& name, const Json& entry) {
  const std::string where = "mcp_servers." + name;
  if (!ValidServerName(name)) {
    return InvalidArgument(where + ": a server name is 1-64 letters, digits, '_' or '-'");
  }
  if (!entry.is_object()) return InvalidArgument(where + ": expected a mapping");
  for (const auto& [key, value] : entry.items()) {
    if (key != "command" && key != "env" && key != "cwd" && key != "timeout_s" &&
        key != "transport") {
      return InvalidArgument(where + "." + key +
                             ": unknown field (expected command, env, cwd, timeout_s, transport)");
    }
  }
  McpServerConfig config;
  config.name = name;
  if (auto transport = entry.find("transport"); transport != entry.end()) {
    if (!transport->is_string() || *transport != "stdio") {
      return InvalidArgument(where + ".transport: only 'stdio' is supported");
    }
  }
  auto command = entry.find("command");
  if (command == entry.end()) return InvalidArgument(where + ".command: required");
  KEEL_RETURN_IF_ERROR(ParseCommand(*command, where + ".command", &config.command));
  if (auto env = entry.find("env"); env != entry.end()) {
    KEEL_RETURN_IF_ERROR(ParseEnvMap(*env, where + ".env", &config.env));
  }
  if (auto cwd = entry.find("cwd"); cwd != entry.end()) {
    if (!cwd->is_string()) return InvalidArgument(where + ".cwd: expected a directory path");
    config.cwd = cwd->get<std::string>();
  }
  if (auto timeout = entry.find("timeout_s"); timeout != entry.end()) {
    if (!timeout->is_number() || !std::isfinite(timeout->get<double>()) ||
        timeout->get<double>() <= 0) {
      return InvalidArgument(where + ".timeout_s: expected a positive number of seconds");
    }
    config.timeout_s = timeout->get<double>();
  }
  return config;
}

Result<std::vector<McpServerConfig>> ParseMcpServers(const Json& mcp_servers) {
  if (!mcp_servers.is_object()) {
    return InvalidArgument("mcp_servers: expected a mapping of server name to settings");
  }
  std::vector<McpServerConfig> out;
  for (const auto& [name, entry] : mcp_servers.items()) {
    Result<McpServerConfig> config = ParseMcpServerConfig(name, entry);
    if (!config.ok()) return config.error();
    out.push_back(std::move(*config));
  }
  return out;
}

McpClientOptions StdioClientOptions(const McpServerConfig& config, ProcessReactor* reactor) {
  McpClientOptions options;
  options.server_name = config.name;
  options.request_timeout_us = static_cast<int64_t>(config.timeout_s * 1e6);
  options.timers = reactor;
  StdioServerConfig stdio;
  stdio.command = config.command;
  stdio.cwd = config.cwd;
  stdio.env = config.env;
  options.transport = [name = config.name, stdio, reactor] {
    return std::make_unique<StdioTransport>(name, stdio, reactor);
  };
  return options;
}

}  // namespace keel
