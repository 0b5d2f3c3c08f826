// TempDir: a private temporary directory for one test, removed with everything in it at the end.
#pragma once

#include <string>

namespace llmproxy::testing {

// Owns a directory made with mkdtemp under $TMPDIR (or /tmp). The destructor removes it
// recursively. Move-only. Set LLMPROXY_KEEP_TEST_DIRS=1 to keep directories for debugging.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Absolute path of the directory, without a trailing slash.
  const std::string& path() const { return path_; }

  // Full path of `name` inside the directory (nothing is created).
  std::string file(const std::string& name) const;

  // Writes `content` to `name` (parent folders are created), replacing any old file. Returns the
  // full path.
  std::string write(const std::string& name, const std::string& content) const;

  // Whole content of `name`; empty if it does not exist.
  std::string read(const std::string& name) const;

 private:
  void removeAll();

  std::string path_;
};

// Reads a whole file; empty if it cannot be opened.
std::string readFile(const std::string& path);

}  // namespace llmproxy::testing
