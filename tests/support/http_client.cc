// HttpClient: blocking HTTP/1.1 over a nonblocking socket, every wait bounded by poll().
#include "support/http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

namespace llmproxy::testing {

namespace {

constexpr size_t kMaxHeadBytes = 1 << 20;
constexpr size_t kReadSize = 64 * 1024;

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool containsIgnoreCase(std::string_view haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char x, char y) {
                          return std::tolower(static_cast<unsigned char>(x)) ==
                                 std::tolower(static_cast<unsigned char>(y));
                        });
  return it != haystack.end();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool hasHeader(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return equalsIgnoreCase(h.first, name); });
}

std::string opensslError() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown TLS error" : out;
}

bool isIpAddress(const std::string& name) {
  in6_addr addr6{};
  in_addr addr4{};
  return inet_pton(AF_INET, name.c_str(), &addr4) == 1 ||
         inet_pton(AF_INET6, name.c_str(), &addr6) == 1;
}

void ignoreSigpipeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { ::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) return value;
  }
  return {};
}

bool HttpResponse::hasHeader(std::string_view name) const {
  return testing::hasHeader(headers, name);
}

HttpClient::HttpClient(std::string host, uint16_t port, HttpClientOptions options)
    : host_(std::move(host)), port_(port), options_(std::move(options)) {
  ignoreSigpipeOnce();
  if (options_.server_name.empty()) options_.server_name = host_;
  if (options_.tls) {
    ssl_ctx_ = SSL_CTX_new(TLS_client_method());
    if (ssl_ctx_ != nullptr) {
      SSL_CTX_set_mode(ssl_ctx_,
                       SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
      if (!options_.ca_file.empty()) {
        if (SSL_CTX_load_verify_locations(ssl_ctx_, options_.ca_file.c_str(), nullptr) != 1) {
          last_error_ = "cannot load CA file " + options_.ca_file + ": " + opensslError();
        }
      } else {
        SSL_CTX_set_default_verify_paths(ssl_ctx_);
      }
    }
  }
}

HttpClient::~HttpClient() {
  close();
  if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
}

// ---------------------------------------------------------------------------------------------
// Connection management

bool HttpClient::connect(Ms timeout) {
  close();
  const auto deadline = Clock::now() + timeout;
  return connectTcp(deadline) && handshake(deadline);
}

void HttpClient::close() {
  if (ssl_ != nullptr) {
    SSL_shutdown(ssl_);
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  in_.clear();
  eof_ = false;
  // kNone, not kDone: a body cut short by the close must not look complete.
  body_mode_ = BodyMode::kNone;
  sse_buffer_.clear();
}

bool HttpClient::connectTcp(Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(port_);
  if (int rc = getaddrinfo(host_.c_str(), port.c_str(), &hints, &list); rc != 0) {
    last_error_ = std::string("connect: resolve ") + host_ + ": " + gai_strerror(rc);
    return false;
  }
  last_error_ = "connect: no address";
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    if (options_.receive_buffer > 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &options_.receive_buffer,
                 sizeof(options_.receive_buffer));
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      fd_ = fd;
      if (!waitFd(POLLOUT, deadline)) {
        fd_ = -1;
        ::close(fd);
        last_error_ = "connect: timeout";
        continue;
      }
      fd_ = -1;
      int err = 0;
      socklen_t len = sizeof(err);
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc != 0) {
      last_error_ = std::string("connect: ") + std::strerror(errno);
      ::close(fd);
      continue;
    }
    fd_ = fd;
    ++connections_opened_;
    freeaddrinfo(list);
    return true;
  }
  freeaddrinfo(list);
  return false;
}

