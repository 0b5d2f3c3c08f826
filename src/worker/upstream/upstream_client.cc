// The worker's upstream client: pool checkout or new connection, and the call handle.
#include "worker/upstream/upstream_client.h"

#include <functional>

#include "worker/upstream/upstream_conn.h"
#include "worker/upstream/upstream_pool.h"

namespace llmproxy::worker {

size_t OriginKeyHash::operator()(const OriginKey& k) const {
  size_t h = std::hash<std::string>{}(k.host);
  auto mix = [&h](size_t v) { h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
  mix(k.port);
  mix(k.tls ? 1 : 0);
  mix(k.verify ? 1 : 0);
  mix(std::hash<std::string>{}(k.sni));
  mix(std::hash<std::string>{}(k.ca_file));
  return h;
}

struct UpstreamCall::State {
  std::shared_ptr<UpstreamContext> ctx;  // keeps the pool, DNS and TLS contexts alive
  std::unique_ptr<UpstreamConn> conn;
};

UpstreamCall::~UpstreamCall() {
  if (!state_ || !state_->conn) return;
  if (state_->conn->reusable()) {
    state_->ctx->pool.put(std::move(state_->conn));
  } else {
    state_->conn.reset();  // closes the socket: an unfinished response is never reused
  }
}

void UpstreamCall::pause() {
  if (state_ && state_->conn) state_->conn->pause();
}

void UpstreamCall::resume() {
  if (state_ && state_->conn) state_->conn->resume();
}

bool UpstreamCall::reused() const { return state_ && state_->conn && state_->conn->reused(); }

struct UpstreamClient::Impl {
  std::shared_ptr<UpstreamContext> ctx;
};

UpstreamClient::UpstreamClient(uv_loop_t* loop, UpstreamLimits limits)
    : impl_(std::make_unique<Impl>()) {
  impl_->ctx = std::make_shared<UpstreamContext>(loop, limits);
}

UpstreamClient::~UpstreamClient() {
  // Calls still running keep the context (and their connections) alive; the idle ones go now.
  impl_->ctx->pool.closeIdle();
}

std::unique_ptr<UpstreamCall> UpstreamClient::start(const OriginKey& origin,
                                                    std::span<const uv_buf_t> request,
                                                    UpstreamCallbacks* callbacks,
                                                    std::chrono::milliseconds connect_timeout) {
  std::unique_ptr<UpstreamCall> call(new UpstreamCall());
  call->state_ = std::make_shared<UpstreamCall::State>();
  call->state_->ctx = impl_->ctx;
  if (auto conn = impl_->ctx->pool.take(origin)) {
    conn->send(request, callbacks);
    call->state_->conn = std::move(conn);
  } else {
    if (connect_timeout.count() <= 0) connect_timeout = impl_->ctx->limits.connect_timeout;
    call->state_->conn = std::make_unique<UpstreamConn>(*impl_->ctx, origin);
    call->state_->conn->connectAndSend(request, callbacks, connect_timeout);
  }
  return call;
}

void UpstreamClient::closeIdle() { impl_->ctx->pool.closeIdle(); }

size_t UpstreamClient::idleConnections() const { return impl_->ctx->pool.idleCount(); }

}  // namespace llmproxy::worker
