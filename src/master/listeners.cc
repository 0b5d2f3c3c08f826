// Binding the listening sockets.
#include "master/listeners.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

namespace llmproxy::master {

using common::ErrorKind;
using common::fail;
using common::ListenAddress;

namespace {

constexpr int kBacklog = 4096;

common::Result<int> bindTcp(const ListenAddress& a) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  if (a.host.find(':') != std::string::npos) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = family = AF_INET6;
    s6->sin6_port = htons(a.port);
    if (inet_pton(AF_INET6, a.host.c_str(), &s6->sin6_addr) != 1)
      return fail(ErrorKind::Internal, "invalid IPv6 address in \"" + a.text + "\"");
    len = sizeof(sockaddr_in6);
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(a.port);
    if (a.host.empty() || a.host == "*") {
      s4->sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (inet_pton(AF_INET, a.host.c_str(), &s4->sin_addr) != 1) {
      return fail(ErrorKind::Internal, "invalid IPv4 address in \"" + a.text + "\"");
    }
    len = sizeof(sockaddr_in);
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(ErrorKind::Internal, std::string("socket() failed: ") + strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));  // inherited by accepted sockets
  if (family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, kBacklog) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(ErrorKind::Internal, "bind() to " + a.text + " failed (" +
                                         std::to_string(err) + ": " + strerror(err) + ")");
  }
  return fd;
}

// The socket's mode is set explicitly (server.unix_socket_mode), never left to the umask:
// connecting needs write permission on it.
common::Result<int> bindUnix(const ListenAddress& a, uint32_t mode) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (a.path.size() >= sizeof(sun.sun_path))
    return fail(ErrorKind::Internal, "unix socket path too long: " + a.path);
  std::memcpy(sun.sun_path, a.path.c_str(), a.path.size() + 1);
  struct stat st{};
  if (::lstat(a.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(a.path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail(ErrorKind::Internal, std::string("socket() failed: ") + strerror(errno));
  // The umask keeps the socket from ever being more open than `mode` between bind and chmod.
  const mode_t old_umask = ::umask(static_cast<mode_t>(~mode & 0777));
  const int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof(sun));
  ::umask(old_umask);
  if (bound != 0 || ::listen(fd, kBacklog) != 0) {
    const int err = errno;
    ::close(fd);
    return fail(ErrorKind::Internal, "bind() to " + a.text + " failed (" +
                                         std::to_string(err) + ": " + strerror(err) + ")");
  }
  if (::chmod(a.path.c_str(), static_cast<mode_t>(mode)) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(a.path.c_str());
    return fail(ErrorKind::Internal, "chmod() of " + a.text + " failed (" +
                                         std::to_string(err) + ": " + strerror(err) + ")");
  }
  return fd;
}

}  // namespace

ListenerSet::ListenerSet(ListenerSet&& o) noexcept : listeners_(std::move(o.listeners_)) {
  o.listeners_.clear();
}

ListenerSet& ListenerSet::operator=(ListenerSet&& o) noexcept {
  if (this != &o) {
    closeAll();
    listeners_ = std::move(o.listeners_);
    o.listeners_.clear();
  }
  return *this;
}

ListenerSet::~ListenerSet() { closeAll(); }

common::Result<ListenerSet> ListenerSet::bind(const common::ServerConfig& server, uint32_t slots) {
  ListenerSet set;
  auto add = [&](const ListenAddress& a, ListenerRole role) -> common::Result<void> {
    BoundListener bl{a, role, {}};
    if (a.kind == ListenAddress::Kind::Unix) {
      auto fd = bindUnix(a, server.unix_socket_mode);
      if (!fd) return std::unexpected(fd.error());
      bl.fds.assign(slots, *fd);
    } else {
      for (uint32_t s = 0; s < slots; ++s) {
        auto fd = bindTcp(a);
        if (!fd) {
          for (int f : bl.fds) ::close(f);
          return std::unexpected(fd.error());
        }
        bl.fds.push_back(*fd);
      }
    }
    set.listeners_.push_back(std::move(bl));
    return {};
  };
  for (const auto& a : server.listen)
    if (auto r = add(a, ListenerRole::Api); !r) return std::unexpected(r.error());
  for (const auto& a : server.admin_listen)
    if (auto r = add(a, ListenerRole::Admin); !r) return std::unexpected(r.error());
  return set;
}

std::vector<std::pair<int, ListenerRole>> ListenerSet::fdsForSlot(uint32_t slot) const {
  std::vector<std::pair<int, ListenerRole>> out;
  for (const auto& l : listeners_)
    if (slot < l.fds.size()) out.emplace_back(l.fds[slot], l.role);
  return out;
}

void ListenerSet::closeAll() {
  for (auto& l : listeners_) {
    std::set<int> unique(l.fds.begin(), l.fds.end());
    for (int fd : unique) ::close(fd);
    if (l.address.kind == ListenAddress::Kind::Unix && !unique.empty())
      ::unlink(l.address.path.c_str());
  }
  listeners_.clear();
}

bool sameListeners(const common::ServerConfig& a, const common::ServerConfig& b) {
  return a.listen == b.listen && a.admin_listen == b.admin_listen && a.workers == b.workers &&
         a.unix_socket_mode == b.unix_socket_mode;
}

}  // namespace llmproxy::master
