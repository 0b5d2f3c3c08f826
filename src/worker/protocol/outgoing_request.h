// One attempt's request to a provider, as a translator builds it: the head and the body pieces
// for one writev. Owned by the exchange and reused by each of its attempts; the pieces view the
// client's body and this object's own strings, so neither may change while the attempt is in
// flight.
#pragma once

#include <uv.h>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <span>
#include <string>

namespace llmproxy::worker::protocol {

// The head and the body pieces of one request, held inline (no allocation per request): the
// head, then the client's bytes around at most two edits (body_edits.h), or a translated body.
class RequestPieces {
 public:
  static constexpr size_t kCapacity = 8;

  void clear() { size_ = 0; }
  void push_back(uv_buf_t buf) {
    // NOTE: bounded by construction (head + 2 edits + 3 pieces around them); never reached.
    if (size_ == kCapacity) std::abort();
    bufs_[size_++] = buf;
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const uv_buf_t* data() const { return bufs_.data(); }
  const uv_buf_t* begin() const { return bufs_.data(); }
  const uv_buf_t* end() const { return bufs_.data() + size_; }
  const uv_buf_t& operator[](size_t i) const { return bufs_[i]; }
  std::span<const uv_buf_t> span() const { return {bufs_.data(), size_}; }

 private:
  std::array<uv_buf_t, kCapacity> bufs_{};
  size_t size_ = 0;
};

struct OutgoingRequest {
  std::string head;               // request line, headers, blank line
  std::string model_value;        // the mapped model as a JSON string token
  std::string usage_request;      // injected stream_options / include_usage bytes
  std::string body;               // a translated body (cross_translator.h); else unused
  // What the agent-client repairs changed in a translated request (counted in the metrics).
  uint32_t repairs[4] = {};  // thinking removed, tool results added, blank texts, thinking off
  RequestPieces bufs;             // the head, then the body pieces
  bool drop_usage_chunk = false;  // usage was asked on the client's behalf: hide that chunk
};

}  // namespace llmproxy::worker::protocol
