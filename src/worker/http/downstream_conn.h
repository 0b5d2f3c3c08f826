// One client connection: llhttp request parsing (stage 10), keep-alive, pipelining (the parser
// pauses at each message end and resumes after the response), bounded header and body sizes,
// and the header / body / keep-alive / send timeouts. Runs at most one exchange at a time: it
// owns that exchange's RequestHandler (made by the host), fills its Request, and writes its
// answer through the ResponseWriter, whose batch it flushes once per loop iteration.
//
// Lifetime: created by the Worker on accept, registered in its connection list; ends only
// through close(), and the object is deleted in libuv's close callback. Worker-loop-only.
#pragma once

#include <llhttp.h>
#include <uv.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "common/base/result.h"
#include "common/uv/uv_timer.h"
#include "worker/http/client_connection.h"
#include "worker/http/connection_host.h"
#include "worker/http/output_batch.h"
#include "worker/http/request_buffers.h"
#include "worker/http/request_handler.h"
#include "worker/http/response_writer.h"

namespace llmproxy::worker {

class DownstreamConn final : public ClientConnection, private ResponseSink {
 public:
  DownstreamConn(ConnectionHost& host, uv_loop_t* loop, bool admin_listener, bool unix_socket);
  ~DownstreamConn();
  DownstreamConn(const DownstreamConn&) = delete;
  DownstreamConn& operator=(const DownstreamConn&) = delete;

  // Accepts from `server` and starts reading. False (and the object must be closed) on failure.
  bool accept(uv_stream_t* server);
  // Idempotent. Ends the exchange (its handler hears onClientGone) and frees the object once
  // libuv is done.
  void close();

  // Graceful stop: an idle connection closes now, a busy one after its current response.
  void drain();

  // Stage 35: resume the parser to read the body (bounded by max_body_size, under
  // body_timeout, answering Expect: 100-continue); the handler's onRequestBody follows.
  void readBody() override;
  // How the current exchange answers.
  ResponseWriter& writer() override { return writer_; }
  // Bytes queued for the client and not yet written.
  size_t queuedBytes() const override;
  // Issue the batched writes (called by the Worker once per loop iteration).
  void flush();

  bool isAdminListener() const override { return admin_listener_; }
  const std::string& peerAddress() const override { return peer_; }
  void onAuthenticationFailed() override;
  // Refused keys after which a connection closes (with the last 401).
  static constexpr uint32_t kMaxAuthFailures = 3;

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
  // One uv_write: one flushed batch. Recycled, with its batch's capacity, for later flushes.
  struct WriteReq {
    uv_write_t req;
    DownstreamConn* conn;
    OutputBatch batch;
  };

  static const llhttp_settings_t& parserSettings();
  static int onMessageBegin(llhttp_t* p);
  static int onUrl(llhttp_t* p, const char* at, size_t len);
  static int onHeaderField(llhttp_t* p, const char* at, size_t len);
  static int onHeaderValue(llhttp_t* p, const char* at, size_t len);
  static int onHeadersComplete(llhttp_t* p);
  static int onChunkHeader(llhttp_t* p);
  static int onBody(llhttp_t* p, const char* at, size_t len);
  static int onMessageComplete(llhttp_t* p);
  static void onTimeout(void* self);
  static void onWritten(uv_write_t* req, int status);

  // ResponseSink: what the writer asks of the connection.
  bool onResponseHead() override;
  void onOutputQueued() override;
  void onResponseEnded() override;
  void onResponseAborted() override;

  void onRead(ssize_t nread, const uv_buf_t* buf);
  void parse(const char* data, size_t len);
  void parsePending();
  bool countHeaderBytes(size_t n);
  void onParseError(llhttp_errno_t err);
  void newExchange();
  void startExchange();
  void onWriteDone(int status);
  void endExchange(bool response_sent);
  void respondAndClose(common::ErrorKind kind, std::string message);
  void setReading(bool on);
  void armTimer(uint64_t ms);
  WriteReq* takeWriteReq();
  void recycleWriteReq(WriteReq* w);

  ConnectionHost& host_;
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
  bool closing_ = false;
  bool last_was_value_ = false;
  bool message_done_ = false;      // the parser paused at message end
  bool head_done_ = false;         // the parser paused at headers end (body follows)
  common::ErrorKind parse_error_ = common::ErrorKind::BadRequest;
  bool parse_error_set_ = false;
  bool bad_version_ = false;       // the parse error is a request that is not HTTP/1.x
  uint32_t requests_ = 0;
  uint32_t auth_failures_ = 0;
  uint32_t writes_pending_ = 0;
  bool flush_scheduled_ = false;
  bool response_ended_ = false;
  std::string pending_;            // bytes read but not parsed yet (pipelined / paused)
  RequestBuffers buffers_;         // the last request's buffers, for the next one
  std::string peer_;
  std::unique_ptr<RequestHandler> handler_;          // the exchange in progress, if any
  const common::ServerConfig* limits_ = nullptr;     // its config's limits (pinned by it)
  ResponseWriter writer_;
  std::vector<uv_buf_t> bufs_;                       // scratch for uv_write (it copies them)
  std::vector<std::unique_ptr<WriteReq>> spare_writes_;
  common::UvTimer timer_;
};

}  // namespace llmproxy::worker
