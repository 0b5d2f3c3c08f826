// Model name patterns in model_mapping: what kind each one is, and the one deterministic order
// in which they are tried (the same for the file and for PostgreSQL, whose jsonb keeps no order).
#pragma once

#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace llmproxy::common {

enum class ModelPatternKind : uint8_t {
  Exact,  // no metacharacter: compared as written ('.' is an ordinary character here)
  Glob,   // '*' (any run of characters) and '?' (one character), nothing else special
  Regex,  // anything else with a metacharacter: an RE2 regex matched against the whole name
};

// Regex when the pattern holds one of ^ $ + ( ) [ ] { } | \ or the sequences ".*" / ".?";
// otherwise Glob when it holds '*' or '?'; otherwise Exact.
ModelPatternKind classifyModelPattern(std::string_view pattern);

// The characters before the first metacharacter of the pattern's kind ('*', '?' for a glob;
// '.', '*', '?' and the regex metacharacters for a regex). The whole pattern for an exact name.
std::string_view literalPrefix(std::string_view pattern);

// Priority order: exact names first (alphabetical), then patterns by longest literal prefix,
// ties alphabetical. Strictly deterministic for any input order.
void sortModelMapping(std::vector<ModelMapping>& mapping);

// True when `name` matches a glob ('*' any run, '?' one character).
bool globMatch(std::string_view glob, std::string_view name);

}  // namespace llmproxy::common
