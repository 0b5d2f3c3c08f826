// The stop-reason table.
#include "worker/protocol/stop_reason.h"

namespace llmproxy::worker::protocol {

StopReason stopFromOpenAI(std::string_view finish_reason) {
  if (finish_reason == "length") return StopReason::MaxTokens;
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return StopReason::ToolUse;
  if (finish_reason == "content_filter") return StopReason::ContentFilter;
  return StopReason::EndTurn;
}

StopReason stopFromAnthropic(std::string_view stop_reason) {
  if (stop_reason == "stop_sequence") return StopReason::StopSequence;
  // model_context_window_exceeded: the output was cut short, which OpenAI calls "length".
  if (stop_reason == "max_tokens" || stop_reason == "model_context_window_exceeded") {
    return StopReason::MaxTokens;
  }
  if (stop_reason == "tool_use") return StopReason::ToolUse;
  if (stop_reason == "refusal") return StopReason::ContentFilter;
  if (stop_reason == "pause_turn") return StopReason::PauseTurn;
  return StopReason::EndTurn;
}

std::string_view openAIFinishReason(StopReason stop) {
  switch (stop) {
    case StopReason::MaxTokens:
      return "length";
    case StopReason::ToolUse:
      return "tool_calls";
    case StopReason::ContentFilter:
      return "content_filter";
    case StopReason::EndTurn:
    case StopReason::StopSequence:
    case StopReason::PauseTurn:
      break;
  }
  return "stop";
}

std::string_view anthropicStopReason(StopReason stop) {
  switch (stop) {
    case StopReason::StopSequence:
      return "stop_sequence";
    case StopReason::MaxTokens:
      return "max_tokens";
    case StopReason::ToolUse:
      return "tool_use";
    case StopReason::ContentFilter:
      return "refusal";
    case StopReason::PauseTurn:
      return "pause_turn";
    case StopReason::EndTurn:
      break;
  }
  return "end_turn";
}

ResponsesStatus responsesStatus(StopReason stop) {
  switch (stop) {
    case StopReason::MaxTokens:
      return {"incomplete", "max_output_tokens"};
    case StopReason::ContentFilter:
      return {"incomplete", "content_filter"};
    case StopReason::EndTurn:
    case StopReason::StopSequence:
    case StopReason::ToolUse:
    case StopReason::PauseTurn:
      break;
  }
  return {"completed", ""};
}

}  // namespace llmproxy::worker::protocol
