// A LiteLLM proxy configuration (litellm-config.yaml) turned into llmproxy.conf text:
//   model_list[]: model_name + litellm_params{model: "<provider>/<model>", api_key, api_base,
//                 api_version, rpm, tpm, weight} + model_info{*_cost_per_token, ...}
//   litellm_settings{num_retries, request_timeout, cache, cache_params{type, host, port, ttl}}
//   router_settings{num_retries, timeout, redis_host, redis_port}
//   general_settings{master_key, database_url}
// Deployments are grouped into one [[provider]] per (provider, base URL, key, API version,
// weight); each model_name becomes a model_mapping entry to the provider's model name, so a
// model_name listed by several deployments is served by several providers, weighted.
// OpenAI-compatible services (Groq, OpenRouter, Cerebras, Together, DeepSeek, Mistral, Fireworks,
// xAI, Perplexity, Gemini's OpenAI endpoint, Voyage, Ollama, vLLM, text-embeddings-inference)
// become type "openai-compatible" with their well-known base URL; Anthropic type "anthropic";
// Azure type "azure". Costs per token become [[price]] tables per million tokens.
// "os.environ/NAME" becomes "${NAME}". Everything that has no equivalent is listed with its
// line, never silently dropped. Pure: no I/O.
#pragma once

#include <expected>
#include <string>
#include <vector>

namespace llmproxy::master::import {

struct LitellmImport {
  std::string conf;                   // llmproxy.conf text: [server], [[provider]], [[price]], ...
  std::vector<std::string> unmapped;  // "file:line: what was not imported, and why"
  size_t providers = 0;
  size_t models = 0;
  size_t prices = 0;
};

// `file` names the text in messages. Errors: the YAML does not parse or has no model_list.
std::expected<LitellmImport, std::vector<std::string>> importLitellmConfig(
    const std::string& text, const std::string& file);

}  // namespace llmproxy::master::import
