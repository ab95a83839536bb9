#include "core/json_text.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

namespace keel {
namespace {

namespace dom = simdjson::dom;

// Builds the tree nlohmann's parser would: non-negative integers are
// unsigned, negative ones signed, a repeated key keeps its last value.
Json ToJson(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY: {
      Json out(Json::value_t::array);
      auto& items = *out.get_ptr<Json::array_t*>();
      dom::array array = e.get_array().value_unsafe();
      items.reserve(array.size());
      for (dom::element child : array) items.push_back(ToJson(child));
      return out;
    }
    case dom::element_type::OBJECT: {
      Json out(Json::value_t::object);
      auto& members = *out.get_ptr<Json::object_t*>();
      dom::object object = e.get_object().value_unsafe();
      for (dom::key_value_pair member : object) {
        // Text keel wrote has sorted keys, so the hint makes each insert
        // O(1); a repeated key keeps its last value, as in nlohmann's parser.
        members.insert_or_assign(members.end(), std::string(member.key), ToJson(member.value));
      }
      return out;
    }
    case dom::element_type::INT64: {
      int64_t v = e.get_int64().value_unsafe();
      return v >= 0 ? Json(static_cast<uint64_t>(v)) : Json(v);
    }
    case dom::element_type::UINT64: return Json(e.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE: return Json(e.get_double().value_unsafe());
    case dom::element_type::STRING: return Json(std::string(e.get_string().value_unsafe()));
    case dom::element_type::BOOL: return Json(e.get_bool().value_unsafe());
    case dom::element_type::NULL_VALUE: return Json();
  }
  return Json();
}

// Larger texts get a parser of their own, freed after: a per-thread parser
// keeps the capacity of the largest text it has seen.
constexpr size_t kReusedParserMaxBytes = 1 << 20;

// Calls `use(root)` on simdjson's parse of `text`; false when simdjson does
// not accept the text or `use` returns false.
template <typename Use>
bool ParseWith(dom::parser& parser, std::string& padded, std::string_view text, Use&& use) {
  padded.assign(text);
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING);  // simdjson reads past the end
  dom::element root;
  if (parser.parse(padded.data(), text.size(), false).get(root) != simdjson::SUCCESS) return false;
  return use(root);
}

template <typename Use>
bool WithParsed(std::string_view text, Use&& use) {
  if (text.size() > kReusedParserMaxBytes) {
    dom::parser parser;
    std::string padded;
    return ParseWith(parser, padded, text, use);
  }
  thread_local dom::parser parser;
  thread_local std::string padded;
  return ParseWith(parser, padded, text, use);
}

// False when simdjson does not accept the text.
bool FastParse(std::string_view text, Json* out) {
  return WithParsed(text, [out](dom::element root) {
    *out = ToJson(root);
    return true;
  });
}

void AppendEscapedString(std::string_view s, std::string* out) {
  const size_t start = out->size();
  bool checked_utf8 = false;
  out->push_back('"');
  size_t run_start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80 && !checked_utf8) {
      checked_utf8 = true;
      if (!simdjson::validate_utf8(s.data(), s.size())) {
        // Invalid UTF-8: nlohmann's replacement rules, exactly.
        out->resize(start);
        out->append(Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace));
        return;
      }
    }
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {  // other control characters, as nlohmann writes them
        static const char kHex[] = "0123456789abcdef";
        char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
        out->append(escaped, sizeof(escaped));
      }
    }
  }
  out->append(s.data() + run_start, s.size() - run_start);
  out->push_back('"');
}

template <typename Int>
void AppendInteger(Int v, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end - buf);
}

void AppendFloat(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  // nlohmann's own shortest round-trip formatting, so the text is the same.
  char buf[64];
  char* end = nlohmann::detail::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end - buf);
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) { AppendEscapedString(s, out); }

Json ParseJsonText(std::string_view text) {
  Json out;
  if (FastParse(text, &out)) return out;
  return Json::parse(text);
}

Json ParseJsonTextOrDiscarded(std::string_view text) {
  Json out;
  if (FastParse(text, &out)) return out;
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::optional<std::string_view> SoleMemberText(std::string_view text, std::string_view key) {
  // `{"key":` ... `}`, then a real parse to be sure the object has nothing
  // else and the value is whole.
  const size_t head = key.size() + 4;
  if (text.size() <= head + 1 || text.substr(0, 2) != "{\"" || text.substr(2, key.size()) != key ||
      text.substr(2 + key.size(), 2) != "\":" || text.back() != '}') {
    return std::nullopt;
  }
  bool sole = WithParsed(text, [](dom::element root) {
    dom::object object;
    return root.get_object().get(object) == simdjson::SUCCESS && object.size() == 1;
  });
  if (!sole) return std::nullopt;
  return text.substr(head, text.size() - head - 1);
}

void AppendJsonText(const Json& value, std::string* out) {
  switch (value.type()) {
    case Json::value_t::null: out->append("null"); return;
    case Json::value_t::boolean: out->append(value.get<bool>() ? "true" : "false"); return;
    case Json::value_t::number_integer: AppendInteger(value.get<int64_t>(), out); return;
    case Json::value_t::number_unsigned: AppendInteger(value.get<uint64_t>(), out); return;
    case Json::value_t::number_float: AppendFloat(value.get<double>(), out); return;
    case Json::value_t::string:
      AppendEscapedString(*value.get_ptr<const Json::string_t*>(), out);
      return;
    case Json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const Json& item : *value.get_ptr<const Json::array_t*>()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonText(item, out);
      }
      out->push_back(']');
      return;
    }
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : *value.get_ptr<const Json::object_t*>()) {
        if (!first) out->push_back(',');
        first = false;
        AppendEscapedString(key, out);
        out->push_back(':');
        AppendJsonText(item, out);
      }
      out->push_back('}');
      return;
    }
    case Json::value_t::binary:
    case Json::value_t::discarded:
      out->append(value.dump(-1, ' ', false, Json::error_handler_t::replace));
      return;
  }
}

std::string DumpJsonText(const Json& value) {
  std::string out;
  AppendJsonText(value, &out);
  return out;
}

}  // namespace keel
