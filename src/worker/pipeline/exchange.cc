// Exchange construction, and the connection's events handed to the pipeline driver.
#include "worker/pipeline/exchange.h"

#include "common/time/clock.h"
#include "worker/admin/admin_state.h"
#include "worker/pipeline/pipeline.h"
#include "worker/pipeline/upstream_state.h"
#include "worker/pipeline/services.h"

namespace llmproxy::worker {

Exchange::Exchange(Services& s, ClientConnection& c, uint64_t exchange_id,
                   std::shared_ptr<const RuntimeConfig> cfg)
    : services(s),
      conn(c),
      id(exchange_id),
      config(std::move(cfg)),
      started_us(common::nowMonotonicUs()) {
  services.metrics.requestStarted();  // paired with requestFinished in stage::finish
  services.exchanges.add(*this);
}

Exchange::~Exchange() { services.exchanges.remove(*this); }

void Exchange::onRequestHead() { pipeline::start(*this); }

void Exchange::onRequestBody() { pipeline::resume(*this); }

void Exchange::onRequestError(const common::Error& failure) {
  pipeline::respondError(*this, failure);
}

void Exchange::onResponseSent() { pipeline::complete(*this); }

void Exchange::onClientGone() { pipeline::complete(*this); }

void Exchange::onDrained() {
  if (upstream) pipeline::onUpstream(*this, {UpstreamEvent::Kind::Drained});
}

}  // namespace llmproxy::worker
