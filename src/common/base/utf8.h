// UTF-8 well-formedness (RFC 3629), shared by everything that turns untrusted bytes into text
// for another format (JSON strings, PostgreSQL array literals).
#pragma once

#include <cstddef>
#include <string_view>

namespace llmproxy::common {

// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII), 0 if the bytes there
// are malformed (overlong, UTF-16 surrogate, truncated, above U+10FFFF, stray continuation).
size_t utf8SequenceLength(std::string_view s, size_t i);

// The longest prefix of `s` of at most `cap` bytes that does not cut a UTF-8 sequence in two.
std::string_view utf8Prefix(std::string_view s, size_t cap);

}  // namespace llmproxy::common
