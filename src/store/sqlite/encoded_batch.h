// Internal to the SQLite store: a WriteBatch with its JSON already turned into
// text. Encoding (and hashing large payloads) happens on the submitting
// thread, so the single commit thread only binds and steps statements.
// Plain value; thread-compatible.
#ifndef KEEL_STORE_SQLITE_ENCODED_BATCH_H_
#define KEEL_STORE_SQLITE_ENCODED_BATCH_H_

#include <cstddef>
#include <string>
#include <vector>

#include "core/json.h"
#include "store/store.h"

namespace keel::sqlite {

// An event payload as stored: `blob_hash` is set when the text is larger than
// the inline limit and lives in the blobs table under that hash.
struct EncodedPayload {
  std::string text;  // "" for a null payload
  std::string blob_hash;
};

struct EncodedSpanGroup {
  std::string run_id;
  std::string group_id;
  int64_t last_start_us = 0;
  std::string spans;  // JSON array
};

// The span as it is kept inside a group (run_id is the row's): the text of a
// JSON object, appended to `out`.
void AppendSpanText(const Span& span, std::string* out);
Span DecodeSpan(const Json& j, const std::string& run_id);

struct EncodedBatch {
  WriteBatch batch;  // the encoded Json members are left null to free them early
  std::string run_input;
  std::string run_result;
  std::vector<EncodedPayload> event_payloads;  // one per batch.events entry
  std::string update_result;                   // "" = leave the stored result
  std::string state_data;
  std::string approval_proposal;
  std::string approval_edited;
  // batch.spans grouped by run, in order of first appearance.
  std::vector<EncodedSpanGroup> span_groups;

  // About how much memory the encoded batch holds: its texts and records.
  size_t Bytes() const;
};

// Compact JSON text of `value`; "" for null (stored as SQL NULL). Invalid
// UTF-8 in strings is replaced rather than thrown on.
std::string EncodeJson(const Json& value);

// Parses stored JSON text; "" (SQL NULL) is null. Fails with kDataLoss naming
// the record (`kind` `id`, e.g. "run r-1") when the text is not JSON.
Result<Json> DecodeJson(std::string_view text, std::string_view kind, std::string_view id);

EncodedBatch EncodeBatch(WriteBatch batch, size_t inline_payload_max);

}  // namespace keel::sqlite

#endif  // KEEL_STORE_SQLITE_ENCODED_BATCH_H_
