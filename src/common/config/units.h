// Durations ("250ms", "30s", "5m", "1h"), sizes ("512", "16k", "16m", "1g") and file modes
// ("0660") as written in llmproxy.conf. Durations and sizes return a message (without the field
// name) when the text is not valid.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.h"

namespace llmproxy::common {

// A non-negative whole number followed by a unit: ms, s, m or h (case-insensitive). A bare number
// means seconds. Fails on a negative value, an unknown unit, or a value that overflows.
std::expected<Millis, std::string> parseDuration(std::string_view text);

// A non-negative whole number of bytes, optionally followed by k, m or g (KiB, MiB, GiB;
// case-insensitive). Fails on a negative value, an unknown unit, or a value over 2^64-1.
std::expected<uint64_t, std::string> parseSize(std::string_view text);

// File permission bits written in octal, 3 or 4 digits ("0660", "660"), at most 0777.
std::optional<uint32_t> parseFileMode(std::string_view text);

// The shortest exact form of a duration ("30s", "250ms", "5m"): used by docs, logs and tests.
std::string formatDuration(Millis value);

}  // namespace llmproxy::common