bool HttpClient::handshake(Clock::time_point deadline) {
  if (!options_.tls) return true;
  if (ssl_ctx_ == nullptr) {
    last_error_ = "tls: no context";
    close();
    return false;
  }
  ssl_ = SSL_new(ssl_ctx_);
  SSL_set_fd(ssl_, fd_);
  SSL_set_connect_state(ssl_);
  const bool ip = isIpAddress(options_.server_name);
  if (!ip) SSL_set_tlsext_host_name(ssl_, options_.server_name.c_str());
  if (options_.verify) {
    SSL_set_verify(ssl_, SSL_VERIFY_PEER, nullptr);
    if (ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), options_.server_name.c_str());
    } else {
      SSL_set1_host(ssl_, options_.server_name.c_str());
    }
  } else {
    SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
  }
  while (true) {
    ERR_clear_error();
    int rc = SSL_do_handshake(ssl_);
    if (rc == 1) return true;
    int err = SSL_get_error(ssl_, rc);
    short events = err == SSL_ERROR_WANT_READ ? POLLIN : err == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
    if (events != 0 && waitFd(events, deadline)) continue;
    if (events != 0) {
      last_error_ = "tls: handshake timeout";
    } else {
      long verify = SSL_get_verify_result(ssl_);
      last_error_ = "tls: handshake failed: " + opensslError();
      if (verify != X509_V_OK) {
        last_error_ += std::string(" (verify: ") + X509_verify_cert_error_string(verify) + ")";
      }
    }
    close();
    return false;
  }
}

bool HttpClient::peerHasClosed() {
  if (fd_ < 0 || eof_) return true;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  // Readable while idle: either EOF/reset or stray bytes. fill() tells which; stray bytes stay.
  Fill result = fill(Clock::now());
  return result == Fill::kEof || result == Fill::kError;
}

bool HttpClient::ensureConnected(Clock::time_point deadline) {
  if (fd_ >= 0 && body_mode_ == BodyMode::kDone && !peerHasClosed()) return true;
  close();
  return connectTcp(deadline) && handshake(deadline);
}

// ---------------------------------------------------------------------------------------------
// Raw I/O

bool HttpClient::waitFd(short events, Clock::time_point deadline) {
  while (true) {
    auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now()).count();
    if (left < 0) left = 0;
    pollfd p{fd_, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left));
    if (rc > 0) return true;
    if (rc < 0 && errno == EINTR) continue;
    return false;
  }
}

HttpClient::Fill HttpClient::fill(Clock::time_point deadline) {
  if (fd_ < 0) return Fill::kError;
  if (eof_) return Fill::kEof;
  char buf[kReadSize];
  while (true) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      int n = SSL_read(ssl_, buf, sizeof(buf));
      if (n > 0) {
        in_.append(buf, static_cast<size_t>(n));
        return Fill::kData;
      }
      int err = SSL_get_error(ssl_, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (waitFd(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) continue;
        return Fill::kTimeout;
      }
      eof_ = true;
      if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && errno == 0)) {
        return Fill::kEof;
      }
      last_error_ = "tls read: " + opensslError();
      return Fill::kError;
    }
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n > 0) {
      in_.append(buf, static_cast<size_t>(n));
      return Fill::kData;
    }
    if (n == 0) {
      eof_ = true;
      return Fill::kEof;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (waitFd(POLLIN, deadline)) continue;
      return Fill::kTimeout;
    }
    eof_ = true;
    last_error_ = std::string("read: ") + std::strerror(errno);
    return Fill::kError;
  }
}

bool HttpClient::writeAll(std::string_view bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    if (ssl_ != nullptr) {
      ERR_clear_error();
      int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
      if (n > 0) {
        bytes.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      int err = SSL_get_error(ssl_, n);
      if ((err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) &&
          waitFd(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
        continue;
      }
      last_error_ = "tls write: " + opensslError();
      return false;
    }
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waitFd(POLLOUT, deadline)) continue;
    last_error_ = n < 0 ? std::string("write: ") + std::strerror(errno) : "write: timeout";
    return false;
  }
  return true;
}

bool HttpClient::sendRaw(std::string_view bytes, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  if (fd_ < 0 && !(connectTcp(deadline) && handshake(deadline))) return false;
  return writeAll(bytes, deadline);
}

