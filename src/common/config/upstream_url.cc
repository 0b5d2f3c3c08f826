// api_base parsing.
#include "common/config/upstream_url.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace llmproxy::common {

namespace {

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

bool isHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::expected<UpstreamUrl, std::string> parseUpstreamUrl(std::string_view text) {
  UpstreamUrl url;
  if (startsWithNoCase(text, "https://")) {
    url.tls = true;
    url.port = 443;
    text.remove_prefix(8);
  } else if (startsWithNoCase(text, "http://")) {
    url.tls = false;
    url.port = 80;
    text.remove_prefix(7);
  } else {
    return std::unexpected("expected a URL starting with http:// or https://");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return std::unexpected("URL must not contain spaces or control characters");
    }
  }
  if (text.find('?') != std::string_view::npos) return std::unexpected("URL must not have a query");
  if (text.find('#') != std::string_view::npos) {
    return std::unexpected("URL must not have a fragment");
  }

  size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : text.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return std::unexpected("URL must not contain user info (put the key in api_key)");
  }
  if (authority.empty()) return std::unexpected("URL has no host");

  std::string_view host;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::unexpected("missing ']' after IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::unexpected("unexpected text after ']'");
      port = rest.substr(1);
      if (port.empty()) return std::unexpected("empty port");
    }
    in6_addr addr{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &addr) != 1) {
      return std::unexpected("not a valid IPv6 address");
    }
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return std::unexpected("empty port");
    }
    if (host.empty()) return std::unexpected("URL has no host");
    for (char c : host) {
      if (!isHostNameChar(c)) return std::unexpected("invalid character in host name");
    }
  }
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value < 1 || value > 65535) {
      return std::unexpected("port must be a number 1..65535");
    }
    url.port = static_cast<uint16_t>(value);
  }
  url.host.reserve(host.size());
  for (char c : host)
    url.host.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.base_path = std::string(path);
  return url;
}

std::string hostHeader(const UpstreamUrl& url) {
  std::string out = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != (url.tls ? 443 : 80)) out += ":" + std::to_string(url.port);
  return out;
}

}  // namespace llmproxy::common
