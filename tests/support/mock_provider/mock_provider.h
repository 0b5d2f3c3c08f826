// MockProvider: a fast, scriptable OpenAI (chat, Responses) and Anthropic upstream for tests,
// `make run` and `make bench`; plain HTTP or TLS, on its own libuv loop thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace llmproxy::testing {

// How the mock answers. Options::defaults applies to every request; each field can be
// overridden per request by a header x-mock-NAME (the proxy forwards them), where NAME is the
// field's name with '-' for '_' (x-mock-delay-ms, x-mock-tool-calls, ...), and by
// POST /__mock/behaviour with the field names as JSON keys. A request for the model
// "mock-status-NNN" is answered with status NNN (e.g. a probe of one failing model next to
// working ones). Every knob works on every endpoint where it means something; a "content event"
// is one delta of a stream (a chat chunk with content, an Anthropic content_block_delta, a
// Responses *.delta event), and the default output token count is the number of them.
struct MockBehaviour {
  int status = 200;            // non-2xx answers an error body in the endpoint's protocol
  int delay_ms = 0;            // before the response head
  int ttft_ms = 0;             // after the head, before the first body byte
  int chunks = 5;              // content events carrying the reply text
  int chunk_delay_ms = 0;      // between two content events of a stream
  int reset_after = -1;        // >= 0: TCP RST after that many content events (0 = before the head)
  std::string content;         // the reply text, split over the chunks; empty = generated words
  int chunk_bytes = 0;         // > 0: every chunk carries this many bytes of filler instead
  int body_bytes = 0;          // > 0: pad a non-streaming body to about this many bytes
  int prompt_tokens = -1;      // >= 0: reported instead of the estimate (text length / 4)
  int completion_tokens = -1;  // >= 0: reported instead of the content event count
  int retry_after = -1;        // >= 0: adds a retry-after header to error answers

  // Content beyond text (chat, Anthropic messages, Responses).
  int tool_calls = 0;         // with `tools` in the request: that many tool calls after the text
                              // (a tool_choice that forces a tool makes it at least 1; "none" 0)
  std::string tool_input;     // each call's input (JSON object); empty = {"call":N,"query":"mock"}
  int thinking = -1;          // reasoning block first: 1 always, 0 never, -1 when the request
                              // asks (thinking.type enabled / reasoning / reasoning_effort)
  std::string stop_reason;    // end_turn, max_tokens, stop_sequence, tool_use, refusal, pause_turn
                              // (or stop, length, tool_calls, content_filter); empty = natural
  std::string stop_sequence;  // reported with stop_sequence; empty = the request's first or "STOP"
  int cache_read_tokens = 0;  // usage: cache_read_input_tokens / cached_tokens
  int cache_creation_tokens = 0;  // usage: cache_creation_input_tokens (Anthropic)
  // Streams only.
  int error_after = -1;  // >= 0: the protocol's error event after that many content events, end
  int error_status = 0;  // the error's type by status; 0 = 529 overloaded_error on Anthropic,
                         // 500 server_error on OpenAI
  int stall_after = -1;  // >= 0: stop sending after that many content events and keep the
                         // connection open (non-streaming: the head, then nothing)
  // A broken upstream, for the chaos tests (2xx answers only; empty = well behaved):
  //   junk          bytes that are not HTTP, then FIN
  //   many-headers  a head of 10,000 header lines, then the answer
  //   short-length  content-length 1000 more than the body sent, then FIN
  //   long-length   content-length half the body, the whole body sent (extra bytes after it)
  //   cut-chunk     a stream cut inside a chunk (size line announces more than sent), then FIN
  //   endless       a stream whose content events never end (until the client leaves)
  std::string misbehave;
  // Keys. Anthropic endpoints always require x-api-key and anthropic-version.
  std::string api_key;  // non-empty: it must arrive (Authorization: Bearer or api-key on OpenAI
                        // endpoints, x-api-key on Anthropic ones), else 401
};

// One request as the mock received it.
struct RecordedRequest {
  uint64_t sequence = 0;       // 1, 2, 3... in arrival order (reset by reset())
  uint64_t connection_id = 0;  // same id = same TCP connection (keep-alive reuse)
  std::string method;
  std::string path;                                          // as sent, query included
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;
  std::string sni;  // TLS server name the client sent; empty for plain or none