std::string HttpClient::readRaw(Ms timeout) {
  if (in_.empty()) fill(Clock::now() + timeout);
  return std::exchange(in_, {});
}

bool HttpClient::closedByPeer(Ms timeout) {
  if (fd_ < 0) return true;
  const auto deadline = Clock::now() + timeout;
  while (true) {
    switch (fill(deadline)) {
      case Fill::kData:
        continue;
      case Fill::kEof:
      case Fill::kError:
        return true;
      case Fill::kTimeout:
        return false;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Requests and responses

std::string HttpClient::buildRequest(std::string_view method, std::string_view path,
                                     const Headers& headers, std::string_view body) const {
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(path).append(" HTTP/1.1\r\n");
  if (!testing::hasHeader(headers, "host")) {
    out.append("Host: ").append(host_).append(":").append(std::to_string(port_)).append("\r\n");
  }
  for (const auto& [name, value] : headers) {
    out.append(name).append(": ").append(value).append("\r\n");
  }
  const bool wants_length =
      !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (wants_length && !testing::hasHeader(headers, "content-length") &&
      !testing::hasHeader(headers, "transfer-encoding")) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
  return out;
}

HttpResponse HttpClient::request(std::string_view method, std::string_view path,
                                 const Headers& headers, std::string_view body, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  HttpResponse response;
  if (!ensureConnected(deadline)) {
    response.error = last_error_;
    return response;
  }
  if (!writeAll(buildRequest(method, path, headers, body), deadline)) {
    response.error = last_error_;
    close();
    return response;
  }
  auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
  HttpResponse response_read = readResponse(std::max(left, Ms(0)), method == "HEAD");
  // NOTE: an abandoned exchange leaves the connection in an unknown state: never reuse it.
  if (!response_read.ok) close();
  return response_read;
}

HttpResponse HttpClient::get(std::string_view path, const Headers& headers, Ms timeout) {
  return request("GET", path, headers, {}, timeout);
}

HttpResponse HttpClient::post(std::string_view path, std::string_view body, const Headers& headers,
                              Ms timeout) {
  return request("POST", path, headers, body, timeout);
}

bool HttpClient::readHead(HttpResponse& response, Clock::time_point deadline, bool head_request) {
  while (true) {
    size_t end = in_.find("\r\n\r\n");
    while (end == std::string::npos) {
      if (in_.size() > kMaxHeadBytes) {
        response.error = "bad response: head too large";
        return false;
      }
      Fill result = fill(deadline);
      if (result == Fill::kTimeout) {
        timed_out_ = true;
        response.error = "timeout";
        return false;
      }
      if (result != Fill::kData) {
        response.error = in_.empty() ? "connection closed" : "bad response: truncated head";
        if (result == Fill::kError) response.error += " (" + last_error_ + ")";
        return false;
      }
      end = in_.find("\r\n\r\n");
    }
    std::string_view head(in_.data(), end);
    size_t line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) {
      response.error = "bad response: status line '" + std::string(status_line) + "'";
      return false;
    }
    const bool http10 = status_line[7] == '0';
    response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    response.reason = status_line.size() > 13 ? std::string(status_line.substr(13)) : "";
    response.headers.clear();
    while (line_end != std::string_view::npos) {
      size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      std::string_view line = head.substr(
          start, line_end == std::string_view::npos ? std::string_view::npos : line_end - start);
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                    std::string(trim(line.substr(colon + 1))));
    }
    in_.erase(0, end + 4);
    if (response.status >= 100 && response.status < 200 && response.status != 101) continue;

    // Framing of the body that follows (RFC 9112 section 6.3).
    const std::string connection = response.header("connection");
    close_after_body_ = containsIgnoreCase(connection, "close") ||
                        (http10 && !containsIgnoreCase(connection, "keep-alive"));
    body_remaining_ = 0;
    chunk_state_ = ChunkState::kSize;
    if (head_request || response.status < 200 || response.status == 204 || response.status == 304) {
      body_mode_ = BodyMode::kDone;
    } else if (containsIgnoreCase(response.header("transfer-encoding"), "chunked")) {
      body_mode_ = BodyMode::kChunked;
    } else if (response.hasHeader("content-length")) {
      body_remaining_ = std::strtoull(response.header("content-length").c_str(), nullptr, 10);
      body_mode_ = body_remaining_ == 0 ? BodyMode::kDone : BodyMode::kLength;
    } else {
      body_mode_ = BodyMode::kUntilEof;
      close_after_body_ = true;
    }
    return true;
  }
}

bool HttpClient::decodeBuffered(std::string& out, std::string& error) {
  while (!in_.empty() || body_mode_ == BodyMode::kLength) {
    switch (body_mode_) {
      case BodyMode::kNone:
      case BodyMode::kDone:
        return true;
      case BodyMode::kUntilEof:
        out += in_;
        in_.clear();
        return true;
      case BodyMode::kLength: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(body_remaining_, in_.size()));
        out.append(in_, 0, n);
        in_.erase(0, n);
        body_remaining_ -= n;
        if (body_remaining_ == 0) body_mode_ = BodyMode::kDone;
        return true;
      }
      case BodyMode::kChunked:
        switch (chunk_state_) {
          case ChunkState::kSize: {
            size_t eol = in_.find("\r\n");
            if (eol == std::string::npos) {
              if (in_.size() > 4096) {
                error = "bad response: chunk size line too long";
                return false;
              }
              return true;
            }
            char* end = nullptr;
            body_remaining_ = std::strtoull(in_.c_str(), &end, 16);
            if (end == in_.c_str()) {
              error = "bad response: bad chunk size '" + in_.substr(0, eol) + "'";
              return false;
            }
            in_.erase(0, eol + 2);
            chunk_state_ = body_remaining_ == 0 ? ChunkState::kTrailer : ChunkState::kData;
            break;
          }
          case ChunkState::kData: {
            size_t n = static_cast<size_t>(std::min<uint64_t>(body_remaining_, in_.size()));
            out.append(in_, 0, n);
            in_.erase(0, n);
            body_remaining_ -= n;
            if (body_remaining_ == 0) chunk_state_ = ChunkState::kDataEnd;
            break;
          }
          case ChunkState::kDataEnd:
            if (in_.size() < 2) return true;
            if (in_.compare(0, 2, "\r\n") != 0) {
              error = "bad response: chunk not followed by CRLF";
              return false;
            }
            in_.erase(0, 2);
            chunk_state_ = ChunkState::kSize;
            break;
          case ChunkState::kTrailer: {
            size_t eol = in_.find("\r\n");
            if (eol == std::string::npos) return true;
            in_.erase(0, eol + 2);
            if (eol == 0) body_mode_ = BodyMode::kDone;
            break;
          }
        }
        break;
    }
    if (body_mode_ == BodyMode::kLength && in_.empty()) return true;
  }
  return true;
}

