// The query part of a request target ("?a=1&b=x%20y") as decoded name/value pairs, for the
// admin API's GET filters. application/x-www-form-urlencoded rules: '&' separates pairs, '+' is
// a space, %XX a byte. A name without '=' has an empty value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace llmproxy::worker {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// nullopt when a '%' is not followed by two hex digits. `target` may be a whole request target:
// everything up to the first '?' is skipped.
std::optional<QueryParams> parseQueryString(std::string_view target);

}  // namespace llmproxy::worker
