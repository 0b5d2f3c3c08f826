// Stage 60: the request a provider receives. Same protocol on both sides (OpenAI-compatible):
// the client's body goes out as three pieces — the bytes before the model value, the mapped
// model as a JSON string, the bytes after — so nothing is re-serialised. The head carries the
// provider's own key; the client's key and hop-by-hop headers are never forwarded.
#include "worker/pipeline/transform.h"

#include <array>
#include <string_view>

#include "worker/http/header_lines.h"
#include "worker/pipeline/upstream_state.h"

namespace llmproxy::worker {
namespace {

// Request headers that are the proxy's business, never the provider's.
// x-request-id is replaced by ours; accept-encoding is dropped so answers stay scannable.
constexpr std::array<std::string_view, 16> kDropRequestHeaders{
    "host",           "connection",      "keep-alive",    "proxy-connection",
    "proxy-authorization", "te",         "trailer",       "transfer-encoding",
    "upgrade",        "content-length",  "authorization", "x-api-key",
    "api-key",        "accept-encoding", "expect",        "x-request-id"};

std::string_view endpointSuffix(Endpoint e) {
  switch (e) {
    case Endpoint::ChatCompletions: return "/chat/completions";
    case Endpoint::Completions: return "/completions";
    case Endpoint::Embeddings: return "/embeddings";
    default: return "";
  }
}

}  // namespace

void buildUpstreamRequest(Exchange& ex, const UpstreamCandidate& candidate) {
  UpstreamState& up = *ex.upstream;
  const ProviderRuntime& provider = ex.config->provider_runtime[candidate.provider];
  const common::ProviderConfig& pc = *provider.config;
  const Request& req = ex.request;

  up.splice = common::spliceModel(req.body, up.facts.model_token, candidate.target);
  const size_t body_size = up.splice.size();

  std::string& h = up.request_head;
  h.clear();
  h.reserve(512 + req.headers.size() * 48);
  h += "POST ";
  h += pc.url.base_path;
  if (pc.type == common::ProviderType::Azure) {
    h += "/openai/deployments/";
    h += candidate.target;
    h += endpointSuffix(ex.endpoint);
    h += "?api-version=";
    h += pc.api_version;
  } else {
    h += endpointSuffix(ex.endpoint);
  }
  h += " HTTP/1.1\r\n";
  h += provider.host_header;
  h += provider.auth_header;
  appendHeadersExcept(h, req.headers, kDropRequestHeaders);
  h += "x-request-id: ";
  h += ex.request_id;
  h += "\r\nContent-Length: ";
  h += std::to_string(body_size);
  h += "\r\nConnection: keep-alive\r\n\r\n";

  up.request_bufs.clear();
  up.request_bufs.push_back(uv_buf_init(h.data(), h.size()));
  for (std::string_view piece : {up.splice.before, std::string_view(up.splice.value),
                                 up.splice.after}) {
    if (!piece.empty())
      up.request_bufs.push_back(uv_buf_init(const_cast<char*>(piece.data()), piece.size()));
  }
}

}  // namespace llmproxy::worker
