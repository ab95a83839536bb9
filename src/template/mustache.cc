// MustacheTemplate: the public face over the parser and renderer in
// mustache_parser.cc and mustache_render.cc.
#include "template/mustache.h"

#include <exception>
#include <set>

#include "template/internal/mustache_node.h"

namespace keel {

using mustache_internal::Node;
using mustache_internal::NodeKind;

struct MustacheTemplate::Impl {
  std::vector<Node> nodes;
  // Bytes of literal text, a floor for the rendered size: reserving it up
  // front saves the output's regrowth on every render.
  size_t literal_bytes = 0;
};

namespace {

size_t LiteralBytes(const std::vector<Node>& nodes) {
  size_t n = 0;
  for (const Node& node : nodes) {
    n += node.kind == NodeKind::kText ? node.text.size() : LiteralBytes(node.children);
  }
  return n;
}

// Collects names resolved against the top-level data: everything outside
// sections and parents (whose bodies may resolve against another context).
void CollectTopLevel(const std::vector<Node>& nodes, std::set<std::string>* names) {
  for (const Node& node : nodes) {
    switch (node.kind) {
      case NodeKind::kText:
        break;
      case NodeKind::kBlock:
        // Outside a parent, a block renders its body in the current context.
        CollectTopLevel(node.children, names);
        break;
      case NodeKind::kPartial:
      case NodeKind::kParent:
        if (node.dynamic) names->insert(node.text);
        break;
      default:
        if (!node.path.empty()) names->insert(node.text);
        break;
    }
  }
}

}  // namespace

MustacheTemplate::MustacheTemplate() : impl_(std::make_unique<Impl>()) {}

MustacheTemplate::~MustacheTemplate() = default;

Result<std::shared_ptr<const MustacheTemplate>> MustacheTemplate::Parse(std::string_view text) {
  try {
    auto nodes = mustache_internal::ParseMustache(text);
    if (!nodes.ok()) return nodes.error();
    std::shared_ptr<MustacheTemplate> tmpl(new MustacheTemplate());
    tmpl->impl_->nodes = std::move(*nodes);
    tmpl->impl_->literal_bytes = LiteralBytes(tmpl->impl_->nodes);
    return std::shared_ptr<const MustacheTemplate>(std::move(tmpl));
  } catch (const std::exception& e) {  // allocation failure: keep it off the API
    return Internal(std::string("mustache parse: ") + e.what());
  }
}

Result<std::string> MustacheTemplate::Render(const Json& data, const MustachePartials& partials,
                                             const MustacheOptions& options) const {
  try {
    std::string out;
    out.reserve(impl_->literal_bytes + impl_->literal_bytes / 4 + 64);
    Status status = mustache_internal::RenderMustache(impl_->nodes, data, partials, options, &out);
    if (!status.ok()) return status;
    return out;
  } catch (const std::exception& e) {
    return Internal(std::string("mustache render: ") + e.what());
  }
}

std::vector<std::string> MustacheTemplate::TopLevelNames() const {
  std::set<std::string> names;
  CollectTopLevel(impl_->nodes, &names);
  return {names.begin(), names.end()};
}

}  // namespace keel
