// Query-string decoding.
#include "worker/http/query_string.h"

#include "common/base/hex.h"

namespace llmproxy::worker {
namespace {

bool decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 1 < in.size() ? common::hexDigitValue(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? common::hexDigitValue(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

}  // namespace

std::optional<QueryParams> parseQueryString(std::string_view target) {
  QueryParams out;
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::string name, value;
    if (!decode(pair.substr(0, eq), name)) return std::nullopt;
    if (eq != std::string_view::npos && !decode(pair.substr(eq + 1), value)) return std::nullopt;
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

}  // namespace llmproxy::worker