void HttpClient::finishResponse() {
  if (close_after_body_) {
    // Keep what was read, drop the connection: the server said it will not reuse it.
    if (ssl_ != nullptr) {
      SSL_free(ssl_);
      ssl_ = nullptr;
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    in_.clear();
    eof_ = false;
  }
}

HttpResponse HttpClient::readResponse(Ms timeout, bool head_request) {
  const auto deadline = Clock::now() + timeout;
  timed_out_ = false;
  HttpResponse response;
  if (!readHead(response, deadline, head_request)) {
    if (!timed_out_) close();
    return response;
  }
  while (true) {
    std::string error;
    if (!decodeBuffered(response.body, error)) {
      response.error = error;
      close();
      return response;
    }
    if (body_mode_ == BodyMode::kDone) break;
    Fill result = fill(deadline);
    if (result == Fill::kData) continue;
    if (result == Fill::kEof && body_mode_ == BodyMode::kUntilEof) {
      body_mode_ = BodyMode::kDone;
      break;
    }
    if (result == Fill::kTimeout) {
      timed_out_ = true;
      response.error = "timeout";
    } else {
      response.error = "connection closed mid-body";
      close();
    }
    return response;
  }
  response.ok = true;
  finishResponse();
  return response;
}

HttpResponse HttpClient::startStream(std::string_view method, std::string_view path,
                                     const Headers& headers, std::string_view body, Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  timed_out_ = false;
  HttpResponse response;
  if (!ensureConnected(deadline)) {
    response.error = last_error_;
    return response;
  }
  sse_buffer_.clear();
  if (!writeAll(buildRequest(method, path, headers, body), deadline)) {
    response.error = last_error_;
    close();
    return response;
  }
  if (!readHead(response, deadline, method == "HEAD")) {
    close();
    return response;
  }
  response.ok = true;
  if (body_mode_ == BodyMode::kDone) finishResponse();
  return response;
}

std::optional<std::string> HttpClient::readChunk(Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  timed_out_ = false;
  while (body_mode_ != BodyMode::kDone && body_mode_ != BodyMode::kNone) {
    std::string out;
    std::string error;
    if (!decodeBuffered(out, error)) {
      last_error_ = error;
      close();
      return std::nullopt;
    }
    if (body_mode_ == BodyMode::kDone) finishResponse();
    if (!out.empty()) return out;
    if (body_mode_ == BodyMode::kDone) break;
    Fill result = fill(deadline);
    if (result == Fill::kData) continue;
    if (result == Fill::kTimeout) {
      timed_out_ = true;
      return std::nullopt;
    }
    if (result == Fill::kEof && body_mode_ == BodyMode::kUntilEof) {
      body_mode_ = BodyMode::kDone;
      finishResponse();
      return std::nullopt;
    }
    last_error_ = "connection closed mid-body";
    close();
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<SseEvent> HttpClient::readSseEvent(Ms timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    size_t end = sse_buffer_.find("\n\n");
    std::string raw;
    if (end != std::string::npos) {
      raw = sse_buffer_.substr(0, end);
      sse_buffer_.erase(0, end + 2);
    } else {
      auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now());
      std::optional<std::string> chunk = readChunk(std::max(left, Ms(0)));
      if (chunk) {
        chunk->erase(std::remove(chunk->begin(), chunk->end(), '\r'), chunk->end());
        sse_buffer_ += *chunk;
        continue;
      }
      // End of body (or timeout): a final event without its blank line still counts.
      if (!bodyComplete() || sse_buffer_.empty()) return std::nullopt;
      raw = std::exchange(sse_buffer_, {});
      while (!raw.empty() && raw.back() == '\n') raw.pop_back();
      if (raw.empty()) return std::nullopt;
    }
    SseEvent event;
    event.raw = raw;
    std::string_view rest = raw;
    bool first_data = true;
    while (!rest.empty()) {
      size_t eol = rest.find('\n');
      std::string_view line = rest.substr(0, eol);
      rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
      auto valueOf = [&](std::string_view field) {
        std::string_view value = line.substr(field.size());
        if (value.starts_with(' ')) value.remove_prefix(1);
        return std::string(value);
      };
      if (line.starts_with("data:")) {
        if (!first_data) event.data += '\n';
        event.data += valueOf("data:");
        first_data = false;
      } else if (line.starts_with("event:")) {
        event.event = valueOf("event:");
      }
    }
    return event;
  }
}

HttpResponse httpGet(uint16_t port, std::string_view path, const Headers& headers,
                     HttpClient::Ms timeout) {
  HttpClient client("127.0.0.1", port);
  return client.get(path, headers, timeout);
}

HttpResponse httpPost(uint16_t port, std::string_view path, std::string_view body,
                      const Headers& headers, HttpClient::Ms timeout) {
  HttpClient client("127.0.0.1", port);
  return client.post(path, body, headers, timeout);
}

}  // namespace llmproxy::testing
