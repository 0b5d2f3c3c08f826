// Fuzz target: bytes read back from Redis (or the LRU) through CacheEntry::decode. What decodes
// encodes back to the same bytes.
#include <cstdlib>
#include <string_view>

#include "worker/cache/cache_entry.h"

using llmproxy::worker::CacheEntry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto entry = CacheEntry::decode(bytes);
  if (!entry) return 0;
  auto again = CacheEntry::decode(entry->encode());
  if (!again || again->body != entry->body || again->content_type != entry->content_type ||
      again->created_ms != entry->created_ms || again->prompt_tokens != entry->prompt_tokens ||
      again->completion_tokens != entry->completion_tokens)
    std::abort();
  return 0;
}
