// TcpStream: a libuv TCP socket as a ByteStream: connect, zero-copy writes, reads into chunks.
#pragma once

#include <uv.h>

#include <functional>
#include <string>

#include "worker/net/byte_stream.h"

namespace llmproxy::worker {

// Owned by an UpstreamConn (directly, or inside a TlsStream). The uv_tcp_t lives in a heap block
// that is freed in its close callback; every libuv callback goes through that block and does
// nothing once the stream is closed, so the stream may be destroyed at any moment outside its own
// callbacks. Worker-loop-only.
class TcpStream final : public ByteStream {
 public:
  using ConnectCallback = std::function<void(int status)>;

  explicit TcpStream(uv_loop_t* loop);
  ~TcpStream() override;
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  // Connects to `addr` (port included) with TCP_NODELAY. `done` runs later with 0 or a libuv
  // error; it is not called if the stream is closed first. The stream may be destroyed from
  // inside `done`. Returns a libuv error if the attempt could not even start.
  int connect(const sockaddr* addr, ConnectCallback done);

  // Writes a buffer the stream owns until the write finishes. With `notify`, the listener's
  // onStreamWritten reports the outcome (as for write()); without, failures are silent (the read
  // side sees them too).
  int writeOwned(std::string data, bool notify);

  // ByteStream
  void setListener(ByteStreamListener* listener) override { listener_ = listener; }
  void open() override;
  void readStart() override;
  void readStop() override;
  int write(const uv_buf_t* bufs, size_t count) override;
  void close() override;
  bool isOpen() const override { return h_ != nullptr; }
  void releaseBuffers() override;

 private:
  struct Handle;
  struct WriteReq;

  static void onConnect(uv_connect_t* req, int status);
  static void onAlloc(uv_handle_t* handle, size_t suggested, uv_buf_t* buf);
  static void onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void onWrite(uv_write_t* req, int status);

  uv_stream_t* stream() const;

  Handle* h_;
  ByteStreamListener* listener_ = nullptr;
  ConnectCallback connect_cb_;
  bool reading_ = false;
  ChunkRef chunk_;   // the read chunk being filled
  size_t used_ = 0;  // bytes of chunk_ already handed out
};

}  // namespace llmproxy::worker
