// Mustache renderer: walks a parsed node tree against a JSON context stack.
// Values are read in place from the caller's Json (never copied); the only
// allocations per render are the output, the context stack and, when
// partials are used, their parsed trees.
#include <charconv>
#include <map>
#include <utility>

#include "template/internal/mustache_node.h"

namespace keel::mustache_internal {
namespace {

// Partials may recurse through data (a tree rendered by a partial that
// includes itself); this bounds the C++ stack when the data never ends it.
constexpr int kMaxPartialDepth = 100;

// Falsey, as in JavaScript's `!!value` which the spec cites: null, false, 0,
// "" and []. Objects, even empty ones, are truthy.
bool Truthy(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return false;
    case Json::value_t::boolean:
      return v.get<bool>();
    case Json::value_t::string:
      return !v.get_ref<const std::string&>().empty();
    case Json::value_t::array:
      return !v.empty();
    case Json::value_t::number_integer:
      return v.get<int64_t>() != 0;
    case Json::value_t::number_unsigned:
      return v.get<uint64_t>() != 0;
    case Json::value_t::number_float:
      return v.get<double>() != 0.0;
    default:
      return true;
  }
}

// The spec's escape set: & " < >.
void AppendEscaped(std::string_view s, std::string* out) {
  size_t start = 0;
  while (true) {
    size_t p = s.find_first_of("&\"<>", start);
    if (p == std::string_view::npos) break;
    out->append(s, start, p - start);
    switch (s[p]) {
      case '&':
        out->append("&amp;");
        break;
      case '"':
        out->append("&quot;");
        break;
      case '<':
        out->append("&lt;");
        break;
      default:
        out->append("&gt;");
        break;
    }
    start = p + 1;
  }
  out->append(s, start);
}

template <typename T>
void AppendNumber(T n, std::string* out) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof(buf), n);
  out->append(buf, res.ptr);
}

// Scalars as text (numbers in shortest round-trip form, so 1.21 stays 1.21);
// objects and arrays as compact JSON.
void AppendValue(const Json& v, bool escape, std::string* out) {
  switch (v.type()) {
    case Json::value_t::null:
      return;
    case Json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      escape ? AppendEscaped(s, out) : void(out->append(s));
      return;
    }
    case Json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      return;
    case Json::value_t::number_integer:
      return AppendNumber(v.get<int64_t>(), out);
    case Json::value_t::number_unsigned:
      return AppendNumber(v.get<uint64_t>(), out);
    case Json::value_t::number_float:
      return AppendNumber(v.get<double>(), out);
    default: {
      // `replace` so invalid UTF-8 in the data cannot make dump() throw.
      std::string json = v.dump(-1, ' ', false, Json::error_handler_t::replace);
      escape ? AppendEscaped(json, out) : void(out->append(json));
      return;
    }
  }
}

// Copies `text` with `indent` before each line (not after a final newline):
// the spec indents a standalone partial's template lines, not the values
// interpolated into them, so this happens before parsing.
std::string IndentLines(std::string_view text, std::string_view indent) {
  std::string result;
  result.reserve(text.size() + indent.size() * 8);
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    result.append(indent).append(text, start, end - start);
    start = end;
  }
  return result;
}

class Renderer {
 public:
  Renderer(const Json& data, const MustachePartials& partials, const MustacheOptions& options,
           std::string* out)
      : partials_(partials), options_(options), out_(out) {
    stack_.reserve(8);
    stack_.push_back(&data);
  }

  Status Render(const std::vector<Node>& nodes) {
    RenderNodes(nodes);
    return std::move(error_);
  }

 private:
  // Each Render* returns false once error_ is set, unwinding the walk.
  bool RenderNodes(const std::vector<Node>& nodes) {
    for (const Node& node : nodes) {
      if (!RenderNode(node)) return false;
    }
    return true;
  }

  bool RenderNode(const Node& node) {
    switch (node.kind) {
      case NodeKind::kText:
        out_->append(node.text);
        return true;
      case NodeKind::kVariable: {
        const Json* v = Lookup(node);
        if (v == nullptr) return !options_.strict || Missing(node);
        AppendValue(*v, node.escape, out_);
        return true;
      }
      case NodeKind::kSection:
        return RenderSection(node);
      case NodeKind::kInverted: {
        const Json* v = Lookup(node);
        return (v != nullptr && Truthy(*v)) || RenderNodes(node.children);
      }
      case NodeKind::kBlock:
        return RenderBlock(node);
      case NodeKind::kPartial:
      case NodeKind::kParent:
        return RenderPartial(node);
    }
    return true;
  }

