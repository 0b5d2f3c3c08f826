// WakeToken: how an asynchronous completion (a Redis reply, a cache lookup, a free provider
// slot, a PostgreSQL result) names the exchange it should wake, without holding a pointer to
// it. The exchange's id never repeats in a worker; its generation moves on every time the
// exchange leaves a stage (and when it finishes), so a completion that arrives after the
// exchange stopped waiting for it — or after the exchange is gone — finds no match and is
// dropped.
#pragma once

#include <cstdint>

namespace llmproxy::common {

struct WakeToken {
  uint64_t exchange = 0;    // 0: no exchange (never valid)
  uint32_t generation = 0;

  friend bool operator==(const WakeToken&, const WakeToken&) = default;
};

}  // namespace llmproxy::common
