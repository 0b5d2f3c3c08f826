// One client connection: llhttp request parsing (stage 10), keep-alive, pipelining (the parser
// pauses at each message end and resumes after the response), bounded header and body sizes,
// and the header / body / keep-alive / send timeouts. Owns at most one Exchange at a time.
//
// Lifetime: created by the Worker on accept, registered in its connection list; ends only
// through close(), and the object is deleted in libuv's close callback. Worker-loop-only.
#pragma once

#include <llhttp.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "common/base/error_kind.h"
#include "common/uv/uv_timer.h"
#include "worker/http/response.h"
#include "worker/pipeline/exchange.h"
#include "worker/upstream/upstream_client.h"

namespace llmproxy::worker {

class Worker;

class DownstreamConn {
 public:
  DownstreamConn(Worker& worker, bool admin_listener, bool unix_socket);
  ~DownstreamConn();
  DownstreamConn(const DownstreamConn&) = delete;
  DownstreamConn& operator=(const DownstreamConn&) = delete;

  // Accepts from `server` and starts reading. False (and the object must be closed) on failure.
  bool accept(uv_stream_t* server);
  // Idempotent. Ends the exchange (finish runs) and frees the object once libuv is done.
  void close();

  // Graceful stop: an idle connection closes now, a busy one after its current response.
  void drain();

  // Stage 35: resume the parser to read the body; pipeline::resume follows at message end.
  void readBody(Exchange& ex);
  // Queue a complete local response for the current exchange.
  void sendResponse(Exchange& ex, Response response);

  // Streaming responses (the relay). Writes are queued in order; endResponse() marks the
  // last one, and the exchange finishes when it has been written — at once, inside
  // endResponse(), when nothing is queued: call it last.
  // Decides keep-alive for this response (true = "Connection: close" must be sent).
  bool wantsClose(const Exchange& ex);
  void writeHead(Exchange& ex, std::string head);
  void writeBody(BodySlice slice, bool chunked);
  void writeOwned(std::string bytes);
  void endResponse();
  // Bytes queued for the client and not yet written.
  size_t queuedBytes() const;
  // Issue the batched writes (called by the Worker once per loop iteration).
  void flush();
  // The response will end by closing the connection (HTTP/1.0 without a length, errors).
  void forceCloseAfterResponse() { close_after_response_ = true; }
  // The response cannot be completed (e.g. upstream broke mid-body): close the connection.
  void abortResponse() { close(); }

  bool isAdminListener() const { return admin_listener_; }
  const std::string& peerAddress() const { return peer_; }

  std::list<DownstreamConn*>::iterator registry_pos;  // set by the Worker

 private:
  enum class State : uint8_t {
    Idle,         // between requests (keep-alive timeout runs)
    ReadingHead,  // a request head is being parsed (header timeout runs)
    HeadReady,    // head parsed, pipeline running, body not read yet
    ReadingBody,  // stage 35 asked for the body (body timeout runs)
    Processing,   // whole request parsed, handler running
    Writing,      // response queued (send timeout runs)
    Closing,
  };

  static const llhttp_settings_t& parserSettings();
  static int onMessageBegin(llhttp_t* p);
  static int onUrl(llhttp_t* p, const char* at, size_t len);
  static int onHeaderField(llhttp_t* p, const char* at, size_t len);
  static int onHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int onHeadersComplete(llhttp_t* p);
  static int onBody(llhttp_t* p, const char* at, size_t len);
  static int onMessageComplete(llhttp_t* p);
  static void onTimeout(void* self);

  void onRead(ssize_t nread, const uv_buf_t* buf);
  void parse(const char* data, size_t len);
  void parsePending();
  bool countHeaderBytes(size_t n);
  void onParseError(llhttp_errno_t err);
  void startExchange();
  void onWriteDone(int status);
  std::string responseHeadFor(Exchange& ex, const Response& response);
  void addBuf(const char* data, size_t len);
  void endExchange();
  void respondAndClose(common::ErrorKind kind, std::string message);
  void setReading(bool on);
  void armTimer(uint64_t ms);

  Worker& worker_;
  const bool admin_listener_;
  const bool unix_socket_;
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  } handle_;
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&handle_); }

  llhttp_t parser_{};
  State state_ = State::Idle;
  bool reading_ = false;
  bool close_after_response_ = false;
  bool closing_ = false;
  bool last_was_value_ = false;
  bool message_done_ = false;      // the parser paused at message end
  bool head_done_ = false;         // the parser paused at headers end (body follows)
  common::ErrorKind parse_error_ = common::ErrorKind::BadRequest;
  bool parse_error_set_ = false;
  uint32_t requests_ = 0;
  uint32_t writes_pending_ = 0;
  struct Batch {
    std::vector<uv_buf_t> bufs;
    std::deque<std::string> strings;
    std::vector<std::shared_ptr<const void>> owners;
  } batch_;
  size_t batch_bytes_ = 0;
  bool flush_scheduled_ = false;
  bool response_ended_ = false;
  std::string pending_;            // bytes read but not parsed yet (pipelined / paused)
  std::string peer_;
  std::unique_ptr<Exchange> exchange_;
  common::UvTimer timer_;
};

}  // namespace llmproxy::worker
