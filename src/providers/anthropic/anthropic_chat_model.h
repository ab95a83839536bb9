// The Anthropic Messages provider (POST {base}/v1/messages with x-api-key
// and anthropic-version: 2023-06-01). Base URL from config, else
// ANTHROPIC_BASE_URL, else https://api.anthropic.com; key from config, else
// ANTHROPIC_API_KEY.
//
// Tool results travel as tool_result blocks in a user turn (consecutive
// results share one turn). A response schema becomes a tool the model is
// forced to call; its input is returned as the reply text. Streaming
// rebuilds the message from its events (message_start, content_block_*,
// message_delta, message_stop). Usage: input_tokens already excludes cache
// reads and writes, which map to cached-input and cache-write meters.
//
// Thread-safe (see ChatModel). Must outlive its calls.
#ifndef KEEL_PROVIDERS_ANTHROPIC_ANTHROPIC_CHAT_MODEL_H_
#define KEEL_PROVIDERS_ANTHROPIC_ANTHROPIC_CHAT_MODEL_H_

#include <memory>

#include "providers/chat_model.h"
#include "providers/provider_config.h"

namespace keel {

std::unique_ptr<ChatModel> NewAnthropicChatModel(ProviderConfig config, ProviderDeps deps);

// The JSON body sent for `request` (exposed for tests).
Json AnthropicRequestBody(const ChatRequest& request);

}  // namespace keel

#endif  // KEEL_PROVIDERS_ANTHROPIC_ANTHROPIC_CHAT_MODEL_H_
