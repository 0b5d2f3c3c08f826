// One cached answer as stored (in the per-worker LRU or in Redis): when it was made, the
// tokens it reported, its content type and body. A small binary framing, versioned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmproxy::worker {

struct CacheEntry {
  int64_t created_ms = 0;  // unix ms, for the Age header and a request's max-age
  uint32_t prompt_tokens = 0;
  uint32_t completion_tokens = 0;
  std::string content_type;
  std::string body;  // always a complete 200 answer

  // Longest content type kept; created_ms past this (year 2248) is not a time.
  static constexpr size_t kMaxContentType = 256;
  static constexpr int64_t kMaxCreatedMs = int64_t{1} << 43;

  std::string encode() const;
  // nullopt for anything that is not an entry of this version, or whose fields could not have
  // been written by it (then it is a miss): created_ms in (0, kMaxCreatedMs], a content type
  // that validContentType accepts, a non-empty body.
  static std::optional<CacheEntry> decode(std::string_view bytes);
  // type/subtype[; params] in printable ASCII, at most kMaxContentType bytes: safe for a
  // response head (no CR, LF or NUL).
  static bool validContentType(std::string_view content_type);
};

}  // namespace llmproxy::worker
