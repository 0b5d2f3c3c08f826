// CacheEntry framing: "LPC1" | created_ms (8) | prompt (4) | completion (4) | ct_len (2) | ct | body.
#include "worker/cache/cache_entry.h"

#include <cstring>

namespace llmproxy::worker {
namespace {

constexpr std::string_view kMagic = "LPC1";
constexpr size_t kFixed = 4 + 8 + 4 + 4 + 2;

template <typename T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

template <typename T>
T get(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

std::string CacheEntry::encode() const {
  std::string out;
  const size_t ct = std::min<size_t>(content_type.size(), 1024);
  out.reserve(kFixed + ct + body.size());
  out += kMagic;
  put(out, created_ms);
  put(out, prompt_tokens);
  put(out, completion_tokens);
  put(out, static_cast<uint16_t>(ct));
  out.append(content_type.data(), ct);
  out += body;
  return out;
}

bool CacheEntry::validContentType(std::string_view ct) {
  if (ct.empty() || ct.size() > kMaxContentType || ct.front() == ' ') return false;
  for (const char ch : ct) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e) return false;  // no CR, LF, NUL or other byte a head cannot hold
  }
  const size_t slash = ct.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < ct.size();
}

// Whatever Redis hands back is untrusted (another writer, a shared instance, a corruption):
// every field must be one this proxy could have written before it goes into a response.
std::optional<CacheEntry> CacheEntry::decode(std::string_view bytes) {
  if (bytes.size() < kFixed || !bytes.starts_with(kMagic)) return std::nullopt;
  const char* p = bytes.data() + kMagic.size();
  CacheEntry e;
  e.created_ms = get<int64_t>(p);
  e.prompt_tokens = get<uint32_t>(p + 8);
  e.completion_tokens = get<uint32_t>(p + 12);
  const uint16_t ct = get<uint16_t>(p + 16);
  if (bytes.size() < kFixed + ct) return std::nullopt;
  if (e.created_ms <= 0 || e.created_ms > kMaxCreatedMs) return std::nullopt;
  const std::string_view content_type(bytes.data() + kFixed, ct);
  if (!validContentType(content_type)) return std::nullopt;
  const std::string_view body = bytes.substr(kFixed + ct);
  if (body.empty()) return std::nullopt;  // always a complete 200 answer
  e.content_type.assign(content_type);
  e.body.assign(body);
  return e;
}

}  // namespace llmproxy::worker
