// Model pattern kinds and priority.
#include "common/config/model_pattern.h"

#include <algorithm>

namespace llmproxy::common {

namespace {

constexpr std::string_view kRegexOnly = "^$+()[]{}|\\";

}  // namespace

ModelPatternKind classifyModelPattern(std::string_view pattern) {
  if (pattern.find_first_of(kRegexOnly) != std::string_view::npos ||
      pattern.find(".*") != std::string_view::npos ||
      pattern.find(".?") != std::string_view::npos) {
    return ModelPatternKind::Regex;
  }
  if (pattern.find_first_of("*?") != std::string_view::npos) return ModelPatternKind::Glob;
  return ModelPatternKind::Exact;
}

std::string_view literalPrefix(std::string_view pattern) {
  switch (classifyModelPattern(pattern)) {
    case ModelPatternKind::Exact:
      return pattern;
    case ModelPatternKind::Glob:
      return pattern.substr(0, pattern.find_first_of("*?"));
    case ModelPatternKind::Regex:
      return pattern.substr(0, pattern.find_first_of(".*?^$+()[]{}|\\"));
  }
  return pattern;
}

void sortModelMapping(std::vector<ModelMapping>& mapping) {
  std::sort(mapping.begin(), mapping.end(), [](const ModelMapping& a, const ModelMapping& b) {
    bool a_exact = classifyModelPattern(a.pattern) == ModelPatternKind::Exact;
    bool b_exact = classifyModelPattern(b.pattern) == ModelPatternKind::Exact;
    if (a_exact != b_exact) return a_exact;
    if (!a_exact) {
      size_t a_len = literalPrefix(a.pattern).size();
      size_t b_len = literalPrefix(b.pattern).size();
      if (a_len != b_len) return a_len > b_len;
    }
    if (a.pattern != b.pattern) return a.pattern < b.pattern;
    return a.target < b.target;
  });
}

bool globMatch(std::string_view glob, std::string_view name) {
  // Iterative matcher with one backtrack point: linear in practice, no recursion.
  size_t g = 0, n = 0;
  size_t star = std::string_view::npos, mark = 0;
  while (n < name.size()) {
    if (g < glob.size() && (glob[g] == '?' || glob[g] == name[n])) {
      ++g;
      ++n;
    } else if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = n;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace llmproxy::common
