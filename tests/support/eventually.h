// eventually: poll a condition until it holds or a deadline passes (tests never sleep blindly).
#pragma once

#include <chrono>
#include <functional>

namespace llmproxy::testing {

// Calls `pred` every `step` until it returns true (-> true) or `deadline` has passed (-> false).
// `pred` is always called at least once, and once more right at the deadline.
bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds deadline = std::chrono::milliseconds(5000),
                std::chrono::milliseconds step = std::chrono::milliseconds(10));

}  // namespace llmproxy::testing
