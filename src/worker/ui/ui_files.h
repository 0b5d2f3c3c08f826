// The admin web UI's built files, read from server.admin_ui_root into memory once per config
// generation, so serving them never touches the disk on the worker loop. Only regular files
// with a known content type are kept; lookups are exact matches on the relative path, so no
// request path can name a file outside the set (no traversal, no symlinks followed).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace llmproxy::worker {

struct UiFile {
  std::string body;
  std::string content_type;
};

class UiFiles {
 public:
  static constexpr uint64_t kMaxFileSize = 4u << 20;    // a bigger file is skipped
  static constexpr uint64_t kMaxTotalSize = 32u << 20;  // files past this are skipped
  static constexpr size_t kMaxFiles = 512;
  static constexpr int kMaxDepth = 8;

  // Reads `root` recursively. Never fails: an unusable root gives an empty set whose error()
  // says why (shown in the 404 answer).
  static std::shared_ptr<const UiFiles> load(const std::string& root);

  // `path` relative to the root, without a leading slash ("index.html", "assets/app.js").
  const UiFile* find(std::string_view path) const;
  const std::string& root() const { return root_; }
  const std::string& error() const { return error_; }
  size_t size() const { return files_.size(); }

  // The content type served for a file name, or "" when such files are not served.
  static std::string_view contentType(std::string_view name);

 private:
  std::string root_;
  std::string error_;
  std::map<std::string, UiFile, std::less<>> files_;
  uint64_t total_ = 0;

  void walk(const std::string& dir, const std::string& prefix, int depth);
};

}  // namespace llmproxy::worker
