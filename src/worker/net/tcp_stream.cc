// Plain TCP upstream stream over libuv.
#include "worker/net/tcp_stream.h"

#include <string>
#include <vector>

namespace llmproxy::worker {

// A read chunk with less free space than this is retired and a fresh one taken, so reads are
// never tiny.
constexpr size_t kMinReadSpace = 2048;

struct TcpStream::Handle {
  uv_tcp_t tcp;
  TcpStream* owner;  // null once the stream is closed
};

struct TcpStream::WriteReq {
  uv_write_t req;
  Handle* h;
  std::string data;  // owned bytes (writeOwned); empty for zero-copy writes
  bool notify;
};

TcpStream::TcpStream(uv_loop_t* loop) : h_(new Handle{{}, this}) {
  uv_tcp_init(loop, &h_->tcp);
  h_->tcp.data = h_;
}

TcpStream::~TcpStream() { close(); }

uv_stream_t* TcpStream::stream() const { return reinterpret_cast<uv_stream_t*>(&h_->tcp); }

void TcpStream::close() {
  if (h_ == nullptr) return;
  h_->owner = nullptr;
  // NOTE: libuv cancels queued writes (their callbacks see UV_ECANCELED and only free the
  // request) and stops touching the caller's buffers once uv_close returns.
  uv_close(reinterpret_cast<uv_handle_t*>(&h_->tcp),
           [](uv_handle_t* h) { delete static_cast<Handle*>(h->data); });
  h_ = nullptr;
  reading_ = false;
  chunk_.reset();
}

int TcpStream::connect(const sockaddr* addr, ConnectCallback done) {
  if (h_ == nullptr) return UV_EBADF;
  uv_tcp_nodelay(&h_->tcp, 1);
  auto* req = new uv_connect_t;
  int rc = uv_tcp_connect(req, &h_->tcp, addr, onConnect);
  if (rc != 0) {
    delete req;
    return rc;
  }
  connect_cb_ = std::move(done);
  return 0;
}

void TcpStream::onConnect(uv_connect_t* req, int status) {
  auto* h = static_cast<Handle*>(req->handle->data);
  delete req;
  if (h->owner == nullptr) return;
  // Some kernels reset the option across connect(); set it again on the connected socket.
  if (status == 0) uv_tcp_nodelay(&h->tcp, 1);
  // Moved out first: the callback may destroy this stream (and with it connect_cb_).
  ConnectCallback cb = std::move(h->owner->connect_cb_);
  if (cb) cb(status);
}

void TcpStream::open() {
  if (listener_ != nullptr) listener_->onStreamReady();
}

void TcpStream::readStart() {
  if (h_ == nullptr || reading_) return;
  if (uv_read_start(stream(), onAlloc, onRead) == 0) reading_ = true;
}

void TcpStream::readStop() {
  if (h_ == nullptr || !reading_) return;
  uv_read_stop(stream());
  reading_ = false;
}

void TcpStream::releaseBuffers() {
  chunk_.reset();
  used_ = 0;
}

void TcpStream::onAlloc(uv_handle_t* handle, size_t, uv_buf_t* buf) {
  auto* h = static_cast<Handle*>(handle->data);
  TcpStream* self = h->owner;
  if (self == nullptr) {
    *buf = uv_buf_init(nullptr, 0);
    return;
  }
  if (!self->chunk_ || Chunk::kSize - self->used_ < kMinReadSpace) {
    self->chunk_ = ChunkPool::acquire();
    self->used_ = 0;
  }
  *buf = uv_buf_init(self->chunk_->data + self->used_,
                     static_cast<unsigned>(Chunk::kSize - self->used_));
}

void TcpStream::onRead(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  auto* h = static_cast<Handle*>(stream->data);
  TcpStream* self = h->owner;
  if (self == nullptr || nread == 0) return;
  ByteStreamListener* listener = self->listener_;
  if (nread > 0) {
    // Keep the chunk alive across the call even if the listener releases our buffers.
    ChunkRef chunk = self->chunk_;
    const char* data = chunk->data + self->used_;
    self->used_ += static_cast<size_t>(nread);
    if (listener != nullptr) listener->onStreamData(chunk, data, static_cast<size_t>(nread));
    return;
  }
  self->readStop();
  if (listener == nullptr) return;
  if (nread == UV_EOF) {
    listener->onStreamEof();
  } else {
    listener->onStreamError(
        common::Error{common::ErrorKind::UpstreamProtocol,
                      std::string("read: ") + uv_strerror(static_cast<int>(nread)), 0});
  }
}

int TcpStream::write(const uv_buf_t* bufs, size_t count) {
  if (h_ == nullptr) return UV_EPIPE;
  // Most requests fit the socket buffer: written here, without a write request (whose
  // completion costs libuv an epoll_ctl) and without an allocation.
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += bufs[i].len;
  const int n = uv_try_write(stream(), bufs, static_cast<unsigned>(count));
  if (n >= 0 && static_cast<size_t>(n) == total) return kWrittenAtOnce;
  if (n < 0 && n != UV_EAGAIN && n != UV_ENOSYS) return n;
  // The rest goes through a write request, from where uv_try_write stopped.
  size_t skip = n > 0 ? static_cast<size_t>(n) : 0;
  while (count > 0 && skip >= bufs->len) {
    skip -= bufs->len;
    ++bufs;
    --count;
  }
  auto* w = new WriteReq{{}, h_, {}, true};
  w->req.data = w;
  int rc;
  if (skip > 0) {
    std::vector<uv_buf_t> rest(bufs, bufs + count);
    rest[0].base += skip;
    rest[0].len -= skip;
    rc = uv_write(&w->req, stream(), rest.data(), static_cast<unsigned>(rest.size()), onWrite);
  } else {
    rc = uv_write(&w->req, stream(), bufs, static_cast<unsigned>(count), onWrite);
  }
  if (rc != 0) delete w;
  return rc;
}

int TcpStream::writeOwned(std::string data, bool notify) {
  if (h_ == nullptr) return UV_EPIPE;
  auto* w = new WriteReq{{}, h_, std::move(data), notify};
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  int rc = uv_write(&w->req, stream(), &buf, 1, onWrite);
  if (rc != 0) delete w;
  return rc;
}

void TcpStream::onWrite(uv_write_t* req, int status) {
  auto* w = static_cast<WriteReq*>(req->data);
  Handle* h = w->h;
  bool notify = w->notify;
  delete w;
  if (h->owner == nullptr || !notify) return;
  if (h->owner->listener_ != nullptr) h->owner->listener_->onStreamWritten(status);
}

}  // namespace llmproxy::worker
