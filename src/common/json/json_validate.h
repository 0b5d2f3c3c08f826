// The full check of one JSON value that simdjson's on-demand parser would otherwise skip: every
// member and element walked, every scalar parsed, nesting bounded. Used by the body facts
// (json_facts) and by the translation readers (worker/protocol/reader_support).
#pragma once

#include <simdjson.h>

namespace llmproxy::common {

// Our own bound on nesting (simdjson's is 1024): the walk recurses once per level.
inline constexpr int kMaxJsonDepth = 512;

// Consumes `v` and everything below it; `depth` is v's nesting level (the root's members: 1).
simdjson::error_code validateJsonValue(simdjson::ondemand::value v, int depth);

}  // namespace llmproxy::common
