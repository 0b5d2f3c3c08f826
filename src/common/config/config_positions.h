// Where each value of a loaded Config was written: lets checks that run after loading
// (validation, env overrides) still report "file:line:col".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace llmproxy::common {

struct SourcePos {
  uint32_t line = 0;  // 1-based; 0 = unknown
  uint32_t column = 0;
};

// Keys are dotted paths with indexes: "server", "server.listen[0]", "provider[2]",
// "provider[2].type", "provider[2].model_mapping.gpt-*", "key[0]", "key[0].key".
class ConfigPositions {
 public:
  void set(std::string path, SourcePos pos) { positions_[std::move(path)] = pos; }
  void erase(const std::string& path) { positions_.erase(path); }

  // Marks a value the loader already reported as wrong, so later checks stay quiet about it
  // (one mistake, one error).
  void markBad(std::string path) { bad_.insert(std::move(path)); }

  // True when `path` or one of its parents was marked bad.
  bool isBad(std::string_view path) const {
    std::string key(path);
    while (!key.empty()) {
      if (bad_.contains(key)) return true;
      size_t cut = key.find_last_of(".[");
      if (cut == std::string::npos) break;
      key.resize(cut);
    }
    return false;
  }

  // The position of `path`, else of its nearest recorded parent ("provider[2].id" falls back to
  // "provider[2]"), else {0, 0}.
  SourcePos find(std::string_view path) const {
    std::string key(path);
    while (true) {
      if (auto it = positions_.find(key); it != positions_.end()) return it->second;
      size_t cut = key.find_last_of(".[");
      if (cut == std::string::npos || cut == 0) return {};
      key.resize(cut);
    }
  }

 private:
  std::unordered_map<std::string, SourcePos> positions_;
  std::unordered_set<std::string> bad_;
};

}  // namespace llmproxy::common
