// A canonical text of a JSON document, for hashing: object members sorted by key, no
// whitespace, strings re-escaped one way, numbers in one form. Two bodies that differ only in
// key order, spacing or escapes give the same text. Used for response-cache keys only (a
// request that is not cached is never re-serialised).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace llmproxy::common {

// Appends the canonical form of `json` to `out`, leaving out the top-level object members
// named in `skip_top_level`. False when `json` is not valid JSON or nests deeper than 256
// levels (the caller then does not cache). Cost: one simdjson DOM parse (allocates about the
// document's size) plus the sort of each object's keys.
bool appendCanonicalJson(std::string& out, std::string_view json,
                         std::initializer_list<std::string_view> skip_top_level = {});

}  // namespace llmproxy::common
