// The relay's cut logic: which bytes of a body slice go to the client when SSE events are cut
// out of the stream (the usage-only chunk we asked for on the client's behalf). Cuts are
// [begin, end) offsets in the whole relayed stream; a cut whose start was already relayed (it
// began in an earlier slice) is not applied: the event is kept whole. A cut may end beyond
// this slice; the part in this slice is dropped. Pure: unit-tested without sockets.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace llmproxy::worker {

using StreamCuts = std::vector<std::pair<uint64_t, uint64_t>>;

// Calls keep(offset, length) for each non-empty piece of the slice [slice_start, slice_start +
// len) that survives `cuts`, in order.
template <typename Keep>
void forEachKeptPiece(const StreamCuts& cuts, uint64_t slice_start, size_t len, Keep&& keep) {
  size_t pos = 0;
  for (const auto& [begin, end] : cuts) {
    if (begin < slice_start + pos) continue;  // partly relayed already: keep it whole
    const size_t from = std::min(static_cast<size_t>(begin - slice_start), len);
    const size_t to = std::min(static_cast<size_t>(end - slice_start), len);
    if (from > pos) keep(pos, from - pos);
    pos = std::max(pos, to);
  }
  if (len > pos) keep(pos, len - pos);
}

}  // namespace llmproxy::worker
