// Fuzz target: an upstream event stream through SseScanner, cut into slices at positions the
// input chooses. Every event's byte range lies inside what was fed, in order.
#include <cstdlib>
#include <string>

#include "fuzz_input.h"
#include "worker/sse/sse_scanner.h"

using llmproxy::worker::SseEvent;
using llmproxy::worker::SseScanner;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  llmproxy::fuzz::FuzzInput in(data, size);
  const uint8_t slice_seed = in.takeByte();
  const size_t cap = 16 + (in.takeByte() % 8) * 64;  // small caps reach the overflow path
  const std::string_view stream = in.rest();
  uint64_t last_end = 0;
  uint64_t fed = 0;
  SseScanner scanner(
      [&](const SseEvent& e) {
        if (e.begin > e.end || e.end > fed || e.begin < last_end) std::abort();
        last_end = e.end;
      },
      cap);
  size_t at = 0;
  uint32_t step = slice_seed;
  while (at < stream.size()) {
    step = step * 1103515245u + 12345u;
    const size_t n = std::min<size_t>(stream.size() - at, 1 + (step >> 16) % 97);
    fed += n;
    auto r = scanner.feed(stream.substr(at, n));
    if (!r) break;
    at += n;
  }
  if (scanner.offset() > stream.size()) std::abort();
  return 0;
}
