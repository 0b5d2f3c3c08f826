// The identity translator's request: the client's body with the body edits, under a head built
// from the provider's configuration and the client's forwarded headers.
#include "worker/protocol/identity_translator.h"

#include "worker/protocol/body_edits.h"
#include "worker/protocol/request_head.h"
#include "worker/protocol/request_headers.h"

namespace llmproxy::worker::protocol {

void IdentityTranslator::request(const RequestContext& ctx, OutgoingRequest& out) const {
  const common::ProviderConfig& pc = *ctx.provider.config;
  const std::string_view body = ctx.request.body;
  const BodyPlan plan = planBody(out, body, ctx.facts, ctx.operation, ctx.target);

  std::string& h = out.head;
  h.clear();
  h.reserve(512 + ctx.request.headers.size() * 48);
  appendRequestLine(h, pc, ctx.operation, ctx.target);
  h += ctx.provider.host_header;
  h += ctx.provider.auth_header;
  appendClientHeaders(h, ctx.request.headers, pc);
  appendHeadEnd(h, ctx.request_id, plan.size);

  out.bufs.clear();
  out.bufs.push_back(uv_buf_init(h.data(), h.size()));
  appendBodyPieces(out, body, plan);
}

namespace {
const IdentityTranslator kIdentity;  // stateless: one for the process
}  // namespace

const IdentityTranslator& identityTranslator() { return kIdentity; }

}  // namespace llmproxy::worker::protocol
