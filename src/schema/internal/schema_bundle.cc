#include "schema/internal/schema_bundle.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "schema/internal/keywords.h"
#include "schema/internal/uri.h"

namespace keel::schema_internal {
namespace {

using Pointer = Json::json_pointer;

// A place in one of the documents taking part: the root schema is document 0,
// each document fetched through the loader gets the next number.
struct Location {
  size_t doc = 0;
  Pointer pointer;

  std::string Key() const { return std::to_string(doc) + pointer.to_string(); }
};

// The bundle's name for a keyword: the two that keel evaluates itself are
// renamed so that valijson does not also apply its own version.
const char* BundleName(const std::string& keyword) {
  if (keyword == "type") return kTypeKeyword;
  if (keyword == "multipleOf") return kMultipleOfKeyword;
  return keyword.c_str();
}

// Draft-07 allows a count written as a decimal ("maxItems": 2.0), valijson
// only integers: rewrite integral decimals, leave the rest for valijson to
// reject.
Json NormalizeCount(const std::string& keyword, const Json& value) {
  static constexpr std::string_view kCounts[] = {"maxItems",  "minItems",      "maxLength",
                                                 "minLength", "maxProperties", "minProperties"};
  if (!value.is_number_float() ||
      std::find(std::begin(kCounts), std::end(kCounts), keyword) == std::end(kCounts)) {
    return value;
  }
  const double d = value.get<double>();
  if (d < 0 || d > 9007199254740992.0 || std::trunc(d) != d) return value;
  return static_cast<uint64_t>(d);
}

// The start of a schema keyword's copy in the bundle: assertions are copied
// whole; subschema containers start empty and Emit() fills them, so nested
// schemas are not deep-copied once per level. Values of the wrong shape are
// copied as written so that valijson reports them.
Json Skeleton(KeywordKind kind, const Json& value) {
  switch (kind) {
    case KeywordKind::kSchema:
      return nullptr;
    case KeywordKind::kItems:
      return value.is_array() ? Json::array() : Json();
    case KeywordKind::kSchemaArray:
      return value.is_array() ? Json::array() : value;
    case KeywordKind::kSchemaMap:
      return value.is_object() ? Json::object() : value;
    case KeywordKind::kDependencies: {
      if (!value.is_object()) return value;
      Json lists = Json::object();  // name lists are kept; schemas come from Emit()
      for (const auto& [name, dependency] : value.items()) {
        if (dependency.is_array()) lists[name] = dependency;
      }
      return lists;
    }
    default:
      return value;
  }
}

class Bundler {
 public:
  Bundler(const Json& root, const SchemaDocumentLoader& loader) : loader_(loader) {
    docs_.push_back(&root);
    Index(0, root, Pointer(), "");
    resources_.emplace("", Location{0, Pointer()});
  }

  Result<SchemaBundle> Run() {
    SlotFor(Location{0, Pointer()});
    Json table = Json::array();
    // Emitting an entry may discover new targets, appended to slots_.
    for (size_t i = 0; i < slots_.size(); ++i) {
      Location loc = slots_[i];
      const Json& node = Node(loc);
      Result<Json> entry = Emit(loc, node, BaseAt(loc));
      if (!entry) return entry.status();
      table.push_back(std::move(*entry));
      // An entry that is only a reference: Emit() resolved just that one.
      ref_slot_.push_back(node.is_object() && node.contains("$ref")
                              ? std::optional<size_t>(last_ref_slot_)
                              : std::nullopt);
    }
    KEEL_RETURN_IF_ERROR(CheckRefChains());
    out_.document = Json{{"$ref", "#/t/0"}, {"t", std::move(table)}};
    return std::move(out_);
  }

 private:
  const Json& Node(const Location& loc) const { return docs_[loc.doc]->at(loc.pointer); }

