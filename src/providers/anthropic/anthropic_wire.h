// Pieces of the Anthropic wire format shared by the plain and streamed
// paths. Internal to the provider. Thread-safe: pure functions.
#ifndef KEEL_PROVIDERS_ANTHROPIC_ANTHROPIC_WIRE_H_
#define KEEL_PROVIDERS_ANTHROPIC_ANTHROPIC_WIRE_H_

#include <memory>
#include <string>

#include "providers/chat_model.h"
#include "providers/internal/chat_protocol.h"

namespace keel::anthropic_wire {

// The reply in a Messages `message` object; the forced response tool's
// input becomes the text. kErrorRefused for stop_reason "refusal".
Result<ChatReply> ParseMessage(const Json& message, const ChatRequest& request);

// The typed error for an Anthropic error object {"type": "overloaded_error", ...}.
Status ErrorFromObject(const Json& error);

std::unique_ptr<providers_internal::StreamAssembler> NewAssembler(const ChatRequest& request);

}  // namespace keel::anthropic_wire

#endif  // KEEL_PROVIDERS_ANTHROPIC_ANTHROPIC_WIRE_H_
