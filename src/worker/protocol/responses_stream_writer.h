// Writes the internal stream as OpenAI Responses events (PROTOCOLS.md §4, the client side of
// "Chat chunks → Responses events").
#pragma once

#include <cstdint>
#include <string>

#include "worker/protocol/client_options.h"
#include "worker/protocol/responses_json.h"
#include "worker/protocol/stream_writer.h"

namespace llmproxy::worker::protocol {

// Owned by a stream converter; worker-loop-only. Events, each `event: <type>\ndata: {"type":
// <type>,"sequence_number":n,…}\n\n` with n counting from 0:
//   response.created, response.in_progress (status in_progress, output [])
//   per text block: a message item — response.output_item.added, response.content_part.added,
//     response.output_text.delta…, response.output_text.done, response.content_part.done,
//     response.output_item.done
//   per thinking block: a reasoning item — output_item.added, reasoning_summary_part.added,
//     reasoning_summary_text.delta…, reasoning_summary_text.done,
//     reasoning_summary_part.done, output_item.done (signatures dropped)
//   per tool block: a function_call item — output_item.added,
//     function_call_arguments.delta…, function_call_arguments.done ("{}" when none),
//     output_item.done
//   response.completed or response.incomplete (§3 table) with the whole response object:
//     every item and the usage.
// An error is response.failed (status failed, error {code, message}, the items so far).
// Item ids are streamedItemId's; each finished item is kept in the node's item store under its
// id (keepStreamedItem, item_ids.h), once, at its output_item.done.
//
// Memory: the `.done` events and the final object repeat what was streamed, so the writer
// keeps the open item's text and the finished items' JSON until the end: proportional to the
// answer, as the Responses protocol requires.
class ResponsesStreamWriter final : public StreamWriter {
 public:
  explicit ResponsesStreamWriter(ClientOptions client) : client_(std::move(client)) {}

  void start(std::string_view upstream_id, const TokenUsage& usage, std::string& out) override;
  void blockStart(StreamBlockKind kind, std::string_view tool_id, std::string_view tool_name,
                  std::string& out) override;
  void delta(StreamDeltaKind kind, std::string_view piece, std::string& out) override;
  void blockStop(std::string& out) override;
  void end(StopReason stop, std::string_view stop_sequence, const TokenUsage& usage,
           std::string& out) override;
  void error(const ClientError& error, std::string& out) override;

 private:
  void eventHead(std::string_view type, std::string& out);  // event: …\ndata: {"type":…,"sequence_number":n
  void itemRef(std::string& out) const;                     // ,"item_id":…,"output_index":i
  ResponseObject object(std::string_view status) const;  // id, created_at, model, status
  void itemEvent(std::string_view type, std::string_view item, std::string& out);

  ClientOptions client_;
  std::string id_;  // resp_…
  uint64_t sequence_ = 0;
  uint32_t output_index_ = 0;  // the open item's, or the next one's
  StreamBlockKind kind_ = StreamBlockKind::Text;
  std::string item_id_;
  std::string call_id_;
  std::string name_;
  std::string text_;    // the open item's text or arguments so far
  std::string output_;  // finished items, comma-separated
};

}  // namespace llmproxy::worker::protocol
