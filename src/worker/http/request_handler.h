// What a client connection tells the code that answers its current request. http/ knows
// nothing of the pipeline: the pipeline's Exchange implements this, and the connection owns it
// (through ConnectionHost::newHandler) from the first byte of a request to the end of its
// response. Worker-loop-only.
#pragma once

#include <cstdint>
#include <string>

#include "common/base/result.h"
#include "worker/http/request.h"

namespace llmproxy::worker {

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;

  // The request head is parsed (a bodyless request is then complete: body_complete is set).
  // A body is read only if the handler asks for it with DownstreamConn::readBody().
  virtual void onRequestHead() = 0;
  // The body asked for with readBody() is complete.
  virtual void onRequestBody() = 0;
  // The request cannot be read (malformed, too large, too slow): answer `error` through the
  // connection's ResponseWriter. The connection closes after that answer.
  virtual void onRequestError(const common::Error& error) = 0;
  // The response's last byte was written: the exchange's normal exit.
  virtual void onResponseSent() = 0;
  // The connection closed before the response ended (client gone, write error, abort, timeout,
  // worker stop). Exactly one of onResponseSent / onClientGone is called, then the handler is
  // handed to ConnectionHost::retireHandler.
  virtual void onClientGone() = 0;
  // A write completed while the response is still being streamed: queued output went down
  // (relay backpressure; the handler compares DownstreamConn::queuedBytes with its marks).
  virtual void onDrained() = 0;

  // What the connection and the handler share about this request/response.
  Request request;              // filled by the connection as it parses; read by the handler
  std::string request_id;       // set by the handler; sent on every answer (when not empty)
  bool body_complete = false;   // the whole request, body included, has been parsed
  uint64_t request_read_us = 0; // when it was (monotonic): the start of the proxy's own work
  int status = 0;               // status sent to the client (0 = none yet)
  uint64_t bytes_in = 0;        // request bytes (head + body)
  uint64_t bytes_out = 0;       // response bytes (head + body, framing excluded)
};

}  // namespace llmproxy::worker