  std::string Where(const Location& loc) const {
    std::string at = loc.pointer.to_string();
    if (at.empty()) at = "/";
    return loc.doc == 0 ? at : doc_uris_[loc.doc] + "#" + at;
  }

  // Records the base URI in force at every schema position and registers
  // every `$id` (as a resource, or as a plain-name fragment such as "#foo").
  void Index(size_t doc, const Json& node, const Pointer& pointer, std::string base) {
    Location here{doc, pointer};
    bases_.emplace(here.Key(), base);
    // In draft-07 the siblings of `$ref` are ignored, `$id` included.
    if (!node.is_object() || node.contains("$ref")) return;
    if (auto id = node.find("$id"); id != node.end() && id->is_string()) {
      const std::string& text = id->get_ref<const std::string&>();
      SplitUri resolved = SplitFragment(ResolveUri(base, text));
      if (!text.empty() && text[0] != '#') {
        base = resolved.uri;
        resources_.emplace(base, here);
      }
      if (!resolved.fragment.empty() && resolved.fragment[0] != '/') {
        anchors_.emplace(resolved.uri + "#" + resolved.fragment, here);
      }
    }
    ForEachSubschema(node, [&](const SubschemaSlot& slot, const Json& child) {
      Index(doc, child, slot.Under(pointer), base);
    });
  }

  // Base URI for a reference target: the one recorded for it, or for its
  // nearest indexed ancestor when the target sits somewhere Index() did not
  // walk (inside an unknown keyword, say).
  std::string BaseAt(Location loc) const {
    while (true) {
      if (auto it = bases_.find(loc.Key()); it != bases_.end()) return it->second;
      if (loc.pointer.empty()) return "";
      loc.pointer = loc.pointer.parent_pointer();
    }
  }

  // Fetches `uri` through the loader and indexes it.
  Status Load(const std::string& uri) {
    if (!loader_) {
      return InvalidArgument("no document loader to fetch '" + uri + "'");
    }
    std::optional<Json> doc = loader_(uri);
    if (!doc) return InvalidArgument("document '" + uri + "' not found");
    size_t index = docs_.size();
    owned_.push_back(std::move(*doc));
    docs_.push_back(&owned_.back());
    doc_uris_.resize(index + 1);
    doc_uris_[index] = uri;
    resources_.emplace(uri, Location{index, Pointer()});
    Index(index, owned_.back(), Pointer(), uri);
    return Status::Ok();
  }

  Result<Location> Resolve(const std::string& base, const std::string& ref) {
    SplitUri target = SplitFragment(ResolveUri(base, ref));
    const bool by_pointer = target.fragment.empty() || target.fragment[0] == '/';
    const std::string anchor = target.uri + "#" + target.fragment;
    auto find = [&]() -> const Location* {
      auto& table = by_pointer ? resources_ : anchors_;
      auto it = table.find(by_pointer ? target.uri : anchor);
      return it == table.end() ? nullptr : &it->second;
    };
    const Location* found = find();
    if (!found && !resources_.contains(target.uri)) {
      KEEL_RETURN_IF_ERROR(Load(target.uri));
      found = find();
    }
    if (!found) return InvalidArgument("no schema has identifier '" + anchor + "'");
    if (!by_pointer) return *found;
    return Descend(*found, PercentDecode(target.fragment));
  }

  Result<Location> Descend(const Location& from, const std::string& fragment) {
    Location to{from.doc, from.pointer};
    try {
      to.pointer /= Pointer(fragment);
    } catch (const Json::exception& e) {
      return InvalidArgument("bad JSON pointer '" + fragment + "': " + e.what());
    }
    if (!docs_[to.doc]->contains(to.pointer)) {
      return InvalidArgument("JSON pointer '" + fragment + "' points nowhere");
    }
    return to;
  }

