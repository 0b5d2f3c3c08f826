// eventually: a bounded polling loop.
#include "support/eventually.h"

#include <thread>

namespace llmproxy::testing {

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds deadline,
                std::chrono::milliseconds step) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (true) {
    if (pred()) return true;
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return false;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(step, end - now));
    if (std::chrono::steady_clock::now() >= end) return pred();
  }
}

}  // namespace llmproxy::testing
