#include "mcp/mcp_server_config.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "connectors/http_tool.h"  // UrlHost
#include "connectors/subprocess_spec.h"
#include "mcp/stdio_transport.h"
#include "mcp/streamable_http_transport.h"

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

bool IsKnownField(const std::string& key) {
  for (const char* known : {"command", "env", "cwd", "url", "headers", "timeout_s", "transport"}) {
    if (key == known) return true;
  }
  return false;
}

// Replaces each ${VAR} (or ${env:VAR}) in `text` with keel's environment
// variable VAR. Hand-written: wordexp(3) would also run commands and split
// words, and none of keel's libraries expands variables.
Result<std::string> ExpandVars(const std::string& text, const std::string& field) {
  std::string out;
  size_t at = 0;
  for (size_t open; (open = text.find("${", at)) != std::string::npos;) {
    size_t close = text.find('}', open);
    if (close == std::string::npos) return InvalidArgument(field + ": unclosed ${...}");
    std::string var = text.substr(open + 2, close - open - 2);
    if (var.starts_with("env:")) var.erase(0, 4);
    if (var.empty() || std::isdigit(static_cast<unsigned char>(var[0])) ||
        var.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") !=
            std::string::npos) {
      return InvalidArgument(field + ": '${" + var + "}' is not a variable name");
    }
    const char* value = std::getenv(var.c_str());
    if (value == nullptr) {
      return InvalidArgument(field + ": ${" + var + "} is not set in keel's environment");
    }
    out.append(text, at, open - at).append(value);
    at = close + 1;
  }
  return out.append(text, at);
}

Status ReadStdioFields(const Json& entry, const std::string& where, McpServerConfig* config) {
  if (entry.contains("headers")) {
    return InvalidArgument(where + ".headers: only for a server with a url");
  }
  KEEL_RETURN_IF_ERROR(ParseCommand(entry["command"], where + ".command", &config->command));
  if (auto env = entry.find("env"); env != entry.end()) {
    KEEL_RETURN_IF_ERROR(ParseEnvMap(*env, where + ".env", &config->env));
    for (auto& [var, value] : config->env) {
      Result<std::string> expanded = ExpandVars(value, where + ".env." + var);
      if (!expanded.ok()) return expanded.status();
      value = std::move(expanded).value();
    }
  }
  if (auto cwd = entry.find("cwd"); cwd != entry.end()) {
    if (!cwd->is_string()) return InvalidArgument(where + ".cwd: expected a directory path");
    config->cwd = cwd->get<std::string>();
  }
  return Status::Ok();
}

Status ReadHttpFields(const Json& entry, const std::string& where, McpServerConfig* config) {
  for (const char* stdio_only : {"env", "cwd"}) {
    if (entry.contains(stdio_only)) {
      return InvalidArgument(where + "." + stdio_only + ": only for a server with a command");
    }
  }
  const Json& url = entry["url"];
  if (!url.is_string() || UrlHost(url.get<std::string>()).empty()) {
    return InvalidArgument(where + ".url: expected an http(s) URL, e.g. https://host/mcp");
  }
  config->url = url.get<std::string>();
  auto headers = entry.find("headers");
  if (headers == entry.end()) return Status::Ok();
  if (!headers->is_object()) {
    return InvalidArgument(where + ".headers: expected a mapping of header name to value");
  }
  for (const auto& [header, value] : headers->items()) {
    std::string field = where + ".headers." + header;
    if (header.empty() || header.find_first_of(" :\r\n") != std::string::npos) {
      return InvalidArgument(field + ": not a valid header name");
    }
    if (!value.is_string()) return InvalidArgument(field + ": expected a string");
    const std::string& text = value.get_ref<const std::string&>();
    if (text.find_first_of("\r\n") != std::string::npos) {
      return InvalidArgument(field + ": a header value is one line");
    }
    // Only ${env:NAME} is resolved here; a bare ${NAME} would go out as written.
    for (size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) {
      if (text.compare(at, 6, "${env:") != 0 || text.find('}', at) == std::string::npos) {
        return InvalidArgument(field + ": write secrets as ${env:NAME}");
      }
    }
    config->headers.emplace_back(header, text);
  }
  return Status::Ok();
}

// What every transport's client takes from the server's settings.
McpClientOptions CommonClientOptions(const McpServerConfig& config, TimerService* timers) {
  McpClientOptions options;
  options.server_name = config.name;
  options.request_timeout_us = static_cast<int64_t>(config.timeout_s * 1e6);
  options.timers = timers;
  return options;
}

}  // namespace

Result<McpServerConfig> ParseMcpServerConfig(const std::string& name, const Json& entry) {
  const std::string where = "mcp_servers." + name;
  if (!ValidServerName(name)) {
    return InvalidArgument(where + ": a server name is 1-64 letters, digits, '_' or '-'");
  }
  if (!entry.is_object()) return InvalidArgument(where + ": expected a mapping");
  for (const auto& [key, value] : entry.items()) {
    if (!IsKnownField(key)) {
      return InvalidArgument(where + "." + key +
                             ": unknown field (expected command, env, cwd, url, headers, "
                             "timeout_s, transport)");
    }
  }
  McpServerConfig config;
  config.name = name;
  const bool has_command = entry.contains("command");
  const bool has_url = entry.contains("url");
  if (has_command && has_url) {
    return InvalidArgument(where + ".url: give either command (stdio) or url (Streamable HTTP), " +
                           "not both");
  }
  if (!has_command && !has_url) {
    return InvalidArgument(where + ": needs command (a server run over stdio) or url (one " +
                           "reached over Streamable HTTP)");
  }
  if (auto transport = entry.find("transport"); transport != entry.end()) {
    const char* expected = has_url ? "streamable_http" : "stdio";
    if (!transport->is_string() || *transport != expected) {
      return InvalidArgument(where + ".transport: expected '" + expected + "' for a server " +
                             (has_url ? "with a url" : "with a command"));
    }
  }
  if (has_command) {
    KEEL_RETURN_IF_ERROR(ReadStdioFields(entry, where, &config));
  } else {
    KEEL_RETURN_IF_ERROR(ReadHttpFields(entry, where, &config));
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
  McpClientOptions options = CommonClientOptions(config, reactor);
  StdioServerConfig stdio;
  stdio.command = config.command;
  stdio.cwd = config.cwd;
  stdio.env = config.env;
  options.transport = [name = config.name, stdio, reactor] {
    return std::make_unique<StdioTransport>(name, stdio, reactor);
  };
  return options;
}

McpClientOptions HttpClientOptionsFor(const McpServerConfig& config, HttpClient* http,
                                      EventLoop* loop, std::vector<std::string> egress_allow) {
  McpClientOptions options = CommonClientOptions(config, loop);
  HttpServerConfig server;
  server.url = config.url;
  server.headers = config.headers;
  server.egress_allow = std::move(egress_allow);
  // The client's own request timeout should fire first.
  server.idle_timeout_ms = static_cast<int64_t>(config.timeout_s * 1000) + 10'000;
  options.transport = [name = config.name, server, http, loop] {
    return std::make_unique<StreamableHttpTransport>(name, server, http, loop);
  };
  return options;
}

}  // namespace keel
