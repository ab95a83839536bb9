// A small MCP server over stdio for the client tests. Flags:
//   --tools N          N extra generated tools (gen0 ... genN-1)
//   --page-size N      tools/list pages of N tools (default: all in one)
//   --version V        the protocolVersion it answers initialize with
//   --bad-schema       adds a tool whose inputSchema does not compile
//   --banner           prints a non-JSON line on stdout first
//   --exit-on-init     exits with an error on stderr when initialize arrives
// Tools: echo, json, structured, fail, rpc_error, meta, log, add_tool,
// ping_me, slow (never answers), crash (exits), stats (cancellations seen).
#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using Json = nlohmann::json;

namespace {

struct Options {
  int extra_tools = 0;
  int page_size = 0;
  std::string version = "2025-11-25";
  bool bad_schema = false;
  bool banner = false;
  bool exit_on_init = false;
};

void Send(const Json& message) { std::cout << message.dump() << "\n" << std::flush; }

Json Tool(const std::string& name) {
  Json object_schema = {{"type", "object"}};
  Json tool = {{"name", name}, {"description", "fake " + name}, {"inputSchema", object_schema}};
  if (name == "echo") {
    tool["inputSchema"] = {{"type", "object"},
                           {"properties", {{"message", {{"type", "string"}}}}},
                           {"required", Json::array({"message"})}};
    tool["annotations"] = {{"readOnlyHint", true}};
  }
  if (name == "structured") {
    tool["outputSchema"] = {{"type", "object"}, {"required", Json::array({"n"})}};
  }
  return tool;
}

class Server {
 public:
  explicit Server(Options options) : options_(std::move(options)) {
    for (const char* name : {"echo", "json", "structured", "fail", "rpc_error", "meta", "log",
                             "add_tool", "ping_me", "slow", "crash", "stats"}) {
      tools_.push_back(Tool(name));
    }
    for (int i = 0; i < options_.extra_tools; ++i)
      tools_.push_back(Tool("gen" + std::to_string(i)));
    if (options_.bad_schema) {
      tools_.push_back({{"name", "broken"}, {"inputSchema", {{"type", 12}}}});
    }
  }

  void Handle(const Json& msg) {
    if (msg.contains("method")) {
      const std::string method = msg["method"];
      if (!msg.contains("id")) return Notify(method, msg.value("params", Json::object()));
      return Request(msg["id"], method, msg.value("params", Json::object()));
    }
    // A response to one of our requests (from ping_me).
    replies_[msg["id"].get<std::string>()] = msg;
    if (replies_.size() == 2 && !ping_call_.is_null()) {
      Json result = {{"ping", replies_["s-ping"].value("result", Json())},
                     {"roots_error_code", replies_["s-roots"]["error"]["code"]}};
      Result(ping_call_, {{"structuredContent", result}, {"content", Json::array()}});
      ping_call_ = nullptr;
    }
  }

 private:
  void Notify(const std::string& method, const Json& params) {
    if (method == "notifications/cancelled") cancelled_.push_back(params["requestId"]);
  }

  void Result(const Json& id, Json result) {
    Send({{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
  }

  static Json Text(const std::string& text, bool is_error = false) {
    Json out = {{"content", Json::array({Json{{"type", "text"}, {"text", text}}})}};
    if (is_error) out["isError"] = true;
    return out;
  }

  void Request(const Json& id, const std::string& method, const Json& params) {
    if (method == "initialize") {
      if (options_.exit_on_init) {
        std::cerr << "fatal: cannot open the database" << std::endl;
        std::exit(2);
      }
      return Result(id, {{"protocolVersion", options_.version},
                         {"capabilities", {{"tools", {{"listChanged", true}}}}},
                         {"serverInfo", {{"name", "fake"}, {"version", "1.0"}}}});
    }
    if (method == "tools/list") return ListTools(id, params);
    if (method == "tools/call") return CallTool(id, params);
    Send({{"jsonrpc", "2.0"},
          {"id", id},
          {"error", {{"code", -32601}, {"message", "Method not found"}}}});
  }

  void ListTools(const Json& id, const Json& params) {
    size_t start = params.contains("cursor") ? std::stoul(params["cursor"].get<std::string>()) : 0;
    size_t size = options_.page_size > 0 ? options_.page_size : tools_.size();
    Json page = Json::array();
    for (size_t i = start; i < tools_.size() && i < start + size; ++i) page.push_back(tools_[i]);
    Json result = {{"tools", page}};
    if (start + size < tools_.size()) result["nextCursor"] = std::to_string(start + size);
    ++list_calls_;
    Result(id, result);
  }

  void CallTool(const Json& id, const Json& params) {
    const std::string name = params["name"];
    const Json args = params.value("arguments", Json::object());
    if (name == "echo") return Result(id, Text("you said " + args.value("message", "")));
    if (name == "json") return Result(id, Text(R"({"answer": 42, "list": [1, 2]})"));
    if (name == "structured") {
      return Result(id, {{"content", Json::array({Json{{"type", "text"}, {"text", "n=7"}}})},
                         {"structuredContent", {{"n", 7}}}});
    }
    if (name == "fail") return Result(id, Text("the CRM is read-only today", true));
    if (name == "rpc_error") {
      return Send({{"jsonrpc", "2.0"},
                   {"id", id},
                   {"error", {{"code", -32603}, {"message", "database exploded"}}}});
    }
    if (name == "meta")
      return Result(id, {{"structuredContent", params.value("_meta", Json::object())},
                         {"content", Json::array()}});
    if (name == "log") {
      Send({{"jsonrpc", "2.0"},
            {"method", "notifications/message"},
            {"params", {{"level", "warning"}, {"logger", "fake"}, {"data", "disk almost full"}}}});
      return Result(id, Text("logged"));
    }
    if (name == "add_tool") {
      tools_.push_back(Tool("added"));
      Send({{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}});
      return Result(id, Text("added"));
    }
    if (name == "ping_me") {
      ping_call_ = id;
      replies_.clear();
      Send({{"jsonrpc", "2.0"}, {"id", "s-ping"}, {"method", "ping"}});
      Send({{"jsonrpc", "2.0"}, {"id", "s-roots"}, {"method", "roots/list"}});
      return;
    }
    if (name == "slow") return;
    if (name == "crash") {
      std::cerr << "fatal: crash requested" << std::endl;
      std::exit(3);
    }
    if (name == "stats") {
      return Result(
          id, {{"structuredContent", {{"cancelled", cancelled_}, {"list_calls", list_calls_}}},
               {"content", Json::array()}});
    }
    Result(id, Text("Tool " + name + " not found", true));
  }

  Options options_;
  std::vector<Json> tools_;
  Json cancelled_ = Json::array();
  int list_calls_ = 0;
  Json ping_call_;
  std::map<std::string, Json> replies_;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (flag == "--tools") options.extra_tools = std::stoi(next());
    if (flag == "--page-size") options.page_size = std::stoi(next());
    if (flag == "--version") options.version = next();
    if (flag == "--bad-schema") options.bad_schema = true;
    if (flag == "--banner") options.banner = true;
    if (flag == "--exit-on-init") options.exit_on_init = true;
  }
  if (options.banner) std::cout << "fake MCP server starting up" << std::endl;
  Server server(options);
  std::string line;
  while (std::getline(std::cin, line)) {
    Json msg = Json::parse(line, nullptr, false);
    if (!msg.is_discarded()) server.Handle(msg);
  }
  return 0;
}
