// Which translator serves a pair of protocols, and the request head they all write.
#include "worker/protocol/translator.h"

#include "worker/protocol/cross_translator.h"
#include "worker/protocol/identity_translator.h"
#include "worker/protocol/request_head.h"
#include "worker/protocol/request_headers.h"

namespace llmproxy::worker::protocol {

const Translator& translatorFor(Operation op, const common::ProviderConfig& provider) {
  const Api client = clientApi(op);
  const Api upstream = providerApi(provider, op);
  if (client == upstream) return identityTranslator();
  const Translator* cross = crossTranslator(client, upstream);
  return cross ? *cross : identityTranslator();  // canServe/translates refused the others
}

void appendRequestHead(std::string& out, const RequestContext& ctx, Operation provider_op,
                       size_t body_size) {
  const common::ProviderConfig& pc = *ctx.provider.config;
  out.clear();
  out.reserve(512 + ctx.request.headers.size() * 48);
  appendRequestLine(out, pc, provider_op, ctx.target);
  out += ctx.provider.host_header;
  out += ctx.provider.auth_header;
  const bool client_version = ctx.request.header("anthropic-version") != nullptr &&
                              forwardsClientHeader("anthropic-version", ctx.request.headers, pc);
  if (!client_version) out += ctx.provider.version_header;
  appendClientHeaders(out, ctx.request.headers, pc);
  out += ctx.trace_headers;
  appendHeadEnd(out, ctx.request_id, body_size);
}

}  // namespace llmproxy::worker::protocol
