// TlsContextCache: the client SSL_CTX for each (verify, ca_file), built once per worker, and
// newClientSsl(), which makes one connection's SSL with SNI and host name checks set up.
#pragma once

#include <openssl/ssl.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "common/base/result.h"

namespace llmproxy::worker {

// Owned by the worker's UpstreamClient; lives as long as any TLS connection it made (the
// UpstreamClient's shared context outlives its calls and pooled connections). Not thread-safe:
// worker-loop-only.
class TlsContextCache {
 public:
  TlsContextCache() = default;
  ~TlsContextCache();
  TlsContextCache(const TlsContextCache&) = delete;
  TlsContextCache& operator=(const TlsContextCache&) = delete;

  // The context for these settings, built on first use: TLS 1.2+, ALPN "http/1.1",
  // SSL_MODE_RELEASE_BUFFERS, peer verification when `verify` against `ca_file` (PEM) or the
  // system CA store when it is empty. Failures (unreadable CA file) are not cached.
  common::Result<SSL_CTX*> get(bool verify, const std::string& ca_file);
  // TODO(upstream): client session resumption (a session cache per origin) would save a round
  // trip on every new TLS connection; pooled connections make it rare enough for now.
  size_t size() const { return contexts_.size(); }

 private:
  std::map<std::pair<bool, std::string>, SSL_CTX*> contexts_;
};

// A client SSL for one connection: SNI = `sni` unless it is empty or a numeric address; with
// `verify`, the certificate must name `sni` (or `host` when sni is empty; IP addresses are
// checked as IP SANs). The caller owns the result (SSL_free).
common::Result<SSL*> newClientSsl(SSL_CTX* ctx, const std::string& host, const std::string& sni,
                                  bool verify);

// True for a literal IPv4 or IPv6 address (no brackets).
bool isNumericHost(std::string_view host);

// The OpenSSL error queue as one line (and clears it); `fallback` when the queue is empty.
std::string takeSslErrors(std::string_view fallback);

}  // namespace llmproxy::worker
