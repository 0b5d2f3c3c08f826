// GET /v1/model/info and /model/info: the models this key may use, one entry per deployment
// (model name x provider), in LiteLLM's shape so its UIs and scripts read it:
//   {"data":[{"model_name":"gpt-4o",
//             "litellm_params":{"model":"openai/gpt-4o-2024-08-06","api_base":"...",
//                               "weight":2},
//             "model_info":{"id":"openai-main/gpt-4o","mode":"chat","litellm_provider":"openai",
//                           "input_cost_per_token":2.5e-06,"output_cost_per_token":1e-05,
//                           "cache_read_input_token_cost":1.25e-06,
//                           "cache_creation_input_token_cost":2.5e-06,
//                           "provider":"openai-main","mapped_model":"gpt-4o-2024-08-06",
//                           "weight":2,"is_pattern":false,"priced":true,"db_model":false}}]}
// Filtered by the key's allowed_models; provider keys never appear. /model/info is paginated
// (?page=1&size=100, with total_count, current_page, size and total_pages); /v1/model/info
// takes the same parameters and pages only when given one.
#pragma once

#include "worker/handlers/local_call.h"

namespace llmproxy::worker::handlers {

Outcome modelInfo(LocalCall& call);

}  // namespace llmproxy::worker::handlers
