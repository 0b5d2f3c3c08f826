// Pid file handling.
#include "master/pidfile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace llmproxy::master {

using common::ErrorKind;
using common::fail;

common::Result<void> writePidFile(const std::string& path, pid_t pid) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail(ErrorKind::Internal, "open() \"" + tmp + "\" failed: " + std::strerror(errno));
  const std::string text = std::to_string(pid) + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail(ErrorKind::Internal, "writing pid file \"" + path + "\" failed: " +
                                         std::strerror(errno));
  }
  return {};
}

common::Result<pid_t> readPidFile(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return fail(ErrorKind::Internal, "open() \"" + path + "\" failed: " + std::strerror(errno));
  std::string text;
  std::getline(in, text);
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
