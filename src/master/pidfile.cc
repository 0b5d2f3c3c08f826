// Pid file handling.
#include "master/pidfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

namespace llmproxy::master {

using common::ErrorKind;
using common::fail;

namespace {

std::string openError(const std::string& path) {
  if (errno == ELOOP)
    return "pid file \"" + path + "\" is a symbolic link; refusing to follow it";
  return "open() \"" + path + "\" failed: " + std::strerror(errno);
}

}  // namespace

common::Result<void> writePidFile(const std::string& path, pid_t pid) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  // O_NOFOLLOW: the directory may be writable by the service user, and the master may be root;
  // a symlink planted there must not make it truncate another file.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return fail(ErrorKind::Internal, openError(path));
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorKind::Internal, "pid file \"" + path + "\" is not a regular file");
  }
  const std::string text = std::to_string(pid) + "\n";
  const bool ok = ::ftruncate(fd, 0) == 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int write_errno = errno;
  ::close(fd);
  if (!ok)
    return fail(ErrorKind::Internal, "writing pid file \"" + path + "\" failed: " +
                                         std::strerror(write_errno));
  return {};
}

common::Result<pid_t> readPidFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return fail(ErrorKind::Internal, openError(path));
  char buf[64];
  const ssize_t n = ::read(fd, buf, sizeof(buf));
  ::close(fd);
  std::string text(buf, n > 0 ? static_cast<size_t>(n) : 0);
  if (const auto nl = text.find('\n'); nl != std::string::npos) text.resize(nl);
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc{} || pid <= 0 || end != text.data() + text.size())
    return fail(ErrorKind::Internal, "invalid PID number \"" + text + "\" in \"" + path + "\"");
  return pid;
}

void removePidFile(const std::string& path, pid_t expected_pid) {
  auto pid = readPidFile(path);
  if (pid && *pid == expected_pid) ::unlink(path.c_str());
}

}  // namespace llmproxy::master
