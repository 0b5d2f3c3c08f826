// Client SSL_CTX cache and per-connection SSL setup (SNI, host name verification, ALPN).
#include "worker/net/tls_context.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

namespace llmproxy::worker {

using common::ErrorKind;
using common::fail;

TlsContextCache::~TlsContextCache() {
  for (auto& [key, ctx] : contexts_) SSL_CTX_free(ctx);
}

common::Result<SSL_CTX*> TlsContextCache::get(bool verify, const std::string& ca_file) {
  auto key = std::make_pair(verify, ca_file);
  if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;

  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return fail(ErrorKind::UpstreamConnect, takeSslErrors("TLS: SSL_CTX_new"));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Idle pooled connections then hold no OpenSSL read/write buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof(kAlpn));
  if (verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    int ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                             : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
    if (ok != 1) {
      std::string why = takeSslErrors("unreadable");
      SSL_CTX_free(ctx);
      return fail(ErrorKind::UpstreamConnect,
                  ca_file.empty() ? "TLS: cannot load the system CA store: " + why
                                  : "TLS: cannot load ca_file " + ca_file + ": " + why);
    }
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  }
  contexts_.emplace(std::move(key), ctx);
  return ctx;
}

bool isNumericHost(std::string_view host) {
  std::string s(host);
  unsigned char buf[sizeof(in6_addr)];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string takeSslErrors(std::string_view fallback) {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    // Keep only the reason: "error:0A000086:SSL routines::certificate verify failed" -> tail.
    std::string_view line(buf);
    size_t colon = line.rfind(':');
    out += colon == std::string_view::npos ? line : line.substr(colon + 1);
  }
  return out.empty() ? std::string(fallback) : out;
}

common::Result<SSL*> newClientSsl(SSL_CTX* ctx, const std::string& host, const std::string& sni,
                                  bool verify) {
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return fail(ErrorKind::UpstreamConnect, takeSslErrors("TLS: SSL_new"));
  const std::string& name = sni.empty() ? host : sni;
  bool numeric = isNumericHost(name);
  if (!numeric && !name.empty() && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    SSL_free(ssl);
    return fail(ErrorKind::UpstreamConnect, "TLS: invalid server name " + name);
  }
  if (verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    int ok = numeric ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                     : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    if (ok != 1) {
      SSL_free(ssl);
      return fail(ErrorKind::UpstreamConnect, "TLS: cannot verify against name " + name);
    }
  }
  SSL_set_connect_state(ssl);
  return ssl;
}

}  // namespace llmproxy::worker
