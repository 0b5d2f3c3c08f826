// One attempt's request to a provider, as a translator builds it: the head and the body pieces
// for one writev. Owned by the exchange and reused by each of its attempts; the pieces view the
// client's body and this object's own strings, so neither may change while the attempt is in
// flight.
#pragma once

#include <uv.h>

#include <string>
#include <vector>

namespace llmproxy::worker::protocol {

struct OutgoingRequest {
  std::string head;               // request line, headers, blank line
  std::string model_value;        // the mapped model as a JSON string token
  std::string usage_request;      // injected stream_options / include_usage bytes
  std::string body;               // a translated body (cross_translator.h); else unused
  // What the agent-client repairs changed in a translated request (counted in the metrics).
  uint32_t repairs[4] = {};  // thinking removed, tool results added, blank texts, thinking off
  std::vector<uv_buf_t> bufs;     // the head, then the body pieces
  bool drop_usage_chunk = false;  // usage was asked on the client's behalf: hide that chunk
};

}  // namespace llmproxy::worker::protocol
