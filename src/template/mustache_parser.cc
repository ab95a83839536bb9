// Mustache parser: one left-to-right scan of the template that builds the node
// tree. Tags are buffered a line at a time so the standalone-line rule can be
// applied before any node is built; rendering never looks at whitespace again.
#include <cstring>

#include "template/internal/mustache_node.h"

namespace keel::mustache_internal {
namespace {

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

bool HasSpace(std::string_view s) { return s.find_first_of(" \t\r\n") != std::string_view::npos; }

// Splits a dotted name; "." is the implicit iterator (empty path). Returns
// false for names with empty parts such as "a..b" or ".a".
bool SplitPath(std::string_view name, std::vector<std::string>* path) {
  if (name == ".") return true;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (part.empty()) return false;
    path->emplace_back(part);
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Rendering recurses once per nested section; this bounds the C++ stack for
// templates nested absurdly deep (no real prompt comes close).
constexpr size_t kMaxNesting = 100;

// Tags the spec allows to stand alone on a line (their line then vanishes).
bool CanStandAlone(char sigil) { return sigil != '\0' && sigil != '{' && sigil != '&'; }

struct Tag {
  char sigil = '\0';      // '\0' for a plain {{name}}
  std::string_view name;  // trimmed content between the delimiters and sigil
  size_t end = 0;         // offset just past the closing delimiter
  uint32_t line = 0;
  uint32_t col = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src) {}

  Result<std::vector<Node>> Run() {
    std::vector<Node> root;
    root_ = &root;
    size_t pos = 0;
    while (true) {
      size_t start = src_.find(open_, pos);
      size_t text_end = start == std::string_view::npos ? src_.size() : start;
      KEEL_RETURN_IF_ERROR(FeedText(src_.substr(pos, text_end - pos)));
      if (start == std::string_view::npos) break;
      Tag tag;
      KEEL_RETURN_IF_ERROR(ReadTag(start, &tag));
      // New delimiters apply from the next character on, even mid-line.
      if (tag.sigil == '=') KEEL_RETURN_IF_ERROR(SetDelimiters(tag));
      line_items_.push_back(LineItem::OfTag(tag));
      pos = tag.end;
    }
    KEEL_RETURN_IF_ERROR(FlushLine());
    if (!open_sections_.empty()) {
      const Frame& f = open_sections_.back();
      return Error(f.line, f.col, "unclosed section '" + std::string(f.name) + "'");
    }
    return root;
  }

 private:
  struct Frame {
    Node* node;
    std::string_view name;  // as written in the opening tag, e.g. "*p" for {{<*p}}
    uint32_t line;
    uint32_t col;
  };

  static Status Error(uint32_t line, uint32_t col, const std::string& what) {
    return InvalidArgument("line " + std::to_string(line) + ", col " + std::to_string(col) + ": " +
                           what);
  }

  // Line and column of `offset`; offsets are asked for in increasing order,
  // so counting newlines incrementally keeps parsing linear.
  void Locate(size_t offset, uint32_t* line, uint32_t* col) {
    while (counted_ < offset) {
      const void* nl = std::memchr(src_.data() + counted_, '\n', offset - counted_);
      if (nl == nullptr) break;
      ++line_;
      counted_ = static_cast<const char*>(nl) - src_.data() + 1;
      line_begin_ = counted_;
    }
    counted_ = offset;
    *line = line_;
    *col = static_cast<uint32_t>(offset - line_begin_ + 1);
  }

  Status ReadTag(size_t start, Tag* tag) {
    Locate(start, &tag->line, &tag->col);
    size_t p = start + open_.size();
    char c = p < src_.size() ? src_[p] : '\0';
    std::string closer = close_;
    if (c != '\0' && std::strchr("{&#^/!>=<$", c) != nullptr) {
      tag->sigil = c;
      ++p;
      if (c == '{') closer = "}" + close_;
      if (c == '=') closer = "=" + close_;
    }
    size_t close_at = src_.find(closer, p);
    if (close_at == std::string_view::npos) {
      return Error(tag->line, tag->col, "unclosed tag '" + std::string(open_) + "'");
    }
    tag->name = Trim(src_.substr(p, close_at - p));
    tag->end = close_at + closer.size();
    return Status::Ok();
  }

  // Buffers `text` into the current line, completing a line at each newline.
  Status FeedText(std::string_view text) {
    while (!text.empty()) {
      size_t nl = text.find('\n');
      if (nl == std::string_view::npos) {
        line_items_.push_back(LineItem::OfText(text));
        return Status::Ok();
      }
      line_items_.push_back(LineItem::OfText(text.substr(0, nl + 1)));
      KEEL_RETURN_IF_ERROR(FlushLine());
      text.remove_prefix(nl + 1);
    }
    return Status::Ok();
  }

  // Turns the buffered line into nodes. A line holding only blanks and tags
  // that print nothing themselves (sections, comments, partials, delimiters,
  // blocks) is standalone: its blanks and line end vanish, as in the spec and
  // mustache.js. A standalone partial first on its line is indented by the
  // line's leading blanks.
  Status FlushLine() {
    bool has_tag = false;
    bool blank = true;
    for (const LineItem& item : line_items_) {
      if (item.is_tag) {
        has_tag = true;
        blank = blank && CanStandAlone(item.tag.sigil);
      } else {
        blank = blank && IsBlank(WithoutLineEnd(item.text));
      }
    }
    bool standalone = has_tag && blank;
    std::string_view indent;
    if (standalone && !line_items_.empty() && !line_items_[0].is_tag) indent = line_items_[0].text;
    bool first_tag = true;
    Status status;
    for (const LineItem& item : line_items_) {
      if (!item.is_tag) {
        if (!standalone) AppendText(item.text);
        continue;
      }
      status = Apply(item.tag, first_tag ? indent : std::string_view());
      first_tag = false;
      if (!status.ok()) break;
    }
    line_items_.clear();
    return status;
  }

  static std::string_view WithoutLineEnd(std::string_view text) {
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
  }

  std::vector<Node>& Current() {
    return open_sections_.empty() ? *root_ : open_sections_.back().node->children;
  }

  void AppendText(std::string_view text) {
    if (text.empty()) return;
    std::vector<Node>& nodes = Current();
    if (!nodes.empty() && nodes.back().kind == NodeKind::kText) {
      nodes.back().text.append(text);
      return;
    }
    Node node;
    node.text.assign(text);
    nodes.push_back(std::move(node));
  }

  Status Apply(const Tag& tag, std::string_view indent) {
    switch (tag.sigil) {
      case '!':
      case '=':  // delimiters were already switched while scanning
        return Status::Ok();
      case '/':
        return Close(tag);
      default:
        break;
    }
    Node node;
    node.line = tag.line;
    std::string_view name = tag.name;
    if (tag.sigil == '>' || tag.sigil == '<') {
      node.kind = tag.sigil == '>' ? NodeKind::kPartial : NodeKind::kParent;
      node.indent.assign(indent);
      if (!name.empty() && name[0] == '*') {
        node.dynamic = true;
        name = Trim(name.substr(1));
      }
    } else if (tag.sigil == '#' || tag.sigil == '^') {
      node.kind = tag.sigil == '#' ? NodeKind::kSection : NodeKind::kInverted;
    } else if (tag.sigil == '$') {
      node.kind = NodeKind::kBlock;
    } else {
      node.kind = NodeKind::kVariable;
      node.escape = tag.sigil == '\0';
    }
    if (name.empty() || HasSpace(name)) {
      return Error(tag.line, tag.col, "bad tag name '" + std::string(tag.name) + "'");
    }
    bool needs_path =
        node.kind != NodeKind::kBlock &&
        ((node.kind != NodeKind::kPartial && node.kind != NodeKind::kParent) || node.dynamic);
    if (needs_path && !SplitPath(name, &node.path)) {
      return Error(tag.line, tag.col, "bad name '" + std::string(name) + "'");
    }
    node.text.assign(name);
    std::vector<Node>& nodes = Current();
    nodes.push_back(std::move(node));
    NodeKind kind = nodes.back().kind;
    if (kind == NodeKind::kVariable || kind == NodeKind::kPartial) return Status::Ok();
    if (open_sections_.size() >= kMaxNesting) {
      return Error(tag.line, tag.col,
                   "sections nested more than " + std::to_string(kMaxNesting) + " deep");
    }
    open_sections_.push_back({&nodes.back(), tag.name, tag.line, tag.col});
    return Status::Ok();
  }

  // A node's address stays valid while it is open: only its own children
  // grow until its closing tag pops it.
  Status Close(const Tag& tag) {
    if (open_sections_.empty()) {
      return Error(tag.line, tag.col,
                   "closing tag '" + std::string(tag.name) + "' without an open section");
    }
    const Frame& f = open_sections_.back();
    if (f.name != tag.name) {
      return Error(tag.line, tag.col,
                   "closing tag '" + std::string(tag.name) + "' does not match '" +
                       std::string(f.name) + "' opened at line " + std::to_string(f.line));
    }
    open_sections_.pop_back();
    return Status::Ok();
  }

  Status SetDelimiters(const Tag& tag) {
    std::string_view spec = tag.name;
    size_t space = spec.find_first_of(" \t\r\n");
    std::string_view open = spec.substr(0, space);
    std::string_view close =
        space == std::string_view::npos ? std::string_view() : Trim(spec.substr(space));
    if (open.empty() || close.empty() || HasSpace(close) ||
        open.find('=') != std::string_view::npos || close.find('=') != std::string_view::npos) {
      return Error(tag.line, tag.col, "bad delimiter tag '" + std::string(spec) + "'");
    }
    open_.assign(open);
    close_.assign(close);
    return Status::Ok();
  }

  // One piece of the line being scanned: literal text or a tag.
  struct LineItem {
    static LineItem OfText(std::string_view text) { return {false, text, Tag()}; }
    static LineItem OfTag(const Tag& tag) { return {true, {}, tag}; }
    bool is_tag;
    std::string_view text;
    Tag tag;
  };

  std::string_view src_;
  std::vector<Node>* root_ = nullptr;
  std::vector<LineItem> line_items_;
  std::string open_ = "{{";
  std::string close_ = "}}";
  std::vector<Frame> open_sections_;
  size_t counted_ = 0;
  size_t line_begin_ = 0;
  uint32_t line_ = 1;
};

}  // namespace

Result<std::vector<Node>> ParseMustache(std::string_view text) { return Parser(text).Run(); }

}  // namespace keel::mustache_internal