  // valijson follows a chain of `$ref`s to the first real schema without a
  // limit: a chain that comes back to itself ({"$ref": "#"} at the root)
  // would recurse until the stack overflows, so refuse it here.
  Status CheckRefChains() const {
    for (size_t start = 0; start < slots_.size(); ++start) {
      size_t at = start;
      for (size_t steps = 0; ref_slot_[at]; ++steps) {
        if (steps == slots_.size()) {
          return InvalidArgument("$ref at " + Where(slots_[start]) +
                                 " is part of a cycle of references with no schema in it");
        }
        at = *ref_slot_[at];
      }
    }
    return Status::Ok();
  }

  // The bundle entry number for a target, adding it when new.
  size_t SlotFor(const Location& loc) {
    auto [it, added] = slot_index_.emplace(loc.Key(), slots_.size());
    if (added) slots_.push_back(loc);
    return it->second;
  }

  // Copies the schema at `loc`, keeping only what validation evaluates and
  // replacing each `$ref` with a pointer to its bundle entry.
  Result<Json> Emit(const Location& loc, const Json& node, std::string base) {
    if (node.is_boolean()) return node;
    if (!node.is_object()) {
      return InvalidArgument("schema at " + Where(loc) + " is " + node.type_name() +
                             ", not an object or a boolean");
    }
    if (auto ref = node.find("$ref"); ref != node.end()) {
      if (!ref->is_string()) return InvalidArgument("$ref at " + Where(loc) + " is not a string");
      Result<Location> target = Resolve(base, ref->get<std::string>());
      if (!target) {
        return InvalidArgument("cannot resolve $ref '" + ref->get<std::string>() + "' at " +
                               Where(loc) + ": " + target.error().message());
      }
      last_ref_slot_ = SlotFor(*target);
      return Json{{"$ref", "#/t/" + std::to_string(last_ref_slot_)}};
    }
    if (auto id = node.find("$id"); id != node.end() && id->is_string()) {
      const std::string& text = id->get_ref<const std::string&>();
      if (!text.empty() && text[0] != '#') base = SplitFragment(ResolveUri(base, text)).uri;
    }
    Json out = Json::object();
    for (auto it = node.begin(); it != node.end(); ++it) {
      KeywordKind kind = ClassifyKeyword(it.key());
      if (kind == KeywordKind::kOther || it.key() == "definitions") continue;
      out[BundleName(it.key())] = Skeleton(kind, NormalizeCount(it.key(), it.value()));
      if (it.key() == "pattern" && it->is_string()) out_.patterns.push_back(it->get<std::string>());
      if (it.key() == "patternProperties" && it->is_object()) {
        for (const auto& [name, unused] : it->items()) out_.property_patterns.push_back(name);
      }
    }
    Status status;
    ForEachSubschema(node, [&](const SubschemaSlot& slot, const Json& child) {
      if (!status.ok() || slot.keyword == "definitions") return;
      Result<Json> emitted = Emit(Location{loc.doc, slot.Under(loc.pointer)}, child, base);
      if (emitted) {
        slot.In(out) = std::move(*emitted);
      } else {
        status = emitted.status();
      }
    });
    if (!status.ok()) return status;
    return out;
  }

  const SchemaDocumentLoader& loader_;
  std::vector<const Json*> docs_;
  std::deque<Json> owned_;  // deque: pointers in docs_ stay valid as it grows
  std::vector<std::string> doc_uris_{""};
  std::unordered_map<std::string, std::string> bases_;
  std::unordered_map<std::string, Location> resources_;  // URI without fragment
  std::unordered_map<std::string, Location> anchors_;    // "uri#name"
  std::unordered_map<std::string, size_t> slot_index_;
  std::vector<Location> slots_;
  std::vector<std::optional<size_t>> ref_slot_;  // per entry: the entry it only refers to
  size_t last_ref_slot_ = 0;
  SchemaBundle out_;
};

}  // namespace

Result<SchemaBundle> BundleSchema(const Json& root, const SchemaDocumentLoader& loader) {
  return Bundler(root, loader).Run();
}

}  // namespace keel::schema_internal
