// Unit parsing for durations and sizes.
#include "common/config/units.h"

#include <cctype>
#include <limits>

namespace llmproxy::common {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Split {
  uint64_t number = 0;
  std::string unit;  // lower-cased, may be empty
};

// Splits "  16K " into {16, "k"}. `what` names the kind of value in messages.
std::expected<Split, std::string> splitNumber(std::string_view text, std::string_view what) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.empty()) return std::unexpected("empty " + std::string(what));
  if (text.front() == '-') return std::unexpected(std::string(what) + " must not be negative");
  if (text.front() == '+') text.remove_prefix(1);
  size_t digits = 0;
  uint64_t number = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    uint64_t d = static_cast<uint64_t>(text[digits] - '0');
    if (number > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return std::unexpected(std::string(what) + " is too large");
    }
    number = number * 10 + d;
    ++digits;
  }
  if (digits == 0) return std::unexpected("expected a number");
  std::string_view unit = text.substr(digits);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front())))
    unit.remove_prefix(1);
  return Split{number, lower(unit)};
}

}  // namespace

std::expected<Millis, std::string> parseDuration(std::string_view text) {
  auto split = splitNumber(text, "duration");
  if (!split) return std::unexpected(split.error());
  uint64_t factor = 0;
  if (split->unit == "ms") {
    factor = 1;
  } else if (split->unit.empty() || split->unit == "s") {
    factor = 1000;
  } else if (split->unit == "m") {
    factor = 60 * 1000;
  } else if (split->unit == "h") {
    factor = 60 * 60 * 1000;
  } else {
    return std::unexpected("unknown unit \"" + split->unit + "\" (use ms, s, m or h)");
  }
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<Millis::rep>::max());
  if (split->number > kMax / factor) return std::unexpected("duration is too large");
  return Millis{static_cast<Millis::rep>(split->number * factor)};
}

std::expected<uint64_t, std::string> parseSize(std::string_view text) {
  auto split = splitNumber(text, "size");
  if (!split) return std::unexpected(split.error());
  unsigned shift = 0;
  if (split->unit.empty()) {
    shift = 0;
  } else if (split->unit == "k") {
    shift = 10;
  } else if (split->unit == "m") {
    shift = 20;
  } else if (split->unit == "g") {
    shift = 30;
  } else {
    return std::unexpected("unknown unit \"" + split->unit + "\" (use k, m or g)");
  }
  if (split->number > (std::numeric_limits<uint64_t>::max() >> shift)) {
    return std::unexpected("size is too large");
  }
  return split->number << shift;
}

std::string formatDuration(Millis value) {
  auto ms = value.count();
  if (ms != 0 && ms % (60 * 60 * 1000) == 0) return std::to_string(ms / (60 * 60 * 1000)) + "h";
  if (ms != 0 && ms % (60 * 1000) == 0) return std::to_string(ms / (60 * 1000)) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::optional<uint32_t> parseFileMode(std::string_view text) {
  if (text.size() < 3 || text.size() > 4) return std::nullopt;
  uint32_t mode = 0;
  for (char c : text) {
    if (c < '0' || c > '7') return std::nullopt;
    mode = mode * 8 + static_cast<uint32_t>(c - '0');
  }
  if (mode > 0777) return std::nullopt;
  return mode;
}

}  // namespace llmproxy::common
