// Usage objects of the three protocols.
#include "worker/protocol/usage_json.h"

namespace llmproxy::worker::protocol {
namespace {

void appendCount(std::string& out, std::string_view key, uint64_t n) {
  out += '"';
  out += key;
  out += "\":";
  out += std::to_string(n);
}

// Reads the one counter `key` of a details object.
uint64_t detail(od::value value, std::string_view key) {
  od::object object;
  if (value.get_object().get(object)) return 0;
  uint64_t n = 0;
  for (auto field_result : object) {
    od::field field;
    std::string_view name;
    if (std::move(field_result).get(field) || field.unescaped_key().get(name)) return n;
    if (name == key) n = countOr(field.value());
  }
  return n;
}

}  // namespace

bool readChatUsage(od::value value, TokenUsage& usage) {
  od::object object;
  if (value.get_object().get(object)) return false;
  uint64_t prompt = 0;
  uint64_t cached = 0;
  uint64_t cache_hit = 0;
  usage = TokenUsage{};
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
    if (key == "prompt_tokens") {
      prompt = countOr(field.value());
    } else if (key == "completion_tokens") {
      usage.output = countOr(field.value());
    } else if (key == "prompt_tokens_details") {
      cached = detail(field.value(), "cached_tokens");
    } else if (key == "completion_tokens_details") {
      usage.reasoning = detail(field.value(), "reasoning_tokens");
    } else if (key == "prompt_cache_hit_tokens") {
      cache_hit = countOr(field.value());
    }
  }
  if (cached == 0) cached = cache_hit;
  if (cached > prompt) cached = prompt;
  usage.cache_read = cached;
  usage.input = prompt - cached;
  return true;
}

bool readAnthropicUsage(od::value value, TokenUsage& usage) {
  od::object object;
  if (value.get_object().get(object)) return false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
    uint64_t* counter = nullptr;
    if (key == "input_tokens") {
      counter = &usage.input;
    } else if (key == "output_tokens") {
      counter = &usage.output;
    } else if (key == "cache_read_input_tokens") {
      counter = &usage.cache_read;
    } else if (key == "cache_creation_input_tokens") {
      counter = &usage.cache_write;
    }
    uint64_t n = 0;
    if (counter != nullptr && !field.value().get_uint64().get(n)) *counter = n;
  }
  return true;
}

void appendChatUsage(std::string& out, const TokenUsage& usage) {
  out += '{';
  appendCount(out, "prompt_tokens", usage.prompt());
  out += ',';
  appendCount(out, "completion_tokens", usage.output);
  out += ',';
  appendCount(out, "total_tokens", usage.total());
  out += ",\"prompt_tokens_details\":{";
  appendCount(out, "cached_tokens", usage.cache_read);
  out += "},\"completion_tokens_details\":{";
  appendCount(out, "reasoning_tokens", usage.reasoning);
  out += "}}";
}

void appendAnthropicUsage(std::string& out, const TokenUsage& usage) {
  out += '{';
  appendCount(out, "input_tokens", usage.input);
  out += ',';
  appendCount(out, "cache_creation_input_tokens", usage.cache_write);
  out += ',';
  appendCount(out, "cache_read_input_tokens", usage.cache_read);
  out += ',';
  appendCount(out, "output_tokens", usage.output);
  out += '}';
}

void appendResponsesUsage(std::string& out, const TokenUsage& usage) {
  out += '{';
  appendCount(out, "input_tokens", usage.prompt());
  out += ",\"input_tokens_details\":{";
  appendCount(out, "cached_tokens", usage.cache_read);
  out += "},";
  appendCount(out, "output_tokens", usage.output);
  out += ",\"output_tokens_details\":{";
  appendCount(out, "reasoning_tokens", usage.reasoning);
  out += "},";
  appendCount(out, "total_tokens", usage.total());
  out += '}';
}

}  // namespace llmproxy::worker::protocol