  // Resolves a name per the spec: the first part against the context stack
  // (innermost first), later parts only inside the value found. A later part
  // may also index an array ("items.0"). Returns nullptr when missing.
  const Json* Lookup(const Node& node) const {
    if (node.path.empty()) return stack_.back();
    const Json* v = nullptr;
    for (auto it = stack_.rbegin(); it != stack_.rend() && v == nullptr; ++it) {
      if (!(*it)->is_object()) continue;
      auto found = (*it)->find(node.path[0]);
      if (found != (*it)->end()) v = &*found;
    }
    for (size_t i = 1; v != nullptr && i < node.path.size(); ++i) v = Child(*v, node.path[i]);
    return v;
  }

  static const Json* Child(const Json& v, const std::string& key) {
    if (v.is_object()) {
      auto found = v.find(key);
      return found == v.end() ? nullptr : &*found;
    }
    if (v.is_array()) {
      size_t index = 0;
      auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), index);
      if (ec == std::errc() && end == key.data() + key.size() && index < v.size()) {
        return &v[index];
      }
    }
    return nullptr;
  }

  bool Missing(const Node& node) {
    error_ = InvalidArgument("line " + std::to_string(node.line) + ": '{{" + node.text +
                             "}}' is not in the data");
    return false;
  }

  bool RenderSection(const Node& node) {
    const Json* v = Lookup(node);
    if (v == nullptr) return !options_.strict || Missing(node);
    if (v->is_array()) {
      for (const Json& item : *v) {
        stack_.push_back(&item);
        bool ok = RenderNodes(node.children);
        stack_.pop_back();
        if (!ok) return false;
      }
      return true;
    }
    if (!Truthy(*v)) return true;
    stack_.push_back(v);
    bool ok = RenderNodes(node.children);
    stack_.pop_back();
    return ok;
  }

  // A block renders the outermost override of its name, else its own body.
  bool RenderBlock(const Node& node) {
    for (const auto& [name, body] : blocks_) {
      if (name == node.text) return RenderNodes(*body);
    }
    return RenderNodes(node.children);
  }

  bool RenderPartial(const Node& node) {
    std::string resolved;
    if (node.dynamic) {
      const Json* v = Lookup(node);
      if (v == nullptr) return !options_.strict || Missing(node);
      AppendValue(*v, false, &resolved);
    }
    auto source = partials_.find(node.dynamic ? resolved : node.text);
    if (source == partials_.end()) return true;
    if (depth_ >= kMaxPartialDepth) {
      error_ = InvalidArgument("partials nested more than " + std::to_string(kMaxPartialDepth) +
                               " deep at '" + source->first + "'");
      error_names_partial_ = true;
      return false;
    }
    const std::vector<Node>* tree = Parsed(source->first, source->second, node.indent);
    if (tree == nullptr) return false;
    // A parent's own blocks rank below overrides already in force, so the
    // outermost template wins.
    size_t blocks_before = blocks_.size();
    if (node.kind == NodeKind::kParent) {
      for (const Node& child : node.children) {
        if (child.kind == NodeKind::kBlock) blocks_.emplace_back(child.text, &child.children);
      }
    }
    ++depth_;
    bool ok = RenderNodes(*tree);
    --depth_;
    blocks_.resize(blocks_before);
    if (!ok && !error_names_partial_) {
      error_ = error_.WithContext("partial '" + source->first + "': ");
      error_names_partial_ = true;
    }
    return ok;
  }

  // Parses a partial once per render and indentation; nullptr on error.
  const std::vector<Node>* Parsed(const std::string& name, const std::string& text,
                                  const std::string& indent) {
    std::string key = indent;
    key.append(1, '\0').append(name);
    auto cached = partial_cache_.find(key);
    if (cached != partial_cache_.end()) return &cached->second;
    auto parsed = ParseMustache(indent.empty() ? text : IndentLines(text, indent));
    if (!parsed.ok()) {
      error_ = parsed.error().WithContext("partial '" + name + "': ");
      error_names_partial_ = true;
      return nullptr;
    }
    return &partial_cache_.emplace(std::move(key), std::move(*parsed)).first->second;
  }

  const MustachePartials& partials_;
  const MustacheOptions& options_;
  std::string* out_;
  std::vector<const Json*> stack_;
  // Block overrides in force, outermost first: (block name, override body).
  std::vector<std::pair<std::string_view, const std::vector<Node>*>> blocks_;
  // Keyed by indent + '\0' + name; std::map keeps element addresses stable.
  std::map<std::string, std::vector<Node>> partial_cache_;
  int depth_ = 0;
  Status error_;
  // Set once error_ names the innermost partial it came from, so the outer
  // partials that unwind do not stack their names onto the message.
  bool error_names_partial_ = false;
};

}  // namespace

Status RenderMustache(const std::vector<Node>& nodes, const Json& data,
                      const MustachePartials& partials, const MustacheOptions& options,
                      std::string* out) {
  return Renderer(data, partials, options, out).Render(nodes);
}

}  // namespace keel::mustache_internal
