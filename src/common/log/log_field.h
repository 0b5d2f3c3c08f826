// One client-supplied value made safe for a text log line: escaped and capped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmproxy::common::log {

// Longest field a log line carries; a longer one is cut and ends in "...".
inline constexpr size_t kLogFieldCap = 256;
// Paths get more room: a query string is part of them.
inline constexpr size_t kLogPathCap = 1024;

// `raw` as one space-free token: bytes below 0x21, 0x7f and above, '"' and '\' become
// \xHH (nginx's access-log escaping), so a value can neither end the line nor forge another
// field; at most `cap` input bytes are kept (then "..."); empty becomes "-".
std::string logField(std::string_view raw, size_t cap = kLogFieldCap);

// `raw` cut to at most `cap` bytes, not escaped: for JSON log lines, whose writer escapes.
// The cut never splits a UTF-8 sequence.
std::string_view capField(std::string_view raw, size_t cap = kLogFieldCap);

}  // namespace llmproxy::common::log
