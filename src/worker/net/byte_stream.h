// ByteStream: a connected byte pipe to an upstream (plain TCP or TLS), read into pooled chunks.
#pragma once

#include <uv.h>

#include <cstddef>

#include "common/base/result.h"
#include "worker/net/chunk_pool.h"

namespace llmproxy::worker {

// Receives a stream's events. Called from the loop only, never from inside the ByteStream method
// that the listener itself called, except where a method's comment says otherwise. A listener may
// call readStop() and close() from inside any of these, but must not destroy the stream there.
class ByteStreamListener {
 public:
  virtual ~ByteStreamListener() = default;
  // The stream is usable: plain TCP at once from open(), TLS once the handshake is done.
  virtual void onStreamReady() = 0;
  // Plaintext bytes. `data` points into `chunk`; hold a copy of `chunk` to keep them.
  virtual void onStreamData(const ChunkRef& chunk, const char* data, size_t len) = 0;
  // The peer closed its side cleanly (TCP FIN or TLS close_notify).
  virtual void onStreamEof() = 0;
  // A read, TLS or handshake failure; the stream is unusable afterwards.
  virtual void onStreamError(common::Error error) = 0;
  // The last write() is finished (status 0) or failed (a libuv error code).
  virtual void onStreamWritten(int status) = 0;
};

// The one interface with two implementations (TcpStream, TlsStream). Owned by one
// UpstreamConn; worker-loop-only. Destroying it closes the socket at once (no graceful
// shutdown); libuv memory is freed later in close callbacks.
class ByteStream {
 public:
  virtual ~ByteStream() = default;

  virtual void setListener(ByteStreamListener* listener) = 0;
  // Starts the protocol. Plain TCP calls onStreamReady before returning; TLS starts its
  // handshake (reading as needed) and reports onStreamReady or onStreamError later.
  virtual void open() = 0;
  // Reading is off until readStart(). Both are idempotent. readStart() on TLS may deliver
  // plaintext that was already decrypted or buffered before it returns.
  virtual void readStart() = 0;
  virtual void readStop() = 0;
  // Writes `bufs` in order; one write at a time. Plain TCP writes the caller's memory, which
  // must stay valid until onStreamWritten or close(); TLS encrypts (copies) before returning.
  // Returns 0, kWrittenAtOnce (everything went to the socket before returning: no
  // onStreamWritten follows, the memory is free at once) or a libuv error code (then no
  // onStreamWritten follows).
  static constexpr int kWrittenAtOnce = 1;
  virtual int write(const uv_buf_t* bufs, size_t count) = 0;
  // Closes the socket now; no listener call follows. Idempotent.
  virtual void close() = 0;
  virtual bool isOpen() const = 0;
  // Drops the partly filled read chunk (before the connection goes idle), so an idle
  // connection holds no buffer.
  virtual void releaseBuffers() = 0;
};

}  // namespace llmproxy::worker
