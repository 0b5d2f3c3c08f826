// Reads a client's request body (OpenAI Chat Completions, Anthropic Messages or OpenAI
// Responses) into the internal form, for a provider that speaks another protocol.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "common/base/result.h"
#include "worker/protocol/internal_request.h"

namespace llmproxy::worker::protocol {

// Owns a simdjson parser and a padded scratch buffer, reused across calls: one instance per
// worker, used only on the worker loop (not thread-safe).
//
// Contract of read(source, data, len, capacity):
//  - `data` holds the `len` bytes of the client's body, which JsonFactsParser has already
//    validated in full: the reader copies raw JSON it does not interpret (schemas, tool input,
//    unknown fields) without checking it again. `capacity` >= len bytes are readable from
//    `data`; with JsonFactsParser::kPadding to spare the body is read in place, else through a
//    copy (views still point into `data`).
//  - The result views `data` (see internal_request.h): keep the body alive and unchanged for as
//    long as the InternalRequest is used.
//  - Errors are ErrorKind::BadRequest (400 invalid_request_error) with a message naming the
//    parameter and Error::param set to it ("messages[1].content[0].image_url.url"): a member of
//    the wrong type, a missing required member, an unknown role or content type, and the
//    content the provider's protocol has no place for (Anthropic documents, OpenAI audio and
//    files, hosted tools, previous_response_id, ...). Never a crash, whatever the bytes.
//  - What each protocol's members become is ../shared/PROTOCOLS.md §2; chat_request_reader.h,
//    anthropic_request_reader.h and responses_request_reader.h list the details.
//  - Cost: one simdjson on-demand pass; allocations are the internal form's vectors and one
//    block per OpenAI tool call (its unescaped arguments, parsed once to check them).
class RequestReader {
 public:
  RequestReader();
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  common::Result<InternalRequest> read(InternalRequest::Source source, const char* data, size_t len,
                                       size_t capacity);
  common::Result<InternalRequest> read(InternalRequest::Source source, std::string_view body) {
    return read(source, body.data(), body.size(), body.size());
  }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace llmproxy::worker::protocol
