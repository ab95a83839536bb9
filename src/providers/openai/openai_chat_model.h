// The OpenAI Chat Completions provider (POST {base}/chat/completions), which
// also serves the many OpenAI-compatible servers (vLLM, llama.cpp, Ollama,
// gateways). Base URL from config, else OPENAI_BASE_URL, else
// https://api.openai.com/v1; key from config, else OPENAI_API_KEY.
//
// Streaming asks for `stream_options.include_usage` and assembles content
// and tool-call argument deltas as they arrive. A response schema becomes
// `response_format: {type: json_schema}`. Usage: prompt_tokens includes the
// cached tokens and completion_tokens the reasoning ones; the reply's meters
// are made disjoint so nothing is counted twice.
//
// Thread-safe (see ChatModel). Must outlive its calls.
#ifndef KEEL_PROVIDERS_OPENAI_OPENAI_CHAT_MODEL_H_
#define KEEL_PROVIDERS_OPENAI_OPENAI_CHAT_MODEL_H_

#include <memory>

#include "providers/chat_model.h"
#include "providers/provider_config.h"

namespace keel {

std::unique_ptr<ChatModel> NewOpenAiChatModel(ProviderConfig config, ProviderDeps deps);

// The JSON body sent for `request` (exposed for conformance tests).
Json OpenAiRequestBody(const ChatRequest& request);

}  // namespace keel

#endif  // KEEL_PROVIDERS_OPENAI_OPENAI_CHAT_MODEL_H_
