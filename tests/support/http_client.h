// HttpClient: a blocking HTTP/1.1 test client over a raw socket (optionally TLS), raw enough to
// split writes, pipeline, read slowly or stop reading.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace llmproxy::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

// One parsed response. `ok` is false when no complete response could be read; `error` says why
// ("timeout", "connection closed", "connect: ...", "bad response: ...").
struct HttpResponse {
  int status = 0;
  std::string reason;
  Headers headers;   // in arrival order, names as sent
  std::string body;  // decoded (chunked framing removed)
  bool ok = false;
  std::string error;

  // First value of a header, matched case-insensitively; empty if absent.
  std::string header(std::string_view name) const;
  bool hasHeader(std::string_view name) const;
};

// One server-sent event as read by HttpClient::readSseEvent.
struct SseEvent {
  std::string raw;    // the event's lines without the blank line that ends it
  std::string event;  // value of an "event:" line, empty if none
  std::string data;   // "data:" lines joined with '\n'
};

// TLS settings for HttpClient. With `tls` set, the client speaks TLS over the socket and, when
// `verify` is on, checks the peer against `ca_file` and `server_name` (host name or IP address).
struct HttpClientOptions {
  bool tls = false;
  bool verify = true;
  std::string ca_file;      // PEM bundle of trusted CAs; empty = OpenSSL's default paths
  std::string server_name;  // SNI and the name verified; empty = the host given to HttpClient
  int receive_buffer = 0;   // SO_RCVBUF before connect when > 0 (slow-reader tests)
};

// Owns one connection at a time to host:port. Keep-alive: a request reuses the open connection
// and reconnects first if the peer has closed it (it never resends a request). Every call takes
// a timeout and returns instead of hanging. Not thread-safe: one test thread uses it.
class HttpClient {
 public:
  using Ms = std::chrono::milliseconds;
  static constexpr Ms kDefaultTimeout{5000};

  HttpClient(std::string host, uint16_t port, HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // --- whole exchanges ---------------------------------------------------------------------

  // Sends one request and reads its whole response. Adds Host and, for a body or for POST/PUT/
  // PATCH, Content-Length, unless `headers` already has them.
  HttpResponse request(std::string_view method, std::string_view path, const Headers& headers = {},
                       std::string_view body = {}, Ms timeout = kDefaultTimeout);
  HttpResponse get(std::string_view path, const Headers& headers = {},
                   Ms timeout = kDefaultTimeout);
  HttpResponse post(std::string_view path, std::string_view body, const Headers& headers = {},
                    Ms timeout = kDefaultTimeout);

  // --- streaming ---------------------------------------------------------------------------

  // Sends a request and reads only the response head; the body is then read with readChunk or
  // readSseEvent. The returned response has an empty body.
  HttpResponse startStream(std::string_view method, std::string_view path,
                           const Headers& headers = {}, std::string_view body = {},
                           Ms timeout = kDefaultTimeout);
  // Next piece of decoded body, as it arrives (at least one byte). nullopt at the end of the
  // body, on timeout (timedOut() tells), or when the connection breaks.
  std::optional<std::string> readChunk(Ms timeout = kDefaultTimeout);
  // Next complete SSE event of the body being streamed. nullopt as for readChunk.
  std::optional<SseEvent> readSseEvent(Ms timeout = kDefaultTimeout);
  // True once the body of the current response has been read completely.
  bool bodyComplete() const { return body_mode_ == BodyMode::kDone; }
  // True when the last read returned for lack of time, not for lack of data.
  bool timedOut() const { return timed_out_; }

  // --- raw access ----------------------------------------------------------------------------

  // Connects if needed and writes the bytes as they are (one write call when the socket allows).
  bool sendRaw(std::string_view bytes, Ms timeout = kDefaultTimeout);
  // Whatever is already buffered plus what arrives within the timeout; returns as soon as
  // something has arrived. Empty on timeout or EOF.
  std::string readRaw(Ms timeout = kDefaultTimeout);
  // Reads one response (head and body) from the connection, e.g. after sendRaw. Pass
  // `head_request` when it answers a HEAD (no body follows).
  HttpResponse readResponse(Ms timeout = kDefaultTimeout, bool head_request = false);
  // True if the server closed (or reset) the connection within the timeout. Bytes arriving
  // meanwhile are kept for readResponse/readRaw.
  bool closedByPeer(Ms timeout = kDefaultTimeout);

  // --- connection --------------------------------------------------------------------------

  bool connect(Ms timeout = kDefaultTimeout);
  void close();
  bool isOpen() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Connections opened so far (keep-alive tests: stays 1 while the connection is reused).
  int connectionsOpened() const { return connections_opened_; }
  const std::string& lastError() const { return last_error_; }

 private:
  enum class BodyMode { kNone, kLength, kChunked, kUntilEof, kDone };
  enum class Fill { kData, kEof, kTimeout, kError };
  enum class ChunkState { kSize, kData, kDataEnd, kTrailer };
  using Clock = std::chrono::steady_clock;

  bool ensureConnected(Clock::time_point deadline);
  bool connectTcp(Clock::time_point deadline);
  bool handshake(Clock::time_point deadline);
  bool peerHasClosed();
  bool writeAll(std::string_view bytes, Clock::time_point deadline);
  Fill fill(Clock::time_point deadline);
  bool waitFd(short events, Clock::time_point deadline);
  std::string buildRequest(std::string_view method, std::string_view path, const Headers& headers,
                           std::string_view body) const;
  bool readHead(HttpResponse& response, Clock::time_point deadline, bool head_request);
  // Moves decoded body bytes already buffered into `out`. Returns false on a framing error.
  bool decodeBuffered(std::string& out, std::string& error);
  void finishResponse();

  std::string host_;
  uint16_t port_;
  HttpClientOptions options_;
  int fd_ = -1;
  SSL_CTX* ssl_ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string in_;  // received, not yet consumed bytes
  bool eof_ = false;
  int connections_opened_ = 0;
  std::string last_error_;
  bool timed_out_ = false;

  // State of the response body being read.
  BodyMode body_mode_ = BodyMode::kDone;
  uint64_t body_remaining_ = 0;
  ChunkState chunk_state_ = ChunkState::kSize;
  bool close_after_body_ = false;
  std::string sse_buffer_;
};

// One-shot GET to 127.0.0.1:port on a fresh connection.
HttpResponse httpGet(uint16_t port, std::string_view path, const Headers& headers = {},
                     HttpClient::Ms timeout = HttpClient::kDefaultTimeout);
// One-shot POST to 127.0.0.1:port on a fresh connection.
HttpResponse httpPost(uint16_t port, std::string_view path, std::string_view body,
                      const Headers& headers = {},
                      HttpClient::Ms timeout = HttpClient::kDefaultTimeout);

}  // namespace llmproxy::testing
