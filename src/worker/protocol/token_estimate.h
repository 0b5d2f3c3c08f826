// The count_tokens answer when no Anthropic provider serves the model: an estimate, not a
// tokenizer. Rule (documented in docs/protocols.md): every string value of the request body
// (message text, system, tool names, descriptions and schemas' strings; object keys are not
// counted) adds its UTF-8 byte length; the estimate is that sum divided by 4, rounded up, and
// at least 1. English prose under OpenAI's and Anthropic's tokenizers averages about 4 bytes a
// token; code and non-Latin scripts count more tokens than this says.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/base/result.h"

namespace llmproxy::worker::protocol {

// The estimate for a count_tokens body (valid JSON: stage 37 checked it).
common::Result<uint64_t> estimateInputTokens(std::string_view body);

}  // namespace llmproxy::worker::protocol
