// The rule for a name that becomes one segment of an upstream URL path (an Azure deployment is
// the model name), and the percent-encoding of path segments and query values.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace llmproxy::worker::protocol {

// Longer names are refused: Azure's own limit is 64, and a model name must not be able to grow
// the request line toward the provider's limits.
inline constexpr size_t kMaxSegmentSize = 256;

// Why `name` cannot be a path segment, or "" when it can. Refused, whatever percent-encoding
// would make of them, because servers and gateways on the way decode and normalise paths:
//   - the empty name and the dot-segments "." and "..";
//   - names longer than kMaxSegmentSize bytes;
//   - control characters (0x00-0x1F, 0x7F) and the space;
//   - '/' and '\' (segment separators), '?' and '#' (end of the path), '%' (an encoded form of
//     any of these after one decoding).
// Every other byte is allowed and sent percent-encoded (appendPercentEncoded).
std::string_view segmentProblem(std::string_view name);

// Appends `text` with every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~) written
// as %XX (upper-case hex). Safe for a path segment and for a query value.
void appendPercentEncoded(std::string& out, std::string_view text);

}  // namespace llmproxy::worker::protocol
