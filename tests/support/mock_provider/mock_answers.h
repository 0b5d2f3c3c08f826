// The mock provider's answers: what one request gets (reasoning, text and tool-call blocks, a
// stop reason, usage) and how each protocol writes it, as one JSON body or as SSE events.
//
// One script, four renderings. A request is turned into a Plan: its blocks in order (a thinking
// block when asked, the text block, then the tool calls), the stop reason in Anthropic's words
// and the usage. Each endpoint writes the same Plan in its own protocol:
//   chat/completions  message {content, reasoning_content, tool_calls}, finish_reason
//                     stop|length|tool_calls|content_filter; stream chunks with role on the first,
//                     tool_calls[{index}] deltas, usage chunk with include_usage, [DONE].
//   messages          Anthropic message; stream message_start, ping, content_block_start/delta/
//                     stop per block (text_delta, thinking_delta then signature_delta,
//                     input_json_delta in three pieces), message_delta, message_stop.
//   responses         response object with reasoning, message and function_call items; stream
//                     response.created, .in_progress, per item .output_item.added, the part and
//                     delta events and their .done, .output_item.done, then .completed (or
//                     .incomplete), each with sequence_number from 0.
//   count_tokens      {"input_tokens": N}: the same N /v1/messages reports as input_tokens for
//                     that body: ceil(L / 4), at least 1, where L is the byte length of the text
//                     in messages, system, prompt, input and instructions (strings, and the
//                     "text"/"content" fields of objects, recursively); x-mock-prompt-tokens
//                     overrides it.
// Ids are deterministic per request number N: msg_mock_N, resp_mock_N, rs_mock_N, chatcmpl-mock-N;
// tool call i (from 0) is toolu_mock_N_i on Anthropic, call_mock_N_i on OpenAI (Responses item
// fc_mock_N_i); the thinking signature is sig_mock_N.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/mock_provider/mock_provider.h"

namespace llmproxy::testing::mock {

enum class Endpoint {
  kChat,
  kCompletions,
  kEmbeddings,
  kModels,
  kMessages,
  kCountTokens,
  kResponses,
  kOtlpTraces,         // POST .../v1/traces: a fake OpenTelemetry collector (200, recorded)
  kLangfuseIngestion,  // POST .../api/public/ingestion: a fake Langfuse (207, recorded)
  kMockRequests,
  kMockStats,
  kMockReset,
  kMockBehaviour,
  kNotFound,
  kBadMethod,
};

// The endpoint for a method and a path without its query (any prefix before the API's own path).
Endpoint route(std::string_view method, std::string_view path);
inline bool isControl(Endpoint e) {
  return e >= Endpoint::kMockRequests && e <= Endpoint::kMockBehaviour;
}
inline bool isAnthropic(Endpoint e) {
  return e == Endpoint::kMessages || e == Endpoint::kCountTokens;
}

// Sets one MockBehaviour field by its name ("delay-ms" or "delay_ms"); unknown names are ignored.
void applyBehaviourField(MockBehaviour& b, std::string_view name, std::string_view value);

struct Block {
  enum class Kind { kThinking, kText, kToolUse };
  Kind kind = Kind::kText;
  std::vector<std::string> deltas;  // thinking text or tool input pieces (text: Plan::piece)
  std::string whole;                // the thinking text or the tool input JSON, whole
  std::string id;                   // tool call id, or the thinking signature
  std::string item_id;              // Responses output item id
  std::string name;                 // tool name
  int call = 0;                     // tool calls: 0, 1, ... in order
};

// Everything decided about one request before answering it.
struct Plan {
  Endpoint endpoint = Endpoint::kNotFound;
  MockBehaviour b;
  bool stream = false;
  bool include_usage = false;
  std::string model;
  int prompt_tokens = 1;
  int inputs = 1;                 // embeddings: how many vectors
  int dimensions = 8;             // embeddings: vector length
  std::string unauthorized;       // non-empty: answer 401 with this message
  std::string invalid;            // non-empty: answer 400 with this message
  std::string path;               // for the 404 message
  bool anthropic_models = false;  // GET models in Anthropic's list shape
  uint64_t id = 0;
  int64_t created = 0;

  // The text split into pieces, one per content event.
  int pieces = 0;
  std::vector<size_t> offsets;  // with content: piece i is content[offsets[i], offsets[i+1])

  std::vector<Block> blocks;      // in answer order
  int steps = 0;                  // content events of a stream, all blocks together
  int content_tokens = 0;         // content events carrying text (not the signature)
  int reasoning_tokens = 0;       // the thinking block's share
  bool last_step_is_text = true;  // chat: finish_reason rides on the last content chunk
  std::string stop_reason;        // Anthropic's words: end_turn, max_tokens, tool_use, ...
  std::string stop_sequence;      // reported with stop_reason stop_sequence

  std::string piece(int i) const;
  std::string text() const;  // every piece
  int blockSteps(const Block& block) const;
  int completionTokens() const {
    return b.completion_tokens >= 0 ? b.completion_tokens : content_tokens;
  }
};

// Fills `plan` from the request: the body's facts, key and header checks, validation, the
// token estimate and the blocks. plan.endpoint, plan.b (with the x-mock-* headers applied) and
// plan.id must be set first.
void readRequest(Plan& plan, const RecordedRequest& request, simdjson::dom::parser& json);

// The 2xx JSON body of a non-streaming answer.
std::string answerBody(const Plan& plan, const std::vector<std::string>& models);
// An error body in the endpoint's protocol: Anthropic's {"type":"error","error":{type,message}}
// on messages and count_tokens, OpenAI's {"error":{message,type,param,code}} elsewhere.
// `code` is OpenAI's error code (default: rate_limit_exceeded for 429, else null).
std::string errorBody(const Plan& plan, int status, std::string_view message,
                      std::string_view code = {});

// Writes a streaming answer as HTTP chunks, one SSE event each: appendStep once per content
// event (with whatever opening events precede it), then appendTail or appendError, which both
// end the chunked body.
class StreamWriter {
 public:
  void start(const Plan& plan);
  int stepsDone() const { return step_; }
  void appendStep(std::string& out);
  void appendTail(std::string& out);
  void appendError(std::string& out);

 private:
  void prelude(std::string& out);
  void blockStart(std::string& out, size_t index);
  void blockDelta(std::string& out, size_t index, int delta);
  void blockStop(std::string& out, size_t index);
  void chatChunk(std::string& out, std::string_view delta, std::string_view finish);
  void event(std::string& out, std::string_view type, std::string_view fields);

  const Plan* plan_ = nullptr;
  int step_ = 0;
  size_t block_ = 0;  // the block being written
  int in_block_ = 0;  // its next delta
  bool block_open_ = false;
  bool prelude_sent_ = false;
  int sequence_ = 0;  // Responses sequence_number
};

}  // namespace llmproxy::testing::mock
