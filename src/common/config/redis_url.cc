// redis:// and unix: URL parsing for [redis] url.
#include "common/config/redis_url.h"

#include <charconv>

namespace llmproxy::common {
namespace {

std::expected<std::string, std::string> percentDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= in.size())
      return std::unexpected("a '%' in the user or password is not followed by two hex digits");
    auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
    if (ec != std::errc{} || p != in.data() + i + 3)
      return std::unexpected("a '%' in the user or password is not followed by two hex digits");
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

std::expected<uint32_t, std::string> parseDb(std::string_view text) {
  uint32_t db = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), db);
  if (text.empty() || ec != std::errc{} || p != text.data() + text.size() || db > 1'000'000)
    return std::unexpected("the database number must be a number");
  return db;
}

bool hasControl(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ') return true;
  return false;
}

std::expected<RedisEndpoint, std::string> parseUnix(std::string_view rest) {
  RedisEndpoint ep;
  ep.unix_socket = true;
  if (rest.starts_with("//")) rest.remove_prefix(2);  // unix:///path
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (!rest.starts_with('/')) return std::unexpected("a unix: URL needs an absolute socket path");
  ep.path = std::string(rest);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    if (name == "db") {
      auto db = parseDb(value);
      if (!db) return std::unexpected(db.error());
      ep.db = *db;
    } else if (name == "password") {
      auto pw = percentDecode(value);
      if (!pw) return std::unexpected(pw.error());
      ep.password = std::move(*pw);
    } else if (name == "user") {
      auto user = percentDecode(value);
      if (!user) return std::unexpected(user.error());
      ep.username = std::move(*user);
    } else {
      return std::unexpected("unknown unix: URL parameter (expected db, password or user)");
    }
  }
  return ep;
}

}  // namespace

std::string RedisEndpoint::describe() const {
  if (unix_socket) return "unix:" + path + (db ? "?db=" + std::to_string(db) : "");
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(db);
}

std::expected<RedisEndpoint, std::string> parseRedisUrl(std::string_view text) {
  if (hasControl(text)) return std::unexpected("the URL contains a space or a control character");
  if (text.starts_with("rediss://"))
    return std::unexpected("rediss:// (TLS) is not supported: use redis:// or a unix: socket");
  if (text.starts_with("unix:")) return parseUnix(text.substr(5));
  if (!text.starts_with("redis://"))
    return std::unexpected("expected a redis://host:port/db or unix:/path URL");
  std::string_view rest = text.substr(8);
  RedisEndpoint ep;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    auto user = percentDecode(userinfo.substr(0, colon));
    if (!user) return std::unexpected(user.error());
    if (colon == std::string_view::npos) {
      ep.password = std::move(*user);  // redis://secret@host: the password alone
    } else {
      auto pw = percentDecode(userinfo.substr(colon + 1));
      if (!pw) return std::unexpected(pw.error());
      ep.username = std::move(*user);
      ep.password = std::move(*pw);
    }
  }
  std::string_view hostport = rest;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      auto n = parseDb(db);
      if (!n) return std::unexpected(n.error());
      ep.db = *n;
    }
  }
  std::string_view port;
  if (hostport.starts_with('[')) {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return std::unexpected("an IPv6 host lacks its ']'");
    ep.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return std::unexpected("expected ':port' after the host");
      port = after.substr(1);
    }
  } else {
    const auto colon = hostport.rfind(':');
    ep.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (ep.host.empty()) return std::unexpected("the URL has no host");
  if (!port.empty() || hostport.ends_with(':')) {
    unsigned value = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || p != port.data() + port.size() || value == 0 ||
        value > 65535)
      return std::unexpected("the port must be a number from 1 to 65535");
    ep.port = static_cast<uint16_t>(value);
  }
  return ep;
}

}  // namespace llmproxy::common