  // First value of a header, matched case-insensitively; empty if absent.
  std::string header(std::string_view name) const;
};

// Owns a listening socket, a libuv loop and the thread running it. start() binds synchronously
// (so port() is valid when it returns) and then serves until stop() or destruction, which close
// every connection and join the thread. The query and control methods are thread-safe; the
// behaviour of requests already being answered does not change under them.
//
// Endpoints (any path prefix accepted, query ignored for routing): POST .../chat/completions,
// .../completions, .../embeddings, .../responses (OpenAI Responses), .../messages and
// .../messages/count_tokens (Anthropic); GET .../models (Anthropic's list shape when the request
// carries anthropic-version). As a tracing sink, recorded like the rest: POST .../v1/traces
// (an OpenTelemetry collector, 200) and POST .../api/public/ingestion (Langfuse, 207).
// mock_answers.h describes each answer. Control, not recorded:
// GET /__mock/requests (JSON array), GET /__mock/stats, POST /__mock/reset,
// POST /__mock/behaviour (JSON object with MockBehaviour's field names: new defaults).
class MockProvider {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    uint16_t port = 0;  // 0 = the kernel picks a free one
    bool tls = false;
    std::string cert_file;  // PEM, required with tls
    std::string key_file;
    MockBehaviour defaults;
    bool record = true;           // keep received requests (off for benchmarks)
    size_t max_recorded = 10000;  // oldest are dropped beyond this
    bool reuse_port = false;      // SO_REUSEPORT, for several mock processes on one port
    std::vector<std::string> models = {"mock-model", "gpt-4o", "gpt-4o-mini"};  // GET /models
  };

  MockProvider();
  explicit MockProvider(Options options);
  ~MockProvider();
  MockProvider(const MockProvider&) = delete;
  MockProvider& operator=(const MockProvider&) = delete;

  // Binds, listens and starts the loop thread. False (see lastError()) if binding or the TLS
  // setup failed. Calling it twice is an error.
  bool start();
  // Closes the listener and every connection, joins the thread. Idempotent.
  void stop();

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:PORT" or "https://localhost:PORT" (the certificate's name).
  std::string baseUrl() const;
  const std::string& lastError() const { return last_error_; }

  // --- what it saw (thread-safe) -----------------------------------------------------------
  std::vector<RecordedRequest> requests() const;
  std::optional<RecordedRequest> lastRequest() const;
  uint64_t requestCount() const { return requests_.load(); }
  uint64_t connectionsAccepted() const { return connections_accepted_.load(); }
  uint64_t openConnections() const { return open_connections_.load(); }
  // Responses cut short because the client closed or reset the connection.
  uint64_t clientAborts() const { return client_aborts_.load(); }
  // Times a stream paused because the socket's send queue was full (the client read slowly).
  uint64_t backpressureWaits() const { return backpressure_waits_.load(); }
  // Requests being answered now, and the most there were at once (since start or reset()).
  uint64_t inFlight() const { return in_flight_.load(); }
  uint64_t peakInFlight() const { return peak_in_flight_.load(); }
  // Connections reset on purpose (x-mock-reset-after).
  uint64_t resetsSent() const { return resets_sent_.load(); }

  // Forgets recorded requests, zeroes the counters (not openConnections) and restores the
  // start-up defaults.
  void reset();
  // Replaces the defaults for requests that start from now on.
  void setDefaults(const MockBehaviour& behaviour);
  MockBehaviour defaults() const;

  // Internal: the loop-thread side (defined in mock_provider.cc).
  class Loop;

 private:
  friend class Loop;
  void record(RecordedRequest request);
  std::string requestsJson() const;
  std::string statsJson() const;

  Options options_;
  uint16_t port_ = 0;
  std::string last_error_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;

  mutable std::mutex mutex_;  // guards records_, defaults_, next_sequence_
  std::deque<RecordedRequest> records_;
  MockBehaviour defaults_;
  uint64_t next_sequence_ = 0;

  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> connections_accepted_{0};
  std::atomic<uint64_t> open_connections_{0};
  std::atomic<uint64_t> client_aborts_{0};
  std::atomic<uint64_t> backpressure_waits_{0};
  std::atomic<uint64_t> resets_sent_{0};
  std::atomic<uint64_t> in_flight_{0};
  std::atomic<uint64_t> peak_in_flight_{0};
};

}  // namespace llmproxy::testing
