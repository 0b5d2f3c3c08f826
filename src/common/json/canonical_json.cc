// Canonical JSON text through simdjson's DOM: sorted keys, no spaces, one escape style.
#include "common/json/canonical_json.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "common/json/json_writer.h"

namespace llmproxy::common {
namespace {

namespace dom = simdjson::dom;

constexpr int kMaxDepth = 256;

bool emit(std::string& out, dom::element e, int depth,
          std::initializer_list<std::string_view> skip) {
  if (depth > kMaxDepth) return false;
  switch (e.type()) {
    case dom::element_type::OBJECT: {
      std::vector<std::pair<std::string_view, dom::element>> members;
      for (dom::key_value_pair kv : dom::object(e)) {
        if (depth == 0 && std::find(skip.begin(), skip.end(), kv.key) != skip.end()) continue;
        members.emplace_back(kv.key, kv.value);
      }
      // Stable: duplicate keys keep their order (JSON leaves their meaning to the reader).
      std::stable_sort(members.begin(), members.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < members.size(); ++i) {
        if (i) out += ',';
        appendJsonString(out, members[i].first);
        out += ':';
        if (!emit(out, members[i].second, depth + 1, skip)) return false;
      }
      out += '}';
      return true;
    }
    case dom::element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (dom::element v : dom::array(e)) {
        if (!first) out += ',';
        first = false;
        if (!emit(out, v, depth + 1, skip)) return false;
      }
      out += ']';
      return true;
    }
    case dom::element_type::STRING:
      appendJsonString(out, std::string_view(e));
      return true;
    case dom::element_type::INT64:
      out += std::to_string(int64_t(e));
      return true;
    case dom::element_type::UINT64:
      out += std::to_string(uint64_t(e));
      return true;
    case dom::element_type::DOUBLE: {
      // Integral doubles print as integers so 1.0 and 1 hash the same.
      const double d = double(e);
      char buf[32];
      const int n = d == static_cast<double>(static_cast<int64_t>(d)) && d > -9e15 && d < 9e15
                        ? std::snprintf(buf, sizeof(buf), "%lld", static_cast<long long>(d))
                        : std::snprintf(buf, sizeof(buf), "%.17g", d);
      out.append(buf, static_cast<size_t>(n));
      return true;
    }
    case dom::element_type::BOOL:
      out += bool(e) ? "true" : "false";
      return true;
    case dom::element_type::NULL_VALUE:
      out += "null";
      return true;
  }
  return false;
}

}  // namespace

bool appendCanonicalJson(std::string& out, std::string_view json,
                         std::initializer_list<std::string_view> skip_top_level) {
  dom::parser parser;
  dom::element root;
  if (parser.parse(json.data(), json.size(), true).get(root) != simdjson::SUCCESS) return false;
  return emit(out, root, 0, skip_top_level);
}

}  // namespace llmproxy::common
