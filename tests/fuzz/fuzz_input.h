// Splits one fuzzer input into the pieces a target needs (a selector byte, parts separated by
// a marker line), so one corpus file drives several arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace llmproxy::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  // The first byte (0 when empty), consumed.
  uint8_t takeByte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  // Up to the next "\n--\n" (consumed), or everything left.
  std::string_view takePart() {
    constexpr std::string_view kMarker = "\n--\n";
    const size_t at = rest_.find(kMarker);
    std::string_view part = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + kMarker.size());
    return part;
  }
  std::string_view rest() const { return rest_; }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// Lines of `text` split at '\n' (the last one may be empty).
inline std::vector<std::string_view> linesOf(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t at = text.find('\n');
    lines.push_back(text.substr(0, at));
    if (at == std::string_view::npos) break;
    text.remove_prefix(at + 1);
  }
  return lines;
}

}  // namespace llmproxy::fuzz
