// Header-name rules both directions share: the hop-by-hop set and the headers that a message's
// own Connection header makes hop-by-hop (RFC 9110 §7.6.1).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmproxy::worker::protocol {

// A parsed header block: names lower-cased, values as received, in order.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// connection, keep-alive, proxy-connection, te, trailer, transfer-encoding, upgrade.
bool isHopByHop(std::string_view name);

// True when a Connection header of `headers` lists `name` (lower-case) among its
// comma-separated tokens, compared case-insensitively. No allocation.
bool namedByConnection(const HeaderList& headers, std::string_view name);

// True when `headers` has a Connection header with at least one token that is not itself a
// hop-by-hop name (the common "keep-alive" and "close" need no per-header scan).
bool connectionNamesOthers(const HeaderList& headers);

}  // namespace llmproxy::worker::protocol
