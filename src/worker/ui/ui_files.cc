// Loading the admin UI's files into memory (see ui_files.h).
#include "worker/ui/ui_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace llmproxy::worker {
namespace {

struct TypeByExtension {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array kTypes{
    TypeByExtension{".html", "text/html; charset=utf-8"},
    TypeByExtension{".js", "text/javascript; charset=utf-8"},
    TypeByExtension{".mjs", "text/javascript; charset=utf-8"},
    TypeByExtension{".css", "text/css; charset=utf-8"},
    TypeByExtension{".json", "application/json"},
    TypeByExtension{".map", "application/json"},
    TypeByExtension{".svg", "image/svg+xml"},
    TypeByExtension{".png", "image/png"},
    TypeByExtension{".ico", "image/x-icon"},
    TypeByExtension{".woff2", "font/woff2"},
    TypeByExtension{".txt", "text/plain; charset=utf-8"},
};

// Reads a regular file of at most `max` bytes; opened with O_NOFOLLOW so a symlink is refused.
bool readSmallFile(const std::string& path, uint64_t max, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st{};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            static_cast<uint64_t>(st.st_size) <= max;
  if (ok) {
    out.resize(static_cast<size_t>(st.st_size));
    size_t done = 0;
    while (ok && done < out.size()) {
      const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ok = false;
      else done += static_cast<size_t>(n);
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::string_view UiFiles::contentType(std::string_view name) {
  for (const auto& t : kTypes)
    if (name.size() > t.extension.size() && name.ends_with(t.extension)) return t.type;
  return {};
}

std::shared_ptr<const UiFiles> UiFiles::load(const std::string& root) {
  auto files = std::make_shared<UiFiles>();
  files->root_ = root;
  if (root.empty()) {
    files->error_ = "server.admin_ui_root is empty";
    return files;
  }
  struct stat st{};
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    files->error_ = root + ": not a directory";
    return files;
  }
  files->walk(root, "", 0);
  if (!files->find("index.html")) files->error_ = root + ": no index.html";
  return files;
}

void UiFiles::walk(const std::string& dir, const std::string& prefix, int depth) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name.empty() || name[0] == '.') continue;  // ".", "..", hidden files
    const std::string path = dir + "/" + name;
    struct stat st{};
    if (::lstat(path.c_str(), &st) != 0) continue;  // lstat: symlinks are neither kind below
    if (S_ISDIR(st.st_mode)) {
      if (depth + 1 < kMaxDepth) walk(path, prefix + name + "/", depth + 1);
      continue;
    }
    const std::string_view type = contentType(name);
    if (!S_ISREG(st.st_mode) || type.empty() || files_.size() >= kMaxFiles) continue;
    const auto size = static_cast<uint64_t>(st.st_size);
    if (size > kMaxFileSize || total_ + size > kMaxTotalSize) continue;
    UiFile file;
    if (!readSmallFile(path, kMaxFileSize, file.body)) continue;
    total_ += file.body.size();
    file.content_type = std::string(type);
    files_.emplace(prefix + name, std::move(file));
  }
  ::closedir(d);
}

const UiFile* UiFiles::find(std::string_view path) const {
  const auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace llmproxy::worker
