// Splits [redis] url into where and how to connect. Checked at config load (so a bad URL is a
// file:line error) and parsed again by each worker when it connects.
//
//   redis://[[user]:password@]host[:port][/db]     TCP, port 6379 and db 0 by default
//   unix:/path/to/redis.sock[?db=N&password=P]     unix socket (also unix:///path)
//
// Userinfo may be percent-encoded. rediss:// (TLS) is refused: hiredis 0.14 has no TLS.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace llmproxy::common {

struct RedisEndpoint {
  bool unix_socket = false;
  std::string host;    // TCP: name or address, IPv6 without brackets
  uint16_t port = 6379;
  std::string path;    // unix socket
  std::string username;  // AUTH user pass (Redis 6 ACL) when set, else AUTH pass
  std::string password;  // secret: never logged
  uint32_t db = 0;       // SELECT when not 0

  // "127.0.0.1:6379/0" or "unix:/run/redis.sock": no credentials, for logs.
  std::string describe() const;
};

// On failure the message never repeats the URL (it may hold a password).
std::expected<RedisEndpoint, std::string> parseRedisUrl(std::string_view text);

}  // namespace llmproxy::common
