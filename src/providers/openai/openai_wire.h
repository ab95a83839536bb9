// Pieces of the OpenAI wire format shared by the plain and streamed paths.
// Internal to the provider. Thread-safe: pure functions.
#ifndef KEEL_PROVIDERS_OPENAI_OPENAI_WIRE_H_
#define KEEL_PROVIDERS_OPENAI_OPENAI_WIRE_H_

#include <memory>
#include <string>

#include "providers/chat_model.h"
#include "providers/internal/chat_protocol.h"

namespace keel::openai_wire {

// Disjoint meters from an OpenAI `usage` object.
ModelUsage Usage(const Json& usage);
// finish_reason -> the kStop* words ("stop" -> end_turn, "length" -> max_tokens, ...).
std::string StopReason(const std::string& finish_reason);
// Parses a tool call's `arguments` string; kErrorMalformed when it is not a JSON object.
Result<Json> Arguments(const std::string& text, const std::string& tool);
// kErrorRefused carrying the model's refusal text.
Status Refusal(const std::string& text);
// The reply from assembled parts, or the refusal / content-filter error.
Result<ChatReply> Reply(std::string text, std::string refusal, std::vector<ChatToolCall> calls,
                        const std::string& finish_reason, const Json& usage, std::string model);

std::unique_ptr<providers_internal::StreamAssembler> NewAssembler();

}  // namespace keel::openai_wire

#endif  // KEEL_PROVIDERS_OPENAI_OPENAI_WIRE_H_
