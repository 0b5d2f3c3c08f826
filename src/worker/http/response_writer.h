// The one way an answer reaches the client. Local answers (handlers, admin, errors) and relayed
// ones share the head serialiser (status line, Server, x-request-id, framing, Connection), the
// keep-alive decision and the chunk framing. Bytes go into the connection's pending batch, which
// the Worker flushes once per loop iteration; relayed body slices are referenced, not copied.
//
// An answer is either send(Response) in one call, or beginHead, header..., endHead, body...,
// then end() (or abort()). Worker-loop-only; one writer per client connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "worker/http/output_batch.h"
#include "worker/http/request_handler.h"
#include "worker/http/response.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

// The connection side of a ResponseWriter.
class ResponseSink {
 public:
  // An answer's head is about to be written. False when the connection may not stay open
  // after it, whatever the request says (the worker is draining, keepalive_requests reached).
  virtual bool onResponseHead() = 0;
  // The pending batch went from empty to non-empty: flush it in this loop iteration.
  virtual void onOutputQueued() = 0;
  // The answer's last byte is queued: the exchange ends once everything is written.
  virtual void onResponseEnded() = 0;
  // The answer cannot be completed: the connection closes now.
  virtual void onResponseAborted() = 0;

 protected:
  ~ResponseSink() = default;
};

std::string_view statusReason(int status);

class ResponseWriter {
 public:
  explicit ResponseWriter(ResponseSink& sink) : sink_(sink) {}
  ResponseWriter(const ResponseWriter&) = delete;
  ResponseWriter& operator=(const ResponseWriter&) = delete;

  // ---- the connection's side ----
  // Writes are dropped while no exchange is bound or once the connection shut the writer down.
  // The exchange answered next: its request decides HTTP version, keep-alive and HEAD, its
  // request_id goes on the head, and its status and bytes_out are kept up to date.
  void bind(RequestHandler* exchange);
  // The connection is closing: every later write is dropped.
  void shutDown() { shut_ = true; }
  // Queued bytes waiting for the next flush.
  OutputBatch& pending() { return pending_; }
  size_t pendingBytes() const { return pending_.size(); }
  // The connection ends after the current answer (decided at its head, or asked for).
  bool closesConnection() const { return close_; }

  // ---- the answering side ----
  // A whole local answer: head with Content-Type and Content-Length, the body (moved, not
  // copied; left out for HEAD), end.
  void send(Response&& response);

  // A streamed answer's head. `content_length` nullopt: the body is chunked for an HTTP/1.1
  // client, and ends with the connection for an HTTP/1.0 one. Takes the keep-alive decision.
  void beginHead(int status, std::optional<uint64_t> content_length);
  // "name: value", written as given (the caller filters what it relays).
  void header(std::string_view name, std::string_view value);
  void header(std::string_view name, uint64_t value);
  // Framing and Connection headers, then the blank line.
  void endHead();
  // A piece of body: referenced while the write is in flight (the slice's owner is kept), never
  // copied. Chunk-framed when the answer is chunked; dropped for HEAD.
  void body(BodySlice slice);
  // A small piece of body the writer copies (e.g. an SSE error event).
  void body(std::string_view bytes);
  // The last piece: the terminating chunk when chunked. The exchange ends once it is written,
  // at once when nothing is queued any more: call it last.
  void end();
  // The answer cannot be completed (the provider broke mid-body): close the connection.
  void abort();
  // The connection closes once this answer is written (an answer cut short on purpose).
  void closeAfterResponse() { close_ = true; }

  bool chunked() const { return chunked_; }

 private:
  void decideKeepAlive(bool length_known);
  void notifyIfFirst(bool was_empty);

  ResponseSink& sink_;
  RequestHandler* exchange_ = nullptr;
  OutputBatch pending_;
  size_t head_start_ = 0;          // pending_.size() when the head began
  std::optional<uint64_t> content_length_;
  bool shut_ = false;
  bool close_ = false;             // sticky: once decided, the connection ends
  bool chunked_ = false;
  bool head_only_ = false;         // answering HEAD: no body bytes
};

}  // namespace llmproxy::worker
