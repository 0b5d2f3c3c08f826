// The stop-reason table of PROTOCOLS.md §3: StopReason to and from each protocol's names.
#pragma once

#include <string_view>

#include "worker/protocol/internal_response.h"

namespace llmproxy::worker::protocol {

// Reading a provider's value. Unknown or missing values read as EndTurn (the model stopped
// for a reason we cannot name; "stop" is the honest OpenAI answer for it).
StopReason stopFromOpenAI(std::string_view finish_reason);
StopReason stopFromAnthropic(std::string_view stop_reason);

// Writing a client's value.
std::string_view openAIFinishReason(StopReason stop);
std::string_view anthropicStopReason(StopReason stop);

// A Responses `status` and, for "incomplete", its incomplete_details.reason (else empty).
struct ResponsesStatus {
  std::string_view status;
  std::string_view incomplete_reason;
};
ResponsesStatus responsesStatus(StopReason stop);

}  // namespace llmproxy::worker::protocol
