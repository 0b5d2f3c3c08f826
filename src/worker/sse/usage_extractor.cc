// Token usage extraction with simdjson on-demand (top-level members only).
#include "worker/sse/usage_extractor.h"

#include <simdjson.h>

#include <cstring>

namespace llmproxy::worker {

namespace od = simdjson::ondemand;

namespace {

// Reads one counter; anything but an unsigned integer leaves it 0.
uint64_t counter(od::value value) {
  uint64_t n = 0;
  if (value.get_uint64().get(n)) return 0;
  return n;
}

std::optional<Usage> readUsage(od::value value) {
  od::object object;
  if (value.get_object().get(object)) return std::nullopt;
  Usage usage;
  bool has_total = false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return std::nullopt;
    if (key == "prompt_tokens" || key == "input_tokens") {
      usage.prompt_tokens += counter(field.value());
    } else if (key == "cache_read_input_tokens") {
      // Anthropic counts cached input apart from input_tokens; the prompt is all of it.
      const uint64_t n = counter(field.value());
      usage.prompt_tokens += n;
      usage.cached_tokens += n;
    } else if (key == "cache_creation_input_tokens") {
      const uint64_t n = counter(field.value());
      usage.prompt_tokens += n;
      usage.cache_write_tokens += n;
    } else if (key == "prompt_tokens_details" || key == "input_tokens_details") {
      od::object details;
      if (field.value().get_object().get(details)) continue;
      for (auto detail_result : details) {
        od::field detail;
        std::string_view detail_key;
        if (std::move(detail_result).get(detail) || detail.unescaped_key().get(detail_key))
          return std::nullopt;
        if (detail_key == "cached_tokens") usage.cached_tokens = counter(detail.value());
      }
    } else if (key == "completion_tokens" || key == "output_tokens") {
      usage.completion_tokens = counter(field.value());
    } else if (key == "total_tokens") {
      usage.total_tokens = counter(field.value());
      has_total = true;
    }
  }
  if (!has_total) usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
  return usage;
}

}  // namespace

struct UsageExtractor::State {
  od::parser parser;
  std::unique_ptr<char[]> buffer;
  size_t buffer_size = 0;
};

bool mayHaveUsage(std::string_view payload) {
  return payload.find("usage") != std::string_view::npos &&
         payload.find("_tokens") != std::string_view::npos;
}

UsageExtractor::UsageExtractor() : state_(std::make_unique<State>()) {}
UsageExtractor::~UsageExtractor() = default;

UsageFacts UsageExtractor::extract(std::string_view payload) {
  UsageFacts facts;
  if (!mayHaveUsage(payload)) return facts;

  // Payloads are views into the stream: copy into a padded buffer (usage chunks are small).
  // A large non-streaming body gets a temporary parser and buffer, so the worker does not
  // keep their memory for good.
  const size_t need = payload.size() + simdjson::SIMDJSON_PADDING;
  std::unique_ptr<char[]> oversize_buffer;
  std::optional<od::parser> oversize_parser;
  char* buffer = nullptr;
  od::parser* parser = &state_->parser;
  if (payload.size() > kRetainedCapacity) {
    oversize_buffer = std::make_unique_for_overwrite<char[]>(need);
    buffer = oversize_buffer.get();
    parser = &oversize_parser.emplace();
  } else {
    if (state_->buffer_size < need) {
      state_->buffer = std::make_unique_for_overwrite<char[]>(need);
      state_->buffer_size = need;
    }
    buffer = state_->buffer.get();
  }
  std::memcpy(buffer, payload.data(), payload.size());
  std::memset(buffer + payload.size(), 0, simdjson::SIMDJSON_PADDING);

  od::document doc;
  od::object root;
  if (parser->iterate(buffer, payload.size(), need).get(doc) || doc.get_object().get(root)) {
    return facts;
  }
  bool choices_empty = false;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return UsageFacts{};
    if (key == "usage") {
      facts.usage = readUsage(field.value());
    } else if ((key == "message" || key == "response") && !facts.usage) {
      // Anthropic's message_start and the Responses API's response.* events nest it.
      od::object inner;
      if (field.value().get_object().get(inner)) continue;
      for (auto inner_result : inner) {
        od::field inner_field;
        std::string_view inner_key;
        if (std::move(inner_result).get(inner_field) ||
            inner_field.unescaped_key().get(inner_key))
          break;
        if (inner_key == "usage") facts.usage = readUsage(inner_field.value());
      }
    } else if (key == "choices") {
      od::array choices;
      bool empty = false;
      if (!field.value().get_array().get(choices) && !choices.is_empty().get(empty)) {
        choices_empty = empty;
      }
    }
  }
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) != simdjson::OUT_OF_BOUNDS) return UsageFacts{};
  facts.usage_only = choices_empty && facts.usage.has_value();
  return facts;
}

}  // namespace llmproxy::worker
