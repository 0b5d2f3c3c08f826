// Path segments: what may become one, and percent-encoding.
#include "worker/protocol/path_segment.h"

namespace llmproxy::worker::protocol {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string_view segmentProblem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name == "." || name == "..") return "it is a dot-segment (\".\" or \"..\")";
  if (name.size() > kMaxSegmentSize) return "it is longer than 256 bytes";
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return "it contains a control character";
    switch (c) {
      case ' ': return "it contains a space";
      case '/': return "it contains '/'";
      case '\\': return "it contains '\\'";
      case '?': return "it contains '?'";
      case '#': return "it contains '#'";
      case '%': return "it contains '%'";
      default: break;
    }
  }
  return {};
}

void appendPercentEncoded(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  size_t run = 0;  // start of the current run of unreserved bytes, appended in one piece
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (unreserved(c)) continue;
    out.append(text, run, i - run);
    const char escaped[3] = {'%', kHex[c >> 4], kHex[c & 0xf]};
    out.append(escaped, 3);
    run = i + 1;
  }
  out.append(text, run, text.size() - run);
}

}  // namespace llmproxy::worker::protocol
