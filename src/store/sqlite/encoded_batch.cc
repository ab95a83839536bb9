#include "store/sqlite/encoded_batch.h"

#include <algorithm>
#include <map>
#include <utility>

#include "core/ids.h"
#include "core/json_text.h"

namespace keel::sqlite {

std::string EncodeJson(const Json& value) {
  if (value.is_null()) return std::string();
  return SerializePayload(value);
}

Result<Json> DecodeJson(std::string_view text, std::string_view kind, std::string_view id) {
  if (text.empty()) return Json();
  // The non-throwing overload: a damaged row is a Status, not an exception.
  Json value = ParseJsonTextOrDiscarded(text);
  if (value.is_discarded()) {
    return Status(StatusCode::kDataLoss,
                  std::string(kind) + " " + std::string(id) + ": stored JSON is damaged");
  }
  return value;
}

void AppendSpanText(const Span& span, std::string* out) {
  // Written member by member, keys in sorted order (DumpJsonText's text of
  // the same object): a batch carries thousands of spans, and building a
  // tree for each only to print it took ~4% of the engine's CPU.
  auto text = [out](const char* key, std::string_view value) {
    out->append(key);
    AppendJsonString(value, out);
  };
  auto number = [out](const char* key, int64_t value) {
    out->append(key);
    out->append(std::to_string(value));
  };
  out->append("{\"attrs\":");
  AppendJsonText(span.attrs, out);
  number(",\"end_us\":", span.end_us);
  text(",\"kind\":", span.kind);
  text(",\"name\":", span.name);
  text(",\"parent_span_id\":", span.parent_span_id);
  text(",\"span_id\":", span.span_id);
  number(",\"start_us\":", span.start_us);
  text(",\"status\":", span.status);
  text(",\"trace_id\":", span.trace_id);
  out->push_back('}');
}

Span DecodeSpan(const Json& j, const std::string& run_id) {
  Span span;
  span.run_id = run_id;
  span.trace_id = j.value("trace_id", "");
  span.span_id = j.value("span_id", "");
  span.parent_span_id = j.value("parent_span_id", "");
  span.name = j.value("name", "");
  span.kind = j.value("kind", "");
  span.start_us = j.value("start_us", int64_t{0});
  span.end_us = j.value("end_us", int64_t{0});
  span.status = j.value("status", "");
  span.attrs = j.value("attrs", Json());
  return span;
}

size_t EncodedBatch::Bytes() const {
  size_t bytes = sizeof(EncodedBatch) + run_input.size() + run_result.size() +
                 update_result.size() + state_data.size() + approval_proposal.size() +
                 approval_edited.size();
  for (const EncodedPayload& p : event_payloads) bytes += sizeof(Event) + p.text.size();
  for (const EncodedSpanGroup& g : span_groups) bytes += sizeof(g) + g.spans.size();
  return bytes;
}

EncodedBatch EncodeBatch(WriteBatch batch, size_t inline_payload_max) {
  EncodedBatch out;
  if (batch.new_run) {
    out.run_input = EncodeJson(batch.new_run->input);
    out.run_result = EncodeJson(batch.new_run->result);
    batch.new_run->input = nullptr;
    batch.new_run->result = nullptr;
  }
  out.event_payloads.reserve(batch.events.size());
  for (Event& event : batch.events) {
    EncodedPayload payload{
        event.payload_text.empty() ? EncodeJson(event.payload) : std::move(event.payload_text),
        std::string()};
    if (payload.text.size() > inline_payload_max) payload.blob_hash = Sha256Hex(payload.text);
    out.event_payloads.push_back(std::move(payload));
    event.payload = nullptr;
  }
  if (batch.run_update) {
    RunUpdate& update = *batch.run_update;
    out.update_result = EncodeJson(update.result);
    update.result = nullptr;
  }
  if (batch.state) {
    out.state_data = EncodeJson(batch.state->data);
    batch.state->data = nullptr;
  }
  if (batch.approval) {
    out.approval_proposal = EncodeJson(batch.approval->approval.proposal);
    out.approval_edited = EncodeJson(batch.approval->approval.edited);
    batch.approval->approval.proposal = nullptr;
    batch.approval->approval.edited = nullptr;
  }
  std::map<std::string, size_t> group_of;  // run_id -> index in out.span_groups
  for (const Span& span : batch.spans) {
    auto [it, added] = group_of.try_emplace(span.run_id, out.span_groups.size());
    if (added) out.span_groups.push_back(EncodedSpanGroup{span.run_id, span.span_id, 0, ""});
    EncodedSpanGroup& group = out.span_groups[it->second];
    group.last_start_us = added ? span.start_us : std::max(group.last_start_us, span.start_us);
    group.spans.push_back(added ? '[' : ',');  // a JSON array of the run's spans
    AppendSpanText(span, &group.spans);
  }
  for (EncodedSpanGroup& group : out.span_groups) group.spans.push_back(']');
  batch.spans.clear();
  out.batch = std::move(batch);
  return out;
}

}  // namespace keel::sqlite
