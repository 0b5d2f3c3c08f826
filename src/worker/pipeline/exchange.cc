// Exchange construction.
#include "worker/pipeline/exchange.h"

#include "common/time/clock.h"

namespace llmproxy::worker {

Exchange::Exchange(Worker& w, DownstreamConn& c, uint64_t exchange_id,
                   std::shared_ptr<const common::Config> cfg)
    : worker(w),
      conn(c),
      id(exchange_id),
      config(std::move(cfg)),
      started_us(common::nowMonotonicUs()) {}

}  // namespace llmproxy::worker
