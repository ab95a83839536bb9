#include "project/internal/template_reader.h"

#include <charconv>
#include <filesystem>
#include <set>

namespace keel::project_internal {

namespace {

// Reads "line L, col C: what" (MustacheTemplate::Parse's error format).
SourceLocation ParseErrorLocation(const std::string& file, const std::string& message,
                                  std::string* what) {
  SourceLocation loc{file, 0, 0};
  *what = message;
  if (message.rfind("line ", 0) != 0) return loc;
  const char* p = message.data() + 5;
  const char* end = message.data() + message.size();
  auto line = std::from_chars(p, end, loc.line);
  if (line.ec != std::errc() || std::string_view(line.ptr, end - line.ptr).rfind(", col ", 0)) {
    return SourceLocation{file, 0, 0};
  }
  auto col = std::from_chars(line.ptr + 6, end, loc.col);
  if (col.ec != std::errc() || std::string_view(col.ptr, end - col.ptr).rfind(": ", 0)) {
    return SourceLocation{file, 0, 0};
  }
  *what = std::string(col.ptr + 2, end);
  return loc;
}

// Offset of the first `{{` tag whose name starts with root `name`, or npos.
// Only the default delimiters are searched; a template that changes them
// gets the file without a position.
size_t FindTag(const std::string& text, const std::string& name) {
  for (size_t open = text.find("{{"); open != std::string::npos; open = text.find("{{", open + 2)) {
    size_t i = open + 2;
    while (i < text.size() && std::string_view("{&#^ \t").find(text[i]) != std::string_view::npos) {
      ++i;
    }
    if (text.compare(i, name.size(), name) != 0) continue;
    char after = i + name.size() < text.size() ? text[i + name.size()] : '}';
    if (after == '.' || after == '}' || after == ' ' || after == '\t') return i;
  }
  return std::string::npos;
}

}  // namespace

std::shared_ptr<const MustacheTemplate> TemplateReader::Read(const std::string& rel,
                                                             const SourceLocation& ref,
                                                             std::string_view noun) {
  auto [it, inserted] = files_.try_emplace(rel);
  Entry& entry = it->second;
  if (inserted) {
    std::filesystem::path path = std::filesystem::path(root_) / rel;
    std::optional<std::string> text =
        std::filesystem::is_regular_file(path) ? ReadTextFile(path.string()) : std::nullopt;
    entry.exists = text.has_value();
    if (entry.exists) {
      entry.text = std::move(*text);
      auto parsed = MustacheTemplate::Parse(entry.text);
      if (parsed.ok()) {
        entry.parsed = *parsed;
      } else {
        std::string what;
        SourceLocation where = ParseErrorLocation(rel, parsed.error().message(), &what);
        diags_->Add(where, "invalid template: " + what);
      }
    }
  }
  if (!entry.exists) {
    diags_->Add(ref, std::string(noun) + " '" + rel + "' does not exist");
  }
  return entry.parsed;
}

std::vector<NameUse> TemplateReader::TopLevelReads(const std::string& rel) const {
  std::vector<NameUse> reads;
  auto it = files_.find(rel);
  if (it == files_.end() || !it->second.parsed) return reads;
  std::set<std::string> seen;
  for (const std::string& dotted : it->second.parsed->TopLevelNames()) {
    std::string root = dotted.substr(0, dotted.find('.'));
    if (root.empty() || !seen.insert(root).second) continue;  // "." is the current context
    size_t offset = FindTag(it->second.text, root);
    SourceLocation where = offset == std::string::npos
                               ? SourceLocation{rel, 0, 0}
                               : LocationOfOffset(rel, it->second.text, offset);
    reads.push_back(NameUse{root, where, /*from_template=*/true});
  }
  return reads;
}

const std::string& TemplateReader::Text(const std::string& rel) const {
  static const std::string* const kEmpty = new std::string();  // never destroyed
  auto it = files_.find(rel);
  return it == files_.end() ? *kEmpty : it->second.text;
}

}  // namespace keel::project_internal
