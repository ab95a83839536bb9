// JSON text to and from Json on the engine's hot paths: step outputs kept as
// compact text and parsed per use, event payloads encoded for the store and
// decoded on resume. nlohmann's own parser and serializer work a character at
// a time and took about a sixth of the engine's CPU under load; these give the
// same results, faster.
//
//   ParseJsonText   simdjson (Debian's libsimdjson-dev) finds the structure,
//                   then the tree is built directly. Any text simdjson does
//                   not accept (an error, a number beyond 64 bits, very deep
//                   nesting) goes to nlohmann's parser, so errors, exceptions
//                   and edge cases are exactly Json::parse's. (One nuance:
//                   the integer -0 reads as unsigned 0, nlohmann's as signed
//                   0; equal values, printed the same.)
//   DumpJsonText    the text of value.dump(-1, ' ', false, replace), byte for
//                   byte: sorted keys, no spaces, UTF-8 kept, invalid UTF-8
//                   replaced. Strings are copied in runs instead of a
//                   character at a time.
//
// Both are thread-safe.
#ifndef KEEL_CORE_JSON_TEXT_H_
#define KEEL_CORE_JSON_TEXT_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"

namespace keel {

// Like Json::parse(text): throws Json::parse_error on invalid text.
Json ParseJsonText(std::string_view text);

// Like Json::parse(text, nullptr, false): invalid text gives a discarded
// value (check is_discarded()).
Json ParseJsonTextOrDiscarded(std::string_view text);

// When `text` is a JSON object written as DumpJsonText writes it and its only
// member is `key`, that member's value as text (a view into `text`, the same
// text DumpJsonText gives for the value); otherwise nullopt, also for text
// spelled any other way (spaces, an escaped key). Checks the whole text, so a
// value is never taken from invalid JSON.
std::optional<std::string_view> SoleMemberText(std::string_view text, std::string_view key);

// The same text as value.dump(-1, ' ', false, Json::error_handler_t::replace).
std::string DumpJsonText(const Json& value);
void AppendJsonText(const Json& value, std::string* out);
// The text DumpJsonText gives for a JSON string holding `s`, appended: for
// writers that build an object's text member by member.
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace keel

#endif  // KEEL_CORE_JSON_TEXT_H_
