#include "store/sqlite/encoded_batch.h"

#include <utility>

#include "core/ids.h"

namespace keel::sqlite {

std::string EncodeJson(const Json& value) {
  if (value.is_null()) return std::string();
  return SerializePayload(value);
}

Result<Json> DecodeJson(std::string_view text, std::string_view kind, std::string_view id) {
  if (text.empty()) return Json();
  // The non-throwing overload: a damaged row is a Status, not an exception.
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Status(StatusCode::kDataLoss,
                  std::string(kind) + " " + std::string(id) + ": stored JSON is damaged");
  }
  return value;
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
    out.update_result = EncodeJson(batch.run_update->result);
    batch.run_update->result = nullptr;
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
  out.span_attrs.reserve(batch.spans.size());
  for (Span& span : batch.spans) {
    out.span_attrs.push_back(EncodeJson(span.attrs));
    span.attrs = nullptr;
  }
  out.batch = std::move(batch);
  return out;
}

}  // namespace keel::sqlite
