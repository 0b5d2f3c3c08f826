// Listen address parsing.
#include "common/config/listen_address.h"

#include <arpa/inet.h>
#include <sys/un.h>

#include <charconv>

namespace llmproxy::common {

namespace {

std::expected<uint16_t, std::string> parsePort(std::string_view text) {
  if (text.empty()) return std::unexpected("missing port");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 65535) {
    return std::unexpected("port must be a number 1..65535");
  }
  return static_cast<uint16_t>(value);
}

bool isIpv4(const std::string& host) {
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

bool isIpv6(const std::string& host) {
  in6_addr addr{};
  return inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

}  // namespace

std::expected<ListenAddress, std::string> parseListenAddress(std::string_view text) {
  ListenAddress out;
  out.text = std::string(text);
  if (text.empty()) return std::unexpected("empty listen address");

  if (text.starts_with("unix:")) {
    out.kind = ListenAddress::Kind::Unix;
    out.path = std::string(text.substr(5));
    if (out.path.empty()) return std::unexpected("missing path after \"unix:\"");
    if (out.path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      return std::unexpected("unix socket path is too long (at most " +
                             std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes)");
    }
    return out;
  }

  out.kind = ListenAddress::Kind::Tcp;
  std::string_view host;
  std::string_view port;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::unexpected("missing ']' after IPv6 address");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.starts_with(':')) return std::unexpected("expected \":port\" after ']'");
    port = rest.substr(1);
    if (!isIpv6(std::string(host))) return std::unexpected("not a numeric IPv6 address");
    out.host = std::string(host);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      port = text;  // a bare port: every address
    } else {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      if (host.find(':') != std::string_view::npos) {
        return std::unexpected("write an IPv6 address in brackets, e.g. \"[::1]:8000\"");
      }
    }
    if (host == "*" || host.empty()) {
      out.host.clear();
    } else if (host == "localhost") {
      out.host = "127.0.0.1";
    } else if (isIpv4(std::string(host))) {
      out.host = std::string(host);
    } else {
      return std::unexpected("host must be a numeric IP address, \"*\" or \"localhost\"");
    }
  }
  auto parsed = parsePort(port);
  if (!parsed) return std::unexpected(parsed.error());
  out.port = *parsed;
  return out;
}

std::string formatListenAddress(const ListenAddress& address) {
  if (address.kind == ListenAddress::Kind::Unix) return "unix:" + address.path;
  std::string port = std::to_string(address.port);
  if (address.host.empty()) return "*:" + port;
  if (address.host.find(':') != std::string::npos) return "[" + address.host + "]:" + port;
  return address.host + ":" + port;
}

bool sameListenAddress(const ListenAddress& a, const ListenAddress& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == ListenAddress::Kind::Unix) return a.path == b.path;
  return a.host == b.host && a.port == b.port;
}

}  // namespace llmproxy::common
