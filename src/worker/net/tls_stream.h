// TlsStream: OpenSSL over memory BIOs on top of a TcpStream, as a ByteStream.
#pragma once

#include <openssl/ssl.h>

#include <memory>

#include "worker/net/byte_stream.h"
#include "worker/net/tcp_stream.h"

namespace llmproxy::worker {

// Ciphertext read from the socket is fed into a memory BIO, SSL_read decrypts it into pooled
// chunks (the one unavoidable copy), and whatever OpenSSL writes to the outgoing memory BIO is
// sent with one owned uv_write per flush. Owned by an UpstreamConn; may be destroyed at any moment
// outside its own callbacks. Worker-loop-only.
class TlsStream final : public ByteStream, private ByteStreamListener {
 public:
  // Takes a connected TCP stream and an SSL from newClientSsl() (ownership of both).
  TlsStream(std::unique_ptr<TcpStream> tcp, SSL* ssl);
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // ByteStream
  void setListener(ByteStreamListener* listener) override { listener_ = listener; }
  void open() override;
  void readStart() override;
  void readStop() override;
  int write(const uv_buf_t* bufs, size_t count) override;
  void close() override;
  bool isOpen() const override { return tcp_->isOpen(); }
  void releaseBuffers() override;

 private:
  // ByteStreamListener (events of the TCP stream below)
  void onStreamReady() override {}
  void onStreamData(const ChunkRef& chunk, const char* data, size_t len) override;
  void onStreamEof() override;
  void onStreamError(common::Error error) override;
  void onStreamWritten(int status) override;

  // Runs the handshake or decrypts buffered records while reading is on.
  void advance();
  void failHandshake();
  // Sends what OpenSSL queued in the outgoing BIO. Returns a libuv error or 0.
  int flush(bool notify);
  void fail(common::Error error);

  std::unique_ptr<TcpStream> tcp_;
  SSL* ssl_;
  BIO* net_in_;   // ciphertext from the socket (owned by ssl_)
  BIO* net_out_;  // ciphertext for the socket (owned by ssl_)
  ByteStreamListener* listener_ = nullptr;
  bool handshake_done_ = false;
  bool reading_ = false;    // the listener wants plaintext
  bool advancing_ = false;  // re-entrancy guard for advance()
  bool tcp_eof_ = false;
  ChunkRef chunk_;  // plaintext chunk being filled
  size_t used_ = 0;
};

}  // namespace llmproxy::worker
