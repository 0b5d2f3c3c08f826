// TLS client stream: OpenSSL state machine driven by libuv reads through memory BIOs.
#include "worker/net/tls_stream.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <string>

#include "worker/net/tls_context.h"

namespace llmproxy::worker {

using common::Error;
using common::ErrorKind;

constexpr size_t kMinReadSpace = 2048;

TlsStream::TlsStream(std::unique_ptr<TcpStream> tcp, SSL* ssl)
    : tcp_(std::move(tcp)),
      ssl_(ssl),
      net_in_(BIO_new(BIO_s_mem())),
      net_out_(BIO_new(BIO_s_mem())) {
  // An empty input BIO means "wait for more", not end of file.
  BIO_set_mem_eof_return(net_in_, -1);
  SSL_set_bio(ssl_, net_in_, net_out_);
  tcp_->setListener(this);
}

TlsStream::~TlsStream() {
  close();
  SSL_free(ssl_);
}

void TlsStream::close() {
  tcp_->close();
  reading_ = false;
  chunk_.reset();
}

void TlsStream::releaseBuffers() {
  chunk_.reset();
  used_ = 0;
  tcp_->releaseBuffers();
}

void TlsStream::open() {
  // The handshake needs the socket read whatever the listener wants.
  tcp_->readStart();
  advance();
}

void TlsStream::readStart() {
  if (!tcp_->isOpen() || reading_) return;
  reading_ = true;
  if (!tcp_eof_) tcp_->readStart();
  // Records already buffered in the input BIO (left when reading was stopped) come first.
  if (handshake_done_) advance();
}

void TlsStream::readStop() {
  reading_ = false;
  if (handshake_done_) tcp_->readStop();
}

void TlsStream::onStreamData(const ChunkRef&, const char* data, size_t len) {
  BIO_write(net_in_, data, static_cast<int>(len));
  // The ciphertext is copied into the BIO: the TCP chunk can go straight back to the pool.
  tcp_->releaseBuffers();
  advance();
}

void TlsStream::onStreamEof() {
  tcp_eof_ = true;
  if (!handshake_done_) {
    fail(Error{ErrorKind::UpstreamConnect, "TLS: connection closed during the handshake", 0});
    return;
  }
  // Decrypt what is still buffered first; the EOF is reported once the BIO is drained.
  advance();
}

void TlsStream::onStreamError(Error error) {
  if (!handshake_done_) error.kind = ErrorKind::UpstreamConnect;
  fail(std::move(error));
}

void TlsStream::onStreamWritten(int status) {
  if (listener_ != nullptr) listener_->onStreamWritten(status);
}

void TlsStream::fail(Error error) {
  close();
  if (listener_ != nullptr) listener_->onStreamError(std::move(error));
}

void TlsStream::failHandshake() {
  long verify = SSL_get_verify_result(ssl_);
  std::string detail;
  if (verify != X509_V_OK) {
    ERR_clear_error();
    detail =
        std::string("TLS: certificate verify failed: ") + X509_verify_cert_error_string(verify);
  } else {
    detail = "TLS: handshake failed: " + takeSslErrors("protocol error");
  }
  fail(Error{ErrorKind::UpstreamConnect, std::move(detail), 0});
}

void TlsStream::advance() {
  if (advancing_) return;
  advancing_ = true;
  // --- handshake ---
  if (!handshake_done_) {
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
      handshake_done_ = true;
      if (flush(false) == 0 && tcp_->isOpen()) {
        // Until the listener asks, nothing more is read.
        if (!reading_) tcp_->readStop();
        advancing_ = false;
        if (listener_ != nullptr) listener_->onStreamReady();
        if (!tcp_->isOpen() || !reading_) return;
        advancing_ = true;
      } else {
        advancing_ = false;
        return;
      }
    } else {
      int err = SSL_get_error(ssl_, rc);
      advancing_ = false;
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (flush(false) != 0) fail(Error{ErrorKind::UpstreamConnect, "TLS: write failed", 0});
        return;
      }
      failHandshake();
      return;
    }
  }
  // --- application data ---
  bool eof = false;
  while (reading_ && tcp_->isOpen()) {
    if (!chunk_ || Chunk::kSize - used_ < kMinReadSpace) {
      chunk_ = ChunkPool::acquire();
      used_ = 0;
    }
    ERR_clear_error();
    int n = SSL_read(ssl_, chunk_->data + used_, static_cast<int>(Chunk::kSize - used_));
    if (n > 0) {
      ChunkRef chunk = chunk_;
      const char* data = chunk->data + used_;
      used_ += static_cast<size_t>(n);
      if (listener_ != nullptr) listener_->onStreamData(chunk, data, static_cast<size_t>(n));
      continue;
    }
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_WANT_READ) {
      eof = tcp_eof_;
      break;
    }
    if (err == SSL_ERROR_ZERO_RETURN) {
      eof = true;
      break;
    }
    advancing_ = false;
    fail(Error{ErrorKind::UpstreamProtocol, "TLS: " + takeSslErrors("read failed"), 0});
    return;
  }
  // SSL_read may have produced records to send (key updates, alerts).
  if (tcp_->isOpen() && BIO_ctrl_pending(net_out_) > 0) flush(false);
  advancing_ = false;
  if (eof && tcp_->isOpen()) {
    tcp_->readStop();
    if (listener_ != nullptr) listener_->onStreamEof();
  }
}

int TlsStream::flush(bool notify) {
  size_t pending = BIO_ctrl_pending(net_out_);
  if (pending == 0) return 0;
  std::string out(pending, '\0');
  int n = BIO_read(net_out_, out.data(), static_cast<int>(pending));
  if (n <= 0) return UV_EIO;
  out.resize(static_cast<size_t>(n));
  return tcp_->writeOwned(std::move(out), notify);
}

int TlsStream::write(const uv_buf_t* bufs, size_t count) {
  if (!tcp_->isOpen() || !handshake_done_) return UV_EPIPE;
  for (size_t i = 0; i < count; ++i) {
    if (bufs[i].len == 0) continue;
    ERR_clear_error();
    // The output BIO grows as needed, so SSL_write takes each piece whole.
    if (SSL_write(ssl_, bufs[i].base, static_cast<int>(bufs[i].len)) <= 0) {
      ERR_clear_error();
      return UV_EIO;
    }
  }
  if (BIO_ctrl_pending(net_out_) == 0) return UV_EINVAL;  // nothing to send: empty request
  return flush(true);
}

}  // namespace llmproxy::worker
