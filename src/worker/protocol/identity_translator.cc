// The identity translator's request: the client's body with the body edits (and, when the
// conversation needs them, the bypass repairs), under a head built from the provider's
// configuration and the client's forwarded headers.
#include "worker/protocol/identity_translator.h"

#include <algorithm>

#include "worker/protocol/body_edits.h"
#include "worker/protocol/bypass_repairs.h"

namespace llmproxy::worker::protocol {

void IdentityTranslator::request(const RequestContext& ctx, OutgoingRequest& out) const {
  const std::string_view body = ctx.request.body;
  const BodyPlan plan = planBody(out, body, ctx.facts, ctx.operation, ctx.target);
  if (ctx.facts.repairs) {
    // The provider would refuse the conversation as it is: the one case of a new body.
    writeRepairedBody(out, body, plan, *ctx.facts.repairs, conversationShape(ctx.operation));
    appendRequestHead(out.head, ctx, ctx.operation, out.body.size());
    out.bufs.clear();
    out.bufs.push_back(uv_buf_init(out.head.data(), out.head.size()));
    out.bufs.push_back(uv_buf_init(out.body.data(), out.body.size()));
    return;
  }
  appendRequestHead(out.head, ctx, ctx.operation, plan.size);
  std::fill(std::begin(out.repairs), std::end(out.repairs), 0u);
  out.bufs.clear();
  out.bufs.push_back(uv_buf_init(out.head.data(), out.head.size()));
  appendBodyPieces(out, body, plan);
}

namespace {
const IdentityTranslator kIdentity;  // stateless: one for the process
}  // namespace

const IdentityTranslator& identityTranslator() { return kIdentity; }

}  // namespace llmproxy::worker::protocol
