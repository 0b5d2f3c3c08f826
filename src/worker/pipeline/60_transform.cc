// Stage 60: the request a provider receives. Same protocol on both sides (OpenAI-compatible):
// the client's body goes out as pieces — the client's bytes around the model value, the
// mapped model as a JSON string, and for streams that did not ask for usage an injected
// `stream_options.include_usage` — so nothing is re-serialised. The head carries the
// provider's own key; the client's key and hop-by-hop headers are never forwarded.
#include "worker/pipeline/transform.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "common/json/json_writer.h"
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

struct Edit {
  size_t begin, end;      // body bytes replaced (begin == end: an insertion)
  std::string_view with;
};

// Streams report their token usage only when asked: ask on the client's behalf, so every
// request is counted, and remember to hide the extra usage chunk from the client.
void requestUsage(UpstreamState& up, std::vector<Edit>& edits) {
  const common::JsonFacts& f = up.facts;
  if (!f.stream || up.ex.endpoint == Endpoint::Embeddings || f.include_usage == true) return;
  using SO = common::JsonFacts::StreamOptions;
  switch (f.stream_options) {
    case SO::Absent:
      up.usage_request = ",\"stream_options\":{\"include_usage\":true}";
      edits.push_back({f.object_close, f.object_close, up.usage_request});
      break;
    case SO::Null:
      up.usage_request = "{\"include_usage\":true}";
      edits.push_back({f.stream_options_token.begin, f.stream_options_token.end, up.usage_request});
      break;
    case SO::Object:
      if (!f.include_usage_token.empty()) {
        up.usage_request = "true";
        edits.push_back({f.include_usage_token.begin, f.include_usage_token.end, up.usage_request});
      } else {
        up.usage_request = f.stream_options_empty ? "\"include_usage\":true"
                                                  : "\"include_usage\":true,";
        const size_t at = f.stream_options_token.begin + 1;
        edits.push_back({at, at, up.usage_request});
      }
      break;
  }
  up.drop_usage_chunk = true;
}

}  // namespace

void buildUpstreamRequest(Exchange& ex, const UpstreamCandidate& candidate) {
  UpstreamState& up = *ex.upstream;
  const ProviderRuntime& provider = ex.config->provider_runtime[candidate.provider];
  const common::ProviderConfig& pc = *provider.config;
  const Request& req = ex.request;

  // The body goes out as the client's bytes with a few spans replaced (never re-serialised).
  up.model_value.clear();
  common::appendJsonString(up.model_value, candidate.target);
  up.usage_request.clear();
  up.drop_usage_chunk = false;
  std::vector<Edit> edits{{up.facts.model_token.begin, up.facts.model_token.end, up.model_value}};
  requestUsage(up, edits);
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    return a.begin < b.begin;
  });
  size_t body_size = req.body.size();
  for (const Edit& e : edits) body_size += e.with.size() - (e.end - e.begin);

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
  auto piece = [&](std::string_view p) {
    if (!p.empty()) up.request_bufs.push_back(uv_buf_init(const_cast<char*>(p.data()), p.size()));
  };
  const std::string_view body = req.body;
  size_t at = 0;
  for (const Edit& e : edits) {
    piece(body.substr(at, e.begin - at));
    piece(e.with);
    at = e.end;
  }
  piece(body.substr(at));
}

}  // namespace llmproxy::worker
